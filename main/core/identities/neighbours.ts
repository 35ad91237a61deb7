import { mkdtempSync, rmSync } from 'node:fs';
import { PlainVault, type CaseVault } from '../vault/caseVault.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index, MetricKind, ScalarKind, exactSearch } from 'usearch';
import { saveWithMeta } from '../util/saveWithMeta.js';
import { fitSubspace, project, type Subspace } from '../util/principalSubspace.js';
import { RowDots } from './vectorDots.js';

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
  /**
   * The graph holds the units' coordinates in their strongest this many principal directions (0:
   * the full vectors), when the vectors are at least twice as wide; its nearest `shortlist` units
   * are then re-scored with the full vectors and the best k kept.
   */
  readonly subspaceRank: number;
  readonly shortlist: number;
}

/**
 * Measured with `kestrel bench cluster` on 100,000 synthetic 512-d faces (README): a graph in 8-bit
 * (16 links, 40 while adding) over the full vectors, 64 while searching, took 81 s for the graph
 * and 30-NN, BCubed F1 0.903; over the 128 strongest principal directions, 100 while searching and
 * that many re-scored in full, 61 s and F1 0.919 (precision 0.855 -> 0.869); its one-thread build
 * at 1,000,000 faces took 500 s instead of about 24 min. Real sets forced through the graph (FG-NET,
 * AT&T, small_identity_sets) cluster exactly as with the exact scan. The exact scan is quadratic
 * (20,000 units took 23 s), so the graph takes over above 5,000 units.
 */
export const DEFAULT_NEIGHBOUR_TUNING: NeighbourTuning = {
  exactLimit: 5_000, connectivity: 16, expansionAdd: 40, expansionSearch: 100, subspaceRank: 128, shortlist: 100,
};

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
  /** The subspace the graph's coordinates are in (base64 of its rank x dims floats), if any. */
  readonly basis?: string;
  readonly rank?: number;
}

const encodeBasis = (s: Subspace): string => Buffer.from(s.basis.buffer, s.basis.byteOffset, s.basis.byteLength).toString('base64');

function decodeBasis(meta: GraphMeta, dims: number): Subspace | null {
  if (!meta.basis || !meta.rank) return null;
  const bytes = Buffer.from(meta.basis, 'base64');
  if (bytes.length !== meta.rank * dims * 4) return null;
  const basis = new Float32Array(meta.rank * dims);
  new Uint8Array(basis.buffer).set(bytes);
  return { dims, rank: meta.rank, basis };
}

const GRAPH_FILE = 'units.usearch';
const GRAPH_META = 'units.json';

/**
 * The saved graph when it holds exactly the rows [0, from) of this run (same recognizers, same
 * keys, nothing more, same kind of coordinates); else null. Loaded into memory, so that new units
 * can be added, with the subspace its coordinates are in (new units are projected onto that one).
 */
function savedGraph(store: UnitGraphStore, configOf: (width: number) => GraphConfig, dims: number, useSubspace: boolean, from: number): { graph: Index; subspace: Subspace | null } | null {
  try {
    const meta = JSON.parse(store.vault.readFileSync(join(store.dir, GRAPH_META)).toString('utf8')) as GraphMeta;
    if (meta.signature !== store.signature || meta.count !== from) return null;
    const subspace = decodeBasis(meta, dims);
    if (useSubspace !== (subspace !== null)) return null;
    const g = new Index(configOf(subspace?.rank ?? dims));
    store.vault.withPlainFileSync(join(store.dir, GRAPH_FILE), (p) => g.load(p));
    if (g.size() !== from) return null;
    const keys = BigUint64Array.from(store.keys.subarray(0, from), (k) => BigInt(k));
    const found = g.contains(keys) as boolean[] | boolean;
    if (Array.isArray(found) ? found.some((f) => !f) : !found) return null;
    return { graph: g, subspace };
  } catch {
    return null; // missing, damaged or foreign: rebuilt
  }
}

type GraphConfig = ConstructorParameters<typeof Index>[0];

export interface NeighbourOptions {
  readonly tuning?: NeighbourTuning;
  /** Only units [from, n) are searched (and, with a kept graph, added). */
  readonly from?: number;
  readonly store?: UnitGraphStore | undefined;
  /** Inner products of the matrix's rows, when the caller has them already (they copy the matrix). */
  readonly rows?: RowDots;
}

/**
 * The K nearest units by fused cosine for units [from, n) against all units, excluding each unit
 * itself. Exact for small sets; an HNSW graph (8-bit) for large ones, over the units' strongest
 * principal directions with the shortlist re-scored in full; its misses are mostly far-away units
 * anyway (the clusterer only links units far above their cohort). With a store, the graph is kept
 * in the case: a run whose rows [0, from) are the graph's adds only rows [from, n).
 */
export function nearestUnits(matrix: Float32Array, dims: number, k: number, threads: number, options: NeighbourOptions = {}): Candidates {
  const { tuning = DEFAULT_NEIGHBOUR_TUNING, from = 0, store } = options;
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
  const configOf = (width: number): GraphConfig => ({
    dimensions: width, metric: MetricKind.IP, quantization: ScalarKind.I8, connectivity: tuning.connectivity,
    expansion_add: tuning.expansionAdd, expansion_search: tuning.expansionSearch, multi: false,
  });
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
  const useSubspace = tuning.subspaceRank > 0 && dims >= 2 * tuning.subspaceRank;
  const kept = store && from > 0 ? savedGraph(store, configOf, dims, useSubspace, from) : null;
  const subspace = kept ? kept.subspace : useSubspace ? fitSubspace(matrix, dims, tuning.subspaceRank, threads) : null;
  const width = subspace?.rank ?? dims;
  const first = kept ? from : 0;
  // Coordinates of the rows the graph adds or searches: [first, n).
  const coords = subspace ? project(matrix.subarray(first * dims), subspace, threads) : matrix.subarray(first * dims);
  const built = kept?.graph ?? new Index(configOf(width));
  const batch = 8192;
  for (let s = first; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const keys = new BigUint64Array(e - s);
    for (let i = s; i < e; i++) keys[i - s] = keyOf(i);
    built.add(keys, coords.slice((s - first) * width, (e - first) * width), 1);
  }
  const dir = store?.dir ?? mkdtempSync(join(tmpdir(), 'kestrel-units-'));
  const index = new Index(configOf(width));
  try {
    const vault = store?.vault ?? new PlainVault();
    const meta: GraphMeta = { signature: store?.signature ?? '', count: n, ...(subspace ? { rank: subspace.rank, basis: encodeBasis(subspace) } : {}) };
    saveWithMeta(vault, dir, GRAPH_FILE, (path) => built.save(path), GRAPH_META, meta);
    vault.withPlainFileSync(join(dir, GRAPH_FILE), (p) => index.load(p));
  } finally {
    if (!store) rmSync(dir, { recursive: true, force: true });
  }
  const asked = subspace ? Math.min(Math.max(tuning.shortlist, want), n) : want;
  const rescore = subspace ? shortlistRescorer(options.rows ?? new RowDots(matrix, dims), k, ids, scores, from, rowOf) : null;
  for (let s = from; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    // One query comes back as a single match list (no counts), several as a batch.
    const r = index.search(coords.slice((s - first) * width, (e - first) * width), asked, threads) as { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
    for (let q = s; q < e; q++) {
      const count = r.counts ? Number(r.counts[q - s]) : r.keys.length;
      if (rescore) rescore(q - from, r.keys, (q - s) * asked, count);
      else take(q - from, r.keys, r.distances, (q - s) * asked, count);
    }
  }
  return { k, ids, scores };
}

/**
 * Keeps, of a unit's shortlist, the k with the highest full inner products (ties to the smaller
 * row), written into ids/scores in that order.
 */
function shortlistRescorer(dots: RowDots, k: number, ids: Int32Array, scores: Float32Array, from: number, rowOf: (key: number) => number | undefined) {
  const rowS = new Float64Array(k);
  const rowJ = new Int32Array(k);
  return (q: number, keys: BigUint64Array, base: number, count: number): void => {
    const self = from + q;
    let len = 0;
    for (let x = 0; x < count; x++) {
      const j = rowOf(Number(keys[base + x]));
      if (j === undefined || j === self) continue;
      const sc = dots.dot(self, j);
      if (len === k && (sc < rowS[k - 1]! || (sc === rowS[k - 1] && j > rowJ[k - 1]!))) continue;
      let p = len < k ? len++ : k - 1;
      while (p > 0 && (rowS[p - 1]! < sc || (rowS[p - 1] === sc && rowJ[p - 1]! > j))) { rowS[p] = rowS[p - 1]!; rowJ[p] = rowJ[p - 1]!; p--; }
      rowS[p] = sc;
      rowJ[p] = j;
    }
    for (let x = 0; x < len; x++) { ids[q * k + x] = rowJ[x]!; scores[q * k + x] = rowS[x]!; }
  };
}
