import { Index, MetricKind, ScalarKind, exactSearch } from 'usearch';

/** Each unit's candidate neighbours (row indices) and their raw fused cosines, K per unit. */
export interface Candidates {
  readonly k: number;
  /** n x k unit indices (-1 where fewer exist). */
  readonly ids: Int32Array;
  readonly scores: Float32Array;
}

export interface NeighbourTuning {
  /** At or below this many units the scan is exact; above it an HNSW graph is built in memory. */
  readonly exactLimit: number;
  readonly connectivity: number;
  readonly expansionAdd: number;
  readonly expansionSearch: number;
}

/** Measured with `kestrel bench cluster` (README). */
export const DEFAULT_NEIGHBOUR_TUNING: NeighbourTuning = { exactLimit: 20_000, connectivity: 16, expansionAdd: 64, expansionSearch: 64 };

/**
 * The K nearest units by fused cosine for units [from, n) against all units, excluding each unit
 * itself. Exact for small sets; an HNSW graph (half precision) for large ones, whose misses are
 * far-away units anyway (the clusterer only links units far above their cohort).
 */
export function nearestUnits(matrix: Float32Array, dims: number, k: number, threads: number, tuning: NeighbourTuning = DEFAULT_NEIGHBOUR_TUNING, from = 0): Candidates {
  const n = matrix.length / dims;
  const rows = n - from;
  const ids = new Int32Array(rows * k).fill(-1);
  const scores = new Float32Array(rows * k);
  const want = Math.min(k + 1, n);
  if (!rows || n < 2) return { k, ids, scores };
  const take = (q: number, keys: ArrayLike<bigint>, dist: ArrayLike<number>, base: number, count: number): void => {
    const self = from + q;
    let o = 0;
    for (let x = 0; x < count && o < k; x++) {
      const key = Number(keys[base + x]);
      if (key === self || !Number.isFinite(dist[base + x]!)) continue;
      ids[q * k + o] = key;
      scores[q * k + o] = 1 - dist[base + x]!;
      o++;
    }
  };
  if (n <= tuning.exactLimit) {
    const batch = 2048;
    for (let s = from; s < n; s += batch) {
      const e = Math.min(n, s + batch);
      const r = exactSearch(matrix, matrix.slice(s * dims, e * dims), dims, want, MetricKind.IP, threads) as { keys: BigUint64Array; distances: Float32Array };
      for (let q = s; q < e; q++) take(q - from, r.keys, r.distances, (q - s) * want, want);
    }
    return { k, ids, scores };
  }
  const index = new Index({
    dimensions: dims, metric: MetricKind.IP, quantization: ScalarKind.F16, connectivity: tuning.connectivity,
    expansion_add: tuning.expansionAdd, expansion_search: tuning.expansionSearch, multi: false,
  });
  const batch = 8192;
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const keys = new BigUint64Array(e - s);
    for (let i = s; i < e; i++) keys[i - s] = BigInt(i);
    index.add(keys, matrix.slice(s * dims, e * dims), threads);
  }
  for (let s = from; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    // One query comes back as a single match list (no counts), several as a batch.
    const r = index.search(matrix.slice(s * dims, e * dims), want, threads) as { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
    for (let q = s; q < e; q++) take(q - from, r.keys, r.distances, (q - s) * want, r.counts ? Number(r.counts[q - s]) : r.keys.length);
  }
  return { k, ids, scores };
}
