import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench, resolveFfmpeg, type Workbench } from '../../main/core/index.js';
import { writeSyntheticPhotos } from '../../main/core/bench/syntheticPhotos.js';
import { KestrelError } from '../../main/contract/index.js';
import { astronautPng, testModelsDir } from '../helpers/fixtures.js';

let work: string;
let wb: Workbench;
let evidence: string;

/** A portrait photo as a camera stores it: pixels on their side, EXIF orientation 6 to stand them up. */
async function sidewaysPhoto(): Promise<Buffer> {
  const face = await sharp(astronautPng).resize(300, 300).toBuffer();
  const upright = await sharp({ create: { width: 600, height: 800, channels: 3, background: { r: 30, g: 90, b: 60 } } })
    .composite([{ input: face, left: 250, top: 450 }]).png().toBuffer();
  return sharp(upright).rotate(270).jpeg({ quality: 92 }).withMetadata({ orientation: 6 }).toBuffer();
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-mediabrowser-'));
  evidence = join(work, 'evidence');
  await writeSyntheticPhotos(join(evidence, 'dated'), 3, astronautPng, 5, { from: new Date(Date.UTC(2022, 4, 1, 23, 30)), stepMs: 86_400_000 });
  mkdirSync(join(evidence, 'other'));
  writeFileSync(join(evidence, 'other', 'sideways.jpg'), await sidewaysPhoto());
  writeFileSync(join(evidence, 'other', 'wall.png'), await sharp({ create: { width: 320, height: 240, channels: 3, background: '#777' } }).png().toBuffer());
  execFileSync(resolveFfmpeg(), ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', astronautPng, '-f', 'lavfi', '-i', 'color=gray:s=640x360:d=2:r=25', '-filter_complex',
    "[0]scale=150:-2[f];[1][f]overlay=x='20+t*120':y=60:shortest=1", '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(evidence, 'other', 'walk.mp4')]);
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir() });
  await wb.ingest([join(evidence, 'dated')], { examiner: 'tester' });
  await wb.ingest([join(evidence, 'other')], { examiner: 'tester' });
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

const names = async (filter: object): Promise<string[]> => {
  const r = await wb.invoke('media.list', { filter });
  assert.equal(r.total, r.media.length, 'the total counts what the filter keeps');
  return r.media.map((m) => m.paths[0]!.split('/').pop()!).sort();
};

test('the media browser narrows by kind, faces, source and capture day (days inclusive), or to undated media', async () => {
  assert.equal((await names({})).length, 6);
  assert.deepEqual(await names({ kind: 'video' }), ['walk.mp4']);
  assert.deepEqual(await names({ faces: 'without' }), ['wall.png']);
  assert.deepEqual(await names({ faces: 'with', kind: 'image' }), ['photo_00000.jpg', 'photo_00001.jpg', 'photo_00002.jpg', 'sideways.jpg']);
  // Photos at 2022-05-01 23:30, 05-02 23:30 and 05-03 23:30 on the camera's clock.
  assert.deepEqual(await names({ capturedFrom: '2022-05-02', capturedTo: '2022-05-02' }), ['photo_00001.jpg']);
  assert.deepEqual(await names({ capturedFrom: '2022-05-02' }), ['photo_00001.jpg', 'photo_00002.jpg']);
  assert.deepEqual(await names({ undated: true }), ['sideways.jpg', 'walk.mp4', 'wall.png']);
  const sources = (await wb.invoke('sources.list', {})).sources;
  const other = sources.find((s) => s.path.endsWith('other'))!;
  assert.deepEqual(await names({ sourceId: other.id, faces: 'with' }), ['sideways.jpg', 'walk.mp4']);
  await assert.rejects(wb.invoke('media.list', { filter: { capturedFrom: '2022-05-03', capturedTo: '2022-05-01' } }), /first day must not be after the last/);
  await assert.rejects(wb.invoke('media.list', { filter: { capturedFrom: '1 May' } }), /YYYY-MM-DD/);
});

test('a preview stands the photo up as the camera meant and puts each face box where the face is', async () => {
  const m = (await wb.invoke('media.list', {})).media.find((x) => x.paths[0]!.endsWith('sideways.jpg'))!;
  const p = await wb.invoke('media.preview', { mediaId: m.id });
  assert.equal(p.problem, null);
  assert.equal(p.frameMs, null);
  const meta = await sharp(join(work, 'case', 'derived', p.path!)).metadata();
  assert.deepEqual([meta.width, meta.height], [360, 480], 'portrait, at most 480 px on its longest side');
  assert.equal(p.boxes.length, 1);
  const b = p.boxes[0]!;
  // The face was placed at 250..550 × 450..750 of the 600 × 800 upright picture.
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  assert.ok(cx > 250 / 600 && cx < 550 / 600 && cy > 450 / 800 && cy < 750 / 800, `box centre ${cx.toFixed(2)}, ${cy.toFixed(2)}`);
  assert.ok(b.x >= 240 / 600 && b.x + b.w <= 560 / 600 && b.y >= 440 / 800 && b.y + b.h <= 760 / 800, `box ${JSON.stringify(b)} inside the placed picture`);
});

test('a video preview is its busiest frame, with the faces of that frame only', async () => {
  const m = (await wb.invoke('media.list', { filter: { kind: 'video' } })).media[0]!;
  const p = await wb.invoke('media.preview', { mediaId: m.id });
  assert.equal(p.problem, null);
  assert.ok(p.frameMs !== null);
  const faces = (await wb.invoke('faces.list', { mediaId: m.id })).faces;
  assert.ok(p.boxes.length >= 1 && p.boxes.length < faces.length, `${p.boxes.length} of ${faces.length} faces`);
  assert.ok(existsSync(join(work, 'case', 'derived', p.path!)));
});

test('a contact sheet of a video: twelve frames at even times with the faces outlined; a photo has none', async () => {
  const m = (await wb.invoke('media.list', { filter: { kind: 'video' } })).media[0]!;
  const sheet = await wb.invoke('media.contactSheet', { mediaId: m.id });
  assert.equal(sheet.problem, null);
  assert.equal(sheet.times.length, 12);
  assert.ok(sheet.times.every((t, i) => i === 0 || t > sheet.times[i - 1]!) && sheet.times.at(-1)! < 2000, 'even times across the 2 s video');
  const meta = await sharp(join(work, 'case', 'derived', sheet.path!)).metadata();
  // 4 x 3 tiles of 320 x 180 (the video is 640 x 360), each with a 22 px caption.
  assert.deepEqual([meta.width, meta.height], [1280, 3 * (180 + 22)]);
  const photo = (await wb.invoke('media.list', { filter: { kind: 'image' } })).media[0]!;
  await assert.rejects(wb.invoke('media.contactSheet', { mediaId: photo.id }), /a contact sheet is made of a video/);
});

test('a changed original gives no preview but says why, and nothing is lost', async () => {
  const m = (await wb.invoke('media.list', {})).media.find((x) => x.paths[0]!.endsWith('wall.png'))!;
  writeFileSync(join(evidence, 'other', 'wall.png'), await sharp({ create: { width: 320, height: 240, channels: 3, background: '#700' } }).png().toBuffer());
  const p = await wb.invoke('media.preview', { mediaId: m.id });
  assert.equal(p.path, null);
  assert.match(p.problem!, /not available/);
  assert.equal((await wb.invoke('media.list', {})).total, 6);
  await assert.rejects(wb.invoke('media.preview', { mediaId: 99_999 }), (e: unknown) => e instanceof KestrelError && e.code === 'NOT_FOUND');
});
