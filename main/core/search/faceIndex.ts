import { existsSync } from 'node:fs';
import type { CaseVault } from '../vault/caseVault.js';
import { join } from 'node:path';
import { Index, MetricKind, ScalarKind, exactSearch } from 'usearch';
import type { Db } from '../db/database.js';
import { blobToVector } from '../repositories/faceRepository.js';
import { saveWithMeta } from '../util/saveWithMeta.js';
import { fusedVector } from './fusedVector.js';

export interface IndexedModel {
  readonly id: string;
  readonly dim: number;
}

export interface IndexHit {
  readonly faceId: number;
  /** Fused cosine (inner product of fused vectors). */
  readonly score: number;
}

export interface IndexTuning {
  /** At or below this many faces, search is exact (a native brute-force scan is faster than a graph). */
  readonly exactLimit: number;
  readonly connectivity: number;
  readonly expansionAdd: number;
  readonly expansionSearch: number;
}

/** exactLimit chosen by `kestrel bench search`: an exact scan of 100k fused vectors takes about 10 ms here. */
export const DEFAULT_INDEX_TUNING: IndexTuning = { exactLimit: 100_000, connectivity: 16, expansionAdd: 128, expansionSearch: 128 };

const INDEX_FILE = 'faces.usearch';
const META_FILE = 'faces.json';

interface IndexMeta {
  readonly signature: string;
  readonly count: number;
  readonly maxFaceId: number;
}

/**
 * The case's vector index over fused face embeddings, derived from SQLite (the source of truth).
 * Small cases are searched exactly from an in-memory matrix; above `exactLimit` faces an HNSW graph
 * (usearch, half-precision) is built, saved under derived/index/ and memory-mapped on later opens.
 * New faces are appended incrementally; a model change or any mismatch with the database rebuilds it.
 */
export class FaceIndex {
  private ids = new Int32Array(0);
  private matrix = new Float32Array(0);
  private hnsw: Index | null = null;
  private meta: IndexMeta;
  readonly dims: number;
  private readonly signature: string;

  constructor(
    private readonly db: Db, private readonly dir: string, private readonly vault: CaseVault, readonly models: readonly IndexedModel[], private readonly tuning: IndexTuning = DEFAULT_INDEX_TUNING,
  ) {
    this.dims = models.reduce((a, m) => a + m.dim, 0);
    this.signature = models.map((m) => `${m.id}:${m.dim}`).join('+');
    this.meta = { signature: this.signature, count: 0, maxFaceId: 0 };
  }

  get size(): number {
    return this.meta.count;
  }

  get mode(): 'exact' | 'hnsw' {
    return this.hnsw ? 'hnsw' : 'exact';
  }

  /** Brings the index up to date with the database: loads, appends new faces, or rebuilds. */
  refresh(): void {
    const { n, maxId } = this.db.prepare('SELECT count(*) AS n, coalesce(max(id), 0) AS maxId FROM faces').get() as { n: number; maxId: number };
    if (n === this.meta.count && maxId === this.meta.maxFaceId && (this.hnsw || this.ids.length === n)) return;
    const olderStill = (this.db.prepare('SELECT count(*) FROM faces WHERE id <= ?').pluck().get(this.meta.maxFaceId) as number) === this.meta.count;
    if (n > this.tuning.exactLimit) {
      if (!this.hnsw) this.openGraph();
      else if (!olderStill) this.buildGraph();
      if (this.meta.count !== n || this.meta.maxFaceId !== maxId) this.appendGraph();
    } else {
      this.hnsw = null;
      if (!olderStill || this.ids.length !== this.meta.count) this.loadMatrix(0, true);
      else this.loadMatrix(this.meta.maxFaceId, false);
    }
  }

  /** The k best faces by fused cosine. */
  search(query: Float32Array, k: number): IndexHit[] {
    this.refresh();
    if (!this.meta.count || k <= 0) return [];
    if (this.hnsw) {
      const r = this.hnsw.search(query, Math.min(k, this.meta.count), 1);
      return Array.from(r.keys, (key, i) => ({ faceId: Number(key), score: 1 - r.distances[i]! }));
    }
    return exactTopK(this.matrix, this.ids, this.dims, query, k);
  }

  /**
   * The k best faces of each of many queries (row-major, dims each) through the graph, on all cores;
   * null when the index is exact (small cases), where the caller scans its own vectors instead.
   */
  searchGraph(queries: Float32Array, k: number): IndexHit[][] | null {
    this.refresh();
    if (!this.hnsw || !this.meta.count || k <= 0) return null;
    const n = queries.length / this.dims;
    if (!n) return [];
    // A copy: the addon reads a typed array from the start of its buffer.
    const r = this.hnsw.search(queries.slice(), Math.min(k, this.meta.count), 0) as { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
    const per = Math.min(k, this.meta.count);
    // One query comes back as a single match list (no counts), several as a batch.
    return Array.from({ length: n }, (_, q) => {
      const count = r.counts ? Number(r.counts[q]) : r.keys.length;
      return Array.from({ length: count }, (_, x) => ({ faceId: Number(r.keys[q * per + x]), score: 1 - r.distances[q * per + x]! }));
    });
  }

  /** Exact search restricted to the given faces (filters), read straight from the database. */
  searchAmong(query: Float32Array, k: number, faceIds: readonly number[]): IndexHit[] {
    const ids = Int32Array.from(faceIds);
    const matrix = new Float32Array(ids.length * this.dims);
    const row = new Map<number, number>();
    ids.forEach((id, i) => row.set(id, i));
    const byFace = new Map<number, Record<string, Float32Array>>();
    this.forEachEmbedding(0, (faceId, model, v) => {
      if (!row.has(faceId)) return;
      let e = byFace.get(faceId);
      if (!e) byFace.set(faceId, (e = {}));
      e[model] = v;
    }, faceIds);
    for (const [faceId, e] of byFace) matrix.set(fusedVector(e, this.models.map((m) => m.id), this.models.map((m) => m.dim)), row.get(faceId)! * this.dims);
    return exactTopK(matrix, ids, this.dims, query, k);
  }

  private forEachEmbedding(afterId: number, cb: (faceId: number, model: string, v: Float32Array) => void, only?: readonly number[]): void {
    const placeholders = this.models.map(() => '?').join(',');
    const ids = this.models.map((m) => m.id);
    if (only) {
      const stmt = this.db.prepare(`SELECT face_id, model_id, vector FROM embeddings WHERE face_id = ? AND model_id IN (${placeholders})`);
      for (const id of only) for (const r of stmt.iterate(id, ...ids) as Iterable<{ face_id: number; model_id: string; vector: Buffer }>) cb(r.face_id, r.model_id, blobToVector(r.vector));
      return;
    }
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

  private loadMatrix(afterId: number, reset: boolean): void {
    const ids: number[] = reset ? [] : Array.from(this.ids);
    const rows: Float32Array[] = [];
    this.forEachFused(afterId, (id, v) => {
      ids.push(id);
      rows.push(v);
    });
    const base = reset ? 0 : this.ids.length;
    const matrix = new Float32Array(ids.length * this.dims);
    if (!reset) matrix.set(this.matrix.subarray(0, base * this.dims));
    rows.forEach((v, i) => matrix.set(v, (base + i) * this.dims));
    this.ids = Int32Array.from(ids);
    this.matrix = matrix;
    this.meta = { signature: this.signature, count: ids.length, maxFaceId: ids.length ? ids[ids.length - 1]! : 0 };
  }

  private files(): { index: string; meta: string } {
    return { index: join(this.dir, INDEX_FILE), meta: join(this.dir, META_FILE) };
  }

  private newGraph(): Index {
    return new Index({
      dimensions: this.dims, metric: MetricKind.IP, quantization: ScalarKind.F16, connectivity: this.tuning.connectivity,
      expansion_add: this.tuning.expansionAdd, expansion_search: this.tuning.expansionSearch, multi: false,
    });
  }

  private openGraph(): void {
    const f = this.files();
    if (existsSync(f.index) && existsSync(f.meta)) {
      try {
        const meta = JSON.parse(this.vault.readFileSync(f.meta).toString('utf8')) as IndexMeta;
        const olderStill = (this.db.prepare('SELECT count(*) FROM faces WHERE id <= ?').pluck().get(meta.maxFaceId) as number) === meta.count;
        if (meta.signature === this.signature && olderStill) {
          const g = this.newGraph();
          this.vault.withPlainFileSync(f.index, (p) => g.load(p));
          if (g.size() === meta.count) {
            this.hnsw = g;
            this.meta = meta;
            return;
          }
        }
      } catch {
        // A damaged or foreign index file is rebuilt from the database below.
      }
    }
    this.buildGraph();
  }

  private buildGraph(): void {
    this.hnsw = this.newGraph();
    this.meta = { signature: this.signature, count: 0, maxFaceId: 0 };
    this.appendGraph();
  }

  private appendGraph(): void {
    const g = this.hnsw!;
    const batch = 4096;
    let keys: bigint[] = [];
    let vecs: Float32Array[] = [];
    let count = this.meta.count;
    let maxId = this.meta.maxFaceId;
    const flush = (): void => {
      if (!keys.length) return;
      g.add(BigUint64Array.from(keys), vecs);
      count += keys.length;
      keys = [];
      vecs = [];
    };
    this.forEachFused(this.meta.maxFaceId, (id, v) => {
      keys.push(BigInt(id));
      vecs.push(v);
      maxId = id;
      if (keys.length >= batch) flush();
    });
    flush();
    this.meta = { signature: this.signature, count, maxFaceId: maxId };
    this.save();
  }

  private save(): void {
    const g = this.hnsw!;
    saveWithMeta(this.vault, this.dir, INDEX_FILE, (path) => g.save(path), META_FILE, this.meta);
  }
}

/** Exact top-k by inner product over a row-major matrix (native scan). */
export function exactTopK(matrix: Float32Array, ids: Int32Array, dims: number, query: Float32Array, k: number): IndexHit[] {
  const n = ids.length;
  if (!n || k <= 0) return [];
  const r = exactSearch(matrix, query, dims, Math.min(k, n), MetricKind.IP, 1) as { keys: BigUint64Array; distances: Float32Array };
  return Array.from(r.keys, (key, i) => ({ faceId: ids[Number(key)]!, score: 1 - r.distances[i]! }));
}
