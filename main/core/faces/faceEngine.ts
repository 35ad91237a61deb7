import './ortTelemetryOff.js';
import ort from 'onnxruntime-node';
import type { Box, Point, QualityDto } from '../../contract/index.js';
import type { ModelSpec } from '../../../models/manifest.js';
import type { RgbImage } from '../media/imageDecoder.js';
import { alignFace, TEMPLATES, type TemplateName } from './alignment.js';
import { decodeScrfd, decodeYunet, groupScrfdOutputs, iou, mapDetection, nms, type Detection } from './detection.js';
import { landmarkCrop, type LandmarkCrop } from './landmarkCrop.js';
import { assessQuality } from './quality.js';
import { thumbnailCrop, THUMB_CONTEXT, THUMB_SIZE } from './thumbnailCrop.js';
import { l2normalize, packTensor, roundUp } from './tensors.js';

export interface EngineModel {
  readonly spec: ModelSpec;
  readonly path: string;
}

export interface FaceEngineConfig {
  readonly detector: EngineModel;
  /** A detector run again on a crop around each face; its landmarks replace the detector's (see refine). */
  readonly landmarker: EngineModel | null;
  readonly recognizers: readonly EngineModel[];
  readonly genderage: EngineModel | null;
  /** ORT intra-op threads per session. */
  readonly threads: number;
  readonly scoreThreshold: number;
  readonly nmsIou: number;
  /** Faces smaller than this (box side, original pixels) are dropped as noise. */
  readonly minFacePx: number;
  readonly maxFaces: number;
}

export const DEFAULT_ENGINE_TUNING = {
  // YuNet's scores for real faces sit above 0.8; 0.6 keeps hard (small, blurred, child) faces and
  // lets quality scoring, not the detector, decide what is reliable. Measured on FG-NET (README).
  scoreThreshold: 0.6,
  // OpenCV's FaceDetectorYN default.
  nmsIou: 0.3,
  minFacePx: 8,
  maxFaces: 256,
} as const;

/**
 * The landmark model looks for the one face already found, so it may report it at a lower score;
 * its box must overlap that face's (in the crop) by this much, else the detector's landmarks stay.
 */
const LANDMARK_MIN_SCORE = 0.3;
const LANDMARK_MIN_IOU = 0.4;

/** Every model of an engine, in pipeline order. */
export function engineModels(cfg: FaceEngineConfig): EngineModel[] {
  return [cfg.detector, ...(cfg.landmarker ? [cfg.landmarker] : []), ...cfg.recognizers, ...(cfg.genderage ? [cfg.genderage] : [])];
}

/** The detector's working image, made by the caller (sharp, off the JS thread). */
export interface DetectorInput {
  readonly image: RgbImage;
  /** Detector pixels per working-copy pixel. */
  readonly scale: number;
}

export interface AnalyzedFace {
  readonly box: Box;
  readonly landmarks: readonly Point[];
  readonly score: number;
  readonly quality: QualityDto;
  readonly embeddings: Record<string, Float32Array>;
  readonly age: number | null;
  readonly gender: 'male' | 'female' | null;
  /** THUMB_SIZE x THUMB_SIZE RGB crop around the face, for the case's thumbnail. */
  readonly thumb: Uint8Array;
}

export type DetectPass = 'direct' | 'padded' | 'none';

export interface AnalyzeResult {
  readonly faces: AnalyzedFace[];
  readonly pass: DetectPass;
}

/** Target long side of the detector's image: large images are reduced, tiny ones enlarged. */
export function detectorSize(width: number, height: number, maxSide = 640, minSide = 320): { width: number; height: number; scale: number } {
  const long = Math.max(width, height);
  const scale = long > maxSide ? maxSide / long : long < minSide ? minSide / long : 1;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), scale };
}

interface Session {
  readonly spec: ModelSpec;
  readonly session: ort.InferenceSession;
}

export class FaceEngine {
  private constructor(
    private readonly cfg: FaceEngineConfig,
    private readonly detector: Session,
    private readonly landmarker: Session | null,
    private readonly recognizers: Session[],
    private readonly genderage: Session | null,
  ) {}

  static async create(cfg: FaceEngineConfig): Promise<FaceEngine> {
    const options: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: cfg.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Warnings only: ORT's informational logs would pollute --json output.
      logSeverityLevel: 3,
    };
    const open = async (m: EngineModel): Promise<Session> => ({ spec: m.spec, session: await ort.InferenceSession.create(m.path, options) });
    const detector = await open(cfg.detector);
    const landmarker = cfg.landmarker ? await open(cfg.landmarker) : null;
    const recognizers: Session[] = [];
    for (const r of cfg.recognizers) recognizers.push(await open(r));
    const genderage = cfg.genderage ? await open(cfg.genderage) : null;
    return new FaceEngine(cfg, detector, landmarker, recognizers, genderage);
  }

  async dispose(): Promise<void> {
    for (const s of [this.detector, this.landmarker, ...this.recognizers, this.genderage]) await s?.session.release();
  }

  /** Runs the detector on an image; returns detections in that image's coordinates. */
  detect(img: RgbImage): Promise<Detection[]> {
    return this.runDetector(this.detector, img, this.cfg.scoreThreshold);
  }

  /** A detector's input tensor for an image (padded to the model's grid) and the grid's size. */
  private detectorFeed(s: Session, img: RgbImage): { feed: Record<string, ort.Tensor>; tw: number; th: number } {
    const spec = s.spec;
    const mult = spec.input.multipleOf ?? 32;
    const fixed = spec.input.width > 0;
    const tw = fixed ? spec.input.width : roundUp(img.width, mult);
    const th = fixed ? spec.input.height : roundUp(img.height, mult);
    if (img.width > tw || img.height > th) throw new Error(`detector input ${img.width}x${img.height} exceeds ${tw}x${th}`);
    const data = packTensor(img.data, img.width, img.height, spec.input, tw, th);
    return { feed: { [spec.input.name]: new ort.Tensor('float32', data, [1, 3, th, tw]) }, tw, th };
  }

  private async runDetector(s: Session, img: RgbImage, scoreThreshold: number): Promise<Detection[]> {
    const spec = s.spec;
    const { feed, tw, th } = this.detectorFeed(s, img);
    const out = await s.session.run(feed);
    let dets: Detection[];
    if (spec.output.kind === 'yunet') {
      dets = decodeYunet(
        spec.output.strides.map((s) => ({
          stride: s,
          cls: out[`cls_${s}`]!.data as Float32Array,
          obj: out[`obj_${s}`]!.data as Float32Array,
          bbox: out[`bbox_${s}`]!.data as Float32Array,
          kps: out[`kps_${s}`]!.data as Float32Array,
        })),
        tw, th, scoreThreshold,
      );
    } else if (spec.output.kind === 'scrfd') {
      dets = decodeScrfd(groupScrfdOutputs(Object.values(out), spec.output.strides, tw, th), tw, th, scoreThreshold);
    } else {
      throw new Error(`model ${spec.id} is not a detector`);
    }
    return nms(dets, this.cfg.nmsIou);
  }

  /**
   * Finds faces: first on the detector image as is; if nothing is found, again with the image
   * centred on a canvas twice its size, which recovers tight crops where the face touches the
   * border (the detector was trained on faces with context around them).
   */
  async findFaces(det: DetectorInput, pad = true): Promise<{ dets: Detection[]; pass: DetectPass }> {
    const direct = (await this.detect(det.image)).map((d) => mapDetection(d, det.scale));
    if (direct.length) return { dets: direct, pass: 'direct' };
    if (!pad) return { dets: [], pass: 'none' };
    const padded = padToCanvas(det.image, 2, 640);
    const found = (await this.detect(padded.image)).map((d) => mapDetection(d, det.scale * padded.scale, padded.offsetX, padded.offsetY));
    return found.length ? { dets: found, pass: 'padded' } : { dets: [], pass: 'none' };
  }

  /** `pad`: retry on a padded canvas when nothing is found (photos; video frames go without it: see processVideo). */
  async analyze(full: RgbImage, det: DetectorInput, pad = true): Promise<AnalyzeResult> {
    const { dets, pass } = await this.findFaces(det, pad);
    const kept = dets
      .filter((d) => Math.min(d.box.width, d.box.height) >= this.cfg.minFacePx)
      .slice(0, this.cfg.maxFaces);
    const faces: AnalyzedFace[] = [];
    for (const d of kept) faces.push(await this.describe(full, det, await this.refine(full, det, d)));
    return { faces, pass: faces.length ? pass : 'none' };
  }

  /**
   * With a landmark model: runs it on a square crop around the face and takes the landmarks of the
   * face it finds there (the detector's box and score stay). Measured on FG-NET: SCRFD's landmarks
   * align children's faces better than YuNet's (README, "Search accuracy: what was tried").
   */
  async refine(full: RgbImage, det: DetectorInput, d: Detection, around?: LandmarkCrop): Promise<Detection> {
    if (!this.landmarker) return d;
    const crop = around ?? landmarkCrop(full, det.image, det.scale, d.box);
    let best: Detection | null = null;
    let bestOverlap = LANDMARK_MIN_IOU;
    for (const f of await this.runDetector(this.landmarker, crop.image, LANDMARK_MIN_SCORE)) {
      const o = iou(f.box, crop.box);
      if (o >= bestOverlap) {
        best = f;
        bestOverlap = o;
      }
    }
    return best ? { ...d, landmarks: best.landmarks.map(crop.toImage) } : d;
  }

  /**
   * The pure model-inference cost of one image: every tensor is prepared first (untimed), then only
   * session.run calls are timed: the detector once; the landmark model, each recognizer and the age
   * model per face.
   * This is the bound that end-to-end intake is compared against (kestrel bench ingest).
   */
  async timeInference(full: RgbImage, det: DetectorInput): Promise<{ ms: number; detectMs: number; faces: number }> {
    const { dets } = await this.findFaces(det);
    const detFeed = this.detectorFeed(this.detector, det.image).feed;
    const faceFeeds: { s: Session; feed: Record<string, ort.Tensor> }[] = [];
    const kept = dets.filter((x) => Math.min(x.box.width, x.box.height) >= this.cfg.minFacePx).slice(0, this.cfg.maxFaces);
    for (const found of kept) {
      const around = this.landmarker ? landmarkCrop(full, det.image, det.scale, found.box) : undefined;
      const d = await this.refine(full, det, found, around);
      if (this.landmarker && around) faceFeeds.push({ s: this.landmarker, feed: this.detectorFeed(this.landmarker, around.image).feed });
      for (const s of [...this.recognizers, ...(this.genderage ? [this.genderage] : [])]) {
        const t = s.spec.template ?? 'arcface112';
        const size = TEMPLATES[t].size;
        const crop = alignFrom(full, det, d.landmarks, t);
        faceFeeds.push({ s, feed: { [s.spec.input.name]: new ort.Tensor('float32', packTensor(crop, size, size, s.spec.input), [1, 3, size, size]) } });
      }
    }
    const t0 = performance.now();
    await this.detector.session.run(detFeed);
    const t1 = performance.now();
    for (const f of faceFeeds) await f.s.session.run(f.feed);
    return { ms: performance.now() - t0, detectMs: t1 - t0, faces: kept.length };
  }

  /** Aligns, scores, embeds and ages one detected face. */
  async describe(full: RgbImage, det: DetectorInput, d: Detection): Promise<AnalyzedFace> {
    const crops = new Map<TemplateName, Uint8Array>();
    const crop = (t: TemplateName): Uint8Array => {
      let c = crops.get(t);
      if (!c) {
        c = alignFrom(full, det, d.landmarks, t);
        crops.set(t, c);
      }
      return c;
    };
    const box = clampBox(d.box, full.width, full.height);
    const quality = assessQuality(box, d.landmarks, d.score, crop('arcface112'));
    const embeddings: Record<string, Float32Array> = {};
    for (const r of this.recognizers) {
      const t = r.spec.template ?? 'arcface112';
      const size = TEMPLATES[t].size;
      const x = packTensor(crop(t), size, size, r.spec.input);
      const out = await r.session.run({ [r.spec.input.name]: new ort.Tensor('float32', x, [1, 3, size, size]) });
      const name = r.spec.output.kind === 'embedding' ? r.spec.output.name : r.session.outputNames[0]!;
      embeddings[r.spec.id] = l2normalize(out[name]!.data as Float32Array);
    }
    let age: number | null = null;
    let gender: 'male' | 'female' | null = null;
    if (this.genderage) {
      const g = this.genderage;
      const t = g.spec.template ?? 'arcface112';
      const size = TEMPLATES[t].size;
      const out = await g.session.run({ [g.spec.input.name]: new ort.Tensor('float32', packTensor(crop(t), size, size, g.spec.input), [1, 3, size, size]) });
      ({ age, gender } = decodeGenderAge(out[g.spec.output.kind === 'genderage' ? g.spec.output.name : 'fc1']!.data as Float32Array));
    }
    return { box, landmarks: d.landmarks, score: d.score, quality, embeddings, age, gender, thumb: thumbFrom(full, det, box) };
  }
}

/** InsightFace 2018 gender-age head: gender = argmax of the first two logits; age = count of "older than k" votes. */
export function decodeGenderAge(fc1: Float32Array): { age: number; gender: 'male' | 'female' } {
  const gender = fc1[1]! > fc1[0]! ? 'male' : 'female';
  let age = 0;
  for (let k = 0; k < 100; k++) if (fc1[3 + 2 * k]! > fc1[2 + 2 * k]!) age++;
  return { age, gender };
}

function clampBox(b: Box, w: number, h: number): Box {
  const x = Math.max(0, b.x);
  const y = Math.max(0, b.y);
  return { x, y, width: Math.max(1, Math.min(w, b.x + b.width) - x), height: Math.max(1, Math.min(h, b.y + b.height) - y) };
}

/**
 * Aligns from whichever copy avoids heavy down-sampling by bilinear warping (which aliases): the
 * detector's (already area-filtered) image when the face there is still at least template size.
 */
function alignFrom(full: RgbImage, det: DetectorInput, landmarks: readonly Point[], t: TemplateName): Uint8Array {
  const tpl = TEMPLATES[t].points;
  const tplEye = Math.hypot(tpl[1]!.x - tpl[0]!.x, tpl[1]!.y - tpl[0]!.y);
  const eye = Math.hypot(landmarks[1]!.x - landmarks[0]!.x, landmarks[1]!.y - landmarks[0]!.y);
  if (det.scale < 1 && eye / tplEye > 2 && eye * det.scale >= tplEye) {
    return alignFace(det.image, landmarks.map((p) => ({ x: p.x * det.scale, y: p.y * det.scale })), t);
  }
  return alignFace(full, landmarks, t);
}

/** The thumbnail comes from the detector's smaller copy when the face there still fills it. */
function thumbFrom(full: RgbImage, det: DetectorInput, box: Box): Uint8Array {
  const side = Math.max(box.width, box.height) * THUMB_CONTEXT;
  if (det.scale < 1 && side * det.scale >= THUMB_SIZE) {
    const s = det.scale;
    return thumbnailCrop(det.image, { x: box.x * s, y: box.y * s, width: box.width * s, height: box.height * s });
  }
  return thumbnailCrop(full, box);
}

/** Centres an image on a canvas `factor` times larger (mid-grey), scaled to fit maxSide. */
export function padToCanvas(img: RgbImage, factor: number, maxSide: number): { image: RgbImage; scale: number; offsetX: number; offsetY: number } {
  const cw = Math.round(img.width * factor);
  const ch = Math.round(img.height * factor);
  const scale = Math.min(1, maxSide / Math.max(cw, ch));
  const ow = Math.max(1, Math.round(cw * scale));
  const oh = Math.max(1, Math.round(ch * scale));
  const offX = ((cw - img.width) / 2) * scale;
  const offY = ((ch - img.height) / 2) * scale;
  const out = Buffer.alloc(ow * oh * 3, 128);
  // Bilinear resample of the source into its place on the canvas.
  const dw = img.width * scale;
  const dh = img.height * scale;
  for (let y = Math.floor(offY); y < Math.min(oh, Math.ceil(offY + dh)); y++) {
    const sy = Math.min(img.height - 1, Math.max(0, (y + 0.5 - offY) / scale - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(img.height - 1, y0 + 1), fy = sy - y0;
    for (let x = Math.floor(offX); x < Math.min(ow, Math.ceil(offX + dw)); x++) {
      const sx = Math.min(img.width - 1, Math.max(0, (x + 0.5 - offX) / scale - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(img.width - 1, x0 + 1), fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const a = img.data[(y0 * img.width + x0) * 3 + c]!;
        const b = img.data[(y0 * img.width + x1) * 3 + c]!;
        const cc = img.data[(y1 * img.width + x0) * 3 + c]!;
        const d = img.data[(y1 * img.width + x1) * 3 + c]!;
        out[(y * ow + x) * 3 + c] = Math.round((a + (b - a) * fx) * (1 - fy) + (cc + (d - cc) * fx) * fy);
      }
    }
  }
  return { image: { data: out, width: ow, height: oh }, scale, offsetX: offX, offsetY: offY };
}
