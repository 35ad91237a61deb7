import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createWorkbench, resolveFfmpeg } from '../../main/core/index.js';
import { DEFAULT_SAMPLING, sampleFrames } from '../../main/core/video/frameSampler.js';
import { probeVideo } from '../../main/core/video/videoProbe.js';
import { sniffFileType } from '../../main/core/media/fileType.js';
import { astronautPng, testModelsDir } from '../helpers/fixtures.js';
import { tarOf } from '../helpers/hostileBytes.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let work: string;
let ffmpeg: string;
const ff = (...args: string[]): void => {
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
};

before(() => {
  ffmpeg = resolveFfmpeg();
  work = mkdtempSync(join(tmpdir(), 'kestrel-video-'));
  // Variable frame rate with known times: frame N shows grey level 16 + 2N and is presented at
  // N/25 s, plus a 1 s gap from frame 50 on (a frame-index guess would be wrong after the gap).
  ff('-f', 'lavfi', '-i', "nullsrc=s=64x48:r=25:d=4,geq=lum='16+N*2':cb=128:cr=128,setpts='(N/25+gte(N\\,50))/TB'",
    '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv420p', '-fps_mode', 'passthrough', '-video_track_timescale', '1000', join(work, 'vfr.mp4'));
  // The astronaut walking across a grey background for 3 s (one person, one sighting); a key frame
  // every 0.5 s, so that a truncated copy still holds decodable pictures.
  ff('-loop', '1', '-i', astronautPng, '-f', 'lavfi', '-i', 'color=gray:s=640x360:d=3:r=25', '-filter_complex',
    "[0]scale=150:-2[f];[1][f]overlay=x='20+t*120':y=60:shortest=1", '-t', '3', '-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', join(work, 'walk.mp4'));
});

after(() => rmSync(work, { recursive: true, force: true }));

test('sampled frames carry their exact presentation times (variable frame rate, with a gap)', async () => {
  const file = join(work, 'vfr.mp4');
  const info = await probeVideo(ffmpeg, file);
  assert.ok(info);
  assert.equal(info.width, 64);
  const seen: { ms: number; n: number }[] = [];
  const end = await sampleFrames(ffmpeg, file, info, { ...DEFAULT_SAMPLING, sceneThreshold: 0 }, async (f) => {
    // Full-range RGB of limited-range luma 16 + 2N is 1.164 * 2N.
    seen.push({ ms: f.ptsMs, n: Math.round(f.image.data[0]! / 2.328) });
  });
  assert.equal(end.error, null);
  assert.ok(seen.length >= 12, `${seen.length} frames`);
  for (const s of seen) assert.ok(Math.abs(s.ms - Math.round((s.n / 25 + (s.n >= 50 ? 1 : 0)) * 1000)) <= 2, `frame ${s.n} at ${s.ms} ms`);
  // Regular sampling at 4 fps: consecutive frames at least 250 ms apart and at most two frames late.
  for (let i = 1; i < seen.length; i++) {
    const gap = seen[i]!.ms - seen[i - 1]!.ms;
    assert.ok(gap >= 250 && (gap <= 330 || seen[i]!.n === 50), `gap ${gap} ms before frame ${seen[i]!.n}`);
  }
});

test('raw H.264 and H.265 elementary streams (DVR exports) are sniffed, probed and sampled', async () => {
  for (const [codec, fmt, ext] of [['libx264', 'h264', 'h264'], ['libx265', 'hevc', 'h265']] as const) {
    const file = join(work, `raw.${ext}`);
    ff('-f', 'lavfi', '-i', 'testsrc=s=160x120:r=25:d=2', '-c:v', codec, '-pix_fmt', 'yuv420p', '-f', fmt, file);
    assert.deepEqual(sniffFileType(readFileSync(file).subarray(0, 512)), { kind: 'video', format: fmt });
    const info = await probeVideo(ffmpeg, file);
    assert.ok(info, fmt);
    const times: number[] = [];
    const end = await sampleFrames(ffmpeg, file, info, DEFAULT_SAMPLING, async (f) => void times.push(f.ptsMs));
    assert.ok(times.length >= 7, `${fmt}: ${times.length} frames`);
    assert.deepEqual([...times].sort((a, b) => a - b), times, `${fmt}: times in order`);
    assert.equal(end.error, null);
  }
});

test('video intake: one track per sighting, duplicates linked, damaged and fake videos recorded, originals untouched', async () => {
  const evidence = join(work, 'evidence');
  mkdirSync(evidence);
  const walk = readFileSync(join(work, 'walk.mp4'));
  writeFileSync(join(evidence, 'walk.mp4'), walk);
  writeFileSync(join(evidence, 'copy-of-walk.mov'), walk);
  // Cut off at 60 %: what was written decodes, the rest is missing.
  writeFileSync(join(evidence, 'truncated.mp4'), walk.subarray(0, Math.floor(walk.length * 0.6)));
  // An mp4 header and nothing else.
  writeFileSync(join(evidence, 'fake.mp4'), Buffer.concat([walk.subarray(0, 32), Buffer.alloc(2000)]));
  const before = readFileSync(join(evidence, 'walk.mp4'));
  const wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir(), examiner: 't' });
  try {
    const s = await wb.ingest([evidence], { examiner: 't' });
    assert.equal(s.duplicates, 1);
    const tracks = wb.repos.tracks.list(0, 100);
    // walk.mp4 and its copy are one media item (shown under its first location).
    const walkTracks = tracks.filter((t) => !t.mediaPath.endsWith('truncated.mp4'));
    assert.equal(walkTracks.length, 1, JSON.stringify(walkTracks));
    const t = walkTracks[0]!;
    assert.ok(t.startMs <= 300 && t.endMs >= 2500, `track spans ${t.startMs}-${t.endMs} ms`);
    assert.ok(t.faces >= 10);
    const faces = wb.repos.faces.list(0, 1000).filter((f) => f.mediaId === t.mediaId);
    assert.equal(faces.length, t.faces, 'every face of the video belongs to its track');
    const errors = new Map(s.errors.map((e) => [e.path.split('/').pop(), e]));
    assert.equal(errors.get('truncated.mp4')?.reason, 'truncated_or_corrupt');
    assert.ok(tracks.some((x) => x.mediaPath.endsWith('truncated.mp4')), 'the decodable part of a truncated video is kept');
    assert.ok(errors.get('fake.mp4'), 'a fake video is an error record');
    assert.deepEqual(readFileSync(join(evidence, 'walk.mp4')), before);
    const r = await wb.invoke('tracks.list', {});
    assert.equal(r.total, tracks.length);
  } finally {
    await wb.dispose();
  }
});

test('an animated GIF is footage: the walk is one sighting with its time span; a single-frame GIF stays a photo', async () => {
  const evidence = join(work, 'gifs');
  mkdirSync(evidence);
  ff('-i', join(work, 'walk.mp4'), '-vf', 'fps=10', join(evidence, 'walk.gif'));
  ff('-i', join(work, 'walk.mp4'), '-frames:v', '1', join(evidence, 'still.gif'));
  const wb = await createWorkbench({ caseDir: join(work, 'case-gif'), modelsDir: await testModelsDir(), examiner: 't' });
  try {
    const s = await wb.ingest([evidence], { examiner: 't' });
    assert.equal(s.errors.length, 0, JSON.stringify(s.errors));
    const media = (await wb.invoke('media.list', {})).media;
    const kind = (name: string) => media.find((m) => m.paths[0]!.endsWith(name))!;
    assert.deepEqual([kind('walk.gif').kind, kind('walk.gif').format], ['video', 'gif']);
    assert.deepEqual([kind('still.gif').kind, kind('still.gif').format], ['image', 'gif']);
    const tracks = wb.repos.tracks.list(0, 100).filter((t) => t.mediaPath.endsWith('walk.gif')).sort((a, b) => b.faces - a.faces);
    assert.ok(tracks.length >= 1);
    assert.ok(tracks[0]!.startMs <= 300 && tracks[0]!.endMs >= 2500 && tracks[0]!.faces >= 8, `the walk is one sighting: ${JSON.stringify(tracks[0])}`);
    assert.equal(kind('still.gif').faceCount, 1);
  } finally {
    await wb.dispose();
  }
});

test('a watchlist alarm on a video comes with an evidence clip cut from the verified original; a changed original is refused', async () => {
  const evidence = join(work, 'evidence-clip');
  mkdirSync(evidence);
  const original = join(evidence, 'walk.mp4');
  writeFileSync(original, readFileSync(join(work, 'walk.mp4')));
  const wb = await createWorkbench({ caseDir: join(work, 'case-clip'), modelsDir: await testModelsDir(), examiner: 't' });
  try {
    wb.createWatchlist({ name: 'wanted', threshold: 0.3, examiner: 't' });
    await wb.enrol({ watchlist: 'wanted', name: 'Astronaut', photos: [astronautPng], examiner: 't' });
    await wb.ingest([evidence], { examiner: 't' });
    const [alarm, ...rest] = wb.repos.watchlists.alarms();
    assert.ok(alarm && rest.length === 0, 'one sighting, one alarm');
    assert.ok(alarm.trackId !== null && alarm.clipPath && alarm.clipSha256);
    const clipFile = join(wb.caseDir, 'derived', alarm.clipPath);
    assert.equal(createHash('sha256').update(readFileSync(clipFile)).digest('hex'), alarm.clipSha256);
    const clip = wb.repos.clips.list()[0]!;
    // The sighting with 2 s of context on each side, clamped to the 3 s video.
    assert.equal(clip.startMs, 0);
    assert.ok(Math.abs(clip.endMs - 3000) <= 50, `clip ends at ${clip.endMs}`);
    assert.ok(Math.abs(durationOf(clipFile) - clip.endMs / 1000) < 0.15);
    assert.ok(wb.repos.audit.list().some((e) => e.action === 'clip.created' && e.target === `clip:${clip.id}`));

    const span = await wb.clip({ mediaId: clip.mediaId, startMs: 500, endMs: 1500, padMs: 0, reason: 'test', examiner: 't' });
    assert.ok(Math.abs(durationOf(join(wb.caseDir, 'derived', span.path)) - 1) < 0.1);
    await assert.rejects(wb.clip({ mediaId: clip.mediaId, startMs: 5000, endMs: 6000, reason: 'x', examiner: 't' }), /after the end/);

    writeFileSync(original, Buffer.concat([readFileSync(original), Buffer.from([0])]));
    await assert.rejects(wb.clip({ trackId: alarm.trackId, reason: 'x', examiner: 't' }), /changed since intake/);
    assert.equal(wb.repos.clips.list().length, 2, 'nothing is cut from a changed original');
  } finally {
    await wb.dispose();
  }
});

test('a video inside a tar.gz is footage: processed from a verified working copy that is made again when lost or altered; the archive stays untouched', async () => {
  const evidence = join(work, 'evidence-archived');
  mkdirSync(evidence);
  const walk = readFileSync(join(work, 'walk.mp4'));
  const archive = join(evidence, 'phone.tar.gz');
  writeFileSync(archive, gzipSync(await tarOf([{ name: 'DCIM/walk.mp4', data: walk }])));
  const archiveHash = sha(readFileSync(archive));
  const wb = await createWorkbench({ caseDir: join(work, 'case-archived'), modelsDir: await testModelsDir(), examiner: 't' });
  try {
    const s = await wb.ingest([evidence], { examiner: 't' });
    assert.equal(s.errors.length, 0, JSON.stringify(s.errors));
    const [m, ...others] = (await wb.invoke('media.list', {})).media;
    assert.ok(m && others.length === 0);
    assert.deepEqual([m.kind, m.paths], ['video', [`${archive}!/DCIM/walk.mp4`]]);
    const track = wb.repos.tracks.list(0, 10).sort((a, b) => b.faces - a.faces)[0]!;
    assert.ok(track.endMs - track.startMs >= 2000, `the walk is one sighting: ${JSON.stringify(track)}`);
    const copy = join(wb.caseDir, 'derived', 'extracted', sha(walk).slice(0, 2), `${sha(walk)}.mp4`);
    assert.equal(sha(readFileSync(copy)), sha(walk), 'the working copy is the member, byte for byte');
    assert.equal(statSync(copy).mode & 0o777, 0o400, 'and read-only');

    // Frames and clips come from the copy; a lost copy is made again from the archive.
    const frame = await wb.invoke('face.frame', { faceId: track.bestFace });
    assert.ok(frame.path && !frame.problem, JSON.stringify(frame));
    rmSync(copy);
    const clip = await wb.clip({ trackId: track.id, reason: 'archived', examiner: 't' });
    assert.ok(durationOf(join(wb.caseDir, 'derived', clip.path)) > 2.5);
    assert.equal(sha(readFileSync(copy)), sha(walk));
    // An altered copy is never used: it is replaced from the archive before cutting.
    chmodSync(copy, 0o600);
    writeFileSync(copy, Buffer.concat([walk, Buffer.from([0])]));
    await wb.clip({ mediaId: m.id, startMs: 0, endMs: 1000, padMs: 0, reason: 'archived', examiner: 't' });
    assert.equal(sha(readFileSync(copy)), sha(walk));
    assert.equal(sha(readFileSync(archive)), archiveHash, 'the archive is only read');

    // Without the archive and the copy nothing is cut, and the answer says where it looked.
    rmSync(archive);
    rmSync(copy);
    await assert.rejects(wb.clip({ trackId: track.id, reason: 'x', examiner: 't' }), (err: Error) => /not available unchanged/.test(err.message) && err.message.includes(`${archive}: missing`));
  } finally {
    await wb.dispose();
  }
});

test('a long video\'s faces are stored while it plays; stopping it mid-way leaves none behind, and the next run stores each once', async () => {
  const evidence = join(work, 'evidence-long');
  mkdirSync(evidence);
  // 24 s of the astronaut pacing to and fro: one face in nearly every sampled frame.
  ff('-loop', '1', '-i', astronautPng, '-f', 'lavfi', '-i', 'color=gray:s=480x270:d=24:r=25', '-filter_complex',
    "[0]scale=120:-2[f];[1][f]overlay=x='20+abs(mod(t*80\\,600)-300)':y=50:shortest=1", '-t', '24', '-c:v', 'libx264', '-g', '25', '-pix_fmt', 'yuv420p', join(evidence, 'pacing.mp4'));
  const wb = await createWorkbench({ caseDir: join(work, 'case-long'), modelsDir: await testModelsDir(), examiner: 't' });
  try {
    const ac = new AbortController();
    const run = wb.ingest([evidence], { examiner: 't', signal: ac.signal });
    // Faces reach the case before the video ends (its media still pending), then the run is stopped.
    const started = Date.now();
    while (wb.repos.faces.count() === 0 && Date.now() - started < 120_000) await new Promise((r) => setTimeout(r, 50));
    const midway = wb.repos.faces.count();
    ac.abort();
    await run.catch(() => undefined);
    assert.ok(midway > 0, 'faces are written while the video plays');
    assert.equal(wb.repos.faces.count(), 0, 'a stopped video leaves no faces behind');
    assert.equal(wb.repos.tracks.count(), 0);

    await wb.ingest([evidence], { examiner: 't' });
    const faces = wb.repos.faces.list(0, 10_000);
    const frames = new Set(faces.map((f) => f.thumbnail)); // named by frame time and face index
    assert.ok(faces.length > 64, `${faces.length} faces: more than one batch`);
    assert.equal(frames.size, faces.length, 'one face per frame: none stored twice');
    const tracks = wb.repos.tracks.list(0, 100);
    assert.equal(tracks.reduce((n, t) => n + t.faces, 0), faces.length, 'every face is in a track');
    const [m, ...more] = (await wb.invoke('media.list', {})).media;
    assert.equal(more.length, 0);
    assert.equal(m!.faceCount, faces.length);
  } finally {
    await wb.dispose();
  }
});

/** Container duration in seconds, as ffmpeg reports it. */
function durationOf(file: string): number {
  const err = spawnSync(ffmpeg, ['-hide_banner', '-nostdin', '-i', file], { encoding: 'utf8' }).stderr;
  const m = /Duration: (\d+):(\d+):([\d.]+)/.exec(err);
  assert.ok(m, err);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}
