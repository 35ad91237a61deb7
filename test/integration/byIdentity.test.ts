import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench, matchToCsv, type Workbench } from '../../main/core/index.js';
import type { MatchItemDto } from '../../main/contract/index.js';
import { astronautJpeg, astronautPng, repoRoot, sharedDir, testModelsDir } from '../helpers/fixtures.js';

// A case where one person has several photos: searched one result per face, that person fills the
// top of the list; searched one result per identity, each identity comes once, at its best face.
// M:N by identity: one pair per identity pair, standing for its item pairs.

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
  wb.createWatchlist({ name: 'wanted', threshold: 0.3, examiner: 'tester' });
  await wb.enrol({ watchlist: 'wanted', name: 'Astronaut', photos: [probe], examiner: 'tester' });
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

test('M:N by identity: one pair per identity pair, the strongest of its item pairs, with their count; none inside one identity; stored and exported', async () => {
  const unit = (i: MatchItemDto): string => (i.identityId ?? null) !== null ? `identity:${i.identityId}` : i.key;
  const items = await wb.match({ a: 'case', b: 'case', threshold: 0.3, examiner: 'tester' });
  const ids = await wb.match({ a: 'case', b: 'case', threshold: 0.3, examiner: 'tester', by: 'identity' });
  assert.equal(ids.by, 'identity');
  assert.equal(items.by, undefined);
  // The item pairs between two different units, grouped by their unordered unit pair.
  const groups = new Map<string, number[]>();
  for (const p of items.pairs) {
    const [x, y] = [unit(p.a), unit(p.b)].sort();
    if (x === y) continue;
    groups.set(`${x}|${y}`, [...(groups.get(`${x}|${y}`) ?? []), p.score]);
  }
  assert.ok(items.pairs.some((p) => unit(p.a) === unit(p.b)), 'by item, the astronaut photos pair with each other');
  assert.equal(ids.pairs.length, groups.size);
  for (const p of ids.pairs) {
    const [x, y] = [unit(p.a), unit(p.b)].sort();
    assert.notEqual(x, y, 'no pair inside one identity');
    const g = groups.get(`${x}|${y}`)!;
    assert.equal(p.itemPairs, g.length);
    assert.equal(p.score, Math.max(...g), 'the strongest item pair stands for the group');
  }
  // A subject against the case: her three photos are one identity, so one pair standing for three.
  const w = await wb.match({ a: 'watchlist:wanted', b: 'case', threshold: 0.3, examiner: 'tester', by: 'identity' });
  const astronaut = items.pairs.flatMap((p) => [p.a, p.b]).find((i) => i.mediaPath.endsWith('a.jpg'))!.identityId;
  assert.ok(astronaut !== null && astronaut !== undefined);
  const her = w.pairs.filter((p) => p.b.identityId === astronaut);
  assert.equal(her.length, 1);
  assert.equal(her[0]!.itemPairs, 3);
  assert.deepEqual(wb.repos.matches.get(w.id), w, 'reopened exactly as run');
  const csv = matchToCsv(w).split('\r\n');
  assert.ok(csv[0]!.endsWith(',a_identity_id,b_identity_id,item_pairs'));
  assert.ok(csv.some((l) => l.endsWith(`,${astronaut},3`)), 'her row names her identity and the three item pairs');
  const ui = await wb.invoke('match.run', { a: 'watchlist:wanted', b: 'case', threshold: 0.3, by: 'identity', examiner: 'ui tester' });
  assert.equal(ui.by, 'identity');
  await assert.rejects(wb.invoke('match.run', { a: 'case', b: 'case', by: 'person', examiner: 'ui tester' }), /by/);
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
