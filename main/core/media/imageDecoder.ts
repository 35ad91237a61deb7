import sharp, { type Sharp } from 'sharp';
import { DecodeTimeout, decodeWorkers } from './decodeWorkerClient.js';
import type { MediaErrorReason } from '../../contract/index.js';
import type { ImageFormat } from './fileType.js';
import { readExif, type ExifFacts } from './exifMetadata.js';

export interface DecodeLimits {
  /** Declared width*height above this is refused before any pixel is decoded. */
  readonly maxPixels: number;
  /** Decoded working copy is capped at this long side (originals stay untouched on disk). */
  readonly maxSide: number;
  /** A file whose decoding takes longer is given up as 'timeout', so that it cannot stall intake. */
  readonly timeoutMs?: number;
}
// 120 MP covers medium-format cameras (100 MP); decompression bombs declare far more.
// Several images are decoded at once (one per file in flight) while ONNX Runtime keeps every core
// busy: one libvips thread per image avoids oversubscribing the cores (measured: kestrel bench ingest).
sharp.concurrency(1);

// A 120 MP photo decodes in about a second here; two minutes leaves room for slow disks and machines.
export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxPixels: 120_000_000, maxSide: 4096, timeoutMs: 120_000 };

/** 8-bit sRGB, 3 channels, EXIF orientation applied. */
export interface RgbImage {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

export interface DecodedImage {
  readonly image: RgbImage;
  readonly format: ImageFormat;
  /** Size of the original after orientation, before any working-copy cap. */
  readonly originalWidth: number;
  readonly originalHeight: number;
  /** Working-copy pixels per original pixel (1 unless capped). */
  readonly scale: number;
  readonly exif: ExifFacts;
}

export type DecodeResult =
  | { readonly ok: true; readonly decoded: DecodedImage }
  | { readonly ok: false; readonly reason: MediaErrorReason; readonly detail: string };

const fail = (reason: MediaErrorReason, detail: string): DecodeResult => ({ ok: false, reason, detail });

export async function decodeImage(buf: Buffer, format: ImageFormat, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<DecodeResult> {
  if (!limits.timeoutMs) return decodeClassified(buf, format, limits);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<DecodeResult>((res) => {
    timer = setTimeout(() => res(fail('timeout', `decoding took longer than ${limits.timeoutMs! / 1000} s; given up so that intake goes on (a pathological or damaged file)`)), limits.timeoutMs);
  });
  try {
    return await Promise.race([decodeClassified(buf, format, limits), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function decodeClassified(buf: Buffer, format: ImageFormat, limits: DecodeLimits): Promise<DecodeResult> {
  const first = await decodeOnce(buf, format, limits);
  // libvips keeps one error buffer for all its threads: with several images decoding at once, a
  // failure can come back as a bare "Unknown error" (measured: 15 of 40 parallel decodes of one
  // truncated JPEG). Decoding again names the real fault.
  if (!first.ok && first.reason === 'decode_failed' && /^unknown error$/i.test(first.detail.trim())) {
    const cut = truncation(buf, format);
    return cut ? fail('truncated_or_corrupt', cut) : decodeOnce(buf, format, limits);
  }
  return first;
}

/** Names a file that ends before its format's end marker (for when the decoder cannot say why). */
export function truncation(buf: Buffer, format: ImageFormat): string | null {
  const tail = buf.subarray(Math.max(0, buf.length - 4096));
  if (format === 'jpeg' && tail.lastIndexOf(Buffer.from([0xff, 0xd9])) < 0) return 'the JPEG ends without its end-of-image marker (truncated)';
  if (format === 'png' && tail.lastIndexOf(Buffer.from('IEND', 'latin1')) < 0) return 'the PNG ends without its IEND chunk (truncated)';
  if (format === 'webp' && buf.length >= 8 && buf.readUInt32LE(4) + 8 > buf.length) return `the WebP declares ${buf.readUInt32LE(4) + 8} bytes and holds ${buf.length} (truncated)`;
  return null;
}

async function decodeOnce(buf: Buffer, format: ImageFormat, limits: DecodeLimits): Promise<DecodeResult> {
  if (buf.length === 0) return fail('empty_file', 'zero bytes');
  let input: Sharp;
  let width: number;
  let height: number;
  const exif = await readExif(buf);
  try {
    if (format === 'heif' || format === 'bmp') {
      const opened = format === 'heif' ? await openHeif(buf, limits) : await openBmp(buf, limits);
      if (!opened.ok) return opened.result;
      ({ input, width, height } = opened);
    } else {
      // No separate header read: libvips enforces the pixel limit itself, and the original size is
      // the output size unless the working copy was capped (measured: 0.75 ms a photo at intake).
      input = sharp(buf, { limitInputPixels: limits.maxPixels, failOn: 'truncated', pages: 1, sequentialRead: true });
      // libvips stops its own work at the deadline too (the race above only stops waiting for it).
      if (limits.timeoutMs) input = input.timeout({ seconds: Math.max(1, Math.ceil(limits.timeoutMs / 1000)) });
      width = 0;
      height = 0;
    }
    let pipeline = input.autoOrient();
    if (width > 0) {
      const s = Math.min(1, limits.maxSide / Math.max(width, height));
      if (s < 1) pipeline = pipeline.resize({ width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)), fit: 'fill', kernel: 'lanczos3' });
    } else {
      pipeline = pipeline.resize({ width: limits.maxSide, height: limits.maxSide, fit: 'inside', withoutEnlargement: true, kernel: 'lanczos3' });
    }
    const out = await pipeline
      .flatten({ background: { r: 128, g: 128, b: 128 } })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (out.info.channels !== 3) return fail('decode_failed', `unexpected ${out.info.channels} channels after conversion`);
    if (width === 0) {
      if (Math.max(out.info.width, out.info.height) < limits.maxSide) ({ width, height } = out.info);
      else {
        const meta = await sharp(buf).metadata();
        ({ width, height } = orientedSize(meta.width, meta.height, meta.orientation));
      }
    }
    return {
      ok: true,
      decoded: {
        image: { data: out.data, width: out.info.width, height: out.info.height },
        format,
        originalWidth: width,
        originalHeight: height,
        scale: out.info.width / width,
        exif,
      },
    };
  } catch (err) {
    return (await declaredBomb(buf, limits)) ?? classify(err);
  }
}

/** After a failure, names a decompression bomb by its declared size where the header can be read. */
async function declaredBomb(buf: Buffer, limits: DecodeLimits): Promise<DecodeResult | null> {
  try {
    const meta = await sharp(buf, { limitInputPixels: false }).metadata();
    const { width, height } = orientedSize(meta.width, meta.height, meta.orientation);
    return width * height > limits.maxPixels ? checkDims(width, height, limits) : null;
  } catch {
    return null;
  }
}

function orientedSize(w: number | undefined, h: number | undefined, orientation: number | undefined): { width: number; height: number } {
  const width = w ?? 0;
  const height = h ?? 0;
  return orientation !== undefined && orientation >= 5 ? { width: height, height: width } : { width, height };
}

function checkDims(width: number, height: number, limits: DecodeLimits): DecodeResult | null {
  if (width <= 0 || height <= 0) return fail('truncated_or_corrupt', `image declares ${width}x${height} pixels`);
  if (width * height > limits.maxPixels)
    return fail('decompression_bomb', `image declares ${width}x${height} = ${(width * height / 1e6).toFixed(0)} MP, over the ${limits.maxPixels / 1e6} MP limit`);
  return null;
}

type Opened = { ok: true; input: Sharp; width: number; height: number } | { ok: false; result: DecodeResult };

/** BMP (common in old cameras and scanners) is not in the bundled libvips; bmp-ts decodes it. */
async function openBmp(buf: Buffer, limits: DecodeLimits): Promise<Opened> {
  if (buf.length < 26) return { ok: false, result: fail('truncated_or_corrupt', 'BMP header is truncated') };
  // Declared size (BITMAPINFOHEADER) is checked before any pixel is allocated.
  const bomb = checkDims(Math.abs(buf.readInt32LE(18)), Math.abs(buf.readInt32LE(22)), limits);
  if (bomb) return { ok: false, result: bomb };
  const bmp = await decodeWorkers.decode('bmp', buf, limits.timeoutMs);
  return { ok: true, input: sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: 3 } }), width: bmp.width, height: bmp.height };
}

/** HEIC photos (iPhones) are HEVC-coded, which the bundled libvips cannot decode; libheif (wasm) can. */
async function openHeif(buf: Buffer, limits: DecodeLimits): Promise<Opened> {
  try {
    const s = sharp(buf, { limitInputPixels: limits.maxPixels, failOn: 'truncated' });
    const meta = await s.metadata();
    if (meta.compression === 'av1') {
      const bomb = checkDims(meta.width ?? 0, meta.height ?? 0, limits);
      if (bomb) return { ok: false, result: bomb };
      return { ok: true, input: s, width: meta.width ?? 0, height: meta.height ?? 0 };
    }
  } catch {
    // fall through to libheif
  }
  const img = await decodeWorkers.decode('heif', buf, limits.timeoutMs);
  const bomb = checkDims(img.width, img.height, limits);
  if (bomb) return { ok: false, result: bomb };
  const rgba = img.data;
  // libheif has already applied the container's rotation/mirror; EXIF orientation must not be re-applied.
  const input = sharp(rgba, { raw: { width: img.width, height: img.height, channels: 4 } });
  return { ok: true, input, width: img.width, height: img.height };
}

function classify(err: unknown): DecodeResult {
  if (err instanceof DecodeTimeout) return fail('timeout', `${err.message}; given up so that intake goes on (a pathological or damaged file)`);
  // The same line repeated is other threads' copy of the message (libvips' shared error buffer).
  const msg = [...new Set((err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter(Boolean))].join('\n');
  if (/pixel limit/i.test(msg)) return fail('decompression_bomb', msg);
  if (/^timeout: \d+% complete/i.test(msg)) return fail('timeout', `decoding stopped at the time limit (${msg})`);
  if (/unsupported image format|bad seek|not a known file format|unknown file format/i.test(msg)) return fail('unsupported_format', msg);
  if (/premature end|truncated|corrupt|invalid|bad|not enough|VipsJpeg|out of order|read error|unexpected end/i.test(msg))
    return fail('truncated_or_corrupt', msg);
  return fail('decode_failed', msg);
}

/** Resizes a working copy (for detector input), off the JS thread. */
export async function resizeRgb(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  const out = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize({ width, height, fit: 'fill', kernel: width > img.width ? 'cubic' : 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: out.data, width: out.info.width, height: out.info.height };
}

/** Encodes a square RGB face crop (made on the inference threads) as the case's JPEG thumbnail. */
export async function encodeThumbnail(rgb: Uint8Array, size: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}
