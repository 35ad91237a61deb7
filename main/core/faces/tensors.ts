import type { ModelSpec } from '../../../models/manifest.js';

/**
 * Packs interleaved RGB bytes (w x h) into an NCHW float tensor of tensorW x tensorH (zero padded
 * right/bottom), applying the model's colour order and normalisation: (v*scale - mean) / std.
 */
export function packTensor(rgb: Uint8Array, w: number, h: number, input: ModelSpec['input'], tensorW = w, tensorH = h, out?: Float32Array, batchIndex = 0): Float32Array {
  const plane = tensorW * tensorH;
  const t = out ?? new Float32Array(plane * 3);
  const base = batchIndex * plane * 3;
  // Output plane c takes source channel order[c]; one pass over the pixels (this runs per image on
  // the inference threads, where it is pure overhead next to the bound: kestrel bench ingest).
  const [s0, s1, s2] = input.colour === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const k0 = input.scale / input.std[0], k1 = input.scale / input.std[1], k2 = input.scale / input.std[2];
  const m0 = input.mean[0] / input.std[0], m1 = input.mean[1] / input.std[1], m2 = input.mean[2] / input.std[2];
  const p0 = base, p1 = base + plane, p2 = base + 2 * plane;
  // Padding is what a black (0) pixel normalises to.
  const z0 = 0 * k0 - m0 + 0, z1 = 0 * k1 - m1 + 0, z2 = 0 * k2 - m2 + 0;
  const lim = Math.min(w, tensorW);
  const rows = Math.min(h, tensorH);
  for (let y = 0; y < rows; y++) {
    let o = y * tensorW;
    let i = y * w * 3;
    for (let x = 0; x < lim; x++, o++, i += 3) {
      t[p0 + o] = rgb[i + s0]! * k0 - m0;
      t[p1 + o] = rgb[i + s1]! * k1 - m1;
      t[p2 + o] = rgb[i + s2]! * k2 - m2;
    }
    if (lim < tensorW) {
      const r = y * tensorW;
      t.fill(z0, p0 + r + lim, p0 + r + tensorW);
      t.fill(z1, p1 + r + lim, p1 + r + tensorW);
      t.fill(z2, p2 + r + lim, p2 + r + tensorW);
    }
  }
  if (rows < tensorH) {
    t.fill(z0, p0 + rows * tensorW, p0 + plane);
    t.fill(z1, p1 + rows * tensorW, p1 + plane);
    t.fill(z2, p2 + rows * tensorW, p2 + plane);
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
