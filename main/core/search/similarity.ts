/** Cosine similarity of two L2-normalised vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
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

/** Dense score matrix rows x cols (row-major), fused over models. */
export function scoreMatrix(rows: readonly EmbeddingSet[], cols: readonly EmbeddingSet[], models: readonly string[]): Float32Array {
  const out = new Float32Array(rows.length * cols.length);
  for (let i = 0; i < rows.length; i++) for (let j = 0; j < cols.length; j++) out[i * cols.length + j] = fusedScore(rows[i]!, cols[j]!, models);
  return out;
}
