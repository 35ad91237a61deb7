import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeYunet, decodeScrfd, groupScrfdOutputs, iou, mapDetection, nms } from '../../main/core/faces/detection.js';
import { decodeGenderAge, detectorSize, padToCanvas } from '../../main/core/faces/faceEngine.js';

function strideOutput(stride: number, w: number, h: number, cell: { row: number; col: number; cls: number; obj: number; bbox: number[]; kps: number[] } | null) {
  const n = (w / stride) * (h / stride);
  const o = { stride, cls: new Float32Array(n), obj: new Float32Array(n), bbox: new Float32Array(n * 4), kps: new Float32Array(n * 10) };
  if (cell) {
    const i = cell.row * (w / stride) + cell.col;
    o.cls[i] = cell.cls;
    o.obj[i] = cell.obj;
    o.bbox.set(cell.bbox, i * 4);
    o.kps.set(cell.kps, i * 10);
  }
  return o;
}

test('decodeYunet decodes one anchor per MODELS.md: centre, exp size, landmarks, sqrt score', () => {
  const w = 64, h = 32;
  const outs = [
    strideOutput(8, w, h, { row: 2, col: 3, cls: 0.81, obj: 1, bbox: [0.5, 0.5, Math.log(2), Math.log(3)], kps: [0, 0, 1, 0, 0.5, 0.5, 0, 1, 1, 1] }),
    strideOutput(16, w, h, null),
    strideOutput(32, w, h, null),
  ];
  const d = decodeYunet(outs, w, h, 0.5);
  assert.equal(d.length, 1);
  const det = d[0]!;
  assert.ok(Math.abs(det.score - 0.9) < 1e-6);
  // centre (3.5*8, 2.5*8) = (28, 20); size (16, 24)
  assert.deepEqual([det.box.x, det.box.y, det.box.width, det.box.height].map((v) => Math.round(v * 1000) / 1000), [20, 8, 16, 24]);
  assert.deepEqual(det.landmarks[0], { x: 24, y: 16 });
  assert.deepEqual(det.landmarks[4], { x: 32, y: 24 });
});

test('decodeYunet drops scores below the threshold and rejects short tensors', () => {
  const outs = [strideOutput(8, 32, 32, { row: 0, col: 0, cls: 0.2, obj: 0.2, bbox: [0, 0, 0, 0], kps: new Array(10).fill(0) })];
  assert.equal(decodeYunet(outs, 32, 32, 0.5).length, 0);
  assert.throws(() => decodeYunet([{ stride: 8, cls: new Float32Array(1), obj: new Float32Array(1), bbox: new Float32Array(4), kps: new Float32Array(10) }], 32, 32, 0.5));
});

test('decodeScrfd decodes distances from the anchor centre', () => {
  const n = 4 * 4 * 2;
  const scores = new Float32Array(n); const bbox = new Float32Array(n * 4); const kps = new Float32Array(n * 10);
  const i = (1 * 4 + 2) * 2; // row 1, col 2, first anchor
  scores[i] = 0.9; bbox.set([1, 1, 2, 2], i * 4);
  const d = decodeScrfd([{ stride: 8, scores, bbox, kps }], 32, 32, 0.5);
  assert.equal(d.length, 1);
  assert.deepEqual(d[0]!.box, { x: 8, y: 0, width: 24, height: 24 });
});

test('groupScrfdOutputs groups unnamed SCRFD outputs by shape, not by element count', () => {
  // SCRFD-2.5g on 640x480: scores, boxes, landmarks for strides 8, 16, 32 (9,600 / 2,400 / 600 anchors),
  // in its output order; stride 16's boxes (2,400 x 4) have as many values as stride 8's scores.
  const outputs = [9600, 2400, 600].flatMap((n) => [1, 4, 10].map((k) => ({ dims: [n, k], data: new Float32Array(n * k) })));
  const g = groupScrfdOutputs(outputs, [8, 16, 32], 640, 480);
  g.forEach((o, si) => {
    assert.equal(o.scores, outputs[si * 3]!.data, `stride ${o.stride} scores`);
    assert.equal(o.bbox, outputs[si * 3 + 1]!.data, `stride ${o.stride} boxes`);
    assert.equal(o.kps, outputs[si * 3 + 2]!.data, `stride ${o.stride} landmarks`);
  });
  assert.throws(() => groupScrfdOutputs(outputs.slice(1), [8, 16, 32], 640, 480), /stride 8 \(x1\) not found/);
});

test('nms keeps the best of overlapping boxes and all disjoint ones', () => {
  const mk = (x: number, score: number) => ({ box: { x, y: 0, width: 10, height: 10 }, landmarks: [], score });
  const kept = nms([mk(0, 0.7), mk(1, 0.9), mk(50, 0.6)], 0.3);
  assert.deepEqual(kept.map((k) => k.score), [0.9, 0.6]);
  assert.equal(iou(mk(0, 1).box, mk(0, 1).box), 1);
  assert.equal(iou(mk(0, 1).box, mk(20, 1).box), 0);
});

test('mapDetection inverts scaling and padding', () => {
  const d = { box: { x: 30, y: 40, width: 20, height: 10 }, landmarks: [{ x: 30, y: 40 }], score: 1 };
  const m = mapDetection(d, 0.5, 10, 20);
  assert.deepEqual(m.box, { x: 40, y: 40, width: 40, height: 20 });
  assert.deepEqual(m.landmarks[0], { x: 40, y: 40 });
});

test('detectorSize shrinks large images, enlarges tiny ones, keeps the rest', () => {
  assert.deepEqual(detectorSize(1280, 960), { width: 640, height: 480, scale: 0.5 });
  assert.deepEqual(detectorSize(64, 64), { width: 320, height: 320, scale: 5 });
  assert.deepEqual(detectorSize(500, 400), { width: 500, height: 400, scale: 1 });
});

test('padToCanvas centres the image and reports the offset used to map detections back', () => {
  const img = { data: Buffer.alloc(10 * 10 * 3, 255), width: 10, height: 10 };
  const p = padToCanvas(img, 2, 640);
  assert.equal(p.image.width, 20);
  assert.equal(p.offsetX, 5);
  assert.equal(p.image.data[(0 * 20 + 0) * 3], 128);
  assert.equal(p.image.data[(10 * 20 + 10) * 3], 255);
});

test('decodeGenderAge counts "older than k" votes', () => {
  const fc1 = new Float32Array(202);
  fc1[0] = 0; fc1[1] = 1;
  for (let k = 0; k < 30; k++) fc1[3 + 2 * k] = 1;
  assert.deepEqual(decodeGenderAge(fc1), { age: 30, gender: 'male' });
});
