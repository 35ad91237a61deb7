import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench, type Workbench } from '../../main/core/index.js';
import { astronautJpeg, astronautPng, repoRoot, sharedDir, testModelsDir } from '../helpers/fixtures.js';

// A case where one person has several photos: searched one result per face, that person fills the
// top of the list; searched one result per identity, each identity comes once, at its best face.

let work: string;
let wb: Workbench;
let probe: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-search-identity-'));
  const evidence = join(work, 'evidence');
  mkdirSync(evidence);
  writeFileSync(join(evidence, 'a.jpg'), await astronautJpeg(420));
  writeFileSync(join(evidence, 'b.png'), await sharp(astronautPng).resize(360).flop().png().toBuffer());
  writeFileSync(join(evidence, 'c.jpg'), await sharp(astronautPng).resize(300).greyscale().jpeg().toBuffer());
  for (const f of ['faceonnx_brad_1.jpg', 'faceonnx_brad_2.jpg', 'faceonnx_nicole_1.jpg', 'faceonnx_sarah_1.jpg']) copyFileSync(join(sharedDir, 'datasets', 'test-photos', f), join(evidence, f));
  probe = join(work, 'probe.png');
  writeFileSync(probe, await sharp(astronautPng).resize(512).png().toBuffer());
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir() });
  await wb.ingest([evidence], { examiner: 'tester' });
  await wb.cluster({ examiner: 'tester' });
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('a search by identity lists each identity once, at its best-ranked face, in the order of the search by face; stored as such', async () => {
  const byFace = await wb.search({ probes: [probe], top: 20, threshold: null, filters: {}, examiner: 'tester' });
  const byIdentity = await wb.search({ probes: [probe], top: 20, threshold: null, filters: {}, examiner: 'tester', by: 'identity' });
  const astronaut = byFace.hits[0]!.identityId;
  assert.ok(astronaut !== null, 'the astronaut photos form an identity');
  assert.equal(byFace.hits.filter((h) => h.identityId === astronaut).length, 3, 'by face: her three photos');
  assert.equal(byIdentity.hits.filter((h) => h.identityId === astronaut).length, 1, 'by identity: once');
  // Exactly the by-face list with each identity's later faces left out.
  const seen = new Set<number>();
  const expected = byFace.hits.filter((h) => h.identityId === null || (!seen.has(h.identityId) && !!seen.add(h.identityId)));
  assert.deepEqual(byIdentity.hits.map((h) => [h.faceId, h.trackId]), expected.map((h) => [h.faceId, h.trackId]));
  assert.ok(byIdentity.hits.length < byFace.hits.length);
  assert.deepEqual(byIdentity.hits.map((h) => h.rank), byIdentity.hits.map((_, i) => i + 1), 'ranks numbered afresh');
  assert.equal(wb.repos.searches.get(byIdentity.id)!.params.by, 'identity', 'reopened as run');
  assert.equal(byFace.params.by, undefined, 'a search by face stores what older searches stored');
  // Top k counts identities: asking for one gives the astronaut alone.
  const one = await wb.search({ probes: [probe], top: 1, threshold: null, filters: {}, examiner: 'tester', by: 'identity' });
  assert.deepEqual(one.hits.map((h) => h.identityId), [astronaut]);
  const ui = await wb.invoke('search.run', { probes: [{ path: probe }], by: 'identity', examiner: 'ui tester' });
  assert.equal(ui.params.by, 'identity');
  await assert.rejects(wb.invoke('search.run', { probes: [{ path: probe }], by: 'person', examiner: 'ui tester' }), /by/);
});

test('CLI: kestrel search --by identity says so and prints one row per identity; a wrong unit is refused', async () => {
  await wb.dispose();
  const env = { ...process.env, KESTREL_MODELS: await testModelsDir() };
  const run = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'kestrel.js'), ...args], { env, encoding: 'utf8' });
  const r = run(['search', '--case', wb.caseDir, '--probe', probe, '--by', 'identity', '--examiner', 'Det. CLI', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const ids = (JSON.parse(r.stdout) as { hits: { identityId: number | null }[] }).hits.map((h) => h.identityId).filter((x) => x !== null);
  assert.equal(new Set(ids).size, ids.length, 'no identity twice');
  const text = run(['search', '--case', wb.caseDir, '--probe', probe, '--by', 'identity', '--examiner', 'Det. CLI']);
  assert.match(text.stdout, /^\d+ faces searched \(exact\), top 20, one result per identity$/m);
  const bad = run(['search', '--case', wb.caseDir, '--probe', probe, '--by', 'person']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--by.*'person' is invalid/);
  wb = await createWorkbench({ caseDir: wb.caseDir, modelsDir: await testModelsDir() });
});
