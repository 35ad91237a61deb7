import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench, type Workbench } from '../../main/core/index.js';
import { KestrelError } from '../../main/contract/index.js';
import { sha256 } from '../../main/core/media/hashing.js';
import { astronautJpeg, astronautPng, sharedDir, testModelsDir } from '../helpers/fixtures.js';

// A unit's wanted list is checked against every case it opens: exported from one case with its
// reference photos, imported into another, where it alarms on the evidence already there.

const code = (c: string) => (e: unknown) => e instanceof KestrelError && e.code === c;
const lin = join(sharedDir, 'datasets', 'small_identity_sets', 'face_recognition_ageitgey', 'examples', 'lin-manuel-miranda.png');

let work: string;
let a: Workbench;
let b: Workbench;
let reference: string;
let second: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-watch-share-'));
  reference = join(work, 'reference.png');
  writeFileSync(reference, await sharp(astronautPng).resize(512).png().toBuffer());
  second = join(work, 'second.jpg');
  writeFileSync(second, await sharp(astronautPng).resize(400).flop().jpeg().toBuffer());
  const evidence = join(work, 'evidence');
  mkdirSync(evidence);
  writeFileSync(join(evidence, 'seen.jpg'), await astronautJpeg(420));
  const models = await testModelsDir();
  a = await createWorkbench({ caseDir: join(work, 'unit-case'), modelsDir: models });
  b = await createWorkbench({ caseDir: join(work, 'new-case'), modelsDir: models });
  await b.ingest([evidence], { examiner: 'intake officer' });
  a.createWatchlist({ name: 'wanted', threshold: 0.3, notes: 'unit list 2026', examiner: 'list keeper' });
  const astronaut = await a.enrol({ watchlist: 'wanted', name: 'Astronaut', photos: [reference, second], notes: 'seen at the port', examiner: 'list keeper' });
  // A wrong photo taken off, and a subject no longer wanted: neither travels.
  const wrong = a.repos.watchlists.photos(astronaut.subjectId).find((p) => p.fileName === 'second.jpg')!;
  a.removeSubjectPhoto({ subjectId: astronaut.subjectId, photoId: wrong.id, reason: 'mirror image', examiner: 'list keeper' });
  const found = await a.enrol({ watchlist: 'wanted', name: 'Lin-Manuel Miranda', photos: [lin], examiner: 'list keeper' });
  a.retireSubject({ subjectId: found.subjectId, reason: 'located', examiner: 'list keeper' });
});

after(async () => {
  await a?.dispose();
  await b?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('enrolment keeps each reference photo in the case, byte for byte', () => {
  for (const s of a.repos.watchlists.subjects()) {
    for (const p of a.repos.watchlists.photos(s.id)) {
      const kept = join(work, 'unit-case', 'derived', 'watchlist', 'photos', p.sha256);
      assert.ok(existsSync(kept), `${p.fileName} kept`);
      assert.equal(sha256(readFileSync(kept)), p.sha256);
    }
  }
});

test('a list exported with its photos is imported into another case, checked against its evidence at once, and audited on both sides', async () => {
  const out = join(work, 'shared-list');
  const e = await a.exportWatchlist({ watchlist: 'wanted', out, examiner: 'list keeper' });
  assert.deepEqual([e.subjects, e.photos], [1, 1], 'the retired subject and the removed photo stay behind');
  const manifest = JSON.parse(readFileSync(join(out, 'watchlist.json'), 'utf8')) as { name: string; threshold: number; notes: string; subjects: { name: string; notes: string; photos: { file: string; fileName: string; sha256: string }[] }[] };
  assert.equal(sha256(readFileSync(join(out, 'watchlist.json'))), e.manifestSha256);
  assert.deepEqual([manifest.name, manifest.threshold, manifest.notes], ['wanted', 0.3, 'unit list 2026']);
  assert.deepEqual(manifest.subjects.map((s) => [s.name, s.notes, s.photos.map((p) => p.fileName)]), [['Astronaut', 'seen at the port', ['reference.png']]]);
  const photo = manifest.subjects[0]!.photos[0]!;
  assert.deepEqual(readFileSync(join(out, 'photos', photo.file)), readFileSync(reference), 'the photo as enrolled');
  assert.equal(JSON.parse(a.repos.audit.list().filter((x) => x.action === 'watchlist.exported').at(-1)!.details).manifest_sha256, e.manifestSha256);
  // Exporting over anything is refused.
  await assert.rejects(a.exportWatchlist({ watchlist: 'wanted', out, examiner: 'list keeper' }), /not empty/);
  await assert.rejects(a.exportWatchlist({ watchlist: 'nobody', out: join(work, 'x'), examiner: 'list keeper' }), code('NOT_FOUND'));
  await assert.rejects(a.exportWatchlist({ watchlist: 'wanted', out: reference, examiner: 'list keeper' }), /a file, not a folder/);
  await assert.rejects(a.exportWatchlist({ watchlist: 'wanted', out: 'relative', examiner: 'list keeper' }), /full path/);

  const r = await b.importWatchlist({ from: out, examiner: 'case examiner' });
  assert.deepEqual([r.name, r.subjects, r.photos], ['wanted', 1, 1]);
  assert.ok(r.alarms.length >= 1, 'the astronaut in the evidence alarms at import');
  const list = b.repos.watchlists.byName('wanted')!;
  assert.deepEqual([list.threshold, list.notes, list.createdBy], [0.3, 'unit list 2026', 'case examiner']);
  const subject = b.repos.watchlists.subjects().find((s) => s.watchlist === 'wanted')!;
  assert.deepEqual([subject.name, subject.notes, subject.refs], ['Astronaut', 'seen at the port', 1]);
  assert.deepEqual(b.repos.watchlists.photos(subject.id).map((p) => [p.fileName, p.sha256]), [['reference.png', photo.sha256]]);
  const imported = JSON.parse(b.repos.audit.list().filter((x) => x.action === 'watchlist.imported').at(-1)!.details) as Record<string, unknown>;
  assert.deepEqual([imported['manifest_sha256'], imported['exported_by'], imported['exported_as']], [e.manifestSha256, 'list keeper', 'wanted']);
  assert.ok(existsSync(join(work, 'new-case', 'derived', 'watchlist', 'photos', photo.sha256)), 'the importing case keeps the photo too');
  // The same name twice is refused; another name is a second list.
  await assert.rejects(b.importWatchlist({ from: out, examiner: 'case examiner' }), /exists already/);
  const again = await b.importWatchlist({ from: out, name: 'wanted (port)', examiner: 'case examiner' });
  assert.equal(again.name, 'wanted (port)');
});

test('an altered or incomplete exported folder imports nothing, with the reason', async () => {
  const out = join(work, 'to-alter');
  await a.exportWatchlist({ watchlist: 'wanted', out, examiner: 'list keeper' });
  const lists = b.repos.watchlists.list().length;
  const subjects = b.repos.watchlists.subjects().length;

  const altered = join(work, 'altered');
  cpSync(out, altered, { recursive: true });
  const file = join(altered, 'photos', readdirSync(join(altered, 'photos'))[0]!);
  const bytes = readFileSync(file);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
  writeFileSync(file, bytes);
  await assert.rejects(b.importWatchlist({ from: altered, name: 'altered', examiner: 'case examiner' }), /does not match its SHA-256/);

  const missing = join(work, 'missing');
  cpSync(out, missing, { recursive: true });
  rmSync(join(missing, 'photos'), { recursive: true });
  await assert.rejects(b.importWatchlist({ from: missing, name: 'missing', examiner: 'case examiner' }), /is missing/);

  const escaping = join(work, 'escaping');
  cpSync(out, escaping, { recursive: true });
  const m = JSON.parse(readFileSync(join(escaping, 'watchlist.json'), 'utf8')) as { subjects: { photos: { file: string }[] }[] };
  m.subjects[0]!.photos[0]!.file = '../../reference.png';
  writeFileSync(join(escaping, 'watchlist.json'), JSON.stringify(m));
  await assert.rejects(b.importWatchlist({ from: escaping, name: 'escaping', examiner: 'case examiner' }), /not a file name/);

  await assert.rejects(b.importWatchlist({ from: join(work, 'evidence'), examiner: 'case examiner' }), /holds no exported watchlist/);
  await assert.rejects(b.importWatchlist({ from: 'shared-list', examiner: 'case examiner' }), /full path/);
  assert.deepEqual([b.repos.watchlists.list().length, b.repos.watchlists.subjects().length], [lists, subjects], 'nothing was created');
});

test('a photo enrolled before the case kept reference photos blocks the export and says how to mend it', async () => {
  const p = a.repos.watchlists.photos(a.repos.watchlists.subjects().find((s) => s.name === 'Astronaut')!.id).find((x) => !x.removedAt)!;
  rmSync(join(work, 'unit-case', 'derived', 'watchlist', 'photos', p.sha256));
  const out = join(work, 'blocked');
  await assert.rejects(a.exportWatchlist({ watchlist: 'wanted', out, examiner: 'list keeper' }), /enrolled before the case kept them.*add-photos/);
  assert.ok(!existsSync(join(out, 'watchlist.json')), 'nothing written');
});
