import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtInModelsFile, loadBuiltInManifest } from '../../models/manifest.js';
import { KestrelError, type QualityDto } from '../../main/contract/index.js';
import {
  CONDITION_IDS, cllr, conditionOf, evidenceFor, findCalibration, fitConditions, fitLogistic, readCalibrationFile, verbalScale, withCalibration,
  type AgedScore, type Calibration,
} from '../../main/core/search/calibration.js';
import { compareFaces, type CompareFace } from '../../main/core/search/compareService.js';

/** Deterministic normal samples (Box-Muller over a small LCG). */
function normals(n: number, mean: number, sd: number, seed: number): number[] {
  let s = seed;
  const u = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) + 1) / 2147483649;
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

const shipped = (): Calibration[] => readCalibrationFile(builtInModelsFile('calibration.json')!).calibrations;

test('every profile ships a calibration made for exactly its recognizer weights', () => {
  const manifest = loadBuiltInManifest();
  const file = readCalibrationFile(builtInModelsFile('calibration.json')!);
  for (const [name, p] of Object.entries(manifest.profiles)) {
    const shas = Object.fromEntries(p.recognizers.map((id) => [id, manifest.models.find((m) => m.id === id)!.sha256]));
    const cal = findCalibration(file, shas);
    assert.ok(cal, `no calibration for profile ${name}: run kestrel eval calibrate --write-calibration models/calibration.json`);
    assert.equal(cal.profile, name);
    assert.ok(cal.conditions.some((c) => c.id === 'any'), 'a fallback for unknown ages');
  }
  // Other weights (a registered recognizer, a swapped file) get no calibration rather than a wrong one.
  assert.equal(findCalibration(file, { reid_0095: 'f'.repeat(64) }), null);
});

test('calibration is monotone: a higher score never lowers the likelihood ratio, in every condition, and stays within its bound', () => {
  for (const cal of shipped()) {
    for (const c of cal.conditions) {
      const ages: Record<string, [number | null, number | null]> = {
        any: [null, null], child_gap_le10: [4, 10], child_gap_gt10: [3, 30], adult_gap_le10: [30, 35], adult_gap_gt10: [20, 50],
      };
      const [ageA, ageB] = ages[c.id]!;
      let prev = -Infinity;
      let crossed = false;
      for (let s = -1; s <= 1.0001; s += 0.01) {
        const ev = evidenceFor(cal, s, ageA, ageB);
        assert.equal(ev.condition, c.id);
        assert.ok(ev.log10Lr >= prev - 1e-12, `${cal.profile}/${c.id}: LR fell at score ${s.toFixed(2)}`);
        assert.ok(Math.abs(ev.log10Lr) <= c.maxLog10Lr + 1e-9, `${cal.profile}/${c.id}: beyond its bound`);
        if (prev < 0 && ev.log10Lr >= 0) crossed = s > 0 && s < 1;
        prev = ev.log10Lr;
      }
      assert.ok(crossed, `${cal.profile}/${c.id}: LR 1 should fall between cosine 0 and 1`);
    }
    // Faces smaller than the calibration data covers never get more than weak support.
    const tiny = evidenceFor(cal, 0.99, 30, 30, 20);
    assert.ok(tiny.outOfRange && tiny.log10Lr <= 1 && evidenceFor(cal, 0.99, 30, 30, 120).log10Lr > 1);
  }
});

test('logistic calibration recovers the true likelihood ratio of two known score distributions', () => {
  // same ~ N(0.6, 0.1), different ~ N(0.1, 0.1): ln LR(s) = 50 s - 17.5 exactly.
  const items = [...normals(4000, 0.6, 0.1, 1).map((score) => ({ score, same: true })), ...normals(4000, 0.1, 0.1, 2).map((score) => ({ score, same: false }))];
  const { a, b } = fitLogistic(items);
  assert.ok(Math.abs(b - 50) < 5, `slope ${b}`);
  assert.ok(Math.abs(a + 17.5) < 2, `intercept ${a}`);
  // Well-calibrated LRs cost far less than the uninformative LR = 1 (cost exactly 1).
  assert.ok(cllr(items, (s) => a + b * s) < 0.1);
  assert.ok(Math.abs(cllr(items, () => 0) - 1) < 1e-12);
});

test('scores that do not rise with identity cannot be calibrated', () => {
  const inverted = [...normals(200, 0.1, 0.1, 3).map((score) => ({ score, same: true })), ...normals(200, 0.6, 0.1, 4).map((score) => ({ score, same: false }))];
  assert.throws(() => fitLogistic(inverted), (e: unknown) => e instanceof KestrelError && e.code === 'INVALID_INPUT');
  assert.throws(() => fitLogistic([{ score: 0.5, same: true }]), /both kinds/);
});

test('conditions: fitted only with enough pairs of both kinds, always with an any fallback, bounded by the data size', () => {
  const mk = (n: number, mean: number, same: boolean, ageA: number | null, ageB: number | null, seed: number): AgedScore[] =>
    normals(n, mean, 0.1, seed).map((score) => ({ score, same, ageA, ageB }));
  const train = [...mk(300, 0.6, true, 30, 32, 5), ...mk(300, 0.1, false, 30, 33, 6), ...mk(50, 0.4, true, 3, 30, 7), ...mk(50, 0.2, false, 4, 35, 8)];
  const conds = fitConditions(train, null);
  assert.deepEqual(conds.map((c) => c.id).sort(), ['adult_gap_le10', 'any']);
  const adult = conds.find((c) => c.id === 'adult_gap_le10')!;
  assert.equal(adult.maxLog10Lr, Math.log10(300));
  const examples: Record<string, [number | null, number | null]> = { any: [null, 5], child_gap_le10: [13.9, 20], child_gap_gt10: [2, 30], adult_gap_le10: [14, 24], adult_gap_gt10: [14, 24.5] };
  assert.deepEqual(CONDITION_IDS.map((id) => conditionOf(examples[id]![0], examples[id]![1])), [...CONDITION_IDS]);
});

test('the verbal scale follows the ENFSI bands in both directions', () => {
  assert.equal(verbalScale(0).supports, 'neither');
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, 5, 7].map((l) => verbalScale(l).strength), ['weak', 'moderate', 'moderately strong', 'strong', 'very strong', 'extremely strong']);
  assert.equal(verbalScale(-2.5).supports, 'different people');
  assert.match(verbalScale(-2.5).text, /moderately strong support for the proposition that the faces are of different people/);
  assert.equal(verbalScale(1.2).supports, 'same person');
});

test('adding a calibration replaces the one for the same weights and profile and keeps the others', () => {
  const [acc, perm] = shipped() as [Calibration, Calibration];
  const once = withCalibration(null, acc);
  const twice = withCalibration(withCalibration(once, perm), { ...acc, created: 'later' });
  assert.equal(twice.calibrations.length, 2);
  assert.equal(twice.calibrations.find((c) => c.profile === acc.profile)!.created, 'later');
});

const quality = (over: Partial<QualityDto> = {}): QualityDto => ({
  overall: 0.9, faceSizePx: 120, sharpness: 200, yawDeg: 0, rollDeg: 0, exposure: 0.5, detectorScore: 0.95, warnings: [], ...over,
});
const unit = (v: number[]): Float32Array => {
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
};
const face = (label: string, v: number[], over: Partial<CompareFace> = {}): CompareFace => ({
  label, sha256: label.repeat(64).slice(0, 64), faceId: null, box: { x: 0, y: 0, width: 120, height: 140 }, estimatedAge: 35, givenAge: null,
  quality: quality(), otherFaces: 0, embeddings: { m1: unit(v), m2: unit(v.map((x, i) => x + (i === 0 ? 0.1 : 0))) }, ...over,
});

test('compare: per-model and fused scores, the LR of the pair condition, the decision at the threshold and what weakens it', () => {
  const cal = { calibration: { ...shipped()[0]!, recognizers: { m1: 'a'.repeat(64), m2: 'b'.repeat(64) } }, file: 'test' };
  const a = face('a', [1, 0.2, 0.1]);
  const b = face('b', [1, 0.25, 0.05]);
  const r = compareFaces(a, b, { profile: 'accurate', models: ['m1', 'm2'], calibration: cal });
  assert.equal(r.scores.length, 2);
  assert.ok(r.fused > 0.95);
  assert.equal(r.decision, 'match');
  assert.equal(r.threshold, Math.round(cal.calibration.thresholds['far_1e-3'] * 1e4) / 1e4);
  assert.equal(r.evidence!.condition, 'adult_gap_le10');
  assert.equal(r.evidence!.supports, 'same person');
  assert.ok(r.warnings.some((w) => w.code === 'age_estimated'));

  // A child photo against an adult 30 years later, small and blurred: other condition, and every weakness named.
  const child = face('c', [0.2, 1, 0.1], { givenAge: 3, quality: quality({ overall: 0.2, warnings: ['small', 'blurred'] }), otherFaces: 2 });
  const r2 = compareFaces(child, face('d', [1, 0.2, 0.1], { givenAge: 33 }), { profile: 'accurate', models: ['m1', 'm2'], calibration: cal });
  assert.equal(r2.evidence!.condition, 'child_gap_gt10');
  assert.equal(r2.a.ageSource, 'given');
  assert.equal(r2.decision, 'no match');
  const codes = r2.warnings.map((w) => `${w.side ?? '-'}:${w.code}`);
  for (const c of ['A:small', 'A:blurred', 'A:low_quality', 'A:child_photo', 'A:multiple_faces', '-:large_age_difference']) assert.ok(codes.includes(c), `${c} missing in ${codes.join(' ')}`);

  // Without a calibration there is no likelihood ratio, and no decision unless the examiner sets a threshold.
  const r3 = compareFaces(a, b, { profile: 'accurate', models: ['m1', 'm2'], calibration: null });
  assert.equal(r3.evidence, null);
  assert.equal(r3.decision, null);
  assert.ok(r3.warnings.some((w) => w.code === 'uncalibrated'));
  assert.equal(compareFaces(a, b, { profile: 'accurate', models: ['m1', 'm2'], calibration: null, threshold: 0.999 }).decision, 'no match');
});
