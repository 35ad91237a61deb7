import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Index, MetricKind, ScalarKind, type IndexConfig } from 'usearch';
import { PlainVault, type CaseVault } from '../vault/caseVault.js';
import { saveAllWithMeta } from '../util/saveWithMeta.js';
import type { ShardJob, ShardReply } from './graphWorker.js';
import { decodeBasis, encodeBasis, fitSubspace, project, type SavedSubspace, type Subspace } from '../util/principalSubspace.js';
import { RowDots } from '../util/vectorDots.js';

/** Each unit's candidate neighbours (row indices) and their raw fused cosines, K per unit. */
export interface Candidates {
  readonly k: number;
  /** n x k unit indices (-1 where fewer exist). */
  readonly ids: Int32Array;
  readonly scores: Float32Array;
}

export interface NeighbourTuning {
  /** At or below this many units the scan is exact; above it HNSW graphs are built in memory. */
  readonly exactLimit: number;
  readonly connectivity: number;
  readonly expansionAdd: number;
  readonly expansionSearch: number;
  /**
   * The graph holds the units' coordinates in their strongest this many principal directions (0:
   * the full vectors), when the vectors are at least twice as wide. Each unit's nearest `shortlist`
   * units in the graph are re-scored with the full vectors and the best k kept.
   */
  readonly subspaceRank: number;
  readonly shortlist: number;
  /**
   * Graphs the units are spread over, built side by side; each is searched for its share of the
   * shortlist, with its share of expansionSearch.
   */
  readonly shards: number;
}

/**
 * Measured with `kestrel bench cluster` on 100,000 synthetic 512-d faces (README): a graph in 8-bit
 * (16 links, 40 while adding) over the full vectors, 64 while searching, took 81 s for the graph
 * and 30-NN, BCubed F1 0.903; over the 128 strongest principal directions, 100 while searching and
 * that many re-scored in full, 61 s and F1 0.919 (precision 0.855 -> 0.869); its one-thread build
 * at 1,000,000 faces took 500 s instead of about 24 min. Two such graphs built side by side, each
 * searched for 50: 46 s, F1 0.920 (session 18). The searches then took most of a 1,000,000-face run
 * (470 of 1,368 s), over its 20-minute target. Since session 19 each graph returns 32 of the 50 it
 * keeps while searching, and the 64 are re-scored: 1,000,000 faces in 962 s with BCubed F1 0.671
 * (0.673 before); keeping only 32 while searching was no faster there (1,003 s) and clustered worse
 * (F1 0.612), keeping 40 gave 926 s and F1 0.641. Real sets forced through the graph (FG-NET, AT&T,
 * small_identity_sets) cluster exactly as with the exact scan. The exact scan is quadratic, so the
 * graph takes over above 5,000 units.
 */
export const DEFAULT_NEIGHBOUR_TUNING: NeighbourTuning = {
  exactLimit: 5_000, connectivity: 16, expansionAdd: 40, expansionSearch: 100, subspaceRank: 128, shortlist: 64, shards: 2,
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

/** With the subspace the graph's coordinates are in, if any. */
interface GraphMeta extends SavedSubspace {
  readonly signature: string;
  readonly count: number;
  /** Shards the units are spread over (unit i in shard i mod shards). */
  readonly shards: number;
}

const shardFile = (s: number): string => `units-${s}.usearch`;
const GRAPH_META = 'units.json';
/** The one-graph file of earlier versions, removed when shards replace it. */
const LEGACY_GRAPH_FILE = 'units.usearch';

/** The units of shard s among rows [start, end): s, s + shards, ... */
function shardRows(s: number, shards: number, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start + ((s - (start % shards) + shards) % shards); i < end; i += shards) out.push(i);
  return out;
}

/**
 * The saved graph when it holds exactly the rows [0, from) of this run (same recognizers, same
 * keys, nothing more, same shards, same kind of coordinates); else null. Loaded into memory, so
 * that new units can be added, with the subspace its coordinates are in (new units are projected
 * onto that one).
 */
function savedGraph(store: UnitGraphStore, configOf: (width: number) => GraphConfig, dims: number, useSubspace: boolean, shards: number, from: number): { graphs: Index[]; subspace: Subspace | null } | null {
  try {
    const meta = JSON.parse(store.vault.readFileSync(join(store.dir, GRAPH_META)).toString('utf8')) as GraphMeta;
    if (meta.signature !== store.signature || meta.count !== from || meta.shards !== shards) return null;
    const subspace = decodeBasis(meta, dims);
    if (useSubspace !== (subspace !== null)) return null;
    const graphs: Index[] = [];
    for (let s = 0; s < shards; s++) {
      const g = new Index(configOf(subspace?.rank ?? dims));
      store.vault.withPlainFileSync(join(store.dir, shardFile(s)), (p) => g.load(p));
      const rowsOf = shardRows(s, shards, 0, from);
      if (g.size() !== rowsOf.length) return null;
      if (rowsOf.length) {
        const found = g.contains(BigUint64Array.from(rowsOf, (r) => BigInt(store.keys[r]!))) as boolean[] | boolean;
        if (Array.isArray(found) ? found.some((f) => !f) : !found) return null;
      }
      graphs.push(g);
    }
    return { graphs, subspace };
  } catch {
    return null; // missing, damaged or foreign: rebuilt
  }
}

type GraphConfig = IndexConfig;

export interface NeighbourOptions {
  readonly tuning?: NeighbourTuning;
  /** Only units [from, n) are searched (and, with a kept graph, added). */
  readonly from?: number;
  readonly store?: UnitGraphStore | undefined;
  /** Inner products of the matrix's rows, when the caller has them already (they copy the matrix). */
  readonly rows?: RowDots;
}

/** From TypeScript sources (tests, tsx) the worker needs tsx's loader; in the bundle it is plain .js beside the entry. */
function startShardWorker(): Worker {
  if (import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('../faces/devWorkerLoader.mjs', import.meta.url), { workerData: { entry: new URL('./graphWorker.ts', import.meta.url).href } });
  }
  return new Worker(new URL('./graphWorker.js', import.meta.url));
}

/** Builds one shard in a worker thread and loads it here. */
async function shardInWorker(job: Omit<ShardJob, 'path'>): Promise<Index> {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-shard-'));
  const path = join(dir, 'shard.usearch');
  const worker = startShardWorker();
  try {
    const reply = await new Promise<ShardReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the graph worker stopped (exit code ${code})`)));
      // The coordinates and keys are handed over, not copied (they were gathered for this shard).
      worker.postMessage({ ...job, path } satisfies ShardJob, [job.coords.buffer as ArrayBuffer, job.keys.buffer as ArrayBuffer]);
    });
    if (!reply.ok) throw new Error(`building the neighbour graph failed: ${reply.error}`);
    const g = new Index(job.config);
    g.load(path);
    return g;
  } finally {
    void worker.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The K nearest units by fused cosine for units [from, n) against all units, excluding each unit
 * itself. Exact for small sets; for large ones, HNSW graphs (8-bit) over the units' strongest
 * principal directions, with each unit's shortlist re-scored in full; the graph's misses are mostly
 * far-away units anyway (the clusterer only links units far above their cohort). The units are
 * spread over shards (unit i in shard i mod shards), each built on one thread in unit order, side
 * by side in worker threads: the same case gives the same graph, and so the same identities, on
 * every run and machine, while the cores share the work (concurrent insertion into one graph links
 * it in whatever order the threads happen to run). Every unit searches every shard. With a store,
 * the shards are kept in the case: a run whose rows [0, from) are the graph's adds only rows
 * [from, n), each to its shard.
 */
export async function nearestUnits(matrix: Float32Array, dims: number, k: number, threads: number, options: NeighbourOptions = {}): Promise<Candidates> {
  const { tuning = DEFAULT_NEIGHBOUR_TUNING, from = 0, store } = options;
  const n = matrix.length / dims;
  const rows = n - from;
  const ids = new Int32Array(rows * k).fill(-1);
  const scores = new Float32Array(rows * k);
  if (!rows || n < 2) return { k, ids, scores };
  const dots = (): RowDots => options.rows ?? new RowDots(matrix, dims);
  if (n <= tuning.exactLimit) {
    const best = new BestRow(k, ids, scores);
    const d = dots();
    for (let i = from; i < n; i++) {
      best.start();
      for (let j = 0; j < n; j++) if (j !== i) best.offer(j, d.dot(i, j));
      best.write(i - from);
    }
    return { k, ids, scores };
  }
  const shards = Math.max(1, tuning.shards);
  const configOf = (width: number): GraphConfig => ({
    dimensions: width, metric: MetricKind.IP, quantization: ScalarKind.I8, connectivity: tuning.connectivity,
    expansion_add: tuning.expansionAdd, expansion_search: Math.ceil(tuning.expansionSearch / shards), multi: false,
  });
  const keyOf = store ? (row: number): bigint => BigInt(store.keys[row]!) : (row: number): bigint => BigInt(row);
  let rowOf = (key: number): number | undefined => key;
  if (store) {
    const row = new Map<number, number>();
    store.keys.forEach((key, r) => row.set(key, r));
    rowOf = (key) => row.get(key);
  }
  const useSubspace = tuning.subspaceRank > 0 && dims >= 2 * tuning.subspaceRank;
  const kept = store && from > 0 ? savedGraph(store, configOf, dims, useSubspace, shards, from) : null;
  const subspace = kept ? kept.subspace : useSubspace ? fitSubspace(matrix, dims, tuning.subspaceRank) : null;
  const width = subspace?.rank ?? dims;
  const first = kept ? from : 0;
  // Coordinates of the rows the graph adds or searches: [first, n).
  const coords = subspace ? project(matrix.subarray(first * dims), subspace) : matrix.subarray(first * dims);
  const coordsOf = (rowsOf: readonly number[]): Float32Array => {
    const out = new Float32Array(rowsOf.length * width);
    rowsOf.forEach((r, x) => out.set(coords.subarray((r - first) * width, (r - first + 1) * width), x * width));
    return out;
  };
  const jobOf = (s: number): Omit<ShardJob, 'path'> => {
    const rowsOf = shardRows(s, shards, first, n);
    return { config: configOf(width), coords: coordsOf(rowsOf), keys: BigUint64Array.from(rowsOf, keyOf) };
  };
  let built: Index[];
  if (kept) {
    // A few new units: added here, each to its shard, on one thread.
    built = kept.graphs;
    built.forEach((g, s) => {
      const job = jobOf(s);
      if (job.keys.length) g.add(job.keys, job.coords, 1);
    });
  } else {
    built = new Array<Index>(shards);
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let s = next++; s < shards; s = next++) built[s] = await shardInWorker(jobOf(s));
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(threads, shards)) }, lane));
  }
  // A graph built on one thread answers on one thread only, so each shard is saved and loaded
  // again, which sets up a search context per core.
  const dir = store?.dir ?? mkdtempSync(join(tmpdir(), 'kestrel-units-'));
  const graphs = built.map(() => new Index(configOf(width)));
  try {
    const vault = store?.vault ?? new PlainVault();
    const meta: GraphMeta = { signature: store?.signature ?? '', count: n, shards, ...(subspace ? encodeBasis(subspace) : {}) };
    saveAllWithMeta(vault, dir, built.map((g, s) => [shardFile(s), (path: string) => g.save(path)] as const), GRAPH_META, meta);
    rmSync(join(dir, LEGACY_GRAPH_FILE), { force: true });
    graphs.forEach((g, s) => vault.withPlainFileSync(join(dir, shardFile(s)), (p) => g.load(p)));
  } finally {
    if (!store) rmSync(dir, { recursive: true, force: true });
  }
  const perShard = Math.min(Math.ceil(Math.max(tuning.shortlist, k + 1) / shards), n);
  const rescore = shortlistRescorer(dots(), k, ids, scores, from, rowOf);
  const batch = 8192;
  for (let s = from; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const queries = coords.slice((s - first) * width, (e - first) * width);
    // One query comes back as a single match list (no counts), several as a batch.
    const found = graphs.map((g) => g.search(queries, perShard, threads) as { keys: BigUint64Array; counts?: BigUint64Array });
    for (let q = s; q < e; q++) rescore(q - from, found.map((r) => ({ keys: r.keys, base: (q - s) * perShard, count: r.counts ? Number(r.counts[q - s]) : r.keys.length })));
  }
  return { k, ids, scores };
}

/** The k best (row, score) offered for one unit, highest score first, ties to the smaller row. */
class BestRow {
  private readonly rowS: Float64Array;
  private readonly rowJ: Int32Array;
  private len = 0;
  constructor(private readonly k: number, private readonly ids: Int32Array, private readonly scores: Float32Array) {
    this.rowS = new Float64Array(k);
    this.rowJ = new Int32Array(k);
  }
  start(): void {
    this.len = 0;
  }
  offer(j: number, sc: number): void {
    const { k, rowS, rowJ } = this;
    if (this.len === k && (sc < rowS[k - 1]! || (sc === rowS[k - 1] && j > rowJ[k - 1]!))) return;
    let p = this.len < k ? this.len++ : k - 1;
    while (p > 0 && (rowS[p - 1]! < sc || (rowS[p - 1] === sc && rowJ[p - 1]! > j))) { rowS[p] = rowS[p - 1]!; rowJ[p] = rowJ[p - 1]!; p--; }
    rowS[p] = sc;
    rowJ[p] = j;
  }
  /** Into row q of ids / scores. */
  write(q: number): void {
    for (let x = 0; x < this.len; x++) { this.ids[q * this.k + x] = this.rowJ[x]!; this.scores[q * this.k + x] = this.rowS[x]!; }
  }
}

/** Keeps, of a unit's shortlists (one per shard), the k with the highest full inner products (ties to the smaller row). */
function shortlistRescorer(dots: RowDots, k: number, ids: Int32Array, scores: Float32Array, from: number, rowOf: (key: number) => number | undefined) {
  const best = new BestRow(k, ids, scores);
  return (q: number, lists: readonly { keys: BigUint64Array; base: number; count: number }[]): void => {
    const self = from + q;
    best.start();
    for (const { keys, base, count } of lists) {
      for (let x = 0; x < count; x++) {
        const j = rowOf(Number(keys[base + x]));
        if (j !== undefined && j !== self) best.offer(j, dots.dot(self, j));
      }
    }
    best.write(q);
  };
}
