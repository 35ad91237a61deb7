import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hadamard, syntheticFaces } from '../../main/core/bench/syntheticFaces.js';

const DIMS = 512;

/** Participation ratio (trace C)^2 / trace(C^2) of the centred covariance: how many directions carry the variance. */
function participationRatio(x: Float32Array, n: number, dims: number): number {
  const mean = new Float64Array(dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) mean[j]! += x[i * dims + j]! / n;
  const c = new Float64Array(dims * dims);
  const row = new Float64Array(dims);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dims; j++) row[j] = x[i * dims + j]! - mean[j]!;
    for (let a = 0; a < dims; a++) {
      const ra = row[a]!;
      for (let b = a; b < dims; b++) c[a * dims + b]! += ra * row[b]!;
    }
  }
  let trace = 0;
  let frob = 0;
  for (let a = 0; a < dims; a++) {
    trace += c[a * dims + a]!;
    for (let b = a; b < dims; b++) frob += (a === b ? 1 : 2) * c[a * dims + b]! ** 2;
  }
  return trace ** 2 / frob;
}

function cosines(x: Float32Array, identity: Int32Array, dims: number): { same: number; other: number } {
  let same = 0, nSame = 0, other = 0, nOther = 0;
  const n = identity.length;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    let d = 0;
    for (let k = 0; k < dims; k++) d += x[i * dims + k]! * x[j * dims + k]!;
    if (identity[i] === identity[j]) { same += d; nSame++; } else { other += d; nOther++; }
  }
  return { same: same / nSame, other: other / nOther };
}

test('the Hadamard transform is orthogonal: it keeps lengths and undoes itself', () => {
  const v = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7) + (i % 5));
  const w = Float32Array.from(v);
  hadamard(w);
  assert.ok(Math.abs(Math.hypot(...w) - Math.hypot(...v)) < 1e-4);
  hadamard(w);
  w.forEach((x, i) => assert.ok(Math.abs(x - v[i]!) < 1e-4));
});

test('spectrum faces: unit rows, the same for a seed, people apart, variance spread over about as many directions as real embeddings', () => {
  const n = 1500;
  const a = syntheticFaces(n, 5, DIMS, 3, 'spectrum');
  const b = syntheticFaces(n, 5, DIMS, 3, 'spectrum');
  assert.deepEqual(a.data, b.data);
  assert.deepEqual(a.q, b.q);
  for (let i = 0; i < n; i += 97) assert.ok(Math.abs(Math.hypot(...a.data.subarray(i * DIMS, (i + 1) * DIMS)) - 1) < 1e-5);
  const c = cosines(a.data.subarray(0, 400 * DIMS), a.identity.subarray(0, 400), DIMS);
  // Real fused vectors (FG-NET): same person 0.50, different people 0.11 on average.
  assert.ok(c.same > 0.4 && c.same < 0.6, `same-person cosine ${c.same}`);
  assert.ok(c.other > 0 && c.other < 0.1, `different-person cosine ${c.other}`);
  // Real fused vectors: 106 of 512; the uniform worst case spreads over several hundred.
  const pr = participationRatio(a.data, n, DIMS);
  assert.ok(pr > 70 && pr < 140, `participation ratio ${pr}`);
  const u = syntheticFaces(n, 0, DIMS, 3, 'uniform');
  assert.ok(participationRatio(u.data, n, DIMS) > 250);
});
