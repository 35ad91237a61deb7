import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench, type Workbench } from '../../main/core/index.js';
import type { MatchDto } from '../../main/contract/index.js';
import { astronautPng, testModelsDir } from '../helpers/fixtures.js';
import { DEFAULT_INDEX_TUNING } from '../../main/core/search/faceIndex.js';

// A case above the exact-search limit matches through its index graph. The limit is lowered to two
// faces here so that the graph runs on a few real faces; the same case opened with the default
// limit scans exactly, and both must find the same pairs with the same scores.
const GRAPH_TUNING = { ...DEFAULT_INDEX_TUNING, exactLimit: 2, connectivity: 16, expansionAdd: 64 };

let work: string;
let caseDir: string;
let modelsDir: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-match-graph-'));
  const evidence = join(work, 'evidence');
  mkdirSync(evidence);
  writeFileSync(join(evidence, 'a.jpg'), await sharp(astronautPng).resize(420).jpeg().toBuffer());
  writeFileSync(join(evidence, 'b.png'), await sharp(astronautPng).resize(360).flop().png().toBuffer());
  writeFileSync(join(evidence, 'c.jpg'), await sharp(astronautPng).resize(300).greyscale().jpeg().toBuffer());
  writeFileSync(join(evidence, 'd.webp'), await sharp(astronautPng).resize(500).modulate({ brightness: 0.7 }).webp().toBuffer());
  writeFileSync(join(work, 'probe.png'), await sharp(astronautPng).resize(512).png().toBuffer());
  caseDir = join(work, 'case');
  modelsDir = await testModelsDir();
  const wb = await createWorkbench({ caseDir, modelsDir });
  try {
    await wb.ingest([evidence], { examiner: 'tester' });
    wb.createWatchlist({ name: 'wanted', threshold: 0.3, examiner: 'tester' });
    await wb.enrol({ watchlist: 'wanted', name: 'Astronaut', photos: [join(work, 'probe.png')], examiner: 'tester' });
  } finally {
    await wb.dispose();
  }
});

after(() => rmSync(work, { recursive: true, force: true }));

async function matches(tuning?: typeof GRAPH_TUNING): Promise<{ list: MatchDto; self: MatchDto }> {
  const wb: Workbench = await createWorkbench({ caseDir, modelsDir, ...(tuning ? { indexTuning: tuning } : {}) });
  try {
    return {
      list: await wb.match({ a: 'watchlist:wanted', b: 'case', threshold: 0.3, examiner: 'tester' }),
      self: await wb.match({ a: 'case', b: 'case', threshold: 0.3, examiner: 'tester' }),
    };
  } finally {
    await wb.dispose();
  }
}

const pairsOf = (m: MatchDto): string[] => m.pairs.map((p) => `${[p.a.key, p.b.key].sort().join('|')} ${p.score}`).sort();

test('M:N against a case whose index is a graph finds the pairs an exact scan finds, with the same scores, and says how B was searched', async () => {
  const graph = await matches(GRAPH_TUNING);
  assert.ok(existsSync(join(caseDir, 'derived', 'index', 'faces.usearch')), 'the graph was built and kept in the case');
  const exact = await matches();
  assert.equal(exact.list.pairs.length, 4);
  assert.equal(exact.self.pairs.length, 6, 'every unordered pair of the four faces once');
  assert.deepEqual(pairsOf(graph.list), pairsOf(exact.list));
  assert.deepEqual(pairsOf(graph.self), pairsOf(exact.self));
  assert.match(graph.list.b.label, /shortlisted by the case's index graph/);
  assert.doesNotMatch(exact.list.b.label, /graph/);
  assert.equal(graph.list.pairsCompared, exact.list.pairsCompared);
  assert.equal(graph.list.truncated, false);
});

const savedCount = (): number => (JSON.parse(readFileSync(join(caseDir, 'derived', 'index', 'faces.json'), 'utf8')) as { count: number }).count;

test('intake into a case whose index is a graph brings the saved graph up to date before it returns; a rebuild starts from the database and is audited', async () => {
  const wb = await createWorkbench({ caseDir, modelsDir, indexTuning: GRAPH_TUNING });
  try {
    const before = savedCount();
    const more = join(work, 'more');
    mkdirSync(more);
    writeFileSync(join(more, 'e.jpg'), await sharp(astronautPng).resize(440).modulate({ brightness: 1.2 }).jpeg().toBuffer());
    const r = await wb.ingest([more], { examiner: 'tester' });
    assert.equal(r.faces, 1);
    // No search has run since: the intake itself appended the new face to the saved graph.
    assert.equal(savedCount(), before + 1);

    // A damaged graph file is not noticed while the index is in memory; a rebuild replaces it.
    writeFileSync(join(caseDir, 'derived', 'index', 'faces.usearch'), 'damaged');
    const s = wb.rebuildIndex('examiner-r');
    assert.equal(s.mode, 'hnsw');
    assert.equal(s.faces, before + 1);
    assert.ok(s.files >= 4 && s.bytes > 0, `${s.files} files, ${s.bytes} bytes`);
    const entry = wb.repos.audit.list().filter((e) => e.action === 'index.rebuilt').at(-1)!;
    assert.equal(entry.actor, 'examiner-r');
    assert.equal((JSON.parse(entry.details) as { after: { faces: number } }).after.faces, before + 1);
  } finally {
    await wb.dispose();
  }
  // The rebuilt files open again without rebuilding, and the graph finds the new face as an exact scan does.
  const again = await createWorkbench({ caseDir, modelsDir, indexTuning: GRAPH_TUNING });
  try {
    const index = again.faceIndex();
    assert.equal(index.mode, 'hnsw');
    const newest = again.db.prepare('SELECT max(id) FROM faces').pluck().get() as number;
    assert.equal(index.status().faces, savedCount());
    const probe = await again.search({ probes: [`face:${newest}`], top: 10, threshold: null, filters: {}, examiner: 'tester' });
    assert.equal(probe.params.index, 'hnsw');
    assert.equal(probe.hits.length, savedCount() - 1, 'every other face, the probe face left out');
  } finally {
    await again.dispose();
  }
});

test('kestrel index reports the index and rebuilds it on request, audited with the examiner', async () => {
  const cli = join(import.meta.dirname, '..', '..', 'bin', 'kestrel.js');
  const env = { ...process.env, KESTREL_MODELS: modelsDir };
  const run = (args: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
  const faces = savedCount();
  const status = run(['index', '--case', caseDir, '--json']);
  assert.equal(status.status, 0, status.stderr);
  const s = JSON.parse(status.stdout) as { mode: string; faces: number; seconds: number | null };
  // The default limit: so few faces are scanned exactly.
  assert.deepEqual([s.mode, s.faces, s.seconds], ['exact', faces, null]);
  const rebuilt = run(['index', '--case', caseDir, '--rebuild', '--examiner', 'cli-examiner']);
  assert.equal(rebuilt.status, 0, rebuilt.stderr);
  assert.match(rebuilt.stdout, new RegExp(`face index: ${faces} faces, exact scan, \\d+ dims .*rebuilt in [\\d.]+ s`));
  // An exact index keeps nothing on disk: the graph files of the lowered limit are gone with the rebuild.
  assert.equal(existsSync(join(caseDir, 'derived', 'index', 'faces.usearch')), false);
  const wb = await createWorkbench({ caseDir, modelsDir });
  try {
    const entry = wb.repos.audit.list().filter((e) => e.action === 'index.rebuilt').at(-1)!;
    assert.equal(entry.actor, 'cli-examiner');
  } finally {
    await wb.dispose();
  }
});
