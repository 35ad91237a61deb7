import { test } from 'node:test';
import assert from 'node:assert/strict';
import { halve, landmarkCrop, LANDMARK_CONTEXT, LANDMARK_CROP } from '../../main/core/faces/landmarkCrop.js';
import type { RgbImage } from '../../main/core/media/imageDecoder.js';

/** An image whose red channel encodes x and green encodes y (mod 256), so a pixel says where it came from. */
function coordImage(w: number, h: number): RgbImage {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const o = (y * w + x) * 3;
    data[o] = x % 256;
    data[o + 1] = y % 256;
  }
  return { data, width: w, height: h };
}

test('the crop is centred on the face, the face fills 1/LANDMARK_CONTEXT of it, and crop points map back to the image', () => {
  const full = coordImage(200, 200);
  const box = { x: 70, y: 60, width: 48, height: 40 };
  const c = landmarkCrop(full, full, 1, box);
  assert.equal(c.image.width, LANDMARK_CROP);
  assert.equal(c.image.height, LANDMARK_CROP);
  const mid = LANDMARK_CROP / 2;
  assert.ok(Math.abs(c.box.x + c.box.width / 2 - mid) < 1e-9 && Math.abs(c.box.y + c.box.height / 2 - mid) < 1e-9);
  assert.ok(Math.abs(c.box.width - LANDMARK_CROP / LANDMARK_CONTEXT) < 1e-9, 'the longer side fills half the crop');
  const back = c.toImage({ x: c.box.x, y: c.box.y });
  assert.ok(Math.abs(back.x - box.x) < 1e-9 && Math.abs(back.y - box.y) < 1e-9);
  // The crop's pixel at a point holds the image's pixel at toImage(point).
  for (const p of [{ x: 50, y: 60 }, { x: 120, y: 100 }, { x: 96, y: 150 }]) {
    const src = c.toImage(p);
    const o = (p.y * LANDMARK_CROP + p.x) * 3;
    assert.ok(Math.abs(c.image.data[o]! - src.x) <= 1, `red ${c.image.data[o]} vs x ${src.x}`);
    assert.ok(Math.abs(c.image.data[o + 1]! - src.y) <= 1, `green ${c.image.data[o + 1]} vs y ${src.y}`);
  }
});

test('a large face is cropped from the detector copy or a halved image, and still maps back to full-image pixels', () => {
  const full = coordImage(1024, 1024);
  const detImage = { data: Buffer.alloc(640 * 640 * 3), width: 640, height: 640 };
  const box = { x: 300, y: 300, width: 400, height: 400 }; // 250 px in the detector copy: crop side 500 >= 192
  const c = landmarkCrop(full, detImage, 0.625, box);
  const p = c.toImage({ x: c.box.x + c.box.width, y: c.box.y + c.box.height });
  assert.ok(Math.abs(p.x - 700) < 1e-6 && Math.abs(p.y - 700) < 1e-6);
  const fromFull = landmarkCrop(full, full, 1, { x: 100, y: 100, width: 300, height: 300 }); // 600 px side: halved once
  const q = fromFull.toImage({ x: LANDMARK_CROP / 2, y: LANDMARK_CROP / 2 });
  assert.ok(Math.abs(q.x - 250) < 1e-6 && Math.abs(q.y - 250) < 1e-6);
  const o = ((LANDMARK_CROP / 2) * LANDMARK_CROP + LANDMARK_CROP / 2) * 3;
  assert.ok(Math.abs(fromFull.image.data[o]! - 250) <= 2, 'the halved source still holds the right pixels');
});

test('halve averages each 2x2 block and drops an odd last row and column', () => {
  const img = { data: Buffer.from([0, 0, 0, 4, 8, 12, 1, 1, 1, 8, 16, 24, 12, 24, 36, 1, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9]), width: 3, height: 3 };
  const h = halve(img);
  assert.equal(h.width, 1);
  assert.equal(h.height, 1);
  assert.deepEqual([...h.data], [6, 12, 18]);
});
