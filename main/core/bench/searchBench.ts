import { Index, MetricKind, ScalarKind, exactSearch } from 'usearch';
import { DEFAULT_INDEX_TUNING } from '../search/faceIndex.js';

export interface BenchSearchOptions {
  readonly faces: number;
  readonly queries: number;
  readonly dims: number;
  readonly k: number;
  /** Graph candidates re-scored exactly, as 1:N search does with its re-ranking shortlist (default 200). */
  readonly shortlist?: number;
  /** HNSW expansion at search time (default: the product's tuning). */
  readonly expansionSearch?: number;
  /** HNSW connectivity (default: the product's tuning). */
  readonly connectivity?: number;
  readonly seed?: number;
}

/** Deterministic pseudo-random numbers (xorshift32) and gaussian-ish noise. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32 - 0.5;
  };
}

/**
 * Synthetic faces shaped like a case: identities (random centres) with 1-20 faces each, every face
 * its identity's centre plus noise, L2-normalised. Queries are unseen faces of stored identities.
 */
export function syntheticFaces(n: number, queries: number, dims: number, seed: number): { data: Float32Array; q: Float32Array; identity: Int32Array } {
  const r = rng(seed);
  const data = new Float32Array(n * dims);
  const q = new Float32Array(queries * dims);
  const centres: Float32Array[] = [];
  const identity = new Int32Array(n);
  const face = (out: Float32Array, off: number, c: Float32Array): void => {
    let norm = 0;
    for (let j = 0; j < dims; j++) { const v = c[j]! + r() * 1.2; out[off + j] = v; norm += v * v; }
    norm = Math.sqrt(norm);
    for (let j = 0; j < dims; j++) out[off + j]! /= norm;
  };
  let i = 0;
  while (i < n) {
    const c = Float32Array.from({ length: dims }, () => r());
    centres.push(c);
    const m = Math.min(n - i, 1 + Math.floor((r() + 0.5) * 20));
    for (let t = 0; t < m; t++, i++) {
      face(data, i * dims, c);
      identity[i] = centres.length - 1;
    }
  }
  for (let t = 0; t < queries; t++) face(q, t * dims, centres[Math.floor((r() + 0.5) * centres.length) % centres.length]!);
  return { data, q, identity };
}

const pctl = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const r2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * 1:N latency and recall of the case index's graph (same tuning as the product) against exact
 * search, index build time and memory, and M:N throughput (batched queries against the graph).
 */
export function benchSearch(o: BenchSearchOptions): Record<string, unknown> {
  const seed = o.seed ?? 7;
  const { data, q } = syntheticFaces(o.faces, o.queries, o.dims, seed);
  const t = { ...DEFAULT_INDEX_TUNING, ...(o.expansionSearch ? { expansionSearch: o.expansionSearch } : {}), ...(o.connectivity ? { connectivity: o.connectivity } : {}) };
  const shortlist = Math.max(o.k, o.shortlist ?? 200);
  const rss0 = process.memoryUsage().rss;
  const g = new Index({ dimensions: o.dims, metric: MetricKind.IP, quantization: ScalarKind.F16, connectivity: t.connectivity, expansion_add: t.expansionAdd, expansion_search: t.expansionSearch, multi: false });
  const tb = performance.now();
  const batch = 10_000;
  for (let i = 0; i < o.faces; i += batch) {
    const m = Math.min(batch, o.faces - i);
    const keys = BigUint64Array.from({ length: m }, (_, j) => BigInt(i + j));
    const vecs = Array.from({ length: m }, (_, j) => data.slice((i + j) * o.dims, (i + j + 1) * o.dims));
    g.add(keys, vecs, 0);
  }
  const buildS = (performance.now() - tb) / 1000;
  const rssIndexMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const graphMs: number[] = [];
  const shortMs: number[] = [];
  const exactMs: number[] = [];
  let recalled = 0;
  let recalledShort = 0;
  for (let i = 0; i < o.queries; i++) {
    const qv = q.slice(i * o.dims, (i + 1) * o.dims); // copies: the addon reads typed arrays from their buffer start
    let s = performance.now();
    const a = g.search(qv, o.k, 1);
    graphMs.push(performance.now() - s);
    // The product's path: a graph shortlist re-scored with the full-precision vectors.
    s = performance.now();
    const sl = g.search(qv, shortlist, 1);
    const rescored = Array.from(sl.keys, (key) => {
      const off = Number(key) * o.dims;
      let dot = 0;
      for (let j = 0; j < o.dims; j++) dot += data[off + j]! * qv[j]!;
      return { key, dot };
    }).sort((x, y) => y.dot - x.dot).slice(0, o.k);
    shortMs.push(performance.now() - s);
    s = performance.now();
    const e = exactSearch(data, qv, o.dims, o.k, MetricKind.IP, 1) as { keys: BigUint64Array };
    exactMs.push(performance.now() - s);
    const truth = new Set(e.keys);
    recalled += Array.from(a.keys).filter((k) => truth.has(k)).length;
    recalledShort += rescored.filter((x) => truth.has(x.key)).length;
  }
  // M:N: every query of library A against the graph of library B, batched on all cores.
  const batchQ = Array.from({ length: o.queries }, (_, i) => q.slice(i * o.dims, (i + 1) * o.dims));
  const tm = performance.now();
  g.search(batchQ, o.k, 0);
  const mnPerS = o.queries / ((performance.now() - tm) / 1000);
  return {
    faces: o.faces, queries: o.queries, dims: o.dims, k: o.k, tuning: t, quantization: 'f16',
    build_seconds: r2(buildS), build_faces_per_s: Math.round(o.faces / buildS), index_rss_mb: Math.round(rssIndexMb),
    graph_p50_ms: r2(pctl(graphMs, 0.5)), graph_p99_ms: r2(pctl(graphMs, 0.99)),
    shortlist, shortlist_p50_ms: r2(pctl(shortMs, 0.5)), shortlist_p99_ms: r2(pctl(shortMs, 0.99)),
    recall_at_k_shortlist: Math.round((recalledShort / (o.queries * o.k)) * 1000) / 1000,
    exact_p50_ms: r2(pctl(exactMs, 0.5)), exact_p99_ms: r2(pctl(exactMs, 0.99)),
    recall_at_k: Math.round((recalled / (o.queries * o.k)) * 1000) / 1000,
    mn_queries_per_s: Math.round(mnPerS),
    mn_10k_probes_seconds: r2(10_000 / mnPerS),
  };
}
