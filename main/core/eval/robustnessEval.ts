import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import { KestrelError, type ProfileName } from '../../contract/index.js';
import { ModelStore, defaultModelsDir } from '../../../models/modelStore.js';
import { fusedScore, type EmbeddingSet } from '../search/similarity.js';
import { profileCalibration } from '../search/compareService.js';
import type { CachedFace } from './embeddingCache.js';
import { embedAll } from './evalService.js';
import { readClusterProtocol, type ClusterItem } from './protocol.js';

/** One image change an attacker, a camera or a re-encoding chain can make. */
export interface Degradation {
  readonly id: string;
  /** 'mild': a change a viewer would hardly notice; used to flag unstable faces. */
  readonly strength: 'mild' | 'strong';
  readonly apply: (img: Sharp, width: number) => Sharp;
}

const GREY = { r: 128, g: 128, b: 128 };
const lossless = (img: Sharp): Sharp => img.png({ compressionLevel: 1 });

export const DEGRADATIONS: readonly Degradation[] = [
  { id: 'jpeg_q70', strength: 'mild', apply: (i) => i.jpeg({ quality: 70 }) },
  { id: 'blur_0.7', strength: 'mild', apply: (i) => lossless(i.blur(0.7)) },
  { id: 'scale_0.8', strength: 'mild', apply: (i, w) => lossless(i.resize(Math.round(w * 0.8))) },
  { id: 'rotate_3', strength: 'mild', apply: (i) => lossless(i.rotate(3, { background: GREY })) },
  { id: 'darker_0.85', strength: 'mild', apply: (i) => lossless(i.modulate({ brightness: 0.85 })) },
  { id: 'brighter_1.15', strength: 'mild', apply: (i) => lossless(i.modulate({ brightness: 1.15 })) },
  { id: 'jpeg_q30', strength: 'strong', apply: (i) => i.jpeg({ quality: 30 }) },
  { id: 'jpeg_q10', strength: 'strong', apply: (i) => i.jpeg({ quality: 10 }) },
  { id: 'blur_1.5', strength: 'strong', apply: (i) => lossless(i.blur(1.5)) },
  { id: 'blur_3', strength: 'strong', apply: (i) => lossless(i.blur(3)) },
  { id: 'scale_0.5', strength: 'strong', apply: (i, w) => lossless(i.resize(Math.round(w * 0.5))) },
  { id: 'scale_0.25', strength: 'strong', apply: (i, w) => lossless(i.resize(Math.round(w * 0.25))) },
  { id: 'rotate_10', strength: 'strong', apply: (i) => lossless(i.rotate(10, { background: GREY })) },
  { id: 'rotate_20', strength: 'strong', apply: (i) => lossless(i.rotate(20, { background: GREY })) },
  { id: 'darker_0.5', strength: 'strong', apply: (i) => lossless(i.modulate({ brightness: 0.5 })) },
  { id: 'brighter_1.6', strength: 'strong', apply: (i) => lossless(i.modulate({ brightness: 1.6 })) },
];

/** Makes the degraded copy named `path#id` from the original at `path` (in memory). */
async function degradedCopy(key: string): Promise<Buffer> {
  const at = key.lastIndexOf('#');
  const d = DEGRADATIONS.find((x) => x.id === key.slice(at + 1));
  if (at < 0 || !d) return readFile(key);
  const upright = await sharp(await readFile(key.slice(0, at))).rotate().toBuffer({ resolveWithObject: true });
  return d.apply(sharp(upright.data), upright.info.width).toBuffer();
}

export interface RobustnessOptions {
  readonly protocol: string;
  readonly profile: ProfileName;
  readonly modelsDir?: string;
  readonly cacheDir?: string;
  /** Images used (spread evenly over the protocol); default 200. */
  readonly limit?: number;
  /** Decision threshold on the fused score; default the calibration's FAR 1e-3 threshold. */
  readonly threshold?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

const PARTNERS = 3;
const r4 = (v: number): number => Math.round(v * 10000) / 10000;
const quantile = (xs: number[], q: number): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return r4(s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1))))]!);
};

/** Spreads `limit` picks evenly over the protocol (sorted by identity then path, so reruns pick the same). */
function pick(items: readonly ClusterItem[], limit: number): ClusterItem[] {
  const sorted = [...items].sort((a, b) => a.identity.localeCompare(b.identity) || a.path.localeCompare(b.path));
  if (sorted.length <= limit) return sorted;
  return Array.from({ length: limit }, (_, i) => sorted[Math.floor((i * sorted.length) / limit)]!);
}

/**
 * How the matcher's decisions move under common degradations (JPEG, blur, scale, rotation,
 * brightness), through the product's own pipeline: each degraded copy is decoded, detected, aligned
 * and embedded like evidence. For every image: its score against its own original, and the decisions
 * against up to 3 same-person and 3 other-person images at the threshold. A face whose score against
 * its own original falls below the threshold under a mild change (or that is no longer found) is
 * flagged as unstable.
 */
export async function runRobustnessEval(o: RobustnessOptions): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const all = readClusterProtocol(o.protocol);
  if (!all.length) throw new KestrelError('INVALID_INPUT', `Protocol ${o.protocol} lists no images`);
  const chosen = pick(all, o.limit ?? 200);
  const store = await ModelStore.open(o.modelsDir ?? defaultModelsDir());
  const cal = profileCalibration(store, o.profile);
  const threshold = o.threshold ?? cal?.calibration.thresholds['far_1e-3'];
  if (threshold === undefined) throw new KestrelError('INVALID_INPUT', 'No calibration for these recognizer weights: give --threshold');
  // Partners come from the whole protocol, so that every chosen image has same-person pairs.
  const byId = new Map<string, ClusterItem[]>();
  for (const it of all) byId.set(it.identity, [...(byId.get(it.identity) ?? []), it]);
  const others = [...all].sort((a, b) => a.path.localeCompare(b.path));
  const partners = new Map(chosen.map((it, i) => {
    const same = (byId.get(it.identity) ?? []).filter((x) => x.path !== it.path).slice(0, PARTNERS);
    const diff: ClusterItem[] = [];
    for (let k = 1; diff.length < PARTNERS && k <= others.length; k++) {
      const c = others[(i * 7919 + k * 104729) % others.length]!;
      if (c.identity !== it.identity && !diff.includes(c)) diff.push(c);
    }
    return [it.path, { same: same.map((x) => x.path), diff: diff.map((x) => x.path) }] as const;
  }));
  const originals = [...new Set([...chosen.map((c) => c.path), ...[...partners.values()].flatMap((p) => [...p.same, ...p.diff])])];
  const degraded = chosen.flatMap((c) => DEGRADATIONS.map((d) => `${c.path}#${d.id}`));
  const total = originals.length + degraded.length;
  const base = await embedAll(originals, store, { profile: o.profile, ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}), onProgress: (d) => o.onProgress?.(d, total) });
  const deg = await embedAll(degraded, store, { profile: o.profile, ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}), onProgress: (d) => o.onProgress?.(originals.length + d, total) }, degradedCopy);
  const models = base.models;
  const score = (a: CachedFace | undefined, b: CachedFace | undefined): number | null =>
    a?.detected && b?.detected ? fusedScore(a.embeddings as EmbeddingSet, b.embeddings as EmbeddingSet, models) : null;
  const usable = chosen.filter((c) => base.embedded.get(c.path)?.detected);

  const decide = (s: number | null): boolean => s !== null && s >= threshold;
  const pairs = (face: (path: string) => CachedFace | undefined, kind: 'same' | 'diff'): boolean[] =>
    usable.flatMap((c) => partners.get(c.path)![kind].map((p) => decide(score(face(c.path), base.embedded.get(p)))));
  const baseSame = pairs((p) => base.embedded.get(p), 'same');
  const baseDiff = pairs((p) => base.embedded.get(p), 'diff');
  const rate = (xs: boolean[]): number | null => (xs.length ? r4(xs.filter(Boolean).length / xs.length) : null);

  const rows = DEGRADATIONS.map((d) => {
    const face = (p: string): CachedFace | undefined => deg.embedded.get(`${p}#${d.id}`);
    const selfScores = usable.flatMap((c) => { const s = score(base.embedded.get(c.path), face(c.path)); return s === null ? [] : [s]; });
    const same = pairs(face, 'same');
    const diff = pairs(face, 'diff');
    return {
      degradation: d.id, strength: d.strength,
      found: r4(usable.filter((c) => face(c.path)?.detected).length / Math.max(1, usable.length)),
      self_score_median: quantile(selfScores, 0.5), self_score_p05: quantile(selfScores, 0.05),
      same_person_accepted: rate(same),
      same_person_flipped_to_reject: rate(same.map((v, i) => baseSame[i]! && !v)),
      other_person_accepted: rate(diff),
      other_person_flipped_to_accept: rate(diff.map((v, i) => !baseDiff[i]! && v)),
    };
  });

  const mild = DEGRADATIONS.filter((d) => d.strength === 'mild');
  const unstable = usable.flatMap((c) => {
    const worst = mild
      .map((d) => ({ d: d.id, s: score(base.embedded.get(c.path), deg.embedded.get(`${c.path}#${d.id}`)) }))
      .reduce((a, b) => ((b.s ?? -2) < (a.s ?? -2) ? b : a));
    return worst.s === null || worst.s < threshold ? [{ path: c.path, identity: c.identity, worst_change: worst.d, self_score: worst.s === null ? null : r4(worst.s) }] : [];
  });

  return {
    task: 'robustness', protocol: o.protocol, profile: o.profile, models,
    threshold: r4(threshold), threshold_source: o.threshold !== undefined ? 'given' : `calibration FAR 1e-3 (${cal!.calibration.data.protocol})`,
    images: chosen.length, images_without_face: chosen.length - usable.length,
    same_person_pairs: baseSame.length, other_person_pairs: baseDiff.length,
    baseline: { same_person_accepted: rate(baseSame), other_person_accepted: rate(baseDiff) },
    degradations: rows,
    unstable_faces: unstable.length, unstable_rate: r4(unstable.length / Math.max(1, usable.length)),
    unstable_examples: unstable.sort((a, b) => (a.self_score ?? -2) - (b.self_score ?? -2)).slice(0, 10),
    cache_hits: base.cacheHits + deg.cacheHits,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}
