import { Index, MetricKind, ScalarKind, exactSearch } from 'usearch';
import { DEFAULT_INDEX_TUNING } from '../search/faceIndex.js';
import { syntheticFaces, type FaceGenerator } from './syntheticFaces.js';
import { DEFAULT_RANKING } from '../search/ranking.js';
import { rowDot } from '../search/similarity.js';
import { FETCH_PER_RESULT } from '../search/searchService.js';
import { MATCH_CANDIDATES_PER_ITEM } from '../search/matchService.js';

export interface BenchSearchOptions {
  readonly faces: number;
  /** Probes timed one at a time (1:N latency) and checked against exact search. */
  readonly queries: number;
  readonly dims: number;
  readonly k: number;
  /** Graph candidates re-scored exactly (default: what 1:N search fetches, DEFAULT_RANKING.shortlist x FETCH_PER_RESULT). */
  readonly shortlists?: readonly number[];
  /** HNSW expansion at search time (default: the product's tuning). */
  readonly expansionSearch?: number;
  /** HNSW connectivity (default: the product's tuning). */
  readonly connectivity?: number;
  /** Probes of the M:N run: library A, matched against the stored faces as `kestrel match` does (default 10,000). */
  readonly mnProbes?: number;
  readonly seed?: number;
  /** How the synthetic faces are drawn (default: shaped like real fused embeddings). */
  readonly generator?: FaceGenerator;
}

const pctl = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const r2 = (v: number): number => Math.round(v * 100) / 100;
const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/** The k best of the candidate keys by exact inner product with the query (row q of queries). */
function rescore(data: Float32Array, queries: Float32Array, q: number, dims: number, keys: ArrayLike<bigint>, from: number, count: number, k: number): bigint[] {
  const scored: { key: bigint; s: number }[] = [];
  for (let x = 0; x < count; x++) {
    const key = keys[from + x]!;
    scored.push({ key, s: rowDot(data, Number(key), queries, q, dims) });
  }
  return scored.sort((a, b) => b.s - a.s).slice(0, k).map((e) => e.key);
}

/**
 * 1:N latency and recall@k of the case index's graph (same tuning as the product) against exact
 * search, with the graph alone and with the shortlist that 1:N search re-scores; index build time
 * and memory; and M:N as `kestrel match` runs it against a case whose index is a graph: every probe
 * of library A takes MATCH_CANDIDATES_PER_ITEM graph candidates (batched on all cores), scored exactly.
 */
export function benchSearch(o: BenchSearchOptions): Record<string, unknown> {
  const seed = o.seed ?? 7;
  const generator = o.generator ?? 'spectrum';
  const mnProbes = Math.max(o.queries, o.mnProbes ?? 10_000);
  const { data, q } = syntheticFaces(o.faces, mnProbes, o.dims, seed, generator);
  const t = { ...DEFAULT_INDEX_TUNING, ...(o.expansionSearch ? { expansionSearch: o.expansionSearch } : {}), ...(o.connectivity ? { connectivity: o.connectivity } : {}) };
  const productShortlist = DEFAULT_RANKING.shortlist * FETCH_PER_RESULT;
  const shortlists = (o.shortlists?.length ? o.shortlists : [productShortlist]).map((s) => Math.max(o.k, s));
  const rss0 = process.memoryUsage().rss;
  const g = new Index({ dimensions: o.dims, metric: MetricKind.IP, quantization: ScalarKind.F16, connectivity: t.connectivity, expansion_add: t.expansionAdd, expansion_search: t.expansionSearch, multi: false });
  const tb = performance.now();
  const batch = 10_000;
  for (let i = 0; i < o.faces; i += batch) {
    const m = Math.min(batch, o.faces - i);
    const keys = BigUint64Array.from({ length: m }, (_, j) => BigInt(i + j));
    g.add(keys, data.slice(i * o.dims, (i + m) * o.dims), 0);
  }
  const buildS = (performance.now() - tb) / 1000;
  const rssIndexMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const graphMs: number[] = [];
  const exactMs: number[] = [];
  const shortMs = shortlists.map((): number[] => []);
  const shortHit = shortlists.map(() => 0);
  const truths: Set<bigint>[] = [];
  let recalled = 0;
  for (let i = 0; i < o.queries; i++) {
    const qv = q.slice(i * o.dims, (i + 1) * o.dims); // copies: the addon reads typed arrays from their buffer start
    let s = performance.now();
    const e = exactSearch(data, qv, o.dims, o.k, MetricKind.IP, 1) as { keys: BigUint64Array };
    exactMs.push(performance.now() - s);
    const truth = new Set(e.keys);
    truths.push(truth);
    s = performance.now();
    const a = g.search(qv, o.k, 1);
    graphMs.push(performance.now() - s);
    recalled += Array.from(a.keys).filter((k) => truth.has(k)).length;
    shortlists.forEach((size, x) => {
      s = performance.now();
      const sl = g.search(qv, size, 1);
      const top = rescore(data, qv, 0, o.dims, sl.keys, 0, sl.keys.length, o.k);
      shortMs[x]!.push(performance.now() - s);
      shortHit[x]! += top.filter((key) => truth.has(key)).length;
    });
  }
  // M:N: every probe of library A against the stored faces' graph, batched on all cores, then each
  // probe's candidates scored exactly, as kestrel match does.
  const mnK = Math.min(MATCH_CANDIDATES_PER_ITEM, o.faces);
  let mnRecalled = 0;
  const tm = performance.now();
  for (let s = 0; s < mnProbes; s += 1024) {
    const e = Math.min(mnProbes, s + 1024);
    const r = g.search(q.slice(s * o.dims, e * o.dims), mnK, 0) as { keys: BigUint64Array; counts?: BigUint64Array };
    for (let x = 0; x < e - s; x++) {
      const count = r.counts ? Number(r.counts[x]) : r.keys.length;
      const top = rescore(data, q, s + x, o.dims, r.keys, x * mnK, count, o.k);
      if (s + x < o.queries) mnRecalled += top.filter((key) => truths[s + x]!.has(key)).length;
    }
  }
  const mnS = (performance.now() - tm) / 1000;
  const recall = (hits: number): number => r3(hits / (o.queries * o.k));
  return {
    faces: o.faces, queries: o.queries, dims: o.dims, generator, k: o.k, tuning: t, quantization: 'f16',
    build_seconds: r2(buildS), build_faces_per_s: Math.round(o.faces / buildS), index_rss_mb: Math.round(rssIndexMb),
    graph_p50_ms: r2(pctl(graphMs, 0.5)), graph_p99_ms: r2(pctl(graphMs, 0.99)), recall_at_k: recall(recalled),
    product_shortlist: productShortlist,
    shortlists: shortlists.map((size, x) => ({ size, p50_ms: r2(pctl(shortMs[x]!, 0.5)), p99_ms: r2(pctl(shortMs[x]!, 0.99)), recall_at_k: recall(shortHit[x]!) })),
    exact_p50_ms: r2(pctl(exactMs, 0.5)), exact_p99_ms: r2(pctl(exactMs, 0.99)),
    mn_probes: mnProbes, mn_candidates: mnK, mn_seconds: r2(mnS), mn_probes_per_s: Math.round(mnProbes / mnS), mn_recall_at_k: recall(mnRecalled),
  };
}
