import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench, matchToCsv, searchToCsv, type Workbench } from '../../main/core/index.js';
import { KestrelError, type IngestSummary } from '../../main/contract/index.js';
import { checkFaces } from '../../main/core/search/watchlistService.js';
import { CaseMetaRepository } from '../../main/core/repositories/caseMetaRepository.js';
import { astronautJpeg, astronautPng, repoRoot, sharedDir, testModelsDir } from '../helpers/fixtures.js';

const code = (c: string) => (e: unknown) => e instanceof KestrelError && e.code === c;

let work: string;
let wb: Workbench;
let probe: string;
let noFace: string;
let intake: IngestSummary;
let evidence: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-search-'));
  evidence = join(work, 'evidence');
  mkdirSync(evidence);
  // The same person four ways (sizes, mirrored, greyscale), and a photo without a face.
  writeFileSync(join(evidence, 'a.jpg'), await astronautJpeg(420));
  writeFileSync(join(evidence, 'b.png'), await sharp(astronautPng).resize(360).flop().png().toBuffer());
  writeFileSync(join(evidence, 'c.jpg'), await sharp(astronautPng).resize(300).greyscale().jpeg().toBuffer());
  writeFileSync(join(evidence, 'd.webp'), await sharp(astronautPng).resize(500).modulate({ brightness: 0.7 }).webp().toBuffer());
  writeFileSync(join(evidence, 'empty.png'), await sharp({ create: { width: 320, height: 240, channels: 3, background: '#58a' } }).png().toBuffer());
  probe = join(work, 'probe.png');
  writeFileSync(probe, await sharp(astronautPng).resize(512).png().toBuffer());
  noFace = join(evidence, 'empty.png');
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir() });
  // Enrolled before intake: intake itself must raise the alarms.
  wb.createWatchlist({ name: 'wanted', threshold: 0.3, examiner: 'tester' });
  const r = await wb.enrol({ watchlist: 'wanted', name: 'Astronaut', photos: [probe], examiner: 'tester' });
  assert.deepEqual(r.alarms, [], 'an empty case raises nothing');
  intake = await wb.ingest([evidence], { examiner: 'tester' });
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('intake checks every new face against the watchlists and raises one alarm per face above the threshold', () => {
  const alarms = wb.repos.watchlists.alarms();
  assert.equal(alarms.length, 4, JSON.stringify(alarms.map((a) => [a.mediaPath, a.score])));
  assert.ok(alarms.every((a) => a.status === 'open' && a.subject === 'Astronaut' && a.score >= 0.3));
  // The examiner is told: the intake's summary counts them, and the case counts them as open.
  assert.equal(intake.alarms, 4);
  assert.equal(wb.info().counts.openAlarms, 4);
  assert.equal(wb.repos.audit.list().filter((e) => e.action === 'alarm.raised').length, 4);
});

test('CLI: a watchlist made on a new case records its examiner as the case creator; an intake reports the alarms it raised', async () => {
  const env = { ...process.env, KESTREL_MODELS: await testModelsDir() };
  const run = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'kestrel.js'), ...args], { env, encoding: 'utf8' });
  const caseDir = join(work, 'cli-case');
  const made = run(['watchlist', 'create', '--case', caseDir, '--name', 'wanted', '--threshold', '0.3', '--examiner', 'Det. Creator']);
  assert.equal(made.status, 0, made.stderr);
  const opened = run(['open', '--case', caseDir, '--json']);
  assert.equal(opened.status, 0, opened.stderr);
  assert.equal((JSON.parse(opened.stdout) as { createdBy: string }).createdBy, 'Det. Creator');
  assert.equal(run(['watchlist', 'enrol', '--case', caseDir, '--list', 'wanted', '--name', 'Astronaut', '--photo', probe, '--examiner', 'Det. Creator']).status, 0);
  const json = run(['ingest', '--case', caseDir, '--json', '--examiner', 'Det. Creator', join(evidence, 'a.jpg'), join(evidence, 'c.jpg')]);
  assert.equal(json.status, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as IngestSummary).alarms, 2);
  const text = run(['ingest', '--case', caseDir, '--examiner', 'Det. Creator', join(evidence, 'b.png')]);
  const byScore = run(['alarms', '--case', caseDir, '--sort', 'score', '--json']);
  const scores = (JSON.parse(byScore.stdout) as { alarms: { score: number }[] }).alarms.map((a) => a.score);
  assert.equal(scores.length, 3);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'strongest first');
  assert.match(text.stdout, new RegExp(`^1 watchlist alarm\\(s\\) raised: kestrel alarms --case "${caseDir}" --status open$`, 'm'));
  // A child's photo as probe (FG-NET subject 001 at age 2, read in place): the search says how weak
  // search across ages is; an adult's does not.
  const child = run(['search', '--case', caseDir, '--probe', join(sharedDir, 'datasets', 'FGNET', 'images', '001A02.JPG'), '--examiner', 'Det. Creator']);
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /^A probe looks like a child's photo .*Review at least the top 10 candidates.* Add the child's other photos to the same search/m);
  // Two of the child's photos in one query: told what combining measured, not asked to add photos.
  const twoPhotos = run(['search', '--case', caseDir, '--probe', join(sharedDir, 'datasets', 'FGNET', 'images', '001A02.JPG'), '--probe', join(sharedDir, 'datasets', 'FGNET', 'images', '001A05.JPG'), '--examiner', 'Det. Creator']);
  assert.equal(twoPhotos.status, 0, twoPhotos.stderr);
  assert.match(twoPhotos.stdout, /^A probe looks like a child's photo .* This search combines 2 photos: .*two photos in one query found the person first in 52\.5 %/m);
  assert.doesNotMatch(twoPhotos.stdout, /Add the child's other photos/);
  const adult = run(['search', '--case', caseDir, '--probe', probe, '--examiner', 'Det. Creator']);
  assert.doesNotMatch(adult.stdout, /child's photo/);
});

test("a list's threshold decides which faces alarm: only those at or above it", async () => {
  const scores = wb.repos.watchlists.alarms().map((a) => a.score).sort((a, b) => a - b);
  const mid = (scores[1]! + scores[2]!) / 2;
  wb.createWatchlist({ name: 'strict', threshold: mid, examiner: 'tester' });
  const r = await wb.enrol({ watchlist: 'strict', name: 'Astronaut', photos: [probe], examiner: 'tester' });
  const strict = wb.repos.watchlists.alarms().filter((a) => r.alarms.includes(a.id));
  assert.equal(strict.length, 2);
  assert.ok(strict.every((a) => a.score >= mid));
  assert.throws(() => wb.createWatchlist({ name: 'bad', threshold: 1.5, examiner: 'tester' }), (e: unknown) => e instanceof KestrelError && e.code === 'INVALID_INPUT');
  assert.throws(() => wb.createWatchlist({ name: 'strict', examiner: 'tester' }), /exists already/);
});

test('alarm review: a decision is stored and audited with before/after, and a later check never re-raises it', async () => {
  const first = wb.repos.watchlists.alarms()[0]!;
  const decided = wb.decideAlarm(first.id, 'dismissed', 'examiner-2', 'different person on closer view');
  assert.equal(decided.status, 'dismissed');
  assert.equal(decided.decidedBy, 'examiner-2');
  const entry = wb.repos.audit.list().filter((e) => e.action === 'alarm.dismissed').at(-1)!;
  const details = JSON.parse(entry.details) as Record<string, unknown>;
  assert.equal(details['before'], 'open');
  assert.equal(details['after'], 'dismissed');
  assert.equal(details['note'], 'different person on closer view');
  const count = wb.repos.watchlists.alarms().length;
  // Re-checking every face of the case against every subject raises nothing new and keeps the decision.
  const again = checkFaces({ db: wb.db, watchlists: wb.repos.watchlists, tracks: wb.repos.tracks, audit: wb.repos.audit, meta: new CaseMetaRepository(wb.db) },
    { afterFaceId: 0, actor: 'tester', models: ['reid_0095', 'mfn_y1', 'mfn_foamliu'] });
  assert.deepEqual(again, []);
  assert.equal(wb.repos.watchlists.alarms().length, count);
  assert.equal(wb.repos.watchlists.alarms(undefined, first.id)[0]!.status, 'dismissed');
  assert.throws(() => wb.decideAlarm(9999, 'confirmed', 'x', ''), (e: unknown) => e instanceof KestrelError && e.code === 'NOT_FOUND');
});

test('1:N search returns the person first, is stored with its probe hash, listed, reopened and exported', async () => {
  const s = await wb.search({ probes: [probe], top: 3, threshold: null, filters: {}, examiner: 'tester' });
  assert.equal(s.hits.length, 3);
  assert.ok(s.hits.every((h) => h.score > 0.5), JSON.stringify(s.hits.map((h) => h.score)));
  assert.deepEqual(s.hits.map((h) => h.rank), [1, 2, 3]);
  assert.equal(s.probes[0]!.sha256.length, 64);
  assert.deepEqual(wb.repos.searches.get(s.id), s);
  assert.equal(wb.repos.searches.list()[0]!.id, s.id);
  const csv = searchToCsv(s).trim().split('\r\n');
  assert.equal(csv.length, 4);
  assert.match(csv[0]!, /^search_id,rank,score,/);
  assert.ok(wb.repos.audit.list().some((e) => e.action === 'search.run' && e.target === `search:${s.id}`));
  // A threshold above every score returns nothing, and says so by an empty list (the search is still stored).
  const none = await wb.search({ probes: [probe], top: 3, threshold: 0.9999, filters: { ageMax: 1 }, examiner: 'tester' });
  assert.equal(none.hits.length, 0);
});

test('a probe photo that is itself evidence of the case is recognised: its face there is named on the probe and is not a result', async () => {
  const evidencePhoto = join(evidence, 'a.jpg');
  const own = wb.repos.faces.list(0, 1000).filter((f) => f.mediaPath === evidencePhoto);
  assert.equal(own.length, 1);
  const s = await wb.search({ probes: [evidencePhoto], top: 5, threshold: null, filters: {}, examiner: 'tester' });
  assert.equal(s.probes[0]!.inCase, true);
  assert.equal(s.probes[0]!.faceId, own[0]!.id);
  assert.ok(s.hits.every((h) => h.faceId !== own[0]!.id), 'the probe photo found itself');
  // The other three photos of the person still come first.
  assert.ok(s.hits.slice(0, 3).every((h) => h.score > 0.5 && h.mediaPath !== evidencePhoto), JSON.stringify(s.hits.map((h) => [h.mediaPath, h.score])));
  // A photo that is not in the case is searched as before.
  const outside = await wb.search({ probes: [probe], top: 5, threshold: null, filters: {}, examiner: 'tester' });
  assert.equal(outside.probes[0]!.inCase, undefined);
  assert.equal(outside.probes[0]!.faceId, null);
});

test('a probe without a face is a clear error and stores no search', async () => {
  const before = wb.repos.searches.list().length;
  await assert.rejects(wb.search({ probes: [noFace], top: 5, threshold: null, filters: {}, examiner: 'tester' }), (e: unknown) => e instanceof KestrelError && e.code === 'INVALID_INPUT' && /No face/.test(e.message));
  await assert.rejects(wb.search({ probes: [join(work, 'missing.jpg')], top: 5, threshold: null, filters: {}, examiner: 'tester' }), /Cannot read photo .*missing.jpg/);
  assert.equal(wb.repos.searches.list().length, before);
  assert.equal(wb.repos.audit.verify().ok, true);
});

test('compare: a photo against a stored face gives a calibrated likelihood ratio and a decision, and is audited; bad input stores nothing', async () => {
  const stored = wb.repos.faces.list(0, 100).find((f) => f.mediaPath.endsWith('a.jpg'))!;
  const before = wb.repos.audit.list().length;
  const r = await wb.compare({ a: probe, b: `face:${stored.id}`, ageA: null, ageB: 35, examiner: 'tester' });
  assert.equal(r.scores.length, 3);
  assert.ok(r.fused > 0.7, `fused ${r.fused}`);
  assert.equal(r.decision, 'match');
  assert.ok(r.evidence && r.evidence.log10Lr > 1, 'the same photo resized is strong support for one person');
  assert.equal(r.evidence.supports, 'same person');
  assert.equal(r.b.ageSource, 'given');
  assert.equal(r.b.faceId, stored.id);
  const entry = wb.repos.audit.list().at(-1)!;
  assert.equal(entry.action, 'compare.run');
  assert.equal(wb.repos.audit.list().length, before + 1);
  assert.match(entry.target, new RegExp(`^comparison:${r.comparisonId} photo:[0-9a-f]{64} face:${stored.id}$`));
  assert.equal(wb.repos.comparisons.get(r.comparisonId!)?.result.fused, r.fused, 'the comparison is stored as shown');

  await assert.rejects(wb.compare({ a: noFace, b: `face:${stored.id}`, ageA: null, ageB: null, examiner: 'tester' }), (e: unknown) => e instanceof KestrelError && e.code === 'INVALID_INPUT');
  await assert.rejects(wb.compare({ a: probe, b: 'face:999999', ageA: null, ageB: null, examiner: 'tester' }), (e: unknown) => e instanceof KestrelError && e.code === 'NOT_FOUND');
  assert.equal(wb.repos.audit.list().length, before + 1);
  assert.equal(wb.repos.comparisons.ids().length, 1, 'a refused comparison stores nothing');
});

test('M:N match: a watchlist against the case, a case against itself (each pair once), a folder; stored, audited, exported', async () => {
  const w = await wb.match({ a: 'watchlist:wanted', b: 'case', threshold: 0.3, examiner: 'tester' });
  assert.equal(w.a.items, 1);
  assert.equal(w.b.items, 4);
  assert.equal(w.pairsCompared, 4);
  assert.equal(w.pairs.length, 4, 'the subject against each of the four faces');
  assert.ok(w.pairs.every((p) => p.a.kind === 'subject' && p.a.subject === 'Astronaut' && p.b.kind === 'face' && p.score >= 0.3 && p.log10Lr !== null));
  for (let i = 1; i < w.pairs.length; i++) assert.ok(w.pairs[i - 1]!.log10Lr! >= w.pairs[i]!.log10Lr!, 'strongest first');
  assert.deepEqual(wb.repos.matches.get(w.id), w, 'reopened exactly as run');
  const audit = wb.repos.audit.list().filter((e) => e.action === 'match.run').at(-1)!;
  assert.equal(audit.target, `match:${w.id}`);

  const self = await wb.match({ a: 'case', b: 'case', threshold: 0.3, examiner: 'tester' });
  assert.equal(self.pairsCompared, 6);
  assert.equal(self.pairs.length, 6, 'four photos of one person: every unordered pair once, never a face with itself');
  assert.ok(self.pairs.every((p) => p.a.key !== p.b.key));
  assert.equal(new Set(self.pairs.map((p) => [p.a.key, p.b.key].sort().join('|'))).size, 6);

  const folder = join(work, 'lineup');
  mkdirSync(folder);
  writeFileSync(join(folder, 'p.png'), await sharp(astronautPng).resize(256).png().toBuffer());
  writeFileSync(join(folder, 'notes.txt'), 'not a photo');
  writeFileSync(join(folder, 'empty.png'), await sharp({ create: { width: 64, height: 64, channels: 3, background: '#222' } }).png().toBuffer());
  const f = await wb.match({ a: `folder:${folder}`, b: 'case', threshold: 0.3, examiner: 'tester' });
  assert.equal(f.a.items, 1);
  assert.equal(f.a.skipped, 2, 'a text file and a photo without a face are skipped and counted');
  assert.equal(f.pairs.length, 4);
  assert.equal(f.pairs[0]!.a.kind, 'photo');
  assert.equal(f.pairs[0]!.a.mediaPath, 'p.png');

  const csv = matchToCsv(f).trim().split('\r\n');
  assert.equal(csv.length, 5);
  assert.ok(csv[0]!.startsWith('match_id,rank,score,log10_lr,a_kind'));
  assert.ok(wb.repos.matches.list().some((m) => m.id === f.id && m.pairCount === 4));

  const before = wb.repos.matches.list().length;
  await assert.rejects(wb.match({ a: 'nonsense', b: 'case', examiner: 'tester' }), code('INVALID_INPUT'));
  await assert.rejects(wb.match({ a: 'source:999', b: 'case', examiner: 'tester' }), code('NOT_FOUND'));
  await assert.rejects(wb.match({ a: 'watchlist:nobody', b: 'case', examiner: 'tester' }), code('NOT_FOUND'));
  await assert.rejects(wb.match({ a: `case:${join(work, 'no-case')}`, b: 'case', examiner: 'tester' }), code('CASE_NOT_FOUND'));
  await assert.rejects(wb.match({ a: 'case', b: 'case', threshold: 3, examiner: 'tester' }), code('INVALID_INPUT'));
  assert.equal(wb.repos.matches.list().length, before, 'a refused match stores nothing');
});

test('the UI contract for M:N: thumbnails for the items of this case on either side, none for a folder; stored runs list and reopen; bad specs refused', async () => {
  const r = await wb.invoke('match.run', { a: 'watchlist:wanted', b: 'case', threshold: 0.3, examiner: 'ui tester' });
  assert.equal(r.pairs.length, 4);
  for (const p of r.pairs) {
    assert.match(r.thumbnails.a[p.a.key]!, /^(thumbs|watchlist)\//, `subject ${p.a.key} has its reference face`);
    assert.equal(r.thumbnails.b[p.b.key], wb.repos.faces.list(0, 100).find((f) => f.id === p.b.faceId)!.thumbnail);
  }
  const again = await wb.invoke('match.get', { id: r.id });
  assert.deepEqual(again, r);
  assert.equal((await wb.invoke('matches.list', {})).matches[0]!.id, r.id, 'newest first');
  const folder = await wb.invoke('match.run', { a: `folder:${join(work, 'lineup')}`, b: 'case', threshold: 0.3, examiner: 'ui tester' });
  assert.deepEqual(folder.thumbnails.a, {}, 'a folder is not in the case: nothing of it is served');
  assert.equal(Object.keys(folder.thumbnails.b).length, folder.pairs.length);
  await assert.rejects(wb.invoke('match.run', { a: 'everything', b: 'case', examiner: 'ui tester' }), /a library is case, case:DIR/);
  await assert.rejects(wb.invoke('match.run', { a: 'case', b: 'case' }), /examiner/);
  await assert.rejects(wb.invoke('match.get', { id: 99_999 }), code('NOT_FOUND'));
});

test('the UI contract: a probe sent as bytes is kept read-only in the case and searched; a stored face is not its own result; bad input is refused', async () => {
  const bytes = readFileSync(probe);
  const s = await wb.invoke('search.run', { probes: [{ upload: { name: '../evil/probe photo.png', base64: bytes.toString('base64') } }], top: 5, examiner: 'ui tester' });
  const sha = createHash('sha256').update(bytes).digest('hex');
  assert.equal(s.probes[0]!.sha256, sha);
  assert.equal(s.probes[0]!.fileName, 'probe photo.png');
  const kept = join(wb.caseDir, 'derived', 'probes', sha, 'probe photo.png');
  assert.deepEqual(readFileSync(kept), bytes);
  assert.equal(statSync(kept).mode & 0o222, 0, 'the kept probe is writable');
  assert.ok(s.hits.length > 0 && s.hits[0]!.score > 0.5);
  assert.equal((await wb.invoke('search.get', { id: s.id })).id, s.id);

  const face = s.hits[0]!.faceId;
  const byFace = await wb.invoke('search.run', { probes: [{ faceId: face }], top: 50, examiner: 'ui tester' });
  assert.equal(byFace.probes[0]!.faceId, face);
  assert.ok(byFace.hits.every((h) => h.faceId !== face), 'the probe face is among its own results');

  await assert.rejects(wb.invoke('search.run', { probes: [], examiner: 'x' }), code('INVALID_INPUT'));
  await assert.rejects(wb.invoke('search.run', { probes: [{ faceId: face }], examiner: '  ' }), /examiner/);
  await assert.rejects(wb.invoke('identity.op', { kind: 'merge', ids: [1], examiner: 'x' }), code('INVALID_INPUT'));
  const c = await wb.invoke('compare.run', { a: { faceId: face }, b: { path: probe }, examiner: 'ui tester' });
  assert.ok(c.fused > 0.5);
});

test('the UI contract for watchlists: create, enrol from uploaded bytes, list, decide; each audited; bad input refused and nothing stored', async () => {
  const lists = (await wb.invoke('watchlists.list', {})).watchlists.length;
  const w = await wb.invoke('watchlist.create', { name: 'ui list', notes: 'made from the UI', examiner: 'ui tester' });
  assert.equal(w.threshold, 0.55, 'the default threshold');
  assert.equal(w.createdBy, 'ui tester');
  await assert.rejects(wb.invoke('watchlist.create', { name: 'ui list', examiner: 'ui tester' }), /exists already/);
  await assert.rejects(wb.invoke('watchlist.create', { name: 'too strict', threshold: 1.5, examiner: 'ui tester' }), code('INVALID_INPUT'));
  await assert.rejects(wb.invoke('watchlist.create', { name: '  ', examiner: 'ui tester' }), /needs a name/);
  assert.equal((await wb.invoke('watchlists.list', {})).watchlists.length, lists + 1);

  const photo = { upload: { name: 'reference.png', base64: readFileSync(probe).toString('base64') } };
  await assert.rejects(wb.invoke('watchlist.enrol', { watchlist: 'ui list', name: 'Astronaut', photos: [], examiner: 'ui tester' }), /at least one reference photo/);
  await assert.rejects(wb.invoke('watchlist.enrol', { watchlist: 'ui list', name: 'Astronaut', photos: [{ faceId: 1 }], examiner: 'ui tester' }), code('INVALID_INPUT'));
  await assert.rejects(wb.invoke('watchlist.enrol', { watchlist: 'no such list', name: 'Astronaut', photos: [photo], examiner: 'ui tester' }), code('NOT_FOUND'));
  const noFacePhoto = { upload: { name: 'empty.png', base64: readFileSync(noFace).toString('base64') } };
  await assert.rejects(wb.invoke('watchlist.enrol', { watchlist: 'ui list', name: 'Nobody', photos: [noFacePhoto], examiner: 'ui tester' }), /No face/);
  assert.ok(!(await wb.invoke('watchlists.list', {})).subjects.some((s) => s.name === 'Nobody'), 'a refused enrolment stores no subject');

  const r = await wb.invoke('watchlist.enrol', { watchlist: 'ui list', name: 'Astronaut', photos: [photo], examiner: 'ui tester' });
  assert.equal(r.alarms.length, 4, 'the four photos of the astronaut alarm');
  const subject = (await wb.invoke('watchlists.list', {})).subjects.find((s) => s.id === r.subjectId)!;
  assert.equal(subject.refs, 1);
  assert.ok(subject.thumbnail && statSync(join(wb.caseDir, 'derived', subject.thumbnail)).size > 0, 'the reference face is kept in the case');

  const open = (await wb.invoke('alarms.list', { status: 'open' })).alarms.filter((a) => r.alarms.includes(a.id));
  assert.equal(open.length, 4);
  assert.ok(open.every((a) => a.subjectThumbnail === subject.thumbnail && a.watchlist === 'ui list'));
  const d = await wb.invoke('alarm.decide', { id: open[0]!.id, status: 'dismissed', note: 'checked by hand', examiner: 'ui tester' });
  assert.deepEqual([d.status, d.decidedBy, d.decisionNote], ['dismissed', 'ui tester', 'checked by hand']);
  assert.ok((await wb.invoke('alarms.list', { status: 'dismissed' })).alarms.some((a) => a.id === d.id));
  const audit = wb.repos.audit.list().filter((e) => e.target === `alarm:${d.id}` && e.action === 'alarm.dismissed');
  assert.equal(audit.length, 1);
  await assert.rejects(wb.invoke('alarm.decide', { id: 99_999, status: 'confirmed', examiner: 'ui tester' }), code('NOT_FOUND'));
  await assert.rejects(wb.invoke('alarm.decide', { id: d.id, status: 'open', examiner: 'ui tester' }), code('INVALID_INPUT'));
  await assert.rejects(wb.invoke('alarms.list', { status: 'maybe' }), code('INVALID_INPUT'));
});
