import { mkdtempSync, rmSync } from 'node:fs';
import { PlainVault, type CaseVault } from '../vault/caseVault.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index, MetricKind, ScalarKind, exactSearch } from 'usearch';
import { saveWithMeta } from '../util/saveWithMeta.js';

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

/**
 * Measured on 100,000 synthetic 512-d faces (2 threads; README): the graph in 8-bit (16 links, 40
 * while adding, 64 while searching) builds and answers in 24 s and finds 95.1 % of each face's 11
 * exact nearest neighbours; half precision at 64/64 took 61 s for 96.0 %. The exact scan is
 * quadratic (20,000 units took 23 s), so the graph takes over above 5,000 units. Candidate scores
 * are recomputed exactly by the clusterer, so the 8-bit values only choose which units are looked at.
 */
export const DEFAULT_NEIGHBOUR_TUNING: NeighbourTuning = { exactLimit: 5_000, connectivity: 16, expansionAdd: 40, expansionSearch: 64 };

/**
 * Where the graph of a case's units is kept between runs (derived/identities/ of the case), so that
 * an incremental run adds and searches only the new units instead of rebuilding the graph.
 */
export interface UnitGraphStore {
  readonly dir: string;
  readonly vault: CaseVault;
  /** The recognizers the vectors come from; a graph of another set is rebuilt. */
  readonly signature: string;
  /** A stable key per row (a face's or a track's id), so that later runs find their rows again. */
  readonly keys: Float64Array;
}

interface GraphMeta {
  readonly signature: string;
  readonly count: number;
}

const GRAPH_FILE = 'units.usearch';
const GRAPH_META = 'units.json';

/**
 * The saved graph when it holds exactly the rows [0, from) of this run (same recognizers, same
 * keys, nothing more); else null. Loaded into memory, so that new units can be added.
 */
function savedGraph(store: UnitGraphStore, config: ConstructorParameters<typeof Index>[0], from: number): Index | null {
  try {
    const meta = JSON.parse(store.vault.readFileSync(join(store.dir, GRAPH_META)).toString('utf8')) as GraphMeta;
    if (meta.signature !== store.signature || meta.count !== from) return null;
    const g = new Index(config);
    store.vault.withPlainFileSync(join(store.dir, GRAPH_FILE), (p) => g.load(p));
    if (g.size() !== from) return null;
    const keys = BigUint64Array.from(store.keys.subarray(0, from), (k) => BigInt(k));
    const found = g.contains(keys) as boolean[] | boolean;
    if (Array.isArray(found) ? found.some((f) => !f) : !found) return null;
    return g;
  } catch {
    return null; // missing, damaged or foreign: rebuilt
  }
}

/**
 * The K nearest units by fused cosine for units [from, n) against all units, excluding each unit
 * itself. Exact for small sets; an HNSW graph (8-bit) for large ones, whose misses are mostly
 * far-away units anyway (the clusterer only links units far above their cohort). With a store, the
 * graph is kept in the case: a run whose rows [0, from) are the graph's adds only rows [from, n).
 */
export function nearestUnits(matrix: Float32Array, dims: number, k: number, threads: number, tuning: NeighbourTuning = DEFAULT_NEIGHBOUR_TUNING, from = 0,
  store?: UnitGraphStore): Candidates {
  const n = matrix.length / dims;
  const rows = n - from;
  const ids = new Int32Array(rows * k).fill(-1);
  const scores = new Float32Array(rows * k);
  const want = Math.min(k + 1, n);
  if (!rows || n < 2) return { k, ids, scores };
  let rowOf = (key: number): number | undefined => key;
  const take = (q: number, keys: ArrayLike<bigint>, dist: ArrayLike<number>, base: number, count: number): void => {
    const self = from + q;
    let o = 0;
    for (let x = 0; x < count && o < k; x++) {
      const key = rowOf(Number(keys[base + x]));
      if (key === undefined || key === self || !Number.isFinite(dist[base + x]!)) continue;
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
  const config = {
    dimensions: dims, metric: MetricKind.IP, quantization: ScalarKind.I8, connectivity: tuning.connectivity,
    expansion_add: tuning.expansionAdd, expansion_search: tuning.expansionSearch, multi: false,
  };
  // Built on one thread, in unit order, so that the same case gives the same graph (and the same
  // identities): concurrent insertion links the graph in whatever order the threads happen to run.
  // A graph built on one thread answers on one thread only, so it is saved and loaded again, which
  // sets up a search context per core.
  const keyOf = store ? (row: number): bigint => BigInt(store.keys[row]!) : (row: number): bigint => BigInt(row);
  if (store) {
    const row = new Map<number, number>();
    store.keys.forEach((key, r) => row.set(key, r));
    rowOf = (key) => row.get(key);
  }
  const kept = store && from > 0 ? savedGraph(store, config, from) : null;
  const built = kept ?? new Index(config);
  const batch = 8192;
  for (let s = kept ? from : 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const keys = new BigUint64Array(e - s);
    for (let i = s; i < e; i++) keys[i - s] = keyOf(i);
    built.add(keys, matrix.slice(s * dims, e * dims), 1);
  }
  const dir = store?.dir ?? mkdtempSync(join(tmpdir(), 'kestrel-units-'));
  const index = new Index(config);
  try {
    const vault = store?.vault ?? new PlainVault();
    saveWithMeta(vault, dir, GRAPH_FILE, (path) => built.save(path), GRAPH_META, { signature: store?.signature ?? '', count: n } satisfies GraphMeta);
    vault.withPlainFileSync(join(dir, GRAPH_FILE), (p) => index.load(p));
  } finally {
    if (!store) rmSync(dir, { recursive: true, force: true });
  }
  for (let s = from; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    // One query comes back as a single match list (no counts), several as a batch.
    const r = index.search(matrix.slice(s * dims, e * dims), want, threads) as { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
    for (let q = s; q < e; q++) take(q - from, r.keys, r.distances, (q - s) * want, r.counts ? Number(r.counts[q - s]) : r.keys.length);
  }
  return { k, ids, scores };
}
