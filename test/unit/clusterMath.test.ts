import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_BANDS, ageBand, cohortStats, STAT_SLOTS } from '../../main/core/identities/scoreNormalisation.js';
import { jsDot, RowDots } from '../../main/core/identities/vectorDots.js';

function randomUnits(n: number, dims: number, seed: number): Float32Array {
  let s = seed;
  const r = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const m = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) { const v = r(); m[i * dims + d] = v; norm += v * v; }
    for (let d = 0; d < dims; d++) m[i * dims + d]! /= Math.sqrt(norm);
  }
  return m;
}

test('row dots: the SIMD kernel gives the plain inner products (and widths it cannot take fall back)', () => {
  for (const dims of [512, 48, 16]) {
    const m = randomUnits(300, dims, dims);
    const rows = new RowDots(m, dims);
    assert.equal(rows.simd, true, `SIMD kernel used for ${dims} dimensions`);
    for (const [i, j] of [[0, 1], [5, 299], [17, 17], [298, 3]] as const) {
      assert.ok(Math.abs(rows.dot(i, j) - jsDot(m, dims, i, j)) < 1e-5, `rows ${i}, ${j} at ${dims} dims`);
    }
    assert.ok(Math.abs(rows.dot(17, 17) - 1) < 1e-5, 'a unit vector with itself is 1');
  }
  const odd = randomUnits(10, 20, 3);
  const rows = new RowDots(odd, 20);
  assert.equal(rows.simd, false, '20 dimensions are not a multiple of 16');
  assert.equal(rows.dot(2, 7), jsDot(odd, 20, 2, 7));
});

test('cohort statistics: per band and over the whole cohort, each cohort unit once, never a unit with itself', () => {
  const n = 120;
  const dims = 32;
  const m = randomUnits(n, dims, 7);
  // Ages: three bands and some unknown.
  const ages = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : [2, 25, 40][i % 3]!));
  const bands = Uint8Array.from(ages, (a) => ageBand(a));
  const cohort = Int32Array.from({ length: 90 }, (_, i) => i + 10);
  const cohortBands = Uint8Array.from(cohort, (u) => bands[u]!);
  const stats = cohortStats(m, dims, cohort, cohortBands, 2);
  const expect = (u: number, members: number[]): [number, number] => {
    const s = members.filter((c) => c !== u).map((c) => jsDot(m, dims, u, c));
    const mean = s.reduce((a, x) => a + x, 0) / s.length;
    const v = s.reduce((a, x) => a + x * x, 0) / s.length - mean * mean;
    return [mean, Math.sqrt(v)];
  };
  const all = Array.from(cohort);
  for (const u of [0, 10, 11, 50, 119]) {
    const [mAll, sdAll] = expect(u, all);
    assert.ok(Math.abs(stats.mean[u * STAT_SLOTS + ALL_BANDS]! - mAll) < 1e-5, `unit ${u}: mean over the whole cohort`);
    assert.ok(Math.abs(stats.sd[u * STAT_SLOTS + ALL_BANDS]! - sdAll) < 1e-4, `unit ${u}: sd over the whole cohort`);
    const adult = ageBand(25);
    const [mB, sdB] = expect(u, all.filter((c) => bands[c] === adult));
    assert.ok(Math.abs(stats.mean[u * STAT_SLOTS + adult]! - mB) < 1e-5, `unit ${u}: mean against its band`);
    assert.ok(Math.abs(stats.sd[u * STAT_SLOTS + adult]! - sdB) < 1e-4, `unit ${u}: sd against its band`);
    // A band with too few cohort units (none here) uses the whole cohort's statistics.
    assert.equal(stats.mean[u * STAT_SLOTS + ageBand(10)], stats.mean[u * STAT_SLOTS + ALL_BANDS]);
  }
});
