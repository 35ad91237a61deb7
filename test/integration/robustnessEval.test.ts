import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEGRADATIONS, runRobustnessEval } from '../../main/core/index.js';
import { KestrelError } from '../../main/contract/index.js';
import { sharedDir, testModelsDir } from '../helpers/fixtures.js';

// Four FGNET people, three photos each, read in place from the shared datasets.
let work: string;
let protocol: string;
let modelsDir: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-robust-'));
  modelsDir = await testModelsDir();
  const rows = readFileSync(join(sharedDir, 'datasets', 'protocols', 'fgnet_cluster.csv'), 'utf8').trim().split('\n').slice(1);
  const byId = new Map<string, string[]>();
  for (const r of rows) {
    const [path, id] = r.split(',');
    byId.set(id!, [...(byId.get(id!) ?? []), path!]);
  }
  const people = [...byId.entries()].filter(([, ps]) => ps.length >= 3).slice(0, 4);
  const lines = people.flatMap(([id, ps]) => ps.slice(-3).map((p) => `${join(sharedDir, 'datasets', 'protocols', p)},${id}`));
  protocol = join(work, 'tiny_cluster.csv');
  writeFileSync(protocol, `path,identity\n${lines.join('\n')}\n`);
});

after(() => rmSync(work, { recursive: true, force: true }));

const run = (extra: { threshold?: number; limit?: number } = {}) =>
  runRobustnessEval({ protocol, profile: 'accurate', modelsDir, cacheDir: join(work, 'cache'), limit: 6, ...extra });

test('every degradation is measured through the real pipeline, and heavier changes cost more similarity', async () => {
  const r = await run();
  const rows = r['degradations'] as { degradation: string; found: number; self_score_median: number | null }[];
  assert.deepEqual(rows.map((d) => d.degradation), DEGRADATIONS.map((d) => d.id));
  assert.equal(r['images'], 6);
  const med = (id: string) => rows.find((d) => d.degradation === id)!.self_score_median!;
  // A degraded copy is a different image, never the original bytes: its score against the original is below 1.
  assert.ok(rows.every((d) => d.self_score_median === null || d.self_score_median < 0.9999), JSON.stringify(rows));
  assert.ok(med('jpeg_q10') < med('jpeg_q70'), 'JPEG quality 10 moves the embedding more than quality 70');
  assert.ok(med('scale_0.25') < med('scale_0.8'), 'a quarter-size face moves more than a 0.8 resize');
  assert.ok(med('blur_3') < med('blur_0.7'), 'a strong blur moves more than a slight one');
  assert.ok(med('jpeg_q70') > 0.8, `a mild re-encode keeps the face close to itself (${med('jpeg_q70')})`);
  const base = r['baseline'] as { same_person_accepted: number; other_person_accepted: number };
  assert.ok(base.same_person_accepted >= 0 && base.same_person_accepted <= 1);
  assert.ok((r['same_person_pairs'] as number) > 0 && (r['other_person_pairs'] as number) > 0);
});

test('the threshold decides which faces are flagged unstable, and the flagged ones are named', async () => {
  const strict = await run({ threshold: 0.999 });
  assert.equal(strict['unstable_faces'], 6 - (strict['images_without_face'] as number), 'no face keeps 0.999 under every mild change');
  const ex = strict['unstable_examples'] as { path: string; worst_change: string }[];
  assert.ok(ex.length > 0 && ex.every((e) => e.path.endsWith('.JPG') && DEGRADATIONS.some((d) => d.id === e.worst_change && d.strength === 'mild')));
  const lenient = await run({ threshold: -1 });
  assert.equal(lenient['unstable_faces'], 0);
  assert.equal(lenient['threshold_source'], 'given');
  // The second and third runs read every embedding from the cache.
  assert.ok((lenient['cache_hits'] as number) > 0);
});

test('an empty protocol is refused with a clear error', async () => {
  const empty = join(work, 'empty.csv');
  writeFileSync(empty, 'path,identity\n');
  await assert.rejects(runRobustnessEval({ protocol: empty, profile: 'accurate', modelsDir }), (e: unknown) => e instanceof KestrelError && /lists no images/.test(e.message));
});
