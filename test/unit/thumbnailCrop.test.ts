import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thumbnailCrop } from '../../main/core/faces/thumbnailCrop.js';

const px = (t: Uint8Array, size: number, x: number, y: number): number[] => [...t.subarray((y * size + x) * 3, (y * size + x) * 3 + 3)];

test('thumbnailCrop centres the face box with context and fills outside the image with dark grey', () => {
  // 100x100 white image with a red 20x20 "face" at (40,40).
  const w = 100;
  const data = Buffer.alloc(w * w * 3, 255);
  for (let y = 40; y < 60; y++) for (let x = 40; x < 60; x++) data.set([255, 0, 0], (y * w + x) * 3);
  const t = thumbnailCrop({ data, width: w, height: w }, { x: 40, y: 40, width: 20, height: 20 }, 32);
  assert.deepEqual(px(t, 32, 16, 16), [255, 0, 0]); // face in the middle
  assert.deepEqual(px(t, 32, 1, 1), [255, 255, 255]); // context around it
  // A box at the image corner: the part of the square outside the image is background.
  const c = thumbnailCrop({ data, width: w, height: w }, { x: 0, y: 0, width: 20, height: 20 }, 32);
  assert.deepEqual(px(c, 32, 0, 0), [32, 32, 32]);
  assert.deepEqual(px(c, 32, 31, 31), [255, 255, 255]);
});

test('thumbnailCrop averages the area it reduces (a fine checkerboard becomes mid-grey, not aliased)', () => {
  const w = 256;
  const data = Buffer.alloc(w * w * 3);
  for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.fill((x + y) % 2 ? 255 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
  const t = thumbnailCrop({ data, width: w, height: w }, { x: 64, y: 64, width: 128, height: 128 }, 40);
  for (const [x, y] of [[5, 5], [20, 20], [33, 7]] as const) {
    for (const v of px(t, 40, x, y)) assert.ok(Math.abs(v - 128) <= 10, `pixel (${x},${y}) = ${v}`);
  }
});
