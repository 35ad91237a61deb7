import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, homedir } from 'node:os';
import { basename, join } from 'node:path';
import { KestrelError, type ProfileName } from '../../contract/index.js';
import { ModelStore, defaultModelsDir } from '../../../models/modelStore.js';
import { defaultWorkerLayout, engineConfigFor } from '../faces/engineConfig.js';
import { FacePool } from '../faces/facePool.js';
import { analyzeImage } from '../faces/imageAnalyzer.js';
import { sniffFileType, SNIFF_BYTES } from '../media/fileType.js';
import { sha256 } from '../media/hashing.js';
import { fusedScore, type EmbeddingSet } from '../search/similarity.js';
import { primaryFace } from '../search/probeFaces.js';
import { profileCalibration } from '../search/compareService.js';
import { DEFAULT_RANKING, onePerIdentity, rankCandidates, type RankingParams } from '../search/ranking.js';
import { clusterVectors, DEFAULT_CLUSTER_PARAMS, type ClusterOutcome, type ClusterParams } from '../identities/identityClustering.js';
import { fusedVector } from '../search/fusedVector.js';
import { boundedLnLr, cllr, conditionOf, evidenceFor, fitConditions, type AgedScore, type Calibration } from '../search/calibration.js';
import { KESTREL_VERSION } from '../version.js';
import { EmbeddingCache, pipelineSignature, type CachedFace } from './embeddingCache.js';
import { AGE_BINS, GAP_BINS, ageBin, auc, clusterScores, kFoldAccuracy, tarAtFar, thresholdAtFar } from './metrics.js';
import { readClusterProtocol, readSearchProtocol, readVerifyProtocol } from './protocol.js';

export type EvalTask = 'verify' | 'search' | 'cluster' | 'calibrate';

export interface EvalOptions {
  readonly protocol: string;
  readonly profile: ProfileName;
  readonly modelsDir?: string;
  readonly cacheDir?: string;
  readonly onProgress?: (done: number, total: number) => void;
  /** Clustering: the product's parameters, or overrides to explore them. */
  readonly cluster?: Partial<ClusterParams>;
  /** Search: the product's ranking parameters (shortlist 0 = raw fused cosine only). */
  readonly ranking?: RankingParams;
  /** Calibrate: how the calibration data is described in reports (default: protocol name and pair counts). */
  readonly calibrationDescription?: string;
}

export type Embedded = Map<string, CachedFace>;

/**
 * Runs an evaluation protocol through the product's own pipeline (decode, detect, align, embed) and
 * the product's own scoring. Each image contributes its primary face (highest score x area); an
 * image where no face is found stays in the denominators as a failure and is counted.
 */
export async function runEval(task: EvalTask, opts: EvalOptions): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const paths =
    task === 'verify' || task === 'calibrate' ? [...new Set(readVerifyProtocol(opts.protocol).flatMap((p) => [p.a, p.b]))]
      : task === 'search' ? [...new Set(readSearchProtocol(opts.protocol).map((p) => p.path))]
        : [...new Set(readClusterProtocol(opts.protocol).map((p) => p.path))];
  const store = await ModelStore.open(opts.modelsDir ?? defaultModelsDir());
  const { embedded, models, recognizers, cacheHits } = await embedAll(paths, store, opts);
  const common = {
    task, protocol: opts.protocol, profile: opts.profile, models, images: paths.length,
    images_without_face: [...embedded.values()].filter((e) => !e.detected).length,
    cache_hits: cacheHits,
  };
  let result: Record<string, unknown>;
  if (task === 'verify') result = evalVerify(opts.protocol, embedded, models, profileCalibration(store, opts.profile));
  else if (task === 'calibrate') result = evalCalibrate(opts, embedded, models, recognizers);
  else if (task === 'search') result = await evalSearch(opts.protocol, embedded, models, opts.ranking ?? DEFAULT_RANKING);
  else result = await evalCluster(opts.protocol, embedded, models, { ...DEFAULT_CLUSTER_PARAMS, ...opts.cluster });
  return { ...common, ...result, seconds: Math.round((performance.now() - t0) / 100) / 10 };
}

/**
 * The primary face of each image, through the embedding cache. `read` supplies an image's bytes
 * (default: the file at that path; robustness passes degraded copies made in memory).
 */
export async function embedAll(
  paths: readonly string[], store: ModelStore, opts: Pick<EvalOptions, 'profile' | 'cacheDir' | 'onProgress'>, read: (path: string) => Promise<Buffer> = (p) => readFile(p),
): Promise<{ embedded: Embedded; models: string[]; recognizers: Record<string, string>; cacheHits: number }> {
  const layout = defaultWorkerLayout(availableParallelism());
  const config = await engineConfigFor(store, opts.profile, layout.threads);
  const models = config.recognizers.map((r) => r.spec.id);
  const recognizers = Object.fromEntries(config.recognizers.map((r) => [r.spec.id, r.spec.sha256]));
  const cache = new EmbeddingCache(opts.cacheDir ?? join(homedir(), '.cache', 'kestrel'), pipelineSignature(config));
  const embedded: Embedded = new Map();
  // Workers are started only if some image is not in the cache.
  let poolP: Promise<FacePool> | null = null;
  const pool = (): Promise<FacePool> => (poolP ??= FacePool.create(config, layout.workers));
  let cacheHits = 0;
  let done = 0;
  try {
    const queue = [...paths];
    const worker = async (): Promise<void> => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        let buf: Buffer;
        try {
          buf = await read(p);
        } catch (err) {
          throw new KestrelError('INVALID_INPUT', `Protocol image ${p} cannot be read: ${(err as Error).message}`);
        }
        const sha = sha256(buf);
        let face = cache.get(sha);
        if (face) cacheHits++;
        else {
          face = await embedOne(await pool(), buf);
          cache.put(sha, face);
        }
        embedded.set(p, face);
        opts.onProgress?.(++done, paths.length);
      }
    };
    await Promise.all(Array.from({ length: layout.workers + 2 }, worker));
  } finally {
    cache.close();
    const started = poolP as Promise<FacePool> | null;
    if (started) await (await started).dispose();
  }
  return { embedded, models, recognizers, cacheHits };
}

async function embedOne(pool: FacePool, buf: Buffer): Promise<CachedFace> {
  const t = sniffFileType(buf.subarray(0, SNIFF_BYTES));
  if (t.kind !== 'image') return { detected: false, pass: 'unsupported', age: null, quality: 0, embeddings: {} };
  const a = await analyzeImage(pool, buf, t.format);
  if (!a.ok || !a.result.faces.length) return { detected: false, pass: a.ok ? 'none' : a.reason, age: null, quality: 0, embeddings: {} };
  const primary = primaryFace(a.result.faces)!;
  return { detected: true, pass: a.result.pass, age: primary.age, quality: primary.quality.overall, embeddings: primary.embeddings };
}

const r4 = (v: number): number => Math.round(v * 10000) / 10000;

function score(a: CachedFace | undefined, b: CachedFace | undefined, models: readonly string[]): number {
  // A failed detection can never confirm a match: it scores below every real comparison.
  if (!a?.detected || !b?.detected) return -2;
  return fusedScore(a.embeddings as EmbeddingSet, b.embeddings as EmbeddingSet, models);
}

function evalVerify(protocol: string, e: Embedded, models: string[], cal: { calibration: Calibration; file: string } | null): Record<string, unknown> {
  const pairs = readVerifyProtocol(protocol);
  const hasFolds = pairs.every((p) => p.fold !== null);
  const items = pairs.map((p, i) => ({ s: score(e.get(p.a), e.get(p.b), models), same: p.same, fold: hasFolds ? p.fold! : i % 10, p }));
  const pos = items.filter((i) => i.same).map((i) => i.s);
  const neg = items.filter((i) => !i.same).map((i) => i.s);
  const acc = kFoldAccuracy(items);
  const at2 = tarAtFar(pos, neg, 1e-2);
  const at3 = tarAtFar(pos, neg, 1e-3);
  const byGap: Record<string, { pairs: number; 'tar_at_far_1e-2': number }> = {};
  for (const b of GAP_BINS) {
    const sel = items.filter((i) => i.same && i.p.ageA !== null && i.p.ageB !== null && Math.abs(i.p.ageA - i.p.ageB) >= b.lo && Math.abs(i.p.ageA - i.p.ageB) <= b.hi);
    if (sel.length) byGap[b.label] = { pairs: sel.length, 'tar_at_far_1e-2': r4(sel.filter((i) => i.s > at2.threshold).length / sel.length) };
  }
  return {
    pairs: items.length, positives: pos.length, negatives: neg.length, folds: hasFolds ? 'protocol' : 'generated (pair index mod 10)',
    accuracy: r4(acc.mean), accuracy_std: r4(acc.std), 'tar_at_far_1e-2': r4(at2.tar), 'tar_at_far_1e-3': r4(at3.tar), auc: r4(auc(pos, neg)),
    'threshold_at_far_1e-2': r4(at2.threshold), 'threshold_at_far_1e-3': r4(at3.threshold), tar_by_age_gap: byGap,
    calibration: cal ? calibrationCheck(cal, items.flatMap((i) => {
      const a = e.get(i.p.a);
      const b = e.get(i.p.b);
      // As in compare: the known age where the protocol gives one, else the estimate.
      return a?.detected && b?.detected ? [{ score: i.s, same: i.same, ageA: i.p.ageA ?? a.age, ageB: i.p.ageB ?? b.age }] : [];
    })) : null,
  };
}

/**
 * How the shipped likelihood ratios behave on this protocol's pairs: the log-likelihood-ratio cost
 * and the rates of misleading evidence (same-person pairs with LR < 1, different-person pairs with
 * LR > 1, and either beyond 100), as compare would report them.
 */
function calibrationCheck(cal: { calibration: Calibration; file: string }, items: readonly AgedScore[]): Record<string, unknown> {
  const withLr = items.map((x) => ({ ...x, l: evidenceFor(cal.calibration, x.score, x.ageA, x.ageB) }));
  const pos = withLr.filter((x) => x.same);
  const neg = withLr.filter((x) => !x.same);
  const rate = (xs: typeof withLr, f: (l: number) => boolean): number => (xs.length ? r4(xs.filter((x) => f(x.l.log10Lr)).length / xs.length) : Number.NaN);
  const byCondition: Record<string, number> = {};
  for (const x of withLr) byCondition[x.l.condition] = (byCondition[x.l.condition] ?? 0) + 1;
  return {
    file: cal.file, data: cal.calibration.data.protocol, created: cal.calibration.created,
    cllr: r4(cllr(withLr.map((x) => ({ score: x.l.log10Lr, same: x.same })), (l) => l * Math.LN10)),
    misleading_same_lr_below_1: rate(pos, (l) => l < 0), misleading_different_lr_above_1: rate(neg, (l) => l > 0),
    misleading_same_lr_below_0_01: rate(pos, (l) => l < -2), misleading_different_lr_above_100: rate(neg, (l) => l > 2),
    pairs_by_condition: byCondition,
  };
}

async function evalSearch(protocol: string, e: Embedded, models: string[], ranking: RankingParams): Promise<Record<string, unknown>> {
  const items = readSearchProtocol(protocol);
  const probes = items.filter((i) => i.role === 'probe');
  const gallery = items.filter((i) => i.role !== 'probe');
  // The product's ranking (search and watchlists share it); faces never found cannot be candidates.
  const candidates = gallery.flatMap((g) => {
    const ge = e.get(g.path);
    return ge?.detected ? [{ key: g, embeddings: ge.embeddings as EmbeddingSet }] : [];
  });
  const rankOf = (query: EmbeddingSet[], identity: string): number | null => {
    const idx = rankCandidates(query, candidates, models, ranking).findIndex((x) => x.key.identity === identity);
    return idx < 0 ? null : idx + 1;
  };
  // Search by identity (`kestrel search --by identity`): the gallery grouped into identities by the
  // product's clusterer (never by the protocol's labels), one result per identity; a person counts as
  // found at the first identity whose best-ranked face is theirs.
  const grouped = await clusterCached(candidates.map((c) => e.get(c.key.path)!), models, DEFAULT_CLUSTER_PARAMS);
  const clusterOf = new Map(candidates.map((c, i) => [c.key, grouped.labels[i]!]));
  const identityRanks: { rank: number | null }[] = [];
  const ranks: { rank: number | null; age: number | null }[] = [];
  const bySubject = new Map<string, { embeddings: EmbeddingSet; rank: number | null }[]>();
  for (const p of probes) {
    const pe = e.get(p.path);
    if (!pe?.detected) { ranks.push({ rank: null, age: p.age }); identityRanks.push({ rank: null }); continue; }
    const ranked = rankCandidates([pe.embeddings as EmbeddingSet], candidates, models, ranking);
    const idx = ranked.findIndex((x) => x.key.identity === p.identity);
    const rank = idx < 0 ? null : idx + 1;
    const byIdentity = onePerIdentity(ranked, (x) => clusterOf.get(x.key) ?? null).findIndex((x) => x.key.identity === p.identity);
    identityRanks.push({ rank: byIdentity < 0 ? null : byIdentity + 1 });
    ranks.push({ rank, age: p.age });
    bySubject.set(p.identity, [...(bySubject.get(p.identity) ?? []), { embeddings: pe.embeddings as EmbeddingSet, rank }]);
  }
  const hit = (rs: readonly { rank: number | null }[], k: number): number => (rs.length ? rs.filter((r) => r.rank !== null && r.rank <= k).length / rs.length : Number.NaN);
  // Several photos of one person combine into one query in the product: for every subject with two
  // or more probe photos, each photo searched alone (its hit rate averaged over the subject's
  // photos, so every subject weighs the same) against all of them searched at once.
  const several = [...bySubject].filter(([, ps]) => ps.length >= 2);
  const alone = (k: number): number => several.reduce((s, [, ps]) => s + hit(ps, k), 0) / several.length;
  const together = several.map(([id, ps]) => ({ rank: rankOf(ps.map((p) => p.embeddings), id) }));
  // Any two photos of a subject as one query, averaged over the subject's pairs.
  const pairs = several.map(([id, ps]) => ps.flatMap((a, i) => ps.slice(i + 1).map((b) => ({ rank: rankOf([a.embeddings, b.embeddings], id) }))));
  const twoOf = (k: number): number => pairs.reduce((s, rs) => s + hit(rs, k), 0) / pairs.length;
  const combined = several.length ? {
    subjects: several.length, probes: several.reduce((s, [, ps]) => s + ps.length, 0),
    each_alone: { rank1: r4(alone(1)), top5: r4(alone(5)), top10: r4(alone(10)) },
    two_combined: { rank1: r4(twoOf(1)), top5: r4(twoOf(5)), top10: r4(twoOf(10)) },
    all_combined: { rank1: r4(hit(together, 1)), top5: r4(hit(together, 5)), top10: r4(hit(together, 10)) },
  } : null;
  // Each recognizer alone through the same ranking: what each adds to the fusion (a recognizer
  // registered with `kestrel models register` is measured here beside the shipped ones).
  const eachRecognizer: Record<string, { rank1: number; top5: number; top10: number }> = {};
  if (models.length > 1) {
    for (const m of models) {
      const rs = probes.map((p) => {
        const pe = e.get(p.path);
        if (!pe?.detected) return { rank: null };
        const idx = rankCandidates([pe.embeddings as EmbeddingSet], candidates, [m], ranking).findIndex((x) => x.key.identity === p.identity);
        return { rank: idx < 0 ? null : idx + 1 };
      });
      eachRecognizer[m] = { rank1: r4(hit(rs, 1)), top5: r4(hit(rs, 5)), top10: r4(hit(rs, 10)) };
    }
  }
  const byAge: Record<string, { probes: number; rank1: number; top5: number; top10: number }> = {};
  for (const b of AGE_BINS) {
    const sel = ranks.filter((r) => ageBin(r.age) === b.label);
    if (sel.length) byAge[b.label] = { probes: sel.length, rank1: r4(hit(sel, 1)), top5: r4(hit(sel, 5)), top10: r4(hit(sel, 10)) };
  }
  return {
    probes: probes.length, gallery: gallery.length, distractors: items.filter((i) => i.role === 'distractor').length,
    probes_without_face: ranks.filter((r) => r.rank === null).length,
    ranking,
    rank1: r4(hit(ranks, 1)), top5: r4(hit(ranks, 5)), top10: r4(hit(ranks, 10)), by_probe_age: byAge,
    several_probes_combined: combined,
    each_recognizer: eachRecognizer,
    one_per_identity: {
      identities: new Set(clusterOf.values()).size, true_identities: new Set(candidates.map((c) => c.key.identity)).size,
      rank1: r4(hit(identityRanks, 1)), top5: r4(hit(identityRanks, 5)), top10: r4(hit(identityRanks, 10)),
    },
  };
}

/** The product's clusterer over cached faces (their fused vectors, estimated ages and quality). */
async function clusterCached(faces: readonly CachedFace[], models: string[], params: ClusterParams, timings?: Record<string, number>): Promise<ClusterOutcome> {
  const dimsList = models.map((m) => faces[0]?.embeddings[m]?.length ?? 0);
  const dims = dimsList.reduce((a, d) => a + d, 0);
  const matrix = new Float32Array(faces.length * dims);
  faces.forEach((f, row) => matrix.set(fusedVector(f.embeddings as EmbeddingSet, models, dimsList), row * dims));
  return clusterVectors(matrix, dims, faces.map((f) => f.age), availableParallelism(), params, timings, faces.map((f) => f.quality));
}

async function evalCluster(protocol: string, e: Embedded, models: string[], params: ClusterParams): Promise<Record<string, unknown>> {
  const items = readClusterProtocol(protocol);
  const faces = items.map((i) => e.get(i.path));
  // The product's clusterer over the images where a face was found; the others stay singletons.
  const found = faces.map((f, i) => (f?.detected ? i : -1)).filter((i) => i >= 0);
  const timings: Record<string, number> = {};
  const out = await clusterCached(found.map((i) => faces[i]!), models, params, timings);
  const labels: (number | string)[] = items.map((_, i) => `undetected-${i}`);
  found.forEach((i, row) => (labels[i] = out.labels[row]!));
  const s = clusterScores(items.map((i) => i.identity), labels);
  // Cross-age recall: same-person pairs more than 10 years apart that end in one cluster.
  let cross = 0, crossTogether = 0;
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
    const a = items[i]!, b = items[j]!;
    if (a.identity !== b.identity || a.age === null || b.age === null || Math.abs(a.age - b.age) <= 10) continue;
    cross++;
    if (labels[i] === labels[j]) crossTogether++;
  }
  return {
    faces: items.length, params, seeds: out.seeds, merges: out.merges, timings,
    ...Object.fromEntries(Object.entries(s).map(([key, v]) => [key, r4(v)])),
    cross_age_10y_pairs: cross, cross_age_10y_together: cross ? r4(crossTogether / cross) : null,
  };
}

/**
 * Fits the score-to-LR calibration of this profile on a verification protocol. The check: fitted on
 * the even-numbered pairs, its log-likelihood-ratio cost is measured on the odd-numbered ones (per
 * condition, and for comparison the single 'any' calibration on the same pairs); the calibration
 * returned is then fitted on all pairs. Pairs where either photo has no face are left out and counted.
 */
function evalCalibrate(opts: EvalOptions, e: Embedded, models: string[], recognizers: Record<string, string>): Record<string, unknown> {
  const pairs = readVerifyProtocol(opts.protocol);
  const all: (AgedScore & { i: number })[] = [];
  pairs.forEach((p, i) => {
    const a = e.get(p.a);
    const b = e.get(p.b);
    if (a?.detected && b?.detected) all.push({ i, score: score(a, b, models), same: p.same, ageA: p.ageA, ageB: p.ageB });
  });
  const even = all.filter((x) => x.i % 2 === 0);
  const odd = all.filter((x) => x.i % 2 === 1);
  const split = fitConditions(even, odd);
  const anyOnly = split.find((c) => c.id === 'any')!;
  const check = split.map((c) => {
    const test = odd.filter((x) => c.id === 'any' || conditionOf(x.ageA, x.ageB) === c.id);
    return { condition: c.id, held_out_pairs: test.length, cllr: r4(c.heldOutCllr ?? Number.NaN), cllr_with_any: r4(cllr(test, (s) => boundedLnLr(anyOnly, s))) };
  });
  const final = fitConditions(all, null).map((c) => ({ ...c, heldOutCllr: split.find((x) => x.id === c.id)?.heldOutCllr ?? null }));
  const neg = all.filter((x) => !x.same).map((x) => x.score);
  const protocolBytes = readFileSync(opts.protocol);
  const calibration: Calibration = {
    profile: opts.profile, recognizers, fusion: 'mean-cosine',
    method: 'logistic regression of label on fused cosine, balanced classes, per age condition; |log10 LR| bounded by log10 of the smaller class count',
    data: {
      protocol: basename(opts.protocol), sha256: sha256(protocolBytes),
      description: opts.calibrationDescription ?? `${basename(opts.protocol)}: ${all.filter((x) => x.same).length} same-person and ${neg.length} different-person pairs`,
      pairs: pairs.length, pairsWithoutFace: pairs.length - all.length,
    },
    conditions: final,
    thresholds: { 'far_1e-2': r4(thresholdAtFar(neg, 1e-2)), 'far_1e-3': r4(thresholdAtFar(neg, 1e-3)) },
    created: new Date().toISOString(), kestrel: KESTREL_VERSION,
  };
  return { pairs: pairs.length, pairs_used: all.length, held_out_check: check, calibration };
}

