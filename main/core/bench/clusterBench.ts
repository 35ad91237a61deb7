import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterScores } from '../eval/metrics.js';
import { clusterUnits, DEFAULT_CLUSTER_PARAMS } from '../identities/identityClustering.js';
import { nearestUnits, type UnitGraphStore } from '../identities/neighbours.js';
import { ageBand, chooseCohort, keptCohortStats, type StatsStore } from '../identities/scoreNormalisation.js';
import { syntheticFaces, type FaceGenerator } from './syntheticFaces.js';
import { PlainVault } from '../vault/caseVault.js';
import { RowDots } from '../util/vectorDots.js';

export interface BenchClusterOptions {
  readonly faces: number;
  /** Faces added afterwards by an incremental run. */
  readonly add: number;
  readonly dims: number;
  readonly threads?: number;
  readonly seed?: number;
  /** How the synthetic faces are drawn (default: shaped like real fused embeddings). */
  readonly generator?: FaceGenerator;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * Full clustering of N synthetic faces (identities of 1-20 faces, ages spread 0-70), then an
 * incremental run adding M more faces (of known and new identities) with the first N kept fixed,
 * as the product runs after an intake: both through the product's code, with the units' neighbour
 * graph and cohort statistics kept in a folder between the two runs as a case keeps them. Times each
 * stage; BCubed F1 against the generator's identities checks that the fast path still clusters.
 */
export async function benchCluster(o: BenchClusterOptions): Promise<Record<string, unknown>> {
  const threads = o.threads ?? availableParallelism();
  const total = o.faces + o.add;
  const generator = o.generator ?? 'spectrum';
  const { data, identity } = syntheticFaces(total, 0, o.dims, o.seed ?? 11, generator);
  // Interleave so that the added faces include people already in the case.
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => ((a * 2654435761) % 4294967296) - ((b * 2654435761) % 4294967296));
  const matrix = new Float32Array(total * o.dims);
  order.forEach((src, dst) => matrix.set(data.subarray(src * o.dims, (src + 1) * o.dims), dst * o.dims));
  const truth = order.map((src) => String(identity[src]));
  const bands = Uint8Array.from(order, (src) => ageBand((src * 7919) % 71));
  const keys = Float64Array.from({ length: total }, (_, i) => i);
  const params = DEFAULT_CLUSTER_PARAMS;
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-bench-cluster-'));
  const cohort = chooseCohort(bands.subarray(0, o.faces), params.cohortPerBand);
  const cohortBands = Uint8Array.from(cohort, (u) => bands[u]!);
  const statsStore = (n: number): StatsStore => ({ dir, vault: new PlainVault(), signature: `bench|${cohort.join(',')}`, keys: keys.subarray(0, n) });
  const graphStore = (n: number): UnitGraphStore => ({ dir, vault: new PlainVault(), signature: 'bench', keys: keys.subarray(0, n) });
  /** One run over the first n faces, the first `from` of them fixed to `labels`. */
  const run = async (n: number, from: number, labels: Int32Array | null): Promise<{ seconds: number; stages: Record<string, number>; labels: Int32Array; seeds: number; merges: number }> => {
    const m = matrix.subarray(0, n * o.dims);
    const t0 = performance.now();
    const rows = new RowDots(m, o.dims);
    const stats = keptCohortStats(m, o.dims, cohort, cohortBands, statsStore(n), () => rows);
    const t1 = performance.now();
    const candidates = await nearestUnits(m, o.dims, params.candidates, threads, { from, rows, store: graphStore(n) });
    const t2 = performance.now();
    const fixed = new Int32Array(n).fill(-1);
    if (labels) fixed.set(labels);
    const out = clusterUnits({ matrix: m, dims: o.dims, bands: bands.subarray(0, n), stats, candidates, candidatesFrom: from, must: [], cannot: [], locked: new Int32Array(n).fill(-1), fixed, rows }, params);
    const t3 = performance.now();
    return { seconds: r3((t3 - t0) / 1000), stages: { cohort_s: r3((t1 - t0) / 1000), neighbours_s: r3((t2 - t1) / 1000), cluster_s: r3((t3 - t2) / 1000) }, labels: out.labels, seeds: out.seeds, merges: out.merges };
  };
  try {
    const full = await run(o.faces, 0, null);
    const fullScores = clusterScores(truth.slice(0, o.faces), Array.from(full.labels));
    let incremental: Record<string, unknown> | null = null;
    if (o.add > 0) {
      const inc = await run(total, o.faces, full.labels);
      const s = clusterScores(truth, Array.from(inc.labels));
      incremental = { added: o.add, seconds: inc.seconds, stats_s: inc.stages['cohort_s'], neighbours_s: inc.stages['neighbours_s'], cluster_s: inc.stages['cluster_s'], bcubed_f1_after: r3(s.bcubed_f1) };
    }
    return {
      faces: o.faces, dims: o.dims, generator, threads, identities: new Set(truth.slice(0, o.faces)).size,
      full: { seconds: full.seconds, ...full.stages, seeds: full.seeds, merges: full.merges, bcubed_precision: r3(fullScores.bcubed_precision), bcubed_recall: r3(fullScores.bcubed_recall), bcubed_f1: r3(fullScores.bcubed_f1) },
      incremental, params, peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
