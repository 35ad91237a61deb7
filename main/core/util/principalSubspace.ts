import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { MetricKind, exactSearch } from 'usearch';

/**
 * The directions along which a set of vectors varies most, to search them in fewer dimensions.
 * Face embeddings concentrate their energy in few directions (the README's spectrum: about 100 of
 * 512 carry most of it), so inner products projected onto the top 128 principal directions rank
 * neighbours nearly as the full ones do, at a quarter of the cost per comparison; the full vectors
 * then re-score the shortlist exactly.
 */
export interface Subspace {
  /** Width of the vectors it projects. */
  readonly dims: number;
  readonly rank: number;
  /** rank x dims, orthonormal rows, strongest direction first. */
  readonly basis: Float32Array;
}

/** Rows sampled (evenly spaced, so the same matrix gives the same subspace) to estimate it. */
const SAMPLE_ROWS = 16_384;

/** usearch reads a typed array from the start of its buffer, so views are copied first. */
const own = (a: Float32Array): Float32Array => (a.byteOffset === 0 && a.length * 4 === a.buffer.byteLength ? a : a.slice());

/** Low 32 bits of each key (keys here are row indices; little-endian, as on every platform Kestrel ships for), without a BigInt per element. */
const keyWords = (keys: BigUint64Array): Uint32Array => new Uint32Array(keys.buffer, keys.byteOffset, keys.length * 2);

/**
 * Inner products of every row of `rows` with every row of `against` (both `dims` wide): out[r *
 * count + c] = rows[r] . against[c]. The exact scan of the vector library does the arithmetic (SIMD,
 * several threads); its answers come sorted by score, so they are put back in column order.
 */
function allDots(against: Float32Array, rows: Float32Array, dims: number, threads: number, out: Float32Array, outOffset: number): void {
  const count = against.length / dims;
  const r = exactSearch(own(against), own(rows), dims, count, MetricKind.IP, threads) as { keys: BigUint64Array; distances: Float32Array };
  const words = keyWords(r.keys);
  const n = rows.length / dims;
  for (let q = 0; q < n; q++) {
    const base = q * count;
    for (let x = 0; x < count; x++) out[outOffset + base + words[2 * (base + x)]!] = 1 - r.distances[base + x]!;
  }
}

/**
 * The rank strongest directions of the uncentred second moment of the rows (so that projected
 * inner products approximate the full ones, mean included). Deterministic: evenly spaced rows, a
 * symmetric eigendecomposition in double precision.
 */
export function fitSubspace(matrix: Float32Array, dims: number, rank: number, threads: number): Subspace {
  const n = matrix.length / dims;
  if (!Number.isInteger(n) || n < 1) throw new Error('fitSubspace: the matrix holds no whole row');
  if (rank < 1 || rank > dims) throw new Error(`fitSubspace: rank ${rank} outside 1-${dims}`);
  const s = Math.min(n, SAMPLE_ROWS);
  // Transposed sample: each of the dims columns becomes a row of s values, so that the scan's inner
  // products between those rows are the entries of the second-moment matrix.
  const columns = new Float32Array(dims * s);
  for (let r = 0; r < s; r++) {
    const o = Math.floor((r * n) / s) * dims;
    for (let a = 0; a < dims; a++) columns[a * s + r] = matrix[o + a]!;
  }
  const moment = new Float32Array(dims * dims);
  allDots(columns, columns, s, threads, moment, 0);
  const m = new Matrix(dims, dims);
  for (let a = 0; a < dims; a++) for (let b = 0; b < dims; b++) m.set(a, b, (moment[a * dims + b]! + moment[b * dims + a]!) / (2 * s));
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]).map(([, i]) => i);
  const basis = new Float32Array(rank * dims);
  for (let c = 0; c < rank; c++) for (let a = 0; a < dims; a++) basis[c * dims + a] = vectors.get(a, order[c]!);
  return { dims, rank, basis };
}

/** The rows' coordinates in the subspace (n x rank). */
export function project(matrix: Float32Array, subspace: Subspace, threads: number): Float32Array {
  const { dims, rank, basis } = subspace;
  const n = matrix.length / dims;
  const out = new Float32Array(n * rank);
  const batch = 16_384;
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    allDots(basis, matrix.subarray(s * dims, e * dims), dims, threads, out, s * rank);
  }
  return out;
}
