import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankCandidates } from '../../main/core/search/ranking.js';
import { fusedVector } from '../../main/core/search/fusedVector.js';
import { fusedScore } from '../../main/core/search/similarity.js';

/** A deterministic unit vector: a mix of a few basis directions plus a small seeded spread. */
function unit(dim: number, parts: Record<number, number>, seed = 0): Float32Array {
  const v = new Float32Array(dim);
  let x = seed * 9301 + 49297;
  for (let i = 0; i < dim; i++) {
    x = (x * 9301 + 49297) % 233280;
    v[i] = seed ? (x / 233280 - 0.5) * 0.05 : 0;
  }
  for (const [i, w] of Object.entries(parts)) v[Number(i)]! += w;
  const n = Math.hypot(...v);
  return v.map((a) => a / n);
}

const M = ['m'];
const one = (v: Float32Array): Record<string, Float32Array> => ({ m: v });

test('neighbourhood re-ranking demotes a candidate that resembles everyone the probe resembles', () => {
  // Direction 0 is "being a child" (shared by the probe and many distractors); direction 1 is identity.
  const probe = one(unit(16, { 0: 1, 1: 0.6 }));
  const truth = one(unit(16, { 1: 1, 2: 0.5 }, 1)); // the same person as an adult: no child component
  const children = Array.from({ length: 12 }, (_, i) => one(unit(16, { 0: 1, [3 + (i % 10)]: 0.4 }, i + 2)));
  const cands = [...children.map((e, i) => ({ key: `child${i}`, embeddings: e })), { key: 'truth', embeddings: truth }];
  const raw = rankCandidates([probe], cands, M, { shortlist: 0, cohort: 0 });
  assert.notEqual(raw[0]!.key, 'truth', 'by raw cosine a child outranks the true adult (the problem)');
  const reranked = rankCandidates([probe], cands, M, { shortlist: 50, cohort: 10 });
  assert.equal(reranked[0]!.key, 'truth');
  // Scores stay the calibrated fused cosine; only the order changes.
  const t = reranked.find((r) => r.key === 'truth')!;
  assert.ok(Math.abs(t.score - fusedScore(probe, truth, M)) < 1e-6);
});

test('ranking is deterministic, keeps every candidate, and orders below the shortlist by raw score', () => {
  const probe = one(unit(8, { 0: 1 }));
  const cands = Array.from({ length: 30 }, (_, i) => ({ key: i, embeddings: one(unit(8, { 0: 1 - i / 40, [1 + (i % 7)]: 0.5 }, i + 1)) }));
  const a = rankCandidates([probe], cands, M, { shortlist: 10, cohort: 5 });
  const b = rankCandidates([probe], cands, M, { shortlist: 10, cohort: 5 });
  assert.deepEqual(a, b);
  assert.equal(a.length, 30);
  assert.deepEqual(new Set(a.map((r) => r.key)), new Set(cands.map((c) => c.key)));
  const tail = a.slice(10);
  assert.ok(tail.every((r) => r.rankScore === null));
  for (let i = 1; i < tail.length; i++) assert.ok(tail[i - 1]!.score >= tail[i]!.score);
  assert.ok(a.slice(0, 10).every((r) => r.rankScore !== null));
});

test('several probes of one person combine: the score is the mean over the probes', () => {
  const p1 = one(unit(8, { 0: 1, 1: 0.2 }));
  const p2 = one(unit(8, { 0: 1, 2: 0.2 }));
  const c = one(unit(8, { 0: 1, 1: 0.5 }, 3));
  const [r] = rankCandidates([p1, p2], [{ key: 'c', embeddings: c }], M);
  assert.ok(Math.abs(r!.score - (fusedScore(p1, c, M) + fusedScore(p2, c, M)) / 2) < 1e-6);
});

test('the inner product of fused vectors is exactly the fused score', () => {
  const models = ['a', 'b'];
  const x = { a: unit(4, { 0: 1, 1: 0.3 }), b: unit(6, { 2: 1 }, 5) };
  const y = { a: unit(4, { 0: 1 }, 7), b: unit(6, { 2: 1, 3: 1 }, 8) };
  const fx = fusedVector(x, models, [4, 6]);
  const fy = fusedVector(y, models, [4, 6]);
  const ip = fx.reduce((s, v, i) => s + v * fy[i]!, 0);
  assert.ok(Math.abs(ip - fusedScore(x, y, models)) < 1e-6);
});

test('the rank score is the cosine to the probes less the mean cosine to the rest of the cohort, per recognizer', () => {
  const models = ['a', 'b'];
  const probes = [{ a: unit(6, { 0: 1 }, 2), b: unit(10, { 1: 1 }, 3) }, { a: unit(6, { 0: 1, 2: 0.3 }, 4) }];
  // Every fifth candidate lacks recognizer b (a face from before that model was installed).
  const cands = Array.from({ length: 40 }, (_, i) => ({
    key: i,
    embeddings: i % 5 === 0 ? { a: unit(6, { 0: 1 - i / 60, [1 + (i % 5)]: 0.4 }, i + 5) } : { a: unit(6, { 0: 1 - i / 60, [1 + (i % 5)]: 0.4 }, i + 5), b: unit(10, { 1: 1, [2 + (i % 8)]: 0.5 }, i + 50) },
  }));
  const params = { shortlist: 25, cohort: 12 };
  const ranked = rankCandidates(probes, cands, models, params);
  // The definition, computed the slow way.
  const raw = cands.map((c, i) => ({ c, i, score: probes.reduce((s, p) => s + fusedScore(p, c.embeddings, models), 0) / probes.length }))
    .sort((x, y) => y.score - x.score || x.i - y.i);
  const cohort = raw.slice(0, params.cohort).map((r) => r.c);
  const dot = (x: Float32Array, y: Float32Array): number => x.reduce((s, v, d) => s + v * y[d]!, 0);
  for (const r of raw.slice(0, params.shortlist)) {
    const per: number[] = [];
    for (const m of models) {
      const v = (r.c.embeddings as Record<string, Float32Array>)[m];
      const ps = probes.map((p) => (p as Record<string, Float32Array>)[m]).filter((x): x is Float32Array => !!x);
      if (!v || !ps.length) continue;
      const others = cohort.filter((o) => o !== r.c).map((o) => (o.embeddings as Record<string, Float32Array>)[m]).filter((x): x is Float32Array => !!x);
      per.push(ps.reduce((s, p) => s + dot(p, v), 0) / ps.length - (others.length ? others.reduce((s, o) => s + dot(o, v), 0) / others.length : 0));
    }
    const got = ranked.find((x) => x.key === r.c.key)!;
    assert.ok(Math.abs(got.rankScore! - per.reduce((s, x) => s + x, 0) / per.length) < 1e-6, `candidate ${r.c.key}`);
  }
});
