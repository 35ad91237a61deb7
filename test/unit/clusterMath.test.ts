import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NEIGHBOUR_TUNING, nearestUnits, type UnitGraphStore } from '../../main/core/identities/neighbours.js';
import { ALL_BANDS, ageBand, cohortStats, keptCohortStats, STAT_SLOTS, type StatsStore } from '../../main/core/identities/scoreNormalisation.js';
import { crossDots, jsDot, RowDots } from '../../main/core/util/vectorDots.js';
import { crossPairSum } from '../../main/core/identities/identityClustering.js';
import { PlainVault } from '../../main/core/vault/caseVault.js';

function randomUnits(n: number, dims: number, seed: number): Float32Array {
  let s = seed;
  const r = (): number => ((s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 2147483648) - 0.5;
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

test('row dots of one row with a list of rows: the same products as one at a time, also for lists longer than one kernel call takes', () => {
  for (const dims of [64, 20]) {
    const m = randomUnits(300, dims, 11);
    const rows = new RowDots(m, dims);
    const list = Int32Array.from({ length: 9000 }, (_, x) => (x * 7919) % 300);
    const out = new Float32Array(list.length);
    rows.many(42, list, list.length, out);
    for (let x = 0; x < list.length; x++) assert.equal(out[x], Math.fround(rows.dot(42, list[x]!)), `entry ${x} at ${dims} dims`);
    const few = new Float32Array(3).fill(-9);
    rows.many(1, [4, 1, 299], 2, few);
    assert.deepEqual(Array.from(few), [Math.fround(rows.dot(1, 4)), Math.fround(rows.dot(1, 1)), -9], 'only count entries are written');
  }
});

test('row dots over stacked matrices: rows are numbered on through the parts; cross products of two sets', () => {
  const dims = 64;
  const a = randomUnits(7, dims, 21);
  const b = randomUnits(5, dims, 22);
  const stacked = new RowDots([a, b], dims);
  assert.ok(Math.abs(stacked.dot(2, 7 + 3) - jsDot(Float32Array.from([...a, ...b]), dims, 2, 10)) < 1e-5, 'row 10 is the second part\'s row 3');
  const out = crossDots(b, a, dims);
  assert.equal(out.length, 5 * 7);
  for (let r = 0; r < 5; r++) for (let c = 0; c < 7; c++) {
    let s = 0;
    for (let d = 0; d < dims; d++) s += b[r * dims + d]! * a[c * dims + d]!;
    assert.ok(Math.abs(out[r * 7 + c]! - s) < 1e-5, `row ${r} of the first set against row ${c} of the second`);
  }
  // A width the kernel cannot take gives the same through the plain loop.
  const odd = crossDots(randomUnits(3, 20, 4), randomUnits(2, 20, 5), 20);
  assert.equal(odd.length, 6);
  assert.ok(Math.abs(odd[0]! - jsDot(Float32Array.from([...randomUnits(3, 20, 4), ...randomUnits(2, 20, 5)]), 20, 0, 3)) < 1e-6);
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
  const stats = cohortStats(m, dims, cohort, cohortBands);
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

test('kept statistics: a later run scores only its new units, reuses the rest by key, and scores all again for another cohort', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-stats-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dims = 32;
  const m = randomUnits(80, dims, 9);
  const bands = Uint8Array.from({ length: 80 }, (_, i) => ageBand(i % 2 ? 30 : 5));
  const cohort = Int32Array.from({ length: 50 }, (_, i) => i);
  const cohortBands = Uint8Array.from(cohort, (u) => bands[u]!);
  const keys = Float64Array.from({ length: 80 }, (_, i) => 1000 + i);
  const store = (n: number, signature = 'c1'): StatsStore => ({ dir, vault: new PlainVault(), signature, keys: keys.subarray(0, n) });
  const first = keptCohortStats(m.subarray(0, 60 * dims), dims, cohort, cohortBands, store(60));
  assert.deepEqual(first.mean, cohortStats(m.subarray(0, 60 * dims), dims, cohort, cohortBands).mean);
  // Mark the kept row of key 1003: a reusing run must hand the mark back (it did not score it again).
  const file = join(dir, 'cohort-stats.bin');
  const buf = readFileSync(file);
  buf.writeFloatLE(42, 60 * 8 + 3 * STAT_SLOTS * 4);
  writeFileSync(file, buf);
  const later = keptCohortStats(m, dims, cohort, cohortBands, store(80));
  assert.equal(later.mean[3 * STAT_SLOTS], 42, 'kept rows are reused');
  const fresh = cohortStats(m, dims, cohort, cohortBands);
  for (let u = 60; u < 80; u++) assert.equal(later.mean[u * STAT_SLOTS + 1], fresh.mean[u * STAT_SLOTS + 1], `new unit ${u} scored`);
  // Another cohort (signature): nothing is reused.
  const other = keptCohortStats(m, dims, cohort, cohortBands, store(80, 'c2'));
  assert.equal(other.mean[3 * STAT_SLOTS], fresh.mean[3 * STAT_SLOTS]);
});

test('kept neighbour graph: an incremental run adds only the new units and finds their neighbours among the kept ones; a graph that does not match is rebuilt', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-graph-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dims = 32;
  // Rows 500-599 are near-copies of rows 0-99: new unit 500 + q's nearest neighbour is row q.
  const m = new Float32Array(600 * dims);
  m.set(randomUnits(500, dims, 5));
  for (let q = 0; q < 100; q++) for (let d = 0; d < dims; d++) m[(500 + q) * dims + d] = m[q * dims + d]! + (d === q % dims ? 0.05 : 0);
  const tuning = { ...DEFAULT_NEIGHBOUR_TUNING, exactLimit: 100 };
  const keys = Float64Array.from({ length: 600 }, (_, i) => 7 * i + 1);
  const store = (n: number, k = keys): UnitGraphStore => ({ dir, vault: new PlainVault(), signature: 'models', keys: k.subarray(0, n) });
  const nearest = (c: { ids: Int32Array; k: number }): number[] => Array.from({ length: 100 }, (_, q) => c.ids[q * c.k]!);
  const expected = Array.from({ length: 100 }, (_, q) => q);
  await nearestUnits(m.subarray(0, 500 * dims), dims, 5, 2, { tuning, from: 0, store: store(500) });
  assert.equal(JSON.parse(readFileSync(join(dir, 'units.json'), 'utf8')).count, 500);
  // The kept rows are read from the graph, not from the matrix: blanked here (only the re-scoring
  // of each shortlist sees the real rows), still found.
  const blanked = Float32Array.from(m);
  blanked.fill(0, 0, 500 * dims);
  const real = new RowDots(m, dims);
  assert.deepEqual(nearest(await nearestUnits(blanked, dims, 5, 2, { tuning, from: 500, store: store(600), rows: real })), expected, 'found through the kept graph');
  assert.equal(JSON.parse(readFileSync(join(dir, 'units.json'), 'utf8')).shards, 2, 'the units are spread over two graphs');
  assert.equal(JSON.parse(readFileSync(join(dir, 'units.json'), 'utf8')).count, 600, 'the kept graph grew by the new units');
  // Another unit in row 1 (another key): the kept graph does not hold this run's rows, so it is rebuilt.
  await nearestUnits(m.subarray(0, 500 * dims), dims, 5, 2, { tuning, from: 0, store: store(500) });
  const moved = Float64Array.from(keys);
  moved[1] = 99_999;
  assert.deepEqual(nearest(await nearestUnits(m, dims, 5, 2, { tuning, from: 500, store: store(600, moved) })), expected, 'rebuilt: unit 501 finds row 1 under its new key');
  // Another set of recognizers: rebuilt from the matrix (the blanked rows are then found nowhere).
  await nearestUnits(m.subarray(0, 500 * dims), dims, 5, 2, { tuning, from: 0, store: store(500) });
  const other = await nearestUnits(blanked, dims, 5, 2, { tuning, from: 500, store: { ...store(600), signature: 'other models' }, rows: real });
  assert.notDeepEqual(nearest(other), expected);
});

test('neighbour graph over principal directions: the shortlist is re-scored with the full vectors, and an incremental run projects new units onto the kept subspace', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-graph-sub-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dims = 64;
  const m = new Float32Array(700 * dims);
  m.set(randomUnits(600, dims, 9));
  for (let q = 0; q < 100; q++) for (let d = 0; d < dims; d++) m[(600 + q) * dims + d] = m[q * dims + d]! + (d === q % dims ? 0.05 : 0);
  const tuning = { ...DEFAULT_NEIGHBOUR_TUNING, exactLimit: 100, subspaceRank: 16, shortlist: 40 };
  const keys = Float64Array.from({ length: 700 }, (_, i) => 3 * i + 2);
  const store = (n: number): UnitGraphStore => ({ dir, vault: new PlainVault(), signature: 'models', keys: keys.subarray(0, n) });
  const full = await nearestUnits(m.subarray(0, 600 * dims), dims, 5, 2, { tuning, from: 0, store: store(600) });
  const meta = JSON.parse(readFileSync(join(dir, 'units.json'), 'utf8')) as { rank: number; basis: string };
  assert.equal(meta.rank, 16, 'the graph holds 16 principal coordinates');
  // Scores are the full inner products, best first.
  for (const q of [0, 77, 599]) {
    for (let x = 0; x < 5; x++) assert.ok(Math.abs(full.scores[q * 5 + x]! - jsDot(m, dims, q, full.ids[q * 5 + x]!)) < 1e-5);
    for (let x = 1; x < 5; x++) assert.ok(full.scores[q * 5 + x - 1]! >= full.scores[q * 5 + x]!);
  }
  // The same graph, and so the same neighbours, however many cores build it.
  const oneCore = await nearestUnits(m.subarray(0, 600 * dims), dims, 5, 1, { tuning });
  assert.deepEqual(oneCore.ids, full.ids, 'same neighbours on one core as on two');
  assert.deepEqual(oneCore.scores, full.scores);
  const added = await nearestUnits(m, dims, 5, 2, { tuning, from: 600, store: store(700) });
  assert.deepEqual(Array.from({ length: 100 }, (_, q) => added.ids[q * 5]!), Array.from({ length: 100 }, (_, q) => q), 'each new unit finds the row it copies');
  const after = JSON.parse(readFileSync(join(dir, 'units.json'), 'utf8')) as { count: number; basis: string };
  assert.equal(after.count, 700);
  assert.equal(after.basis, meta.basis, 'the kept subspace is reused, not fitted again');
  // A graph over full vectors is not extended with principal coordinates (or the reverse): rebuilt.
  await nearestUnits(m.subarray(0, 600 * dims), dims, 5, 2, { tuning: { ...tuning, subspaceRank: 0 }, from: 0, store: store(600) });
  await nearestUnits(m, dims, 5, 2, { tuning, from: 600, store: store(700) });
  assert.equal((JSON.parse(readFileSync(join(dir, 'units.json'), 'utf8')) as { rank?: number }).rank, 16);
});

test('cross-pair sums for average linkage: exact for small clusters, sampled for large ones, and a probe far below the merge threshold stands', () => {
  const params = { sample: 6, probe: 3, probeMargin: 1, mergeZ: 2 };
  const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, x) => a + x);
  let calls = 0;
  const zOf = (f: (i: number, j: number) => number) => (i: number, j: number): number => { calls++; return f(i, j); };
  // 2 x 4 = 8 pairs (not above 3 x 3): every pair, exactly.
  calls = 0;
  assert.equal(crossPairSum([1, 2], range(10, 14), zOf((i, j) => i + j), params), 8 * 1.5 + 2 * (10 + 11 + 12 + 13));
  assert.equal(calls, 8);
  // Strangers, 5 x 5 (25 pairs): the 3 x 3 probe is far below z 2 and stands as the estimate.
  calls = 0;
  assert.equal(crossPairSum(range(0, 5), range(20, 25), zOf(() => 0.5), params), 0.5 * 25);
  assert.equal(calls, 9, 'only the probe was averaged');
  // Near the threshold, the probe does not decide: all 25 pairs are averaged (after the 9 of the probe).
  calls = 0;
  assert.equal(crossPairSum(range(0, 5), range(20, 25), zOf(() => 1.5), params), 1.5 * 25);
  assert.equal(calls, 9 + 25);
  // Above sample x sample pairs: 6 evenly spaced members of each side, scaled to all 8 x 10 pairs.
  calls = 0;
  const strong = crossPairSum(range(0, 8), range(100, 110), zOf((i) => (i % 2 ? 2 : 4)), params);
  assert.equal(calls, 9 + 36);
  const members = [0, 1, 2, 4, 5, 6]; // floor(x * 8 / 6)
  const mean = members.reduce((a, i) => a + (i % 2 ? 2 : 4), 0) / members.length;
  assert.ok(Math.abs(strong - mean * 80) < 1e-9);
});
