import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KestrelError, type SearchFilters } from '../../main/contract/index.js';
import { createWorkbench, fillSyntheticCase } from '../../main/core/index.js';
import { astronautPng, testModelsDir } from '../helpers/fixtures.js';

// A searchable case of synthetic faces (dated and undated photos, estimated ages) in one source,
// a third of its photos found again in a second source, beside one real photo in a third.
let work: string;
let caseDir: string;
let modelsDir: string;
let sources: { synthetic: number; second: number };

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-search-filters-'));
  caseDir = join(work, 'case');
  modelsDir = await testModelsDir();
  mkdirSync(join(work, 'photo'));
  copyFileSync(astronautPng, join(work, 'photo', 'a.png'));
  const wb = await createWorkbench({ caseDir, modelsDir });
  try {
    await wb.ingest([join(work, 'photo')], { examiner: 'tester' });
  } finally {
    await wb.dispose();
  }
  const again = await createWorkbench({ caseDir, modelsDir });
  let models: { id: string; dim: number }[];
  try {
    models = again.db.prepare("SELECT id, dim FROM models WHERE role = 'recognizer'").all() as { id: string; dim: number }[];
  } finally {
    await again.dispose();
  }
  await fillSyntheticCase(caseDir, { faces: 900, identities: 120, facePhoto: astronautPng, embeddings: { models } });
  const wb3 = await createWorkbench({ caseDir, modelsDir });
  try {
    const synthetic = wb3.db.prepare("SELECT id FROM sources WHERE path = '(synthetic)'").pluck().get() as number;
    const second = Number(wb3.db.prepare("INSERT INTO sources (path, kind, added_by, added_at) VALUES ('/second-phone', 'folder', 'tester', '2026-01-01T00:00:00Z')").run().lastInsertRowid);
    wb3.db.prepare("INSERT INTO media_locations (source_id, media_id, path, seen_at) SELECT ?, media_id, replace(path, '/synthetic/', '/second/'), seen_at FROM media_locations WHERE source_id = ? AND media_id % 3 = 0")
      .run(second, synthetic);
    sources = { synthetic, second };
  } finally {
    await wb3.dispose();
  }
});

after(() => rmSync(work, { recursive: true, force: true }));

test('a filtered search searches exactly the faces that pass every filter, and returns only them', async () => {
  const wb = await createWorkbench({ caseDir, modelsDir });
  try {
    const rows = wb.db.prepare('SELECT f.id, f.age, m.captured_at AS at, m.id AS media FROM faces f JOIN media m ON m.id = f.media_id').all() as { id: number; age: number | null; at: string | null; media: number }[];
    const located = wb.db.prepare('SELECT media_id, source_id FROM media_locations').all() as { media_id: number; source_id: number }[];
    const inSource = (media: number, source: number): boolean => located.some((l) => l.media_id === media && l.source_id === source);
    const passes = (r: (typeof rows)[number], f: SearchFilters): boolean =>
      (f.ageMin === undefined || (r.age !== null && r.age >= f.ageMin)) && (f.ageMax === undefined || (r.age !== null && r.age <= f.ageMax))
      && (f.capturedFrom === undefined || (r.at !== null && r.at >= f.capturedFrom)) && (f.capturedTo === undefined || (r.at !== null && (f.capturedTo.length === 10 ? r.at.slice(0, 10) <= f.capturedTo : r.at <= f.capturedTo)))
      && (f.sourceId === undefined || inSource(r.media, f.sourceId));
    const dates = rows.map((r) => r.at).filter((a): a is string => a !== null).sort();
    const date = (q: number): string => dates[Math.floor(q * dates.length)]!;
    const cases: SearchFilters[] = [
      { sourceId: sources.second },
      { sourceId: sources.synthetic },
      { capturedFrom: date(0.3), capturedTo: date(0.6) },
      { capturedTo: date(0.5) },
      // A bare day, as the UI's date field and the CLI's --to give it: the whole day is included.
      { capturedTo: date(0.5).slice(0, 10) },
      { ageMin: 20, ageMax: 40 },
      { sourceId: sources.second, capturedFrom: date(0.2), ageMax: 40 },
      { sourceId: sources.synthetic, ageMin: 30, capturedTo: date(0.7) },
    ];
    const probe = rows[Math.floor(rows.length / 2)]!.id;
    for (const filters of cases) {
      const expected = new Set(rows.filter((r) => passes(r, filters)).map((r) => r.id));
      assert.ok(expected.size > 5 && expected.size < rows.length, `${JSON.stringify(filters)} passes ${expected.size} of ${rows.length}: not a useful check`);
      const s = await wb.search({ probes: [`face:${probe}`], top: 1000, threshold: null, filters, examiner: 'tester' });
      assert.equal(s.facesSearched, expected.size, JSON.stringify(filters));
      assert.ok(s.hits.length > 0);
      for (const h of s.hits) assert.ok(expected.has(h.faceId), `${JSON.stringify(filters)}: face ${h.faceId} does not pass`);
      // Every passing face but the probe itself comes back when asked for all of them.
      assert.equal(s.hits.length, expected.size - (expected.has(probe) ? 1 : 0), JSON.stringify(filters));
    }
  } finally {
    await wb.dispose();
  }
});

test('a filter range that can hold nothing is refused with a clear error and stores no search; a range within one day is allowed', async () => {
  const wb = await createWorkbench({ caseDir, modelsDir });
  try {
    const probe = wb.db.prepare('SELECT min(id) FROM faces').pluck().get() as number;
    const stored = wb.repos.searches.list().length;
    const run = (filters: SearchFilters) => wb.search({ probes: [`face:${probe}`], top: 5, threshold: null, filters, examiner: 'tester' });
    const invalid = (what: RegExp) => (e: unknown) => e instanceof KestrelError && e.code === 'INVALID_INPUT' && what.test(e.message);
    await assert.rejects(run({ ageMin: 50, ageMax: 20 }), invalid(/age range is empty: from 50 to 20/));
    await assert.rejects(run({ capturedFrom: '2021-05-02', capturedTo: '2021-05-01' }), invalid(/capture date range is empty/));
    await assert.rejects(run({ capturedFrom: '2021-05-01T12:00:00', capturedTo: '2021-05-01T09:00:00' }), invalid(/capture date range is empty/));
    assert.equal(wb.repos.searches.list().length, stored, 'a refused search was stored');
    // A bare last day holds the whole day: from noon to that day is a range, and so is one age.
    await run({ capturedFrom: '2021-05-01T12:00:00', capturedTo: '2021-05-01' });
    await run({ ageMin: 30, ageMax: 30 });
  } finally {
    await wb.dispose();
  }
});
