import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitSubspace, project } from '../../main/core/util/principalSubspace.js';

/** n unit vectors in `dims` dimensions whose energy lies in the first `live` coordinates of a rotated frame. */
function lowRankRows(n: number, dims: number, live: number, seed: number): { rows: Float32Array; frame: Float32Array } {
  let s = seed;
  const r = (): number => ((s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 2147483648) - 0.5;
  // A random orthonormal frame (Gram-Schmidt), so the live directions are not coordinate axes.
  const frame = new Float32Array(dims * dims);
  for (let c = 0; c < dims; c++) {
    const v = Float64Array.from({ length: dims }, r);
    for (let p = 0; p < c; p++) {
      let d = 0;
      for (let a = 0; a < dims; a++) d += v[a]! * frame[p * dims + a]!;
      for (let a = 0; a < dims; a++) v[a]! -= d * frame[p * dims + a]!;
    }
    const norm = Math.hypot(...v);
    for (let a = 0; a < dims; a++) frame[c * dims + a] = v[a]! / norm;
  }
  const rows = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    const w = Float64Array.from({ length: live }, (_, c) => r() / (c + 1));
    const norm = Math.hypot(...w);
    for (let c = 0; c < live; c++) for (let a = 0; a < dims; a++) rows[i * dims + a]! += (w[c]! / norm) * frame[c * dims + a]!;
  }
  return { rows, frame };
}

const dot = (a: Float32Array, i: number, b: Float32Array, j: number, dims: number): number => {
  let s = 0;
  for (let d = 0; d < dims; d++) s += a[i * dims + d]! * b[j * dims + d]!;
  return s;
};

test('principal subspace: an orthonormal basis of the rows\' span, strongest first; projected inner products equal the full ones when the rows lie in it', () => {
  const dims = 48;
  const { rows, frame } = lowRankRows(600, dims, 6, 3);
  const sub = fitSubspace(rows, dims, 8);
  assert.equal(sub.rank, 8);
  for (let a = 0; a < 8; a++) for (let b = 0; b < 8; b++) assert.ok(Math.abs(dot(sub.basis, a, sub.basis, b, dims) - (a === b ? 1 : 0)) < 1e-4, `basis rows ${a}, ${b}`);
  // The strongest direction is (up to sign) the frame's first, which carries the most energy.
  assert.ok(Math.abs(dot(sub.basis, 0, frame, 0, dims)) > 0.95);
  const coords = project(rows, sub);
  assert.equal(coords.length, 600 * 8);
  for (const [i, j] of [[0, 1], [5, 400], [599, 17]] as const) {
    assert.ok(Math.abs(dot(coords, i, coords, j, 8) - dot(rows, i, rows, j, dims)) < 1e-4, `pair ${i}, ${j}`);
  }
  // A projection is the coordinates along each basis row, whatever view of the matrix it is given.
  const tail = project(rows.subarray(300 * dims), sub);
  for (let c = 0; c < 8; c++) assert.ok(Math.abs(tail[c]! - dot(rows, 300, sub.basis, c, dims)) < 1e-5);
  // Same rows, same subspace.
  assert.deepEqual(fitSubspace(rows, dims, 8).basis, sub.basis);
});

test('principal subspace: a rank the rows cannot have is refused', () => {
  const rows = new Float32Array(10 * 4).fill(0.5);
  assert.throws(() => fitSubspace(rows, 4, 5), /rank 5 outside 1-4/);
  assert.throws(() => fitSubspace(new Float32Array(0), 4, 2), /no whole row/);
});
