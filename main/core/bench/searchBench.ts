import { MetricKind, exactSearch } from 'usearch';
import { DEFAULT_INDEX_TUNING } from '../search/faceIndex.js';
import { ShortlistGraph, type RowHit } from '../search/shortlistGraph.js';
import { syntheticFaces, type FaceGenerator } from './syntheticFaces.js';
import { DEFAULT_RANKING } from '../search/ranking.js';
import { FETCH_PER_RESULT } from '../search/searchService.js';
import { MATCH_CANDIDATES_PER_ITEM } from '../search/matchService.js';

export interface BenchSearchOptions {
  readonly faces: number;
  /** Probes timed one at a time (1:N latency) and checked against exact search. */
  readonly queries: number;
  readonly dims: number;
  readonly k: number;
  /** Graph candidates re-scored with the full vectors per query, one measurement each (default: the product's tuning). */
  readonly candidates?: readonly number[];
  /** Graph connectivity (default: the product's tuning). */
  readonly connectivity?: number;
  /** Principal directions of the graph (default: the product's tuning). */
  readonly rank?: number;
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

/**
 * The case index's graph (ShortlistGraph, the product's class and tuning) over synthetic faces:
 * 1:N latency and recall@k against exact search, each probe asking for what 1:N search fetches;
 * build time and memory; and M:N as `kestrel match` runs it against a case whose index is a graph:
 * every probe of library A takes MATCH_CANDIDATES_PER_ITEM candidates (batched on all cores).
 */
export function benchSearch(o: BenchSearchOptions): Record<string, unknown> {
  const seed = o.seed ?? 7;
  const generator = o.generator ?? 'spectrum';
  const mnProbes = Math.max(o.queries, o.mnProbes ?? 10_000);
  const { data, q } = syntheticFaces(o.faces, mnProbes, o.dims, seed, generator);
  const t = { ...DEFAULT_INDEX_TUNING, ...(o.connectivity ? { connectivity: o.connectivity } : {}), ...(o.rank ? { rank: o.rank } : {}) };
  const fetch = DEFAULT_RANKING.shortlist * FETCH_PER_RESULT;
  const candidates = o.candidates?.length ? o.candidates : [t.candidates];
  const rss0 = process.memoryUsage().rss;
  const tb = performance.now();
  const g = ShortlistGraph.build(data, o.dims, t);
  const buildS = (performance.now() - tb) / 1000;
  const rssIndexMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const exactMs: number[] = [];
  const truths: Set<number>[] = [];
  for (let i = 0; i < o.queries; i++) {
    const qv = q.slice(i * o.dims, (i + 1) * o.dims); // a copy: the addon reads typed arrays from their buffer start
    const s = performance.now();
    const e = exactSearch(data, qv, o.dims, o.k, MetricKind.IP, 1) as { keys: BigUint64Array };
    exactMs.push(performance.now() - s);
    truths.push(new Set(Array.from(e.keys, Number)));
  }
  const recallOf = (hits: readonly (readonly RowHit[])[], from: number): number =>
    hits.reduce((a, h, x) => a + h.slice(0, o.k).filter((r) => truths[from + x]!.has(r.row)).length, 0);
  const oneByOne = candidates.map((c) => {
    const ms: number[] = [];
    let hit = 0;
    for (let i = 0; i < o.queries; i++) {
      const s = performance.now();
      const hits = g.search(data, q.subarray(i * o.dims, (i + 1) * o.dims), fetch, c);
      ms.push(performance.now() - s);
      hit += recallOf(hits, i);
    }
    // The graph shortlists at least what is asked.
    return { candidates: Math.max(fetch, c), p50_ms: r2(pctl(ms, 0.5)), p99_ms: r2(pctl(ms, 0.99)), recall_at_k: r3(hit / (o.queries * o.k)) };
  });
  // M:N: every probe of library A against the stored faces' graph, batched on all cores.
  const mnK = Math.min(MATCH_CANDIDATES_PER_ITEM, o.faces);
  let mnHit = 0;
  const tm = performance.now();
  for (let s = 0; s < mnProbes; s += 1024) {
    const e = Math.min(mnProbes, s + 1024);
    const hits = g.search(data, q.subarray(s * o.dims, e * o.dims), mnK);
    if (s < o.queries) mnHit += recallOf(hits.slice(0, o.queries - s), s);
  }
  const mnS = (performance.now() - tm) / 1000;
  return {
    faces: o.faces, queries: o.queries, dims: o.dims, generator, k: o.k, tuning: t, subspace_rank: g.subspace?.rank ?? 0, quantization: 'i8', fetch,
    build_seconds: r2(buildS), build_faces_per_s: Math.round(o.faces / buildS), index_rss_mb: Math.round(rssIndexMb),
    search: oneByOne, exact_p50_ms: r2(pctl(exactMs, 0.5)), exact_p99_ms: r2(pctl(exactMs, 0.99)),
    mn_probes: mnProbes, mn_candidates: Math.max(mnK, t.candidates), mn_kept: mnK, mn_seconds: r2(mnS), mn_probes_per_s: Math.round(mnProbes / mnS), mn_recall_at_k: r3(mnHit / (o.queries * o.k)),
  };
}
