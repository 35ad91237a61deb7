import type { EmbeddingSet } from './similarity.js';

/**
 * One vector per face for the index: the recognizers' L2-normalised embeddings concatenated, each
 * scaled by 1/sqrt(n), so that the inner product of two fused vectors is exactly the mean of the
 * per-model cosines (fusedScore). A missing model contributes zeros (the face scores lower).
 */
export function fusedVector(e: EmbeddingSet, models: readonly string[], dims: readonly number[]): Float32Array {
  const out = new Float32Array(dims.reduce((a, d) => a + d, 0));
  const w = 1 / Math.sqrt(models.length);
  let off = 0;
  models.forEach((m, i) => {
    const v = e[m];
    if (v) for (let j = 0; j < dims[i]!; j++) out[off + j] = v[j]! * w;
    off += dims[i]!;
  });
  return out;
}
