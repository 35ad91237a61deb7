import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { CHILD_BELOW_YEARS, KestrelError, LARGE_GAP_YEARS, conditionText } from '../../contract/index.js';

/**
 * Score-to-likelihood-ratio calibration for 1:1 comparison.
 *
 * A fused cosine means different things for different recognizer sets (profiles) and for different
 * kinds of pair: two children score higher against each other than two adults do, and a 20-year age
 * gap lowers the score of the same person. So the strength of evidence is reported as a likelihood
 * ratio LR = p(score | same person) / p(score | different people), from a logistic regression of
 * score on label with balanced class weights (then the fitted log-odds are the log LR), fitted per
 * condition (child involved or not x age gap up to 10 years or more) on a labelled verification set.
 *
 * The LR is bounded: no calibration may claim more support than its data could show, so |log10 LR|
 * never exceeds log10 of the smaller class count of the condition's data (a conservative reading of
 * the empirical-lower-and-upper-bound idea; a condition with 500 different-person pairs can support
 * at most LR 500).
 */

export { CHILD_BELOW_YEARS, LARGE_GAP_YEARS };
/** Fewer labelled pairs of either class than this and a condition falls back to 'any'. */
export const MIN_PAIRS_PER_CLASS = 100;

export const CONDITION_IDS = ['any', 'child_gap_le10', 'child_gap_gt10', 'adult_gap_le10', 'adult_gap_gt10'] as const;
export type ConditionId = (typeof CONDITION_IDS)[number];

export const CONDITION_LABELS: Readonly<Record<ConditionId, string>> = Object.fromEntries(
  CONDITION_IDS.map((id) => [id, conditionText(id, 'en')]),
) as Record<ConditionId, string>;

/** The condition a pair belongs to; 'any' when either age is unknown. */
export function conditionOf(ageA: number | null, ageB: number | null): ConditionId {
  if (ageA === null || ageB === null) return 'any';
  const child = Math.min(ageA, ageB) < CHILD_BELOW_YEARS;
  const large = Math.abs(ageA - ageB) > LARGE_GAP_YEARS;
  return `${child ? 'child' : 'adult'}_gap_${large ? 'gt10' : 'le10'}`;
}

const conditionSchema = z.object({
  id: z.enum(CONDITION_IDS),
  /** ln-odds = a + b * score (balanced classes, so this is ln LR before bounding). */
  a: z.number(),
  b: z.number().positive(),
  positives: z.number().int().positive(),
  negatives: z.number().int().positive(),
  maxLog10Lr: z.number().positive(),
  /** Log-likelihood-ratio cost on the held-out half (0 perfect, 1 uninformative); null when not checked. */
  heldOutCllr: z.number().nullable(),
});
export type CalibrationCondition = z.infer<typeof conditionSchema>;

export const calibrationSchema = z.object({
  profile: z.string(),
  /** Recognizer id -> sha256 of the weights whose fused score this calibrates. */
  recognizers: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  fusion: z.literal('mean-cosine'),
  method: z.string(),
  data: z.object({ protocol: z.string(), sha256: z.string(), description: z.string(), pairs: z.number().int(), pairsWithoutFace: z.number().int() }),
  conditions: z.array(conditionSchema).min(1),
  /** Fused-score thresholds at fixed false-accept rates on the calibration negatives. */
  thresholds: z.object({ 'far_1e-2': z.number(), 'far_1e-3': z.number() }),
  created: z.string(),
  kestrel: z.string(),
});
export type Calibration = z.infer<typeof calibrationSchema>;

const fileSchema = z.object({ calibrationVersion: z.literal(1), calibrations: z.array(calibrationSchema) });
export type CalibrationFile = z.infer<typeof fileSchema>;

export function readCalibrationFile(path: string): CalibrationFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KestrelError('INVALID_INPUT', `Cannot read calibration file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new KestrelError('INVALID_INPUT', `Calibration file ${path} is not JSON: ${(err as Error).message}`);
  }
  const r = fileSchema.safeParse(json);
  if (!r.success) throw new KestrelError('INVALID_INPUT', `Calibration file ${path} is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** The calibration made for exactly these recognizer weights, or null (scores are then uncalibrated). */
export function findCalibration(file: CalibrationFile, recognizers: Readonly<Record<string, string>>): Calibration | null {
  const want = Object.entries(recognizers).sort().map(([id, sha]) => `${id}:${sha}`).join(',');
  return file.calibrations.find((c) => Object.entries(c.recognizers).sort().map(([id, sha]) => `${id}:${sha}`).join(',') === want) ?? null;
}

export interface LabelledScore { readonly score: number; readonly same: boolean }

/**
 * Logistic regression of label on score with both classes weighted equally (Newton's method).
 * The slope must come out positive (higher score, more support for "same"): anything else means
 * the data cannot calibrate this score and is refused.
 */
export function fitLogistic(items: readonly LabelledScore[]): { a: number; b: number } {
  const np = items.filter((i) => i.same).length;
  const nn = items.length - np;
  if (np < 2 || nn < 2) throw new KestrelError('INVALID_INPUT', `Calibration needs pairs of both kinds (has ${np} same, ${nn} different)`);
  let a = 0;
  let b = 1;
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (const { score: s, same } of items) {
      const w = same ? 0.5 / np : 0.5 / nn;
      const p = 1 / (1 + Math.exp(-(a + b * s)));
      const r = ((same ? 1 : 0) - p) * w;
      const h = p * (1 - p) * w;
      ga += r; gb += r * s; haa += h; hab += h * s; hbb += h * s * s;
    }
    // A tiny ridge keeps the step finite when the classes separate perfectly.
    const det = (haa + 1e-9) * (hbb + 1e-9) - hab * hab;
    const da = ((hbb + 1e-9) * ga - hab * gb) / det;
    const db = ((haa + 1e-9) * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10 || Math.abs(b) > 1e3) break;
  }
  if (!(b > 0) || !Number.isFinite(a)) throw new KestrelError('INVALID_INPUT', 'These scores do not rise with identity on the calibration data (slope not positive); no calibration can be made');
  return { a, b };
}

/** Log-likelihood-ratio cost (Brümmer): 0 for perfect, 1 for an LR that is always 1. */
export function cllr(items: readonly LabelledScore[], lnLr: (score: number) => number): number {
  const pos = items.filter((i) => i.same);
  const neg = items.filter((i) => !i.same);
  if (!pos.length || !neg.length) return Number.NaN;
  const softplus2 = (x: number): number => (x > 30 ? x / Math.LN2 : Math.log2(1 + Math.exp(x)));
  const cp = pos.reduce((t, i) => t + softplus2(-lnLr(i.score)), 0) / pos.length;
  const cn = neg.reduce((t, i) => t + softplus2(lnLr(i.score)), 0) / neg.length;
  return (cp + cn) / 2;
}

export interface AgedScore extends LabelledScore { readonly ageA: number | null; readonly ageB: number | null }

/** Fits every condition that has enough pairs (and 'any' on all); optionally scores each on held-out pairs. */
export function fitConditions(train: readonly AgedScore[], heldOut: readonly AgedScore[] | null): CalibrationCondition[] {
  const out: CalibrationCondition[] = [];
  for (const id of CONDITION_IDS) {
    const inCond = (x: AgedScore): boolean => id === 'any' || conditionOf(x.ageA, x.ageB) === id;
    const sel = train.filter(inCond);
    const positives = sel.filter((x) => x.same).length;
    const negatives = sel.length - positives;
    if (id !== 'any' && (positives < MIN_PAIRS_PER_CLASS || negatives < MIN_PAIRS_PER_CLASS)) continue;
    const { a, b } = fitLogistic(sel);
    const maxLog10Lr = Math.log10(Math.min(positives, negatives));
    const cond: CalibrationCondition = { id, a, b, positives, negatives, maxLog10Lr, heldOutCllr: null };
    const test = heldOut?.filter(inCond);
    out.push(test?.length ? { ...cond, heldOutCllr: cllr(test, (s) => boundedLnLr(cond, s)) } : cond);
  }
  return out;
}

/** ln LR of a score under one condition, clipped to the condition's bound. */
export function boundedLnLr(c: CalibrationCondition, score: number): number {
  const lim = c.maxLog10Lr * Math.LN10;
  return Math.max(-lim, Math.min(lim, c.a + c.b * score));
}

export interface Evidence {
  readonly log10Lr: number;
  /** The LR reached the calibration's bound (the data cannot support a stronger statement). */
  readonly atBound: boolean;
  /** A face is smaller than any in the calibration data: the LR is limited to weak support. */
  readonly outOfRange: boolean;
  readonly condition: ConditionId;
  readonly conditionLabel: string;
}

/**
 * Faces smaller than this (pixels, the box's short side) are outside the calibration data (FG-NET's
 * faces are larger): tiny faces resemble each other the way children do, and no data here says how
 * much, so their likelihood ratio is limited to OUT_OF_RANGE_MAX_LOG10_LR (at most weak support).
 */
export const MIN_CALIBRATED_FACE_PX = 40;
export const OUT_OF_RANGE_MAX_LOG10_LR = 1;

/** The bounded log10 likelihood ratio of a fused score for a pair of the given ages (null = unknown) and face sizes. */
export function evidenceFor(cal: Calibration, score: number, ageA: number | null, ageB: number | null, smallestFacePx: number | null = null): Evidence {
  const wanted = conditionOf(ageA, ageB);
  const c = cal.conditions.find((x) => x.id === wanted) ?? cal.conditions.find((x) => x.id === 'any') ?? cal.conditions[0]!;
  const raw = (c.a + c.b * score) / Math.LN10;
  let log10Lr = boundedLnLr(c, score) / Math.LN10;
  const outOfRange = smallestFacePx !== null && smallestFacePx < MIN_CALIBRATED_FACE_PX;
  if (outOfRange) log10Lr = Math.max(-OUT_OF_RANGE_MAX_LOG10_LR, Math.min(OUT_OF_RANGE_MAX_LOG10_LR, log10Lr));
  return { log10Lr, atBound: Math.abs(raw) > c.maxLog10Lr, outOfRange, condition: c.id, conditionLabel: CONDITION_LABELS[c.id] };
}

/**
 * The verbal equivalent of a likelihood ratio, on the ENFSI scale (ENFSI Guideline for Evaluative
 * Reporting in Forensic Science, 2015): weak (1-10), moderate (10-100), moderately strong (100-1,000),
 * strong (1,000-10,000), very strong (10,000-1,000,000), extremely strong (above).
 */
export function verbalScale(log10Lr: number): { strength: string; supports: 'same person' | 'different people' | 'neither'; text: string } {
  const m = Math.abs(log10Lr);
  if (m < 1e-9) return { strength: 'none', supports: 'neither', text: 'The comparison supports neither proposition.' };
  const strength = m < 1 ? 'weak' : m < 2 ? 'moderate' : m < 3 ? 'moderately strong' : m < 4 ? 'strong' : m < 6 ? 'very strong' : 'extremely strong';
  const supports = log10Lr > 0 ? 'same person' : 'different people';
  const text = log10Lr > 0
    ? `The comparison provides ${strength} support for the proposition that both faces are of the same person rather than of different people.`
    : `The comparison provides ${strength} support for the proposition that the faces are of different people rather than of the same person.`;
  return { strength, supports, text };
}

/** Adds a calibration to a calibration file's content, replacing one for the same weights and profile. */
export function withCalibration(file: CalibrationFile | null, cal: Calibration): CalibrationFile {
  const key = (c: Calibration): string => `${c.profile}|${Object.entries(c.recognizers).sort().join(',')}`;
  return { calibrationVersion: 1, calibrations: [...(file?.calibrations ?? []).filter((c) => key(c) !== key(cal)), cal] };
}

/**
 * The calibration for these recognizer weights: a user's own (calibration.json in the models store,
 * written by `kestrel eval calibrate --write-calibration`) wins over the one shipped with Kestrel.
 */
export function calibrationFor(recognizers: Readonly<Record<string, string>>, files: readonly (string | null)[]): { calibration: Calibration; file: string } | null {
  for (const f of files) {
    if (!f || !existsSync(f)) continue;
    const c = findCalibration(readCalibrationFile(f), recognizers);
    if (c) return { calibration: c, file: f };
  }
  return null;
}
