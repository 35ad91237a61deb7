import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench, type Workbench } from '../../main/core/index.js';
import { KestrelError } from '../../main/contract/index.js';
import { astronautJpeg, astronautPng, repoRoot, testModelsDir } from '../helpers/fixtures.js';

// A watchlist lives longer than one intake: a missing child is found, a wanted person's newer photo
// comes in, a list alarms too often. Each change is audited and loses nothing already decided.

const code = (c: string) => (e: unknown) => e instanceof KestrelError && e.code === c;

let work: string;
let wb: Workbench;
let reference: string;
let later: string;
let subjectId: number;
let disposed = false;

const details = (action: string): Record<string, unknown> => JSON.parse(wb.repos.audit.list().filter((e) => e.action === action).at(-1)!.details) as Record<string, unknown>;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-watch-upkeep-'));
  const first = join(work, 'first');
  mkdirSync(first);
  writeFileSync(join(first, 'a.jpg'), await astronautJpeg(420));
  writeFileSync(join(first, 'b.png'), await sharp(astronautPng).resize(360).flop().png().toBuffer());
  later = join(work, 'later');
  mkdirSync(later);
  writeFileSync(join(later, 'c.jpg'), await sharp(astronautPng).resize(300).greyscale().jpeg().toBuffer());
  reference = join(work, 'reference.png');
  writeFileSync(reference, await sharp(astronautPng).resize(512).png().toBuffer());
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir() });
  await wb.ingest([first], { examiner: 'tester' });
  wb.createWatchlist({ name: 'missing', threshold: 0.3, examiner: 'tester' });
  const r = await wb.enrol({ watchlist: 'missing', name: 'Astronaut', photos: [reference], examiner: 'tester' });
  assert.equal(r.alarms.length, 2, 'both photos of the case alarm at enrolment');
  subjectId = r.subjectId;
});

after(async () => {
  if (!disposed) await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('a retired subject keeps its photos and alarms, is no longer checked at intake or matched, and is put back with a check of the whole case', async () => {
  const decided = wb.repos.watchlists.alarms()[0]!;
  wb.decideAlarm(decided.id, 'confirmed', 'examiner-2', 'same person');
  assert.throws(() => wb.retireSubject({ subjectId, reason: '   ', examiner: 'tester' }), /needs a reason/);
  assert.throws(() => wb.retireSubject({ subjectId: 999, reason: 'found', examiner: 'tester' }), code('NOT_FOUND'));
  assert.equal(wb.repos.watchlists.subjects(subjectId)[0]!.retiredAt, null, 'a refused retirement changes nothing');

  const r = wb.retireSubject({ subjectId, reason: 'found alive, report 17/2026', examiner: 'tester' });
  assert.equal(r.openAlarms, 1, 'the undecided alarm still awaits a decision');
  const s = wb.repos.watchlists.subjects(subjectId)[0]!;
  assert.deepEqual([s.retiredBy, s.retireReason, s.refs], ['tester', 'found alive, report 17/2026', 1]);
  assert.deepEqual(details('watchlist.subject_retired'), { watchlist: 'missing', name: 'Astronaut', reason: 'found alive, report 17/2026' });
  const list = wb.repos.watchlists.byName('missing')!;
  assert.deepEqual([list.subjects, list.retired], [0, 1]);
  assert.equal(wb.repos.watchlists.alarms().length, 2, 'its alarms stay');
  assert.equal(wb.repos.watchlists.alarms(undefined, decided.id)[0]!.status, 'confirmed', 'and their decisions');
  // Its alarms say so, in the case and in an export's report and CSV.
  assert.ok(wb.repos.watchlists.alarms().every((a) => a.subjectRetiredAt !== null && a.subjectRetireReason === 'found alive, report 17/2026'));
  const out = join(work, 'export-retired');
  await wb.exportCase({ out, select: [`alarm:${decided.id}`], formats: ['html', 'csv'], lang: 'en', redact: false, originals: false, clips: false, frames: 'report', examiner: 'tester' });
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /subject since retired from the list \(\d{4}-\d{2}-\d{2}: found alive, report 17\/2026\)/);
  // The report shows what the alarm matched against: the subject's reference face, in the export and its manifest.
  const ref = `crops/subject-${subjectId}-photo-${wb.repos.watchlists.photos(subjectId)[0]!.id}.jpg`;
  assert.ok(existsSync(join(out, ref)), ref);
  assert.ok(html.includes(ref) && html.includes('Reference: reference.png'));
  assert.ok((JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { files: { path: string }[] }).files.some((f) => f.path === ref), 'listed in the manifest');
  const csv = readFileSync(join(out, 'data', 'alarms.csv'), 'utf8').split(/\r?\n/);
  assert.ok(csv[0]!.endsWith(',subject_retired_at,subject_retire_reason'), csv[0]);
  assert.ok(csv[1]!.endsWith(',"found alive, report 17/2026"'), csv[1]);
  assert.throws(() => wb.retireSubject({ subjectId, reason: 'again', examiner: 'tester' }), /retired already/);

  // Intake goes on without it; M:N leaves it out and says so.
  const intake = await wb.ingest([later], { examiner: 'tester' });
  assert.equal(intake.faces, 1);
  assert.equal(intake.alarms, 0, 'a retired subject raises no alarm at intake');
  const m = await wb.match({ a: 'watchlist:missing', b: 'case', threshold: 0.3, examiner: 'tester' });
  assert.equal(m.a.items, 0);
  assert.match(m.a.label, /1 retired subject\(s\) left out/);

  // Put back: the face taken in meanwhile alarms now; the others are not raised twice.
  const back = await wb.reinstateSubject({ subjectId, examiner: 'tester' });
  assert.equal(back.alarms.length, 1);
  assert.match(wb.repos.watchlists.alarms(undefined, back.alarms[0])[0]!.mediaPath, /c\.jpg$/);
  assert.equal(wb.repos.watchlists.subjects(subjectId)[0]!.retiredAt, null);
  assert.ok(wb.repos.watchlists.alarms().every((a) => a.subjectRetiredAt === null), 'back on the list, its alarms no longer say retired');
  assert.equal(details('watchlist.subject_reinstated')['reason'], 'found alive, report 17/2026', 'the audit keeps what was undone');
  await assert.rejects(wb.reinstateSubject({ subjectId, examiner: 'tester' }), /on its list already/);
});

test("more photos of a subject are stored and the case is checked with them at once; a photo without a face is refused and adds nothing", async () => {
  const noFace = join(work, 'empty.png');
  writeFileSync(noFace, await sharp({ create: { width: 320, height: 240, channels: 3, background: '#58a' } }).png().toBuffer());
  await assert.rejects(wb.addSubjectPhotos({ subjectId, photos: [noFace], examiner: 'tester' }), /No face/);
  await assert.rejects(wb.addSubjectPhotos({ subjectId, photos: [], examiner: 'tester' }), /at least one reference photo/);
  assert.equal(wb.repos.watchlists.subjects(subjectId)[0]!.refs, 1);

  // A second subject enrolled with a weak likeness (a blurred small copy) under a strict list alarms
  // on nothing; its sharp photo, added later, makes the case's faces alarm.
  wb.createWatchlist({ name: 'strict', threshold: 0.9, examiner: 'tester' });
  const blurred = join(work, 'blurred.png');
  writeFileSync(blurred, await sharp(astronautPng).resize(96).blur(2.5).resize(400).png().toBuffer());
  const e = await wb.enrol({ watchlist: 'strict', name: 'Astronaut (strict)', photos: [blurred], examiner: 'tester' });
  const before = e.alarms.length;
  const r = await wb.addSubjectPhotos({ subjectId: e.subjectId, photos: [reference], examiner: 'tester' });
  assert.equal(wb.repos.watchlists.subjects(e.subjectId)[0]!.refs, 2);
  assert.ok(r.alarms.length > 0, `the sharp reference alarms (${before} with the blurred one alone)`);
  assert.equal(before + r.alarms.length, wb.repos.watchlists.alarms().filter((a) => a.subjectId === e.subjectId).length, 'no alarm raised twice');
  assert.equal((details('watchlist.photos_added')['photos'] as string[]).length, 1);

  // The blurred photo was a poor choice: removed with a reason, kept on record, no longer used.
  const [weak, good] = wb.repos.watchlists.photos(e.subjectId);
  assert.throws(() => wb.removeSubjectPhoto({ subjectId: e.subjectId, photoId: weak!.id, reason: ' ', examiner: 'tester' }), /needs a reason/);
  assert.throws(() => wb.removeSubjectPhoto({ subjectId: subjectId, photoId: weak!.id, reason: 'wrong subject', examiner: 'tester' }), code('NOT_FOUND'));
  const left = wb.removeSubjectPhoto({ subjectId: e.subjectId, photoId: weak!.id, reason: 'blurred copy, superseded', examiner: 'tester' });
  assert.equal(left.photos, 1);
  const after = wb.repos.watchlists.photos(e.subjectId);
  assert.deepEqual(after.map((p) => [p.id, p.removedBy, p.removeReason]), [[weak!.id, 'tester', 'blurred copy, superseded'], [good!.id, null, null]]);
  assert.equal(wb.repos.watchlists.subjects(e.subjectId)[0]!.refs, 1);
  assert.equal(wb.repos.watchlists.subjectRefs([e.subjectId])[0]!.refs.length, 1, 'the removed photo is no longer matched');
  assert.deepEqual(details('watchlist.photo_removed'), { watchlist: 'strict', name: 'Astronaut (strict)', photo: weak!.id, file: weak!.fileName, sha256: weak!.sha256, reason: 'blurred copy, superseded' });
  assert.throws(() => wb.removeSubjectPhoto({ subjectId: e.subjectId, photoId: weak!.id, reason: 'again', examiner: 'tester' }), /removed already/);
  assert.throws(() => wb.removeSubjectPhoto({ subjectId: e.subjectId, photoId: good!.id, reason: 'last', examiner: 'tester' }), /last reference photo/);
  assert.equal(wb.repos.watchlists.alarms().filter((a) => a.subjectId === e.subjectId).length, before + r.alarms.length, 'its alarms stay');
});

test("a list's threshold changed: lowered, the case is checked again; raised, alarms keep the threshold they were raised at and the open ones below are counted", async () => {
  const list = wb.repos.watchlists.byName('strict')!;
  const raisedBefore = wb.repos.watchlists.alarms().filter((a) => a.watchlist === 'strict');
  const low = await wb.setWatchlistThreshold({ watchlist: 'strict', threshold: 0.3, examiner: 'tester' });
  const all = wb.repos.watchlists.alarms().filter((a) => a.watchlist === 'strict');
  assert.equal(all.length, 3, 'every astronaut face of the case alarms at 0.3');
  assert.equal(low.alarms.length, 3 - raisedBefore.length);
  assert.ok(all.filter((a) => low.alarms.includes(a.id)).every((a) => a.threshold === 0.3 && a.score >= 0.3));
  assert.deepEqual(details('watchlist.threshold_changed'), { name: 'strict', before: list.threshold, after: 0.3 });

  const top = Math.max(...all.map((a) => a.score));
  const high = await wb.setWatchlistThreshold({ watchlist: 'strict', threshold: top, examiner: 'tester' });
  assert.deepEqual(high.alarms, []);
  assert.equal(high.openBelow, all.filter((a) => a.status === 'open' && a.score < top).length);
  assert.equal(wb.repos.watchlists.alarms().filter((a) => a.watchlist === 'strict').length, 3, 'raising removes no alarm');
  await assert.rejects(wb.setWatchlistThreshold({ watchlist: 'strict', threshold: 1.5, examiner: 'tester' }), code('INVALID_INPUT'));
  await assert.rejects(wb.setWatchlistThreshold({ watchlist: 'nope', threshold: 0.5, examiner: 'tester' }), code('NOT_FOUND'));
  assert.equal(wb.repos.watchlists.byName('strict')!.threshold, top, 'a refused change changes nothing');
});

test('the UI contract and the CLI for watchlist upkeep: bad input refused; the CLI says what changed', async () => {
  const photo = { upload: { name: 'reference.png', base64: readFileSync(reference).toString('base64') } };
  const added = await wb.invoke('watchlist.addPhotos', { subjectId, photos: [photo], examiner: 'ui tester' });
  assert.deepEqual(added.alarms, [], 'every face already alarmed for this subject');
  await assert.rejects(wb.invoke('watchlist.addPhotos', { subjectId, photos: [], examiner: 'ui tester' }), code('INVALID_INPUT'));
  await assert.rejects(wb.invoke('watchlist.retire', { subjectId, reason: '', examiner: 'ui tester' }), code('INVALID_INPUT'));
  await assert.rejects(wb.invoke('watchlist.threshold', { watchlist: 'missing', threshold: -1, examiner: 'ui tester' }), code('INVALID_INPUT'));
  const retired = await wb.invoke('watchlist.retire', { subjectId, reason: 'withdrawn by the requesting unit', examiner: 'ui tester' });
  assert.equal(retired.openAlarms, wb.repos.watchlists.alarms('open').filter((a) => a.subjectId === subjectId).length);
  const listed = (await wb.invoke('watchlists.list', {})).subjects.find((s) => s.id === subjectId)!;
  assert.equal(listed.retireReason, 'withdrawn by the requesting unit');
  assert.deepEqual((await wb.invoke('watchlist.reinstate', { subjectId, examiner: 'ui tester' })).alarms, []);
  // The CLI opens the case itself.
  await wb.dispose();
  disposed = true;
  const env = { ...process.env, KESTREL_MODELS: await testModelsDir() };
  const cli = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'kestrel.js'), ...args, '--case', wb.caseDir], { encoding: 'utf8', env });
  const retire = cli(['watchlist', 'retire', '--subject', String(subjectId), '--reason', 'found', '--examiner', 'Det. CLI']);
  assert.equal(retire.status, 0, retire.stderr);
  assert.match(retire.stdout, /^subject \d+ 'Astronaut' retired from 'missing'; \d+ open alarm\(s\) of it still await a decision$/m);
  const photos = cli(['watchlist', 'photos', '--subject', String(subjectId)]);
  assert.equal(photos.status, 0, photos.stderr);
  assert.match(photos.stdout, /reference\.png\s+\w+\s+\d*\s+[\d.]+\s+in use/);
  const first = photos.stdout.split('\n')[2]!.trim().split(/\s+/)[0]!;
  const removed = cli(['watchlist', 'remove-photo', '--subject', String(subjectId), '--photo', first, '--reason', 'duplicate of photo 2', '--examiner', 'Det. CLI']);
  assert.equal(removed.status, 0, removed.stderr);
  assert.match(removed.stdout, /^photo \d+ removed from subject \d+; 1 photo\(s\) in use$/m);
  assert.match(cli(['watchlist', 'photos', '--subject', String(subjectId)]).stdout, /removed \S+ by Det\. CLI: duplicate of photo 2/);
  const list = cli(['watchlist', 'list']);
  assert.match(list.stdout, /Astronaut\s+1\s+retired \S+ by Det\. CLI: found/);
  const again = cli(['watchlist', 'retire', '--subject', String(subjectId), '--reason', 'found']);
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /retired already/);
  const threshold = cli(['watchlist', 'threshold', '--list', 'missing', '--threshold', '0.5', '--examiner', 'Det. CLI']);
  assert.equal(threshold.status, 0, threshold.stderr);
  assert.match(threshold.stdout, /^watchlist 'missing': threshold 0\.3 -> 0\.5; 0 new alarm\(s\) raised in this case/m);
});
