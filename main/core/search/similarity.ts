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
