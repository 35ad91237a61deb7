import type { Box, Point } from '../../contract/index.js';

export interface Detection {
  readonly box: Box;
  readonly landmarks: readonly Point[];
  readonly score: number;
}

/** One stride's raw output tensors (row-major grids, one anchor per cell for YuNet). */
export interface YunetStrideOutput {
  readonly stride: number;
  readonly cls: Float32Array;
  readonly obj: Float32Array;
  readonly bbox: Float32Array;
  readonly kps: Float32Array;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Decodes YuNet outputs for an input of inputW x inputH (as in MODELS.md / OpenCV's
 * FaceDetectorYN): score = sqrt(cls*obj), centre = (cell + offset) * stride, size = exp(.) * stride.
 */
export function decodeYunet(outputs: readonly YunetStrideOutput[], inputW: number, inputH: number, scoreThreshold: number): Detection[] {
  const dets: Detection[] = [];
  for (const o of outputs) {
    const cols = Math.floor(inputW / o.stride);
    const rows = Math.floor(inputH / o.stride);
    const n = rows * cols;
    if (o.cls.length < n || o.obj.length < n || o.bbox.length < n * 4 || o.kps.length < n * 10) {
      throw new Error(`YuNet output for stride ${o.stride} is smaller than its ${cols}x${rows} grid`);
    }
    for (let i = 0; i < n; i++) {
      const score = Math.sqrt(clamp01(o.cls[i]!) * clamp01(o.obj[i]!));
      if (score < scoreThreshold) continue;
      const row = Math.floor(i / cols);
      const col = i % cols;
      const s = o.stride;
      const cx = (col + o.bbox[i * 4]!) * s;
      const cy = (row + o.bbox[i * 4 + 1]!) * s;
      const w = Math.exp(o.bbox[i * 4 + 2]!) * s;
      const h = Math.exp(o.bbox[i * 4 + 3]!) * s;
      const landmarks: Point[] = [];
      for (let j = 0; j < 5; j++) landmarks.push({ x: (o.kps[i * 10 + 2 * j]! + col) * s, y: (o.kps[i * 10 + 2 * j + 1]! + row) * s });
      dets.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, landmarks, score });
    }
  }
  return dets;
}

/** One SCRFD stride's outputs, as decodeScrfd takes them. */
export interface ScrfdStrideOutput { readonly stride: number; readonly scores: Float32Array; readonly bbox: Float32Array; readonly kps: Float32Array }

/**
 * SCRFD exports name outputs inconsistently; group them by shape per stride instead: anchors x k,
 * with k = 1 (score), 4 (box) or 10 (landmarks), two anchors per cell. The element count alone is
 * ambiguous: one stride's boxes have as many values as the next finer stride's scores (measured:
 * SCRFD-2.5g found no face at all when grouped by count).
 */
export function groupScrfdOutputs(
  tensors: readonly { readonly dims: readonly number[]; readonly data: unknown }[], strides: readonly number[], w: number, h: number,
): ScrfdStrideOutput[] {
  return strides.map((s) => {
    const n = Math.ceil(w / s) * Math.ceil(h / s) * 2;
    const pick = (k: number): Float32Array => {
      const t = tensors.find((x) => x.dims.at(-1) === k && x.dims.reduce((a, b) => a * b, 1) === n * k);
      if (!t || !(t.data instanceof Float32Array)) throw new Error(`SCRFD output for stride ${s} (x${k}) not found`);
      return t.data;
    };
    return { stride: s, scores: pick(1), bbox: pick(4), kps: pick(10) };
  });
}

/** SCRFD: 2 anchors per cell, distances (l, t, r, b) and landmark offsets in stride units. */
export function decodeScrfd(
  outputs: readonly ScrfdStrideOutput[],
  inputW: number,
  inputH: number,
  scoreThreshold: number,
  anchorsPerCell = 2,
): Detection[] {
  const dets: Detection[] = [];
  for (const o of outputs) {
    const cols = Math.ceil(inputW / o.stride);
    const rows = Math.ceil(inputH / o.stride);
    const n = rows * cols * anchorsPerCell;
    for (let i = 0; i < Math.min(n, o.scores.length); i++) {
      const score = o.scores[i]!;
      if (score < scoreThreshold) continue;
      const cell = Math.floor(i / anchorsPerCell);
      const ax = (cell % cols) * o.stride;
      const ay = Math.floor(cell / cols) * o.stride;
      const s = o.stride;
      const x1 = ax - o.bbox[i * 4]! * s;
      const y1 = ay - o.bbox[i * 4 + 1]! * s;
      const x2 = ax + o.bbox[i * 4 + 2]! * s;
      const y2 = ay + o.bbox[i * 4 + 3]! * s;
      const landmarks: Point[] = [];
      for (let j = 0; j < 5; j++) landmarks.push({ x: ax + o.kps[i * 10 + 2 * j]! * s, y: ay + o.kps[i * 10 + 2 * j + 1]! * s });
      dets.push({ box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 }, landmarks, score });
    }
  }
  return dets;
}

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy non-maximum suppression, highest score first. */
export function nms(dets: readonly Detection[], iouThreshold: number): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const keep: Detection[] = [];
  for (const d of sorted) if (keep.every((k) => iou(k.box, d.box) <= iouThreshold)) keep.push(d);
  return keep;
}

/** Maps a detection from detector-input coordinates back to image coordinates: p_img = (p - offset) / scale. */
export function mapDetection(d: Detection, scale: number, offsetX = 0, offsetY = 0): Detection {
  return {
    score: d.score,
    box: { x: (d.box.x - offsetX) / scale, y: (d.box.y - offsetY) / scale, width: d.box.width / scale, height: d.box.height / scale },
    landmarks: d.landmarks.map((p) => ({ x: (p.x - offsetX) / scale, y: (p.y - offsetY) / scale })),
  };
}
