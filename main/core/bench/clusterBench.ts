import { availableParallelism } from 'node:os';
import { clusterScores } from '../eval/metrics.js';
import { clusterUnits, clusterVectors, DEFAULT_CLUSTER_PARAMS } from '../identities/identityClustering.js';
import { nearestUnits } from '../identities/neighbours.js';
import { ageBand, chooseCohort, cohortStats } from '../identities/scoreNormalisation.js';
import { syntheticFaces } from './searchBench.js';

export interface BenchClusterOptions {
  readonly faces: number;
  /** Faces added afterwards by an incremental run. */
  readonly add: number;
  readonly dims: number;
  readonly threads?: number;
  readonly seed?: number;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * Full clustering of N synthetic faces (identities of 1-20 faces, ages spread 0-70), then an
 * incremental run adding M more faces (of known and new identities) with the first N kept fixed,
 * as the product runs after an intake. Times each stage; BCubed F1 against the generator's
 * identities checks that the fast path still clusters.
 */
export function benchCluster(o: BenchClusterOptions): Record<string, unknown> {
  const threads = o.threads ?? availableParallelism();
  const total = o.faces + o.add;
  const { data, identity } = syntheticFaces(total, 0, o.dims, o.seed ?? 11);
  // Interleave so that the added faces include people already in the case.
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => ((a * 2654435761) % 4294967296) - ((b * 2654435761) % 4294967296));
  const matrix = new Float32Array(total * o.dims);
  order.forEach((src, dst) => matrix.set(data.subarray(src * o.dims, (src + 1) * o.dims), dst * o.dims));
  const truth = order.map((src) => String(identity[src]));
  const ages = order.map((src) => (src * 7919) % 71);
  const first = matrix.slice(0, o.faces * o.dims);
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const full = clusterVectors(first, o.dims, ages.slice(0, o.faces), threads, DEFAULT_CLUSTER_PARAMS, timings);
  const fullSeconds = (performance.now() - t0) / 1000;
  const fullScores = clusterScores(truth.slice(0, o.faces), Array.from(full.labels));

  let incremental: Record<string, unknown> | null = null;
  if (o.add > 0) {
    const t1 = performance.now();
    const bands = Uint8Array.from(ages, (a) => ageBand(a));
    const cohort = chooseCohort(bands.subarray(0, o.faces), DEFAULT_CLUSTER_PARAMS.cohortPerBand);
    const stats = cohortStats(matrix, o.dims, cohort, Uint8Array.from(cohort, (u) => bands[u]!), threads);
    const statsS = (performance.now() - t1) / 1000;
    const candidates = nearestUnits(matrix, o.dims, DEFAULT_CLUSTER_PARAMS.candidates, threads, undefined, o.faces);
    const neighS = (performance.now() - t1) / 1000 - statsS;
    const fixed = new Int32Array(total).fill(-1);
    fixed.set(full.labels);
    const out = clusterUnits({ matrix, dims: o.dims, bands, stats, candidates, candidatesFrom: o.faces, must: [], cannot: [], locked: new Int32Array(total).fill(-1), fixed });
    const secs = (performance.now() - t1) / 1000;
    const s = clusterScores(truth, Array.from(out.labels));
    incremental = { added: o.add, seconds: r3(secs), stats_s: r3(statsS), neighbours_s: r3(neighS), cluster_s: r3(secs - statsS - neighS), bcubed_f1_after: r3(s.bcubed_f1) };
  }
  return {
    faces: o.faces, dims: o.dims, threads, identities: new Set(truth.slice(0, o.faces)).size,
    full: { seconds: r3(fullSeconds), ...timings, seeds: full.seeds, merges: full.merges, bcubed_precision: r3(fullScores.bcubed_precision), bcubed_recall: r3(fullScores.bcubed_recall), bcubed_f1: r3(fullScores.bcubed_f1) },
    incremental, params: DEFAULT_CLUSTER_PARAMS,
  };
}
