import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { CaseVault } from '../vault/caseVault.js';
import { join } from 'node:path';
import { MetricKind, exactSearch } from 'usearch';
import type { Db } from '../db/database.js';
import { blobToVector } from '../repositories/faceRepository.js';
import { decodeBasis, encodeBasis, type SavedSubspace } from '../util/principalSubspace.js';
import { saveAllWithMeta } from '../util/saveWithMeta.js';
import { fusedVector } from './fusedVector.js';
import { ShortlistGraph, type GraphTuning } from './shortlistGraph.js';

/** What the index is now, for an examiner: how it searches, over what, and what it keeps on disk. */
export interface IndexStatus {
  readonly mode: 'exact' | 'hnsw';
  readonly faces: number;
  readonly dims: number;
  /** Recognizers (id:dims) whose fused vectors it holds. */
  readonly models: string;
  /** Files saved under derived/index/ (a graph index only) and their bytes on disk. */
  readonly files: number;
  readonly bytes: number;
}

export interface IndexedModel {
  readonly id: string;
  readonly dim: number;
}

export interface IndexHit {
  readonly faceId: number;
  /** Fused cosine (inner product of fused vectors). */
  readonly score: number;
}

/** The graph's tuning, and the size above which the index is a graph. */
export interface IndexTuning extends GraphTuning {
  /** At or below this many faces, search is exact (a native brute-force scan is faster than a graph). */
  readonly exactLimit: number;
}

/**
 * Measured with `kestrel bench search --faces 1000000` (2 cores): an exact scan of 100k fused
 * vectors takes about 24 ms; above that, an 8-bit graph of 32 links over 128 principal directions,
 * whose 1,000 best candidates per query are re-scored with the full vectors: p50 13.6 ms, recall@10
 * 0.985 at 1M (800 candidates: 11.4 ms, 0.974, too little margin over the 0.98 wanted).
 */
export const DEFAULT_INDEX_TUNING: IndexTuning = { exactLimit: 100_000, rank: 128, connectivity: 32, expansionAdd: 128, candidates: 1000 };

const GRAPH_FILE = 'faces.usearch';
const IDS_FILE = 'faces.ids';
const META_FILE = 'faces.json';
const blockFile = (b: number): string => `faces-${b}.vectors`;
/** Rows a filtered search copies and scans at a time (32 MiB of 512-dim vectors). */
const AMONG_SLICE = 16_384;
/** Rows per file of saved vectors: each file stays far below what one buffer can hold. */
const BLOCK_ROWS = 65_536;
/** Saved indexes of another layout (an earlier graph over the full vectors in half precision) are rebuilt. */
const FORMAT = 2;

interface IndexMeta extends SavedSubspace {
  readonly format: number;
  readonly signature: string;
  readonly count: number;
  readonly maxFaceId: number;
}

/**
 * The case's vector index over fused face embeddings, derived from SQLite (the source of truth).
 * It keeps every face's fused vector in memory, in face id order; small cases are scanned exactly.
 * Above `exactLimit` faces a ShortlistGraph (an 8-bit HNSW graph over the vectors' principal
 * directions, its candidates re-scored with the full vectors) is built, and saved under
 * derived/index/ with the vectors, so that a later open loads both instead of reading the database.
 * New faces are appended incrementally; a model change or any mismatch with the database rebuilds it.
 */
export class FaceIndex {
  /** Face id of each row (the first `count` are in use; the rest is room to grow). */
  private ids = new Int32Array(0);
  /** Fused vector of each row. */
  private matrix = new Float32Array(0);
  private loaded = false;
  private graph: ShortlistGraph | null = null;
  private meta: { readonly count: number; readonly maxFaceId: number } = { count: 0, maxFaceId: 0 };
  readonly dims: number;
  private readonly signature: string;

  constructor(
    private readonly db: Db, private readonly dir: string, private readonly vault: CaseVault, readonly models: readonly IndexedModel[], private readonly tuning: IndexTuning = DEFAULT_INDEX_TUNING,
  ) {
    this.dims = models.reduce((a, m) => a + m.dim, 0);
    this.signature = models.map((m) => `${m.id}:${m.dim}`).join('+');
  }

  get size(): number {
    return this.meta.count;
  }

  get mode(): 'exact' | 'hnsw' {
    return this.graph ? 'hnsw' : 'exact';
  }

  /** The index as it is after bringing it up to date. */
  status(): IndexStatus {
    this.refresh();
    const saved = this.graph && existsSync(this.dir) ? readdirSync(this.dir).filter((f) => f.startsWith('faces')) : [];
    return {
      mode: this.mode, faces: this.meta.count, dims: this.dims, models: this.signature,
      files: saved.length, bytes: saved.reduce((a, f) => a + statSync(this.path(f)).size, 0),
    };
  }

  /**
   * Forgets what is in memory and on disk and builds the index again from the database. The saved
   * metadata goes first, so an interrupted rebuild leaves nothing a later open would trust.
   */
  rebuild(): void {
    rmSync(this.path(META_FILE), { force: true });
    if (existsSync(this.dir)) for (const f of readdirSync(this.dir)) if (f.startsWith('faces')) rmSync(this.path(f), { force: true });
    this.graph = null;
    this.clear();
    this.refresh();
  }

  /** Brings the index up to date with the database: loads, appends new faces, or rebuilds. */
  refresh(): void {
    // Two queries: SQLite counts a table from its b-tree alone only when count(*) is all it is asked
    // (with max(id) beside it, it scans every row: 10 ms at 200k faces against 0.05 ms).
    const n = this.db.prepare('SELECT count(*) FROM faces').pluck().get() as number;
    const maxId = this.db.prepare('SELECT coalesce(max(id), 0) FROM faces').pluck().get() as number;
    const graphWanted = n > this.tuning.exactLimit;
    if (this.loaded && graphWanted === (this.graph !== null) && n === this.meta.count && maxId === this.meta.maxFaceId) return;
    const olderStill = this.loaded && this.vouchesFor(this.meta);
    if (graphWanted) {
      if (this.graph ? !olderStill : !this.openSaved()) this.buildGraph();
      if (this.meta.count !== n || this.meta.maxFaceId !== maxId) this.appendGraph();
    } else {
      this.graph = null;
      if (!olderStill) this.clear();
      this.appendRows(this.meta.maxFaceId);
    }
  }

  /** The k best faces by fused cosine (exact scores). */
  search(query: Float32Array, k: number): IndexHit[] {
    this.refresh();
    if (!this.meta.count || k <= 0) return [];
    if (this.graph) return this.graph.search(this.matrix, query, k)[0]!.map((h) => ({ faceId: this.ids[h.row]!, score: h.score }));
    return exactTopK(this.matrix.subarray(0, this.meta.count * this.dims), this.ids.subarray(0, this.meta.count), this.dims, query, k);
  }

  /**
   * The k best faces of each of many queries (row-major, dims each) through the graph, on all cores,
   * with exact scores; null when the index is exact (small cases), where the caller scans its own
   * vectors instead.
   */
  searchGraph(queries: Float32Array, k: number): IndexHit[][] | null {
    this.refresh();
    if (!this.graph || !this.meta.count || k <= 0) return null;
    return this.graph.search(this.matrix, queries, k).map((hits) => hits.map((h) => ({ faceId: this.ids[h.row]!, score: h.score })));
  }

  /**
   * Exact search restricted to the given faces (filters), over the vectors the index holds in memory.
   * Faces without embeddings (none of the index's models) are not candidates.
   */
  searchAmong(query: Float32Array, k: number, faceIds: readonly number[]): IndexHit[] {
    this.refresh();
    const want = Int32Array.from(faceIds).sort();
    const rows: number[] = [];
    // Both id lists ascend (rows are kept in face id order): one walk finds each wanted face's row.
    for (let i = 0, r = 0; i < want.length; i++) {
      while (r < this.meta.count && this.ids[r]! < want[i]!) r++;
      if (r < this.meta.count && this.ids[r] === want[i]) rows.push(r);
    }
    // The native scan reads from the start of a buffer, so the rows are copied out, a slice at a
    // time into one buffer (a filter passing most of a large case never copies all its vectors at
    // once); consecutive rows are copied as one block.
    const d = this.dims;
    const slice = Math.min(AMONG_SLICE, rows.length);
    const matrix = new Float32Array(slice * d);
    const ids = new Int32Array(slice);
    let best: IndexHit[] = [];
    for (let s = 0; s < rows.length; s += slice) {
      const part = rows.slice(s, s + slice);
      for (let i = 0; i < part.length;) {
        let j = i + 1;
        while (j < part.length && part[j] === part[j - 1]! + 1) j++;
        matrix.set(this.matrix.subarray(part[i]! * d, (part[j - 1]! + 1) * d), i * d);
        ids.set(this.ids.subarray(part[i]!, part[j - 1]! + 1), i);
        i = j;
      }
      const hits = exactTopK(matrix.subarray(0, part.length * d), ids.subarray(0, part.length), d, query, k);
      best = [...best, ...hits].sort((a, b) => b.score - a.score || a.faceId - b.faceId).slice(0, k);
    }
    return best;
  }

  /**
   * Each given face's embeddings as the index holds them (each recognizer's part of its fused
   * vector, scaled back to unit length), read from memory instead of the database; a recognizer
   * the face has no embedding for is left out, as are faces the index does not hold.
   */
  embeddingsOf(faceIds: readonly number[]): Map<number, Record<string, Float32Array>> {
    this.refresh();
    const out = new Map<number, Record<string, Float32Array>>();
    const scale = Math.sqrt(this.models.length);
    for (const id of faceIds) {
      if (out.has(id)) continue;
      const row = this.rowOf(id);
      if (row < 0) continue;
      const e: Record<string, Float32Array> = {};
      let off = row * this.dims;
      for (const m of this.models) {
        const v = this.matrix.slice(off, off + m.dim);
        off += m.dim;
        let any = false;
        for (let j = 0; j < v.length; j++) {
          if (v[j] !== 0) any = true;
          v[j]! *= scale;
        }
        if (any) e[m.id] = v;
      }
      out.set(id, e);
    }
    return out;
  }

  /** The row holding a face (rows ascend by face id), or -1. */
  private rowOf(faceId: number): number {
    let lo = 0;
    let hi = this.meta.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.ids[mid]!;
      if (v === faceId) return mid;
      if (v < faceId) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private forEachEmbedding(afterId: number, cb: (faceId: number, model: string, v: Float32Array) => void): void {
    const placeholders = this.models.map(() => '?').join(',');
    const ids = this.models.map((m) => m.id);
    const stmt = this.db.prepare(`SELECT face_id, model_id, vector FROM embeddings WHERE face_id > ? AND model_id IN (${placeholders}) ORDER BY face_id`);
    for (const r of stmt.iterate(afterId, ...ids) as Iterable<{ face_id: number; model_id: string; vector: Buffer }>) cb(r.face_id, r.model_id, blobToVector(r.vector));
  }

  /** Streams fused vectors of faces with id > afterId, in id order. */
  private forEachFused(afterId: number, cb: (faceId: number, v: Float32Array) => void): void {
    const modelIds = this.models.map((m) => m.id);
    const dims = this.models.map((m) => m.dim);
    let cur = -1;
    let e: Record<string, Float32Array> = {};
    const flush = (): void => {
      if (cur >= 0) cb(cur, fusedVector(e, modelIds, dims));
    };
    this.forEachEmbedding(afterId, (faceId, model, v) => {
      if (faceId !== cur) {
        flush();
        cur = faceId;
        e = {};
      }
      e[model] = v;
    });
    flush();
  }

  /** True when the database still holds exactly the faces these rows were read from (none removed or changed in between). */
  private vouchesFor(meta: { readonly count: number; readonly maxFaceId: number }): boolean {
    // All faces less the newer ones: both counts are cheap (the b-tree's count, a range of new rows).
    const all = this.db.prepare('SELECT count(*) FROM faces').pluck().get() as number;
    const newer = this.db.prepare('SELECT count(*) FROM faces WHERE id > ?').pluck().get(meta.maxFaceId) as number;
    return all - newer === meta.count;
  }

  private clear(): void {
    this.meta = { count: 0, maxFaceId: 0 };
    this.loaded = false;
  }

  /** Room for at least `rows` rows, the rows in use kept. */
  private reserve(rows: number): void {
    if (rows <= this.ids.length) return;
    const room = Math.max(rows, Math.ceil(this.ids.length * 1.125));
    const ids = new Int32Array(room);
    ids.set(this.ids.subarray(0, this.meta.count));
    const matrix = new Float32Array(room * this.dims);
    matrix.set(this.matrix.subarray(0, this.meta.count * this.dims));
    this.ids = ids;
    this.matrix = matrix;
  }

  /** Appends the fused vectors of faces with id > afterId, in id order, as new rows; returns the first new row. */
  private appendRows(afterId: number): number {
    const first = this.meta.count;
    this.reserve(first + (this.db.prepare('SELECT count(*) FROM faces WHERE id > ?').pluck().get(afterId) as number));
    let row = first;
    let maxFaceId = this.meta.maxFaceId;
    this.forEachFused(afterId, (id, v) => {
      this.reserve(row + 1);
      this.matrix.set(v, row * this.dims);
      this.ids[row++] = id;
      maxFaceId = id;
    });
    this.meta = { count: row, maxFaceId };
    this.loaded = true;
    return first;
  }

  private path(file: string): string {
    return join(this.dir, file);
  }

  /** Loads the saved graph and vectors when they match the tuning and the database; false when they do not. */
  private openSaved(): boolean {
    try {
      if (!existsSync(this.path(META_FILE))) return false;
      const meta = JSON.parse(this.vault.readFileSync(this.path(META_FILE)).toString('utf8')) as IndexMeta;
      if (meta.format !== FORMAT || meta.signature !== this.signature || !this.vouchesFor(meta)) return false;
      const subspace = decodeBasis(meta, this.dims);
      const wanted = this.dims >= 2 * this.tuning.rank ? this.tuning.rank : 0;
      if ((subspace?.rank ?? 0) !== wanted) return false;
      const graph = ShortlistGraph.empty(this.dims, this.tuning, subspace);
      this.vault.withPlainFileSync(this.path(GRAPH_FILE), (p) => graph.graph.load(p));
      const ids = this.vault.readFileSync(this.path(IDS_FILE));
      if (graph.size !== meta.count || ids.length !== meta.count * 4) return false;
      this.clear();
      this.reserve(meta.count);
      new Uint8Array(this.ids.buffer).set(ids);
      const rowBytes = this.dims * 4;
      for (let b = 0; b * BLOCK_ROWS < meta.count; b++) {
        const bytes = this.vault.readFileSync(this.path(blockFile(b)));
        if (bytes.length !== Math.min(BLOCK_ROWS, meta.count - b * BLOCK_ROWS) * rowBytes) return false;
        new Uint8Array(this.matrix.buffer, b * BLOCK_ROWS * rowBytes, bytes.length).set(bytes);
      }
      if (meta.count && this.ids[meta.count - 1] !== meta.maxFaceId) return false;
      this.graph = graph;
      this.meta = { count: meta.count, maxFaceId: meta.maxFaceId };
      this.loaded = true;
      return true;
    } catch {
      // A damaged or foreign index file: the caller rebuilds from the database.
      return false;
    }
  }

  private buildGraph(): void {
    this.graph = null;
    this.clear();
    this.appendRows(0);
    this.graph = ShortlistGraph.build(this.matrix.subarray(0, this.meta.count * this.dims), this.dims, this.tuning);
    this.save(0);
  }

  private appendGraph(): void {
    const first = this.appendRows(this.meta.maxFaceId);
    this.graph!.add(first, this.matrix.subarray(first * this.dims, this.meta.count * this.dims));
    this.save(first);
  }

  /** Saves the graph, the row ids and the blocks of vectors from row `first` on, then the metadata that vouches for them. */
  private save(first: number): void {
    const graph = this.graph!;
    const { count, maxFaceId } = this.meta;
    const rowBytes = this.dims * 4;
    const bytesOf = (a: Float32Array | Int32Array, from: number, to: number): Buffer => Buffer.from(a.buffer, a.byteOffset + from, to - from);
    const files: [string, (path: string) => void][] = [
      [GRAPH_FILE, (p) => graph.graph.save(p)],
      [IDS_FILE, (p) => writeFileSync(p, bytesOf(this.ids, 0, count * 4), { mode: 0o600 })],
    ];
    const blocks = Math.ceil(count / BLOCK_ROWS);
    for (let b = Math.floor(first / BLOCK_ROWS); b < blocks; b++) {
      const end = Math.min(count, (b + 1) * BLOCK_ROWS);
      files.push([blockFile(b), (p) => writeFileSync(p, bytesOf(this.matrix, b * BLOCK_ROWS * rowBytes, end * rowBytes), { mode: 0o600 })]);
    }
    const meta: IndexMeta = { format: FORMAT, signature: this.signature, count, maxFaceId, ...(graph.subspace ? encodeBasis(graph.subspace) : {}) };
    saveAllWithMeta(this.vault, this.dir, files, META_FILE, meta);
    // Blocks of a larger index this one replaced.
    for (let b = blocks; existsSync(this.path(blockFile(b))); b++) rmSync(this.path(blockFile(b)));
  }
}

/** Exact top-k by inner product over a row-major matrix (native scan). */
export function exactTopK(matrix: Float32Array, ids: Int32Array, dims: number, query: Float32Array, k: number): IndexHit[] {
  const n = ids.length;
  if (!n || k <= 0) return [];
  const r = exactSearch(matrix, query, dims, Math.min(k, n), MetricKind.IP, 1) as { keys: BigUint64Array; distances: Float32Array };
  return Array.from(r.keys, (key, i) => ({ faceId: ids[Number(key)]!, score: 1 - r.distances[i]! }));
}
