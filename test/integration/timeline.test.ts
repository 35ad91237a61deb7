import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench, resolveFfmpeg, type Workbench } from '../../main/core/index.js';
import { writeSyntheticPhotos } from '../../main/core/bench/syntheticPhotos.js';
import { KestrelError } from '../../main/contract/index.js';
import { astronautPng, testModelsDir } from '../helpers/fixtures.js';

const DAY = 86_400_000;
const FROM = Date.UTC(2021, 2, 1, 9, 0, 0);
let work: string;
let wb: Workbench;
let evidence: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-timeline-'));
  evidence = join(work, 'evidence');
  // Six photos a day apart from 2021-03-01 09:00 on the camera's clock, one without a capture time,
  // and a 3 s video whose container says it was recorded 2021-03-10 12:00:00 UTC.
  await writeSyntheticPhotos(evidence, 6, astronautPng, 3, { from: new Date(FROM), stepMs: DAY });
  writeFileSync(join(evidence, 'undated.jpg'), await sharp(astronautPng).resize(400).jpeg().toBuffer());
  const ffmpeg = resolveFfmpeg();
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', astronautPng, '-f', 'lavfi', '-i', 'color=gray:s=640x360:d=3:r=25', '-filter_complex',
    "[0]scale=150:-2[f];[1][f]overlay=x='20+t*120':y=60:shortest=1", '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p',
    '-metadata', 'creation_time=2021-03-10T12:00:00.000000Z', join(evidence, 'walk.mp4')]);
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir() });
  await wb.ingest([evidence], { examiner: 'tester' });
  await wb.cluster({ examiner: 'tester' });
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('dated originals sit at their capture times; a video is the span it lasts; undated ones are counted, not placed', async () => {
  const t = await wb.invoke('timeline.get', { bins: 10 });
  assert.equal(t.datedMedia, 7);
  assert.equal(t.undatedMedia, 1);
  assert.deepEqual(t.extent, { fromMs: FROM, toMs: Date.UTC(2021, 2, 10, 12, 0, 3) });
  assert.ok(t.fromMs < FROM && t.toMs > t.extent!.toMs, 'the whole-case window leaves a margin');
  const media = t.lanes[0]!;
  assert.equal(media.key, 'media');
  assert.equal(media.count, 7);
  assert.equal(media.bins.reduce((a, b) => a + b, 0), 7);
  const photos = media.items!.filter((i) => i.kind === 'photo');
  assert.deepEqual(photos.map((p) => p.startMs), [0, 1, 2, 3, 4, 5].map((d) => FROM + d * DAY));
  assert.ok(photos.every((p) => p.endMs === p.startMs && /photo_0000\d\.jpg$/.test(p.mediaPath) && p.thumbnail));
  const video = media.items!.find((i) => i.kind === 'video')!;
  assert.equal(video.startMs, Date.UTC(2021, 2, 10, 12, 0, 0));
  assert.equal(video.endMs - video.startMs, 3000);
});

test('an identity lane holds its sightings: photo faces at their photo, the video track at its offset into the video', async () => {
  const t = await wb.invoke('timeline.get', {});
  const lanes = t.lanes.filter((l) => l.identityId !== null);
  assert.ok(lanes.length >= 1);
  const astronaut = lanes[0]!;
  const items = astronaut.items!;
  const track = items.find((i) => i.trackId !== null);
  assert.ok(track, JSON.stringify(items.map((i) => [i.kind, i.trackId, i.mediaPath])));
  const videoStart = Date.UTC(2021, 2, 10, 12, 0, 0);
  assert.ok(track.startMs >= videoStart && track.endMs <= videoStart + 3000 && track.endMs > track.startMs);
  assert.ok(items.filter((i) => i.trackId === null).every((i) => (i.startMs - FROM) % DAY === 0), 'photo sightings sit on their photo\'s time');
  // A chosen lane set replaces the default one; an unknown identity is left out.
  const only = await wb.invoke('timeline.get', { identities: [astronaut.identityId!, 9999] });
  assert.deepEqual(only.lanes.map((l) => l.key), ['media', `identity:${astronaut.identityId}`]);
});

test('zooming in: a window holds only what overlaps it, and a crowded lane gives counts instead of items', async () => {
  const day3 = await wb.invoke('timeline.get', { fromMs: FROM + 2 * DAY - 1000, toMs: FROM + 2 * DAY + 1000, bins: 4 });
  assert.equal(day3.lanes[0]!.count, 1);
  assert.deepEqual(day3.lanes[0]!.bins, [0, 0, 1, 0]);
  const crowded = await wb.invoke('timeline.get', { maxItems: 3, bins: 5 });
  assert.equal(crowded.lanes[0]!.items, null);
  assert.equal(crowded.lanes[0]!.bins.reduce((a, b) => a + b, 0), 7);
  await assert.rejects(wb.invoke('timeline.get', { fromMs: 10, toMs: 5 }), (e: unknown) => e instanceof KestrelError && /end after it starts/.test(e.message));
});

test('a face opens in its frame, drawn once from the verified original; a changed original gives the problem, not a picture', async () => {
  const t = await wb.invoke('timeline.get', {});
  const photo = t.lanes[0]!.items!.find((i) => i.kind === 'photo')!;
  const f = await wb.invoke('face.frame', { faceId: photo.faceId! });
  assert.equal(f.problem, null);
  const abs = join(wb.caseDir, 'derived', f.path!);
  const meta = await sharp(abs).metadata();
  assert.ok(meta.width! >= 640 && meta.width === f.width, 'the whole frame, at the original\'s size');
  const again = await wb.invoke('face.frame', { faceId: photo.faceId! });
  assert.equal(statSync(abs).mtimeMs, statSync(join(wb.caseDir, 'derived', again.path!)).mtimeMs, 'drawn once');
  // Alter the original of another face: its frame is refused with the reason.
  const other = t.lanes[0]!.items!.find((i) => i.kind === 'photo' && i.mediaId !== photo.mediaId)!;
  const file = other.mediaPath;
  renameSync(file, `${file}.orig`);
  copyFileSync(join(evidence, 'undated.jpg'), file);
  try {
    const bad = await wb.invoke('face.frame', { faceId: other.faceId! });
    assert.equal(bad.path, null);
    assert.match(bad.problem!, /SHA-256 no longer matches/);
    assert.ok(!existsSync(join(wb.caseDir, 'derived', 'frames', `face-${other.faceId}.jpg`)));
  } finally {
    rmSync(file);
    renameSync(`${file}.orig`, file);
  }
  await assert.rejects(wb.invoke('face.frame', { faceId: 999_999 }), (e: unknown) => e instanceof KestrelError && e.code === 'NOT_FOUND');
});
