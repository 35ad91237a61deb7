import { rng } from '../util/rng.js';

/**
 * How synthetic fused embeddings are drawn for the scale benchmarks.
 * - `spectrum`: shaped like the accurate profile's real fused vectors. Measured on 4,614 real faces
 *   (FG-NET, KinFaceW, AT&T, small identity sets): the variance of the k-th component falls off as
 *   (k + 60)^-2.4 (within 3.5 points of the real cumulative variance at every k; drawn vectors'
 *   participation ratio 101 of 512, real 106), the mean vector has length 0.176, and on FG-NET the
 *   spread between people's centres (total variance 0.42) is about that within one person across
 *   ages (0.46). Drawn as gaussians with that spectrum, turned by a random orthogonal transform.
 *   Its intrinsic dimension (TwoNN) is 31, against 14 for the real vectors: still harder for a graph.
 * - `uniform`: the earlier worst case: identity centres uniform in a 512-d cube with uniform noise,
 *   so all 512 directions are equally spread (TwoNN 64); nothing like a recognizer's output.
 */
export type FaceGenerator = 'spectrum' | 'uniform';
export const FACE_GENERATORS: readonly FaceGenerator[] = ['spectrum', 'uniform'];

export interface SyntheticFaces {
  /** n x dims, row-major, each row of unit length. */
  readonly data: Float32Array;
  /** queries x dims: unseen faces of stored identities. */
  readonly q: Float32Array;
  /** The identity of each stored face. */
  readonly identity: Int32Array;
}

/** Component k's variance is proportional to (k + offset)^-decay, fitted to the real cumulative variance. */
const SPECTRUM_OFFSET = 60;
const SPECTRUM_DECAY = 2.4;
const BETWEEN_VARIANCE = 0.42;
const WITHIN_VARIANCE = 0.46;
const MEAN_LENGTH = 0.176;

/** Xorshift32 in [-0.5, 0.5): the uniform generator's own stream, kept so its figures still compare. */
function centredXorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** Standard normal draws (Box-Muller, both values used). */
function gaussian(uniform01: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const u = 1 - uniform01();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * uniform01();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
}

/** In-place fast Walsh-Hadamard transform of a power-of-two length, scaled to be orthogonal. */
export function hadamard(v: Float32Array): void {
  const n = v.length;
  for (let h = 1; h < n; h <<= 1) {
    for (let i = 0; i < n; i += h << 1) {
      for (let j = i; j < i + h; j++) {
        const a = v[j]!;
        const b = v[j + h]!;
        v[j] = a + b;
        v[j + h] = a - b;
      }
    }
  }
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < n; i++) v[i]! *= s;
}

/** Identity sizes: 1-20 faces each, uniformly, until n faces are placed. */
function identitySizes(n: number, next: () => number): number[] {
  const sizes: number[] = [];
  for (let placed = 0; placed < n;) {
    const m = Math.min(n - placed, 1 + Math.floor(next() * 20));
    sizes.push(m);
    placed += m;
  }
  return sizes;
}

function uniformFaces(n: number, queries: number, dims: number, seed: number): SyntheticFaces {
  const r = centredXorshift(seed);
  const data = new Float32Array(n * dims);
  const q = new Float32Array(queries * dims);
  const centres: Float32Array[] = [];
  const identity = new Int32Array(n);
  const face = (out: Float32Array, off: number, c: Float32Array): void => {
    let norm = 0;
    for (let j = 0; j < dims; j++) { const v = c[j]! + r() * 1.2; out[off + j] = v; norm += v * v; }
    norm = Math.sqrt(norm);
    for (let j = 0; j < dims; j++) out[off + j]! /= norm;
  };
  let i = 0;
  while (i < n) {
    const c = Float32Array.from({ length: dims }, () => r());
    centres.push(c);
    const m = Math.min(n - i, 1 + Math.floor((r() + 0.5) * 20));
    for (let t = 0; t < m; t++, i++) {
      face(data, i * dims, c);
      identity[i] = centres.length - 1;
    }
  }
  for (let t = 0; t < queries; t++) face(q, t * dims, centres[Math.floor((r() + 0.5) * centres.length) % centres.length]!);
  return { data, q, identity };
}

function spectrumFaces(n: number, queries: number, dims: number, seed: number): SyntheticFaces {
  const next = rng(seed);
  const g = gaussian(next);
  let width = 1;
  while (width < dims) width <<= 1;
  // Per-component standard deviations of centres and of faces around them (rank^-decay spectrum).
  const weight = Float64Array.from({ length: dims }, (_, k) => (k + 1 + SPECTRUM_OFFSET) ** -SPECTRUM_DECAY);
  const total = weight.reduce((a, b) => a + b, 0);
  const between = Float32Array.from(weight, (w) => Math.sqrt((w / total) * BETWEEN_VARIANCE));
  const within = Float32Array.from(weight, (w) => Math.sqrt((w / total) * WITHIN_VARIANCE));
  // A random orthogonal transform: random signs, then the Hadamard transform.
  const signs = Float32Array.from({ length: width }, () => (next() < 0.5 ? -1 : 1));
  const mean = Float32Array.from({ length: dims }, () => g());
  const meanNorm = Math.hypot(...mean);
  for (let j = 0; j < dims; j++) mean[j] = (mean[j]! / meanNorm) * MEAN_LENGTH;
  const sizes = identitySizes(n, next);
  const centres = new Float32Array(sizes.length * dims);
  for (let i = 0; i < centres.length; i++) centres[i] = g() * between[i % dims]!;
  const work = new Float32Array(width);
  const face = (out: Float32Array, off: number, who: number): void => {
    work.fill(0);
    for (let j = 0; j < dims; j++) work[j] = (centres[who * dims + j]! + g() * within[j]!) * signs[j]!;
    hadamard(work);
    let norm = 0;
    for (let j = 0; j < dims; j++) { const v = work[j]! + mean[j]!; out[off + j] = v; norm += v * v; }
    norm = Math.sqrt(norm);
    for (let j = 0; j < dims; j++) out[off + j]! /= norm;
  };
  const data = new Float32Array(n * dims);
  const identity = new Int32Array(n);
  let i = 0;
  sizes.forEach((m, who) => {
    for (let t = 0; t < m; t++, i++) {
      face(data, i * dims, who);
      identity[i] = who;
    }
  });
  const q = new Float32Array(queries * dims);
  for (let t = 0; t < queries; t++) face(q, t * dims, Math.floor(next() * sizes.length));
  return { data, q, identity };
}

/**
 * Synthetic faces shaped like a case: identities with 1-20 faces each, every face its identity's
 * centre plus noise, L2-normalised. Queries are unseen faces of stored identities.
 */
export function syntheticFaces(n: number, queries: number, dims: number, seed: number, generator: FaceGenerator = 'spectrum'): SyntheticFaces {
  return generator === 'uniform' ? uniformFaces(n, queries, dims, seed) : spectrumFaces(n, queries, dims, seed);
}
