import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { crossDots } from './vectorDots.js';

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

/**
 * The rank strongest directions of the uncentred second moment of the rows (so that projected
 * inner products approximate the full ones, mean included). Deterministic: evenly spaced rows, a
 * symmetric eigendecomposition in double precision.
 */
export function fitSubspace(matrix: Float32Array, dims: number, rank: number): Subspace {
  const n = matrix.length / dims;
  if (!Number.isInteger(n) || n < 1) throw new Error('fitSubspace: the matrix holds no whole row');
  if (rank < 1 || rank > dims) throw new Error(`fitSubspace: rank ${rank} outside 1-${dims}`);
  const s = Math.min(n, SAMPLE_ROWS);
  // Transposed sample: each of the dims columns becomes a row of s values, so that the inner
  // products between those rows are the entries of the second-moment matrix.
  const columns = new Float32Array(dims * s);
  for (let r = 0; r < s; r++) {
    const o = Math.floor((r * n) / s) * dims;
    for (let a = 0; a < dims; a++) columns[a * s + r] = matrix[o + a]!;
  }
  const moment = crossDots(columns, columns, s);
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
export function project(matrix: Float32Array, subspace: Subspace): Float32Array {
  const { dims, rank, basis } = subspace;
  const n = matrix.length / dims;
  const out = new Float32Array(n * rank);
  const batch = 16_384;
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    out.set(crossDots(matrix.subarray(s * dims, e * dims), basis, dims), s * rank);
  }
  return out;
}

/** The subspace as saved beside a graph: its rank and its basis (base64 of rank x dims floats). */
export interface SavedSubspace {
  readonly rank?: number;
  readonly basis?: string;
}

export const encodeBasis = (s: Subspace): Required<SavedSubspace> => ({ rank: s.rank, basis: Buffer.from(s.basis.buffer, s.basis.byteOffset, s.basis.byteLength).toString('base64') });

/** The saved subspace, or null when none was saved or it does not fit vectors dims wide. */
export function decodeBasis(saved: SavedSubspace, dims: number): Subspace | null {
  if (!saved.basis || !saved.rank) return null;
  const bytes = Buffer.from(saved.basis, 'base64');
  if (bytes.length !== saved.rank * dims * 4) return null;
  const basis = new Float32Array(saved.rank * dims);
  new Uint8Array(basis.buffer).set(bytes);
  return { dims, rank: saved.rank, basis };
}
