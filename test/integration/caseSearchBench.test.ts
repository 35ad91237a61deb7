import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testModelsDir } from '../helpers/fixtures.js';

const made = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('kestrel-bench-case-search-'));

test('kestrel bench search-case times searches through a searchable synthetic case and deletes it', async () => {
  const before = made();
  const cli = join(import.meta.dirname, '..', '..', 'bin', 'kestrel.js');
  const r = spawnSync(process.execPath, [cli, 'bench', 'search-case', '--faces', '1500', '--queries', '3', '--filtered-queries', '1', '--photo-queries', '1', '--top', '10', '--json'], {
    env: { ...process.env, KESTREL_MODELS: await testModelsDir() }, encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { faces: number; index_mode: string; searches: { what: string; runs: number; p50_ms: number; faces_searched: number; hits: number }[] };
  // The synthetic faces and the real photo's face are all in the index.
  assert.equal(out.faces, 1501);
  assert.equal(out.index_mode, 'exact');
  const [plain, source, dated, aged, photo] = out.searches;
  assert.deepEqual(out.searches.map((s) => s.runs), [3, 1, 1, 1, 1]);
  assert.equal(plain!.faces_searched, 1501);
  assert.equal(plain!.hits, 10);
  assert.equal(source!.faces_searched, 1500, 'the synthetic source holds every synthetic face, not the photo');
  for (const f of [dated!, aged!]) assert.ok(f.faces_searched > 50 && f.faces_searched < 1000, `${f.what}: ${f.faces_searched} faces passed`);
  assert.equal(photo!.faces_searched, 1501);
  assert.ok(out.searches.every((s) => s.p50_ms > 0));
  assert.deepEqual(made(), before, 'the temporary case is deleted');
});

test('kestrel bench search-case never writes its synthetic rows into a folder that already holds a case', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-bench-keep-'));
  try {
    mkdirSync(join(dir, 'case'));
    const cli = join(import.meta.dirname, '..', '..', 'bin', 'kestrel.js');
    const r = spawnSync(process.execPath, [cli, 'bench', 'search-case', '--faces', '10', '--keep', dir], { env: { ...process.env, KESTREL_MODELS: await testModelsDir() }, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /already exists/);
    assert.deepEqual(readdirSync(join(dir, 'case')), [], 'nothing written into it');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
