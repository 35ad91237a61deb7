import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createWorkbench, readDerivedFile, resolveFfmpeg, verifyExport, type Workbench } from '../../main/core/index.js';
import { astronautJpeg, astronautPng, testModelsDir } from '../helpers/fixtures.js';
import { makeZip } from '../helpers/zipWriter.js';

const PASSWORD = 'correct horse battery';
let work: string;
let caseDir: string;
let wb: Workbench;
let modelsDir: string;
const code = (c: string) => (e: Error & { code?: string }): boolean => e.code === c;

const filesUnder = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
  const p = join(dir, e.name);
  return e.isDirectory() ? filesUnder(p) : [p];
});
const scratchLeft = (): string[] => (existsSync('/dev/shm') ? readdirSync('/dev/shm') : readdirSync(tmpdir())).filter((n) => n.startsWith('kestrel-plain-'));

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-encrypted-'));
  caseDir = join(work, 'case');
  modelsDir = await testModelsDir();
  const evidence = join(work, 'evidence');
  mkdirSync(evidence);
  for (const w of [360, 480]) writeFileSync(join(evidence, `suspect-${w}.jpg`), await astronautJpeg(w));
  const ffmpeg = resolveFfmpeg();
  const video = join(work, 'walk.mp4');
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', astronautPng, '-f', 'lavfi', '-i', 'color=gray:s=480x270:d=3:r=25', '-filter_complex',
    "[0]scale=130:-2[f];[1][f]overlay=x='20+t*30':y=50:shortest=1", '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', video]);
  writeFileSync(join(evidence, 'phone.zip'), makeZip([{ name: 'DCIM/clip.mp4', data: readFileSync(video) }]));
  wb = await createWorkbench({ caseDir, modelsDir, examiner: 'Examiner Smith', password: PASSWORD, encrypt: true });
  const s = await wb.ingest([evidence], { examiner: 'Examiner Smith' });
  assert.ok(s.faces >= 3, `faces in the photos and the archived video (${s.faces})`);
  await wb.cluster({ examiner: 'Examiner Smith', full: true });
  await wb.search({ probes: [join(evidence, 'suspect-360.jpg')], top: 5, threshold: null, filters: {}, examiner: 'Examiner Smith' });
  const track = (await wb.invoke('tracks.list', {})).tracks[0]!;
  await wb.clip({ trackId: Number(track.id), reason: 'review', examiner: 'Examiner Smith' });
  await wb.invoke('media.contactSheet', { mediaId: wb.repos.faces.get(track.bestFace)!.mediaId });
  // An enrolled subject: its reference photo is kept in the case, sealed like the rest.
  wb.createWatchlist({ name: 'wanted', examiner: 'Examiner Smith' });
  await wb.enrol({ watchlist: 'wanted', name: 'Suspect', photos: [join(evidence, 'suspect-360.jpg')], examiner: 'Examiner Smith' });
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('nothing of an encrypted case is readable at rest: the database, the WAL and every derived file are sealed', () => {
  const files = filesUnder(caseDir).filter((f) => !f.endsWith('case.key.json'));
  const kinds = new Set(files.map((f) => relative(caseDir, f).split('/').slice(0, 2).join('/')));
  for (const k of ['case.sqlite', 'derived/thumbs', 'derived/extracted', 'derived/clips', 'derived/contact', 'derived/identities', 'derived/watchlist']) {
    assert.ok([...kinds].some((x) => x.startsWith(k)), `${k} was written (kinds: ${[...kinds].join(', ')})`);
  }
  for (const f of files) {
    const bytes = readFileSync(f);
    const rel = relative(caseDir, f);
    assert.ok(!bytes.subarray(0, 16).toString('latin1').startsWith('SQLite format 3'), `${rel}: not a plain SQLite file`);
    assert.ok(!(bytes[0] === 0xff && bytes[1] === 0xd8), `${rel}: not a plain JPEG`);
    assert.ok(!bytes.subarray(0, 16).includes(Buffer.from('ftyp')), `${rel}: not a plain MP4`);
    for (const secret of ['Examiner Smith', 'suspect-360.jpg', 'phone.zip', 'DCIM/clip.mp4', PASSWORD]) {
      assert.ok(!bytes.includes(Buffer.from(secret)), `${rel} holds "${secret}" in the clear`);
    }
    if (rel.startsWith('derived/')) assert.equal(bytes.subarray(0, 5).toString('latin1'), 'KSEAL', `${rel} is sealed`);
  }
  assert.deepEqual(scratchLeft(), [], 'no plain scratch copy is left behind');
  assert.equal(wb.info().encrypted, true);
});

test('the open case serves its files decrypted, whole and by range', async () => {
  const face = wb.repos.faces.get(1)!;
  const thumb = await readDerivedFile(caseDir, wb.vault, face.thumbnail, null);
  assert.equal(thumb.status, 200);
  assert.ok(thumb.status === 200 && thumb.body![0] === 0xff && thumb.body![1] === 0xd8, 'a JPEG');
  const clip = wb.repos.clips.list()[0]!;
  const whole = await wb.vault.readFile(join(caseDir, 'derived', clip.path));
  assert.equal(createHash('sha256').update(whole).digest('hex'), clip.sha256, "the clip's recorded SHA-256 is of its plain bytes");
  // Across the first 64 KiB chunk boundary where the clip is long enough, else its last 100 bytes.
  const a = whole.length > 65_636 ? 65_486 : whole.length - 100;
  const part = await readDerivedFile(caseDir, wb.vault, clip.path, `bytes=${a}-${a + 99}`);
  assert.ok(part.status === 206 && part.body!.equals(whole.subarray(a, a + 100)), `bytes ${a}-${a + 99} of ${whole.length}`);
});

test('an export of an encrypted case is plain and verifies; the case itself stays sealed', async () => {
  const out = join(work, 'export');
  const r = await wb.exportCase({ out, select: [], formats: ['json', 'html'], lang: 'en', redact: false, originals: false, clips: true, frames: 'report', examiner: 'Examiner Smith' });
  assert.equal(r.problems.length, 0, r.problems.join('; '));
  const v = await verifyExport(out);
  assert.equal(v.ok, true, JSON.stringify(v));
  const crop = filesUnder(join(out, 'crops'))[0]!;
  assert.equal(readFileSync(crop)[0], 0xff, 'crops in the export are plain JPEG');
  assert.ok(filesUnder(join(out, 'clips')).length >= 1, 'the case clip is in the export');
});

test('reopening needs the password; a wrong one opens and changes nothing; a damaged file is named', async () => {
  await wb.dispose();
  const db = join(caseDir, 'case.sqlite');
  const before = createHash('sha256').update(readFileSync(db)).digest('hex');
  await assert.rejects(createWorkbench({ caseDir, modelsDir, mustExist: true }), code('CASE_PASSWORD_REQUIRED'));
  await assert.rejects(createWorkbench({ caseDir, modelsDir, mustExist: true, password: 'not it' }), code('CASE_PASSWORD_WRONG'));
  assert.equal(createHash('sha256').update(readFileSync(db)).digest('hex'), before, 'the database is untouched');
  wb = await createWorkbench({ caseDir, modelsDir, mustExist: true, password: PASSWORD });
  assert.ok(wb.repos.faces.count() >= 3);
  assert.ok(wb.listIdentities().length >= 1, 'identities survive reopening');
  const face = wb.repos.faces.get(1)!;
  const thumbPath = join(caseDir, 'derived', face.thumbnail);
  const sealed = readFileSync(thumbPath);
  sealed[sealed.length - 20]! ^= 1;
  writeFileSync(thumbPath, sealed);
  await assert.rejects(wb.vault.readFile(thumbPath), /integrity/);
});

test('encryption is chosen when a case is made: never without a password, never in place on a plain case', async () => {
  await assert.rejects(createWorkbench({ caseDir: join(work, 'nopass'), modelsDir, encrypt: true }), code('CASE_PASSWORD_REQUIRED'));
  const plain = await createWorkbench({ caseDir: join(work, 'plain'), modelsDir });
  assert.equal(plain.info().encrypted, false);
  await plain.dispose();
  await assert.rejects(createWorkbench({ caseDir: join(work, 'plain'), modelsDir, password: 'x', encrypt: true }), code('INVALID_INPUT'));
  assert.equal(statSync(join(work, 'plain', 'case.sqlite')).isFile(), true);
});
