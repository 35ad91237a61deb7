import type { Point } from '../../contract/index.js';
import type { RgbImage } from '../media/imageDecoder.js';

/** 2x3 affine matrix [a, b, tx, c, d, ty]: x' = a*x + b*y + tx, y' = c*x + d*y + ty. */
export type Affine = readonly [number, number, number, number, number, number];

export type TemplateName = 'arcface112' | 'intel128';

/** Landmark templates from MODELS.md (left eye, right eye, nose, left mouth, right mouth, in image terms). */
export const TEMPLATES: Record<TemplateName, { size: number; points: readonly Point[] }> = {
  arcface112: {
    size: 112,
    points: [
      { x: 38.2946, y: 51.6963 }, { x: 73.5318, y: 51.5014 }, { x: 56.0252, y: 71.7366 },
      { x: 41.5493, y: 92.3655 }, { x: 70.7299, y: 92.2041 },
    ],
  },
  intel128: {
    size: 128,
    points: [
      [0.3156, 0.4616], [0.6826, 0.4616], [0.5003, 0.6405], [0.3495, 0.8247], [0.6534, 0.8247],
    ].map(([x, y]) => ({ x: x! * 128, y: y! * 128 })),
  },
};

/**
 * Least-squares similarity transform (rotation, uniform scale, translation) mapping src onto dst
 * (Umeyama 1991, "Least-squares estimation of transformation parameters between two point
 * patterns"). In 2-D the closed form reduces to complex-number regression, which has no
 * reflection case to guard.
 */
export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Affine {
  if (src.length !== dst.length || src.length < 2) throw new Error('similarityTransform needs matching point sets of 2 or more');
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) { sx += src[i]!.x; sy += src[i]!.y; dx += dst[i]!.x; dy += dst[i]!.y; }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let num_a = 0, num_b = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]!.x - sx, py = src[i]!.y - sy;
    const qx = dst[i]!.x - dx, qy = dst[i]!.y - dy;
    num_a += px * qx + py * qy;
    num_b += px * qy - py * qx;
    den += px * px + py * py;
  }
  if (den === 0) throw new Error('similarityTransform: degenerate source points');
  const a = num_a / den; // s*cos(theta)
  const b = num_b / den; // s*sin(theta)
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}

export function applyAffine(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

export function invertAffine(m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  if (det === 0) throw new Error('invertAffine: singular matrix');
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

/**
 * Warps an RGB image with matrix m (source -> destination) into a size x size output by bilinear
 * sampling; pixels that fall outside the source are black, as in the reference implementations.
 */
export function warpAffine(img: RgbImage, m: Affine, size: number): Uint8Array {
  const inv = invertAffine(m);
  const out = new Uint8Array(size * size * 3);
  const { data, width, height } = img;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const x = inv[0] * u + inv[1] * v + inv[2];
      const y = inv[3] * u + inv[4] * v + inv[5];
      const x0 = Math.floor(x), y0 = Math.floor(y);
      const fx = x - x0, fy = y - y0;
      const o = (v * size + u) * 3;
      if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) continue;
      const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
        // Interior: all four neighbours exist (the common case), no per-channel bounds checks.
        const i00 = (y0 * width + x0) * 3;
        const i01 = i00 + width * 3;
        for (let ch = 0; ch < 3; ch++) {
          out[o + ch] = Math.round(data[i00 + ch]! * w00 + data[i00 + 3 + ch]! * w10 + data[i01 + ch]! * w01 + data[i01 + 3 + ch]! * w11);
        }
        continue;
      }
      for (let ch = 0; ch < 3; ch++) {
        const p00 = x0 >= 0 && y0 >= 0 ? data[(y0 * width + x0) * 3 + ch]! : 0;
        const p10 = x0 + 1 < width && y0 >= 0 ? data[(y0 * width + x0 + 1) * 3 + ch]! : 0;
        const p01 = x0 >= 0 && y0 + 1 < height ? data[((y0 + 1) * width + x0) * 3 + ch]! : 0;
        const p11 = x0 + 1 < width && y0 + 1 < height ? data[((y0 + 1) * width + x0 + 1) * 3 + ch]! : 0;
        out[o + ch] = Math.round(p00 * w00 + p10 * w10 + p01 * w01 + p11 * w11);
      }
    }
  }
  return out;
}

/** Aligns a face to a named template: returns the size x size RGB crop. */
export function alignFace(img: RgbImage, landmarks: readonly Point[], template: TemplateName): Uint8Array {
  const t = TEMPLATES[template];
  return warpAffine(img, similarityTransform(landmarks, t.points), t.size);
}
