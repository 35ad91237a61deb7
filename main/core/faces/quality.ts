import type { Box, Point, QualityDto } from '../../contract/index.js';

/**
 * Face quality without a learned model (none with a usable licence exists, see MODELS.md).
 * Each factor is mapped to 0..1 and the overall score is their product, so one bad factor
 * (a 12-pixel face, a profile view) is enough to mark a face unreliable.
 *
 * Reference points: ISO/IEC 29794-5 names the same factors (size, sharpness, pose, illumination);
 * the thresholds below are where MobileFaceNet-class matchers visibly degrade on our evaluation
 * sets (faces under ~24 px eye-to-mouth, yaw beyond ~45 degrees).
 */
export function assessQuality(box: Box, landmarks: readonly Point[], detectorScore: number, aligned112: Uint8Array): QualityDto {
  const [le, re, nose, lm, rm] = landmarks as [Point, Point, Point, Point, Point];
  const eyeDx = re.x - le.x;
  const eyeDy = re.y - le.y;
  const eyeDist = Math.hypot(eyeDx, eyeDy);
  const rollDeg = (Math.atan2(eyeDy, eyeDx) * 180) / Math.PI;
  // Yaw: horizontal offset of the nose from the eye/mouth mid-line, in the face's own frame.
  const cos = eyeDist > 0 ? eyeDx / eyeDist : 1;
  const sin = eyeDist > 0 ? eyeDy / eyeDist : 0;
  const midX = (le.x + re.x + lm.x + rm.x) / 4;
  const midY = (le.y + re.y + lm.y + rm.y) / 4;
  const noseOffset = ((nose.x - midX) * cos + (nose.y - midY) * sin) / Math.max(1e-6, eyeDist);
  const yawDeg = Math.max(-90, Math.min(90, Math.asin(Math.max(-1, Math.min(1, noseOffset * 2))) * (180 / Math.PI)));
  const faceSizePx = Math.min(box.width, box.height);
  const { sharpness, meanLuma, clipped } = imageStats(aligned112, 112);
  const exposure = meanLuma / 255;

  const sizeF = smoothstep(16, 64, faceSizePx);
  const sharpF = smoothstep(20, 150, sharpness);
  const poseF = Math.max(0, Math.cos((Math.min(90, Math.abs(yawDeg)) * Math.PI) / 180)) * (Math.abs(rollDeg) > 45 ? 0.7 : 1);
  const expF = (1 - smoothstep(0.75, 0.95, exposure)) * smoothstep(0.08, 0.3, exposure) * (1 - Math.min(0.5, clipped));
  const detF = smoothstep(0.5, 0.9, detectorScore);
  const overall = round3(Math.max(0, Math.min(1, sizeF * sharpF * poseF * expF * (0.5 + 0.5 * detF))));

  const warnings: string[] = [];
  if (faceSizePx < 40) warnings.push('small');
  if (sharpness < 40) warnings.push('blurred');
  if (Math.abs(yawDeg) > 40) warnings.push('profile');
  if (exposure < 0.15) warnings.push('dark');
  if (exposure > 0.85 || clipped > 0.25) warnings.push('overexposed');
  if (detectorScore < 0.7) warnings.push('low_detector_score');
  return {
    overall,
    faceSizePx: round3(faceSizePx),
    sharpness: round3(sharpness),
    yawDeg: round3(yawDeg),
    rollDeg: round3(rollDeg),
    exposure: round3(exposure),
    detectorScore: round3(detectorScore),
    warnings,
  };
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export function smoothstep(lo: number, hi: number, v: number): number {
  const t = Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
  return t * t * (3 - 2 * t);
}

/**
 * Variance of the Laplacian over the central face region (the standard focus measure, Pech-Pacheco
 * et al. 2000), mean luma and the fraction of clipped pixels.
 */
export function imageStats(rgb: Uint8Array, size: number): { sharpness: number; meanLuma: number; clipped: number } {
  const luma = new Float32Array(size * size);
  for (let i = 0; i < size * size; i++) luma[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  const lo = Math.floor(size * 0.2);
  const hi = Math.ceil(size * 0.85);
  let sum = 0, sumSq = 0, n = 0, lsum = 0, clip = 0, ln = 0;
  for (let y = lo; y < hi; y++) {
    for (let x = lo; x < hi; x++) {
      const c = luma[y * size + x]!;
      const lap = luma[(y - 1) * size + x]! + luma[(y + 1) * size + x]! + luma[y * size + x - 1]! + luma[y * size + x + 1]! - 4 * c;
      sum += lap; sumSq += lap * lap; n++;
      lsum += c; ln++;
      if (c < 5 || c > 250) clip++;
    }
  }
  const mean = sum / n;
  return { sharpness: sumSq / n - mean * mean, meanLuma: lsum / ln, clipped: clip / ln };
}
