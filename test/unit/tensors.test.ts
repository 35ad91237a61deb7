import { test } from 'node:test';
import assert from 'node:assert/strict';
import { l2normalize, packTensor } from '../../main/core/faces/tensors.js';

const approx = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-5, `${a} != ${b}`);

test('packTensor writes NCHW planes in the model colour order with its normalisation, padding right and bottom', () => {
  // 2x1 image: pixel 0 = (10, 20, 30), pixel 1 = (40, 50, 60), packed into a 3x2 tensor.
  const rgb = Uint8Array.from([10, 20, 30, 40, 50, 60]);
  const bgr = packTensor(rgb, 2, 1, { name: 'x', width: 0, height: 0, colour: 'BGR', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] }, 3, 2);
  assert.deepEqual([...bgr.subarray(0, 6)], [30, 60, 0, 0, 0, 0]); // B plane, padded with 0
  assert.deepEqual([...bgr.subarray(6, 12)], [20, 50, 0, 0, 0, 0]);
  assert.deepEqual([...bgr.subarray(12, 18)], [10, 40, 0, 0, 0, 0]);
  const norm = packTensor(rgb, 2, 1, { name: 'x', width: 0, height: 0, colour: 'RGB', scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1] }, 3, 2);
  approx(norm[0]!, (10 / 255 - 0.5) / 0.25);
  approx(norm[6 + 1]!, (50 / 255 - 0.5) / 0.5);
  // Padding is the value of a zero pixel after normalisation.
  approx(norm[2]!, -0.5 / 0.25);
  approx(norm[17]!, -0.5 / 1);
});

test('l2normalize gives unit length', () => {
  const v = l2normalize(Float32Array.from([3, 4]));
  approx(v[0]!, 0.6);
  approx(v[1]!, 0.8);
});
