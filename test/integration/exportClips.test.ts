import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkbench, resolveFfmpeg, verifyExport, type Workbench } from '../../main/core/index.js';
import { astronautPng, testModelsDir } from '../helpers/fixtures.js';

let work: string;
let wb: Workbench;
let left: number;
let right: number;
const ffmpeg = resolveFfmpeg();

// Two people on screen for 4 s: one walks along the left, one stands on the right.
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-exportclips-'));
  mkdirSync(join(work, 'evidence'));
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', astronautPng, '-f', 'lavfi', '-i', 'color=gray:s=640x360:d=4:r=25', '-filter_complex',
    "[0]scale=150:-2,split[f1][f2];[1][f1]overlay=x='20+t*30':y=60[v1];[v1][f2]overlay=x=440:y=60:shortest=1", '-t', '4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p',
    join(work, 'evidence', 'two.mp4')]);
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir() });
  await wb.ingest([join(work, 'evidence')], { examiner: 'tester' });
  const tracks = (await wb.invoke('tracks.list', {})).tracks;
  assert.equal(tracks.length, 2, 'two sightings');
  const x = (id: number): number => wb.repos.exports.faces([tracks.find((t) => t.id === id)!.bestFace])[0]!.x;
  const sorted = tracks.map((t) => Number(t.id)).sort((a, b) => x(a) - x(b));
  [left, right] = [sorted[0]!, sorted[1]!];
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** One RGB frame of a video at `s` seconds, and the mean absolute difference of neighbouring pixels in a box (detail). */
function frameAt(file: string, s: number): Buffer {
  return execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-ss', String(s), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 24 });
}
function detail(rgb: Buffer, b: { x: number; y: number; w: number; h: number }, width = 640): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.ceil(b.y + b.h * 0.2); y < b.y + b.h * 0.8; y++) {
    for (let x = Math.ceil(b.x + b.w * 0.2); x < b.x + b.w * 0.8 - 1; x++) {
      const i = (y * width + x) * 3;
      sum += Math.abs(rgb[i]! - rgb[i + 3]!);
      n++;
    }
  }
  return sum / n;
}
const duration = (file: string): number => Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' }));
/** The box of a sighting's detection nearest to `s` seconds (detections are sampled). */
const boxNear = (track: number, s: number) => {
  const faces = wb.repos.exports.faces(wb.repos.exports.facesOfTrack(track));
  return faces.sort((a, b) => Math.abs(a.frameMs! - s * 1000) - Math.abs(b.frameMs! - s * 1000))[0]!;
};

test('an exported sighting without a clip in the case gets one cut at export from the verified original', async () => {
  const out = join(work, 'plain');
  const r = await wb.exportCase({ out, select: [`track:${left}`], formats: ['csv', 'json'], lang: 'en', redact: false, originals: false, clips: true, frames: 'report', examiner: 'tester' });
  assert.deepEqual(r.problems, []);
  const file = join(out, 'clips', `track-${left}.mp4`);
  assert.ok(Math.abs(duration(file) - 4) < 0.3, `the whole 4 s sighting with context, got ${duration(file)} s`);
  const csv = readFileSync(join(out, 'data', 'clips.csv'), 'utf8');
  assert.match(csv, new RegExp(`clips/track-${left}\\.mp4,${left},\\d+,0,4\\d\\d\\d,cut at export,no,0`));
  assert.equal((await verifyExport(out)).ok, true, 'the clip is in the manifest with its hash');
  // The plain clip shows both people as they are.
  const rgb = frameAt(file, 2);
  const orig = frameAt(join(work, 'evidence', 'two.mp4'), 2);
  assert.ok(detail(rgb, boxNear(right, 2)) > 0.7 * detail(orig, boxNear(right, 2)));
});

test('with redaction the clip is cut with every other face pixelated in every frame, and the subject left as it is', async () => {
  const out = join(work, 'redacted');
  await wb.exportCase({ out, select: [`track:${left}`], formats: ['csv', 'pdf'], lang: 'en', redact: true, originals: false, clips: true, frames: 'report', examiner: 'tester' });
  const file = join(out, 'clips', `track-${left}-redacted.mp4`);
  assert.ok(Math.abs(duration(file) - 4) < 0.3);
  const orig = frameAt(join(work, 'evidence', 'two.mp4'), 0);
  for (const s of [0.2, 1.3, 2.5, 3.7]) {
    const rgb = frameAt(file, s);
    const o = frameAt(join(work, 'evidence', 'two.mp4'), s);
    assert.ok(detail(rgb, boxNear(right, s)) < 0.35 * detail(o, boxNear(right, s)), `the bystander is pixelated at ${s} s`);
    assert.ok(detail(rgb, boxNear(left, s)) > 0.7 * detail(o, boxNear(left, s)), `the subject stays as it is at ${s} s`);
  }
  assert.ok(orig.length > 0);
  const csv = readFileSync(join(out, 'data', 'clips.csv'), 'utf8');
  const frames = Number(csv.split('\r\n')[1]!.split(',').at(-1));
  assert.ok(frames >= 95, `redacted frames ${frames} of about 100`);
  const text = execFileSync('pdftotext', [join(out, 'report.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  assert.match(text, /Video clips/);
  assert.match(text, /pixelated in every frame of the exported video clips/);
  assert.equal((await verifyExport(out)).ok, true);
});
