import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { warningText, type Box, type CompareDto, type CompareSideDto, type CompareWarningDto, type FaceId, type ProfileName, type QualityDto } from '../../contract/index.js';
import { builtInModelsFile } from '../../../models/manifest.js';
import { ModelStore } from '../../../models/modelStore.js';
import { defaultWorkerLayout, engineConfigFor } from '../faces/engineConfig.js';
import { FacePool } from '../faces/facePool.js';
import { CHILD_BELOW_YEARS, LARGE_GAP_YEARS, MIN_CALIBRATED_FACE_PX, OUT_OF_RANGE_MAX_LOG10_LR, calibrationFor, evidenceFor, verbalScale, type Calibration } from './calibration.js';
import { readProbe } from './probeFaces.js';
import { cosine, fusedScore, type EmbeddingSet } from './similarity.js';

/** A face ready to compare: where it came from, its embeddings and what the pipeline measured. */
export interface CompareFace {
  readonly label: string;
  readonly sha256: string | null;
  readonly faceId: FaceId | null;
  readonly box: Box;
  readonly estimatedAge: number | null;
  /** The age the examiner knows (it overrides the estimate for calibration). */
  readonly givenAge: number | null;
  readonly quality: QualityDto;
  readonly otherFaces: number;
  readonly embeddings: EmbeddingSet;
}

export interface CompareOptions {
  readonly profile: string;
  readonly models: readonly string[];
  readonly calibration: { readonly calibration: Calibration; readonly file: string } | null;
  /** Fused-score decision threshold; default: the calibration's FAR 1e-3 threshold. */
  readonly threshold?: number;
}

/** Below this overall quality a comparison is flagged as unreliable. */
const LOW_QUALITY = 0.3;

/**
 * 1:1 comparison: per-model and fused cosine, the calibrated likelihood ratio with its verbal
 * equivalent, the decision at the threshold, and every condition that weakens the result.
 */
export function compareFaces(a: CompareFace, b: CompareFace, opts: CompareOptions): CompareDto {
  const scores = opts.models.flatMap((m) => {
    const va = a.embeddings[m];
    const vb = b.embeddings[m];
    return va && vb ? [{ model: m, score: round4(cosine(va, vb)) }] : [];
  });
  const fused = fusedScore(a.embeddings, b.embeddings, opts.models);
  const side = (f: CompareFace): CompareSideDto => ({
    label: f.label, sha256: f.sha256, faceId: f.faceId, box: f.box,
    age: f.givenAge ?? f.estimatedAge, ageSource: f.givenAge !== null ? 'given' : f.estimatedAge !== null ? 'estimated' : 'unknown',
    quality: f.quality, otherFaces: f.otherFaces,
  });
  const A = side(a);
  const B = side(b);
  const warnings: CompareWarningDto[] = [];
  // Stored with the values they were made from, so a report or UI in another language can say the same (engineText).
  const warn = (code: string, side: 'A' | 'B' | null, params: Record<string, string | number> = {}): void => {
    const p = side ? { side, ...params } : params;
    warnings.push({ code, side, message: warningText(code, p, 'en'), params: p });
  };
  for (const [name, s] of [['A', A], ['B', B]] as const) {
    for (const w of s.quality.warnings) warn(w, name);
    if (s.quality.overall < LOW_QUALITY) warn('low_quality', name, { quality: s.quality.overall.toFixed(2) });
    if (s.age !== null && s.age < CHILD_BELOW_YEARS) warn('child_photo', name, { ageSource: s.ageSource, age: Math.round(s.age) });
    if (s.otherFaces > 0) warn('multiple_faces', name, { faces: s.otherFaces + 1 });
    if (s.ageSource === 'estimated') warn('age_estimated', name);
  }
  if (A.age !== null && B.age !== null && Math.abs(A.age - B.age) > LARGE_GAP_YEARS) warn('large_age_difference', null, { years: Math.round(Math.abs(A.age - B.age)) });
  if (scores.length < opts.models.length) warn('models_missing', null, { n: scores.length, of: opts.models.length });

  let evidence: CompareDto['evidence'] = null;
  const cal = opts.calibration;
  if (cal && scores.length === opts.models.length) {
    const ev = evidenceFor(cal.calibration, fused, A.age, B.age, Math.min(A.quality.faceSizePx, B.quality.faceSizePx));
    const v = verbalScale(ev.log10Lr);
    const cond = cal.calibration.conditions.find((c) => c.id === ev.condition)!;
    evidence = {
      log10Lr: round4(ev.log10Lr), lr: Number((10 ** ev.log10Lr).toPrecision(3)), atBound: ev.atBound, outOfRange: ev.outOfRange,
      condition: ev.condition, conditionLabel: ev.conditionLabel, strength: v.strength, supports: v.supports, verbal: v.text,
      calibration: {
        file: cal.file, data: cal.calibration.data.description, protocol: cal.calibration.data.protocol, protocolSha256: cal.calibration.data.sha256,
        heldOutCllr: cond.heldOutCllr === null ? null : round4(cond.heldOutCllr), created: cal.calibration.created,
      },
    };
    if (ev.outOfRange) warn('outside_calibration', null, { px: MIN_CALIBRATED_FACE_PX, max: OUT_OF_RANGE_MAX_LOG10_LR });
    else if (ev.atBound) warn('lr_at_bound', null, { max: cond.maxLog10Lr.toFixed(1), positives: cond.positives, negatives: cond.negatives });
  } else {
    warn('uncalibrated', null);
  }
  const threshold = opts.threshold ?? cal?.calibration.thresholds['far_1e-3'] ?? null;
  const thresholdSource = opts.threshold !== undefined ? 'given by the examiner'
    : cal ? `false-accept rate 1e-3 on the calibration data (${cal.calibration.data.protocol})` : 'none (uncalibrated; give --threshold)';
  return {
    comparisonId: null, a: A, b: B, profile: opts.profile, scores, fused: round4(fused), evidence,
    threshold: threshold === null ? null : round4(threshold), thresholdSource,
    decision: threshold === null || !Number.isFinite(fused) ? null : fused >= threshold ? 'match' : 'no match',
    warnings,
  };
}

const round4 = (v: number): number => Math.round(v * 10000) / 10000;

/** The calibration for a profile's recognizers: the models store's own file first, then the shipped one. */
export function profileCalibration(store: ModelStore, profile: ProfileName): { calibration: Calibration; file: string } | null {
  const recognizers = Object.fromEntries(store.profile(profile).recognizers.map((id) => [id, store.spec(id).sha256]));
  return calibrationFor(recognizers, [join(store.dir, CALIBRATION_FILE), builtInModelsFile(CALIBRATION_FILE)]);
}

export const CALIBRATION_FILE = 'calibration.json';

/** A photo's primary face, ready to compare. */
export async function photoFace(pool: FacePool, path: string, givenAge: number | null, read?: (path: string) => Promise<Buffer>): Promise<CompareFace> {
  const p = await readProbe(pool, path, read);
  return {
    label: p.fileName, sha256: p.sha256, faceId: null, box: p.face.box, estimatedAge: p.face.age, givenAge,
    quality: p.face.quality, otherFaces: p.otherFaces, embeddings: p.face.embeddings,
  };
}

/**
 * 1:1 comparison of two photos outside any case (nothing is stored): starts the profile's face
 * workers, finds the primary face of each photo, compares and stops the workers.
 */
export async function comparePhotos(o: {
  modelsDir: string; profile: ProfileName; a: string; b: string; ageA: number | null; ageB: number | null; threshold?: number;
}): Promise<CompareDto> {
  const store = await ModelStore.open(o.modelsDir);
  const layout = defaultWorkerLayout(availableParallelism());
  const config = await engineConfigFor(store, o.profile, layout.threads);
  const pool = await FacePool.create(config, Math.min(2, layout.workers));
  try {
    const [a, b] = await Promise.all([photoFace(pool, o.a, o.ageA), photoFace(pool, o.b, o.ageB)]);
    return compareFaces(a, b, {
      profile: o.profile, models: config.recognizers.map((r) => r.spec.id), calibration: profileCalibration(store, o.profile),
      ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
    });
  } finally {
    await pool.dispose();
  }
}
