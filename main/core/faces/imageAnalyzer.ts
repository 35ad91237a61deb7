import type { MediaErrorReason } from '../../contract/index.js';
import type { ImageFormat } from '../media/fileType.js';
import { decodeImage, resizeRgb, DEFAULT_DECODE_LIMITS, type DecodedImage, type DecodeLimits } from '../media/imageDecoder.js';
import { detectorSize, type AnalyzeResult, type FaceEngine } from './faceEngine.js';
import type { FacePool } from './facePool.js';

/** What decoding established about an image (its pixels stay on the inference thread that used them). */
export type DecodedFacts = Omit<DecodedImage, 'image'>;

export type ImageAnalysis =
  | { readonly ok: true; readonly decoded: DecodedFacts; readonly result: AnalyzeResult }
  | { readonly ok: false; readonly reason: MediaErrorReason; readonly detail: string };

/**
 * The one path from image bytes to analysed faces, shared by intake, search probes and the
 * evaluation command so that what is measured is what the product does. Face coordinates come
 * back in working-copy pixels (see toOriginalCoords).
 *
 * The encoded bytes go to an inference thread, which decodes, scales the detector's copy and runs
 * the models: the decoded pixels never cross threads, and each inference thread does its own
 * decoding while the other one infers (measured: kestrel bench ingest).
 */
export async function analyzeImage(pool: FacePool, buf: Buffer, format: ImageFormat, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<ImageAnalysis> {
  return pool.analyzeEncoded(buf, format, limits);
}

/** Runs on an inference thread: decode, detector copy, models. */
export async function analyzeEncoded(engine: FaceEngine, buf: Buffer, format: ImageFormat, limits: DecodeLimits): Promise<ImageAnalysis> {
  const r = await decodeImage(buf, format, limits);
  if (!r.ok) return r;
  const { image: img, ...decoded } = r.decoded;
  const ds = detectorSize(img.width, img.height);
  const det = { image: ds.scale === 1 ? img : await resizeRgb(img, ds.width, ds.height), scale: ds.scale };
  const result = await engine.analyze(img, det);
  return { ok: true, decoded, result };
}

/** Converts working-copy coordinates to original-image coordinates (they differ when the copy was capped). */
export function toOriginalCoords(result: AnalyzeResult, scale: number): AnalyzeResult {
  if (scale === 1) return result;
  return {
    pass: result.pass,
    faces: result.faces.map((f) => ({
      ...f,
      box: { x: f.box.x / scale, y: f.box.y / scale, width: f.box.width / scale, height: f.box.height / scale },
      landmarks: f.landmarks.map((p) => ({ x: p.x / scale, y: p.y / scale })),
    })),
  };
}
