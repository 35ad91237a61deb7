import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAffine, invertAffine, similarityTransform, TEMPLATES, warpAffine, alignFace } from '../../main/core/faces/alignment.js';

const close = (a: number, b: number, eps = 1e-6): void => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('similarityTransform recovers a known rotation, scale and translation exactly', () => {
  const theta = 0.3, s = 1.7, tx = 12, ty = -5;
  const src = TEMPLATES.arcface112.points;
  const dst = src.map((p) => ({ x: s * (Math.cos(theta) * p.x - Math.sin(theta) * p.y) + tx, y: s * (Math.sin(theta) * p.x + Math.cos(theta) * p.y) + ty }));
  const m = similarityTransform(src, dst);
  close(m[0], s * Math.cos(theta));
  close(m[3], s * Math.sin(theta));
  close(m[2], tx);
  close(m[5], ty);
  src.forEach((p, i) => { const q = applyAffine(m, p); close(q.x, dst[i]!.x, 1e-9); close(q.y, dst[i]!.y, 1e-9); });
});

test('similarityTransform never mirrors: a mirrored point set gets the best rotation, not a reflection', () => {
  const src = TEMPLATES.arcface112.points;
  const mirrored = src.map((p) => ({ x: 112 - p.x, y: p.y }));
  const m = similarityTransform(src, mirrored);
  assert.ok(m[0] * m[4] - m[1] * m[3] > 0, 'determinant must stay positive');
});

test('invertAffine is the inverse', () => {
  const m = similarityTransform([{ x: 0, y: 0 }, { x: 10, y: 0 }], [{ x: 5, y: 5 }, { x: 5, y: 25 }]);
  const inv = invertAffine(m);
  const p = { x: 3.5, y: -7 };
  const q = applyAffine(inv, applyAffine(m, p));
  close(q.x, p.x, 1e-9);
  close(q.y, p.y, 1e-9);
});

test('warpAffine with the identity copies pixels; outside the source is black', () => {
  const w = 4, h = 4;
  const data = Buffer.alloc(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = i % 251;
  const out = warpAffine({ data, width: w, height: h }, [1, 0, 0, 0, 1, 0], 4);
  assert.deepEqual(Buffer.from(out), data);
  const shifted = warpAffine({ data, width: w, height: h }, [1, 0, 10, 0, 1, 10], 4);
  assert.ok(shifted.every((v) => v === 0));
});

test('alignFace puts the detected landmarks on the template', () => {
  // An image with a bright dot at each "landmark"; after alignment the dots sit on the template points.
  const w = 300, h = 300;
  const data = Buffer.alloc(w * h * 3);
  const lm = [{ x: 100, y: 120 }, { x: 180, y: 110 }, { x: 142, y: 160 }, { x: 110, y: 205 }, { x: 175, y: 198 }];
  const m = similarityTransform(lm, TEMPLATES.arcface112.points);
  const crop = alignFace({ data, width: w, height: h }, lm, 'arcface112');
  assert.equal(crop.length, 112 * 112 * 3);
  TEMPLATES.arcface112.points.forEach((t, i) => {
    const q = applyAffine(m, lm[i]!);
    close(q.x, t.x, 2.5);
    close(q.y, t.y, 2.5);
  });
});
