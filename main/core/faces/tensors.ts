import type { ModelSpec } from '../../../models/manifest.js';

/**
 * Packs interleaved RGB bytes (w x h) into an NCHW float tensor of tensorW x tensorH (zero padded
 * right/bottom), applying the model's colour order and normalisation: (v*scale - mean) / std.
 */
export function packTensor(rgb: Uint8Array, w: number, h: number, input: ModelSpec['input'], tensorW = w, tensorH = h, out?: Float32Array, batchIndex = 0): Float32Array {
  const plane = tensorW * tensorH;
  const t = out ?? new Float32Array(plane * 3);
  const base = batchIndex * plane * 3;
  const order = input.colour === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const src = order[c]!;
    const scale = input.scale / input.std[c]!;
    const shift = input.mean[c]! / input.std[c]!;
    const padValue = -shift;
    const dst = base + c * plane;
    for (let y = 0; y < tensorH; y++) {
      const row = dst + y * tensorW;
      if (y >= h) {
        t.fill(padValue, row, row + tensorW);
        continue;
      }
      const srow = y * w * 3;
      const lim = Math.min(w, tensorW);
      for (let x = 0; x < lim; x++) t[row + x] = rgb[srow + x * 3 + src]! * scale - shift;
      if (lim < tensorW) t.fill(padValue, row + lim, row + tensorW);
    }
  }
  return t;
}

export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

export const roundUp = (v: number, m: number): number => Math.ceil(v / m) * m;
