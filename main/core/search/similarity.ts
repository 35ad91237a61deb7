/** Cosine similarity of two L2-normalised vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Inner product of row i of matrix a and row j of matrix b (row-major, dims wide). */
export function rowDot(a: Float32Array, i: number, b: Float32Array, j: number, dims: number): number {
  let s = 0;
  const ao = i * dims;
  const bo = j * dims;
  for (let d = 0; d < dims; d++) s += a[ao + d]! * b[bo + d]!;
  return s;
}

export type EmbeddingSet = Readonly<Record<string, Float32Array>>;

/**
 * Fused score over the recognizers both faces have: the mean of per-model cosines (the measured
 * baseline fusion in DATASETS.md). Returns NaN when the faces share no model.
 */
export function fusedScore(a: EmbeddingSet, b: EmbeddingSet, models: readonly string[]): number {
  let s = 0;
  let n = 0;
  for (const m of models) {
    const va = a[m];
    const vb = b[m];
    if (va && vb) {
      s += cosine(va, vb);
      n++;
    }
  }
  return n ? s / n : Number.NaN;
}
