import { Index, MetricKind, ScalarKind } from 'usearch';
import { fitSubspace, project, type Subspace } from '../util/principalSubspace.js';
import { rowDot } from './similarity.js';

export interface GraphTuning {
  /** Principal directions the graph is built over (the full vectors when they are not at least twice as wide). */
  readonly rank: number;
  readonly connectivity: number;
  readonly expansionAdd: number;
  /** Graph candidates per query re-scored with the full vectors (at least the number asked). */
  readonly candidates: number;
}

export interface RowHit {
  readonly row: number;
  /** Exact inner product of the full vectors. */
  readonly score: number;
}

/** The graph's own search breadth; a search asks for more (the candidates), which widens it to that. */
const SEARCH_FLOOR = 64;

/** Up to this many rows are projected with a plain loop. */
const FEW_ROWS = 16;

/**
 * The approximate stage of a search over many vectors: an HNSW graph (usearch, 8-bit) over the
 * rows' strongest principal directions, whose candidates are re-scored with the full vectors, so
 * every score it returns is exact and only what is shortlisted is approximate. The graph's keys are
 * row numbers of the full matrix, which its owner keeps (the graph holds no full vector).
 */
export class ShortlistGraph {
  private constructor(readonly graph: Index, readonly subspace: Subspace | null, readonly dims: number, readonly tuning: GraphTuning) {}

  /** A graph over rows [0, n) of matrix, built on all cores. */
  static build(matrix: Float32Array, dims: number, tuning: GraphTuning): ShortlistGraph {
    const subspace = dims >= 2 * tuning.rank ? fitSubspace(matrix, dims, tuning.rank) : null;
    const g = ShortlistGraph.empty(dims, tuning, subspace);
    g.add(0, matrix);
    return g;
  }

  /** An empty graph over the given subspace (null: the full vectors), e.g. to load a saved one into. */
  static empty(dims: number, tuning: GraphTuning, subspace: Subspace | null): ShortlistGraph {
    const width = subspace?.rank ?? dims;
    const graph = new Index({
      dimensions: width, metric: MetricKind.IP, quantization: ScalarKind.I8, connectivity: tuning.connectivity,
      expansion_add: tuning.expansionAdd, expansion_search: SEARCH_FLOOR, multi: false,
    });
    return new ShortlistGraph(graph, subspace, dims, tuning);
  }

  get size(): number {
    return this.graph.size();
  }

  private coords(rows: Float32Array): Float32Array {
    // A copy either way: the addon reads a typed array from the start of its buffer.
    if (!this.subspace) return rows.slice();
    const n = rows.length / this.dims;
    if (n > FEW_ROWS) return project(rows, this.subspace);
    // A few queries: a plain loop (project() sets up its kernel per call, which costs more here).
    const { rank, basis } = this.subspace;
    const out = new Float32Array(n * rank);
    for (let r = 0; r < n; r++) for (let c = 0; c < rank; c++) out[r * rank + c] = rowDot(rows, r, basis, c, this.dims);
    return out;
  }

  /** Adds the rows (row-major, dims wide) as rows firstRow, firstRow + 1, ... on all cores. */
  add(firstRow: number, rows: Float32Array): void {
    const n = rows.length / this.dims;
    const batch = 16_384;
    for (let s = 0; s < n; s += batch) {
      const e = Math.min(n, s + batch);
      const keys = BigUint64Array.from({ length: e - s }, (_, x) => BigInt(firstRow + s + x));
      this.graph.add(keys, this.coords(rows.subarray(s * this.dims, e * this.dims)), 0);
    }
  }

  /**
   * The k best rows of `vectors` (the full matrix the graph was built over) for each query
   * (row-major, dims wide) by exact inner product among the graph's candidates, best first. One query
   * is searched on this thread; several on all cores. `candidates` overrides the tuning's (benches).
   */
  search(vectors: Float32Array, queries: Float32Array, k: number, candidates = this.tuning.candidates): RowHit[][] {
    const n = queries.length / this.dims;
    const size = this.size;
    if (!n || !size || k <= 0) return Array.from({ length: n }, () => []);
    const per = Math.min(size, Math.max(k, candidates));
    const r = this.graph.search(this.coords(queries), per, n === 1 ? 1 : 0) as { keys: BigUint64Array; counts?: BigUint64Array };
    // One query comes back as a single match list (no counts), several as a batch.
    return Array.from({ length: n }, (_, q) => {
      const count = r.counts ? Number(r.counts[q]) : r.keys.length;
      const hits: RowHit[] = [];
      for (let x = 0; x < count; x++) {
        const row = Number(r.keys[q * per + x]);
        hits.push({ row, score: rowDot(vectors, row, queries, q, this.dims) });
      }
      return hits.sort((a, b) => b.score - a.score || a.row - b.row).slice(0, k);
    });
  }
}
