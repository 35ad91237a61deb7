import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import sharp, { type OverlayOptions } from 'sharp';
import { readArchiveMember } from '../media/archiveMember.js';
import { sniffFileType, type ImageFormat } from '../media/fileType.js';
import { sha256 } from '../media/hashing.js';
import { decodeImage, type RgbImage } from '../media/imageDecoder.js';
import { ARCHIVE_SEP } from '../repositories/locationPath.js';
import type { ExportFaceRow, ExportMediaRow } from '../repositories/exportRepository.js';
import { locateVideo } from '../video/evidenceClip.js';
import { withReadablePath, type CaseVault } from '../vault/caseVault.js';

/** A frame of an original, decoded, with the factor from stored (original) coordinates to its pixels. */
export interface LoadedFrame { readonly image: RgbImage; readonly scale: number }

export type OriginalCheck = { readonly ok: true; readonly path: string; readonly bytes?: Buffer } | { readonly ok: false; readonly problem: string };

/**
 * Opens originals for an export, read-only, and proves each is still the file taken in: its SHA-256
 * must equal the one recorded at intake, else nothing is made from it and the problem is reported.
 */
export class OriginalReader {
  private readonly checked = new Map<number, OriginalCheck>();
  /** `derivedDir` holds the case's working copies of videos found inside archives. */
  constructor(private readonly ffmpeg: () => string, private readonly derivedDir: string, private readonly vault: CaseVault) {}

  async check(m: ExportMediaRow): Promise<OriginalCheck> {
    const seen = this.checked.get(m.id);
    if (seen) return seen;
    const r = await this.locate(m);
    // Image bytes are kept only for the media being worked on (the caller releases them).
    this.checked.set(m.id, r.ok ? { ok: true, path: r.path } : r);
    return r;
  }

  private async locate(m: ExportMediaRow): Promise<OriginalCheck> {
    if (m.kind === 'video') {
      const r = await locateVideo(this.vault, this.derivedDir, m.sha256, m.locations);
      return 'path' in r ? { ok: true, path: r.path } : { ok: false, problem: `original ${m.sha256.slice(0, 12)}… not available (${r.problems.join('; ')})` };
    }
    const problems: string[] = [];
    for (const loc of m.locations) {
      if (!existsSync(loc.path)) { problems.push(`${loc.path}: missing`); continue; }
      const where = loc.entry ? `${loc.path}${ARCHIVE_SEP}${loc.entry}` : loc.path;
      try {
        const bytes = loc.entry ? await readArchiveMember(loc.path, loc.entry) : await readFile(loc.path);
        if (bytes && sha256(bytes) === m.sha256) return { ok: true, path: where, bytes };
        problems.push(`${where}: ${bytes ? 'its SHA-256 no longer matches the one recorded at intake' : 'entry not found in the archive'}`);
      } catch (err) {
        problems.push(`${where}: ${(err as Error).message}`);
      }
    }
    return { ok: false, problem: `original ${m.sha256.slice(0, 12)}… not available (${problems.join('; ') || 'no location'})` };
  }

  /** The frame a face was found in: the photo itself, or the video frame at its time. */
  async frame(m: ExportMediaRow, checked: Extract<OriginalCheck, { ok: true }>, frameMs: number | null): Promise<LoadedFrame> {
    if (m.kind === 'video') {
      const png = await withReadablePath(this.vault, this.derivedDir, checked.path, (p) => videoFrame(this.ffmpeg(), p, frameMs ?? 0));
      const out = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { image: { data: out.data, width: out.info.width, height: out.info.height }, scale: m.width ? out.info.width / m.width : 1 };
    }
    const bytes = checked.bytes ?? (await readFile(checked.path));
    const sniffed = sniffFileType(bytes);
    const format = sniffed.kind === 'image' ? sniffed.format : (m.format as ImageFormat);
    const r = await decodeImage(bytes, format);
    if (!r.ok) throw new Error(`cannot decode the original: ${r.detail}`);
    return { image: r.decoded.image, scale: r.decoded.scale };
  }
}

/** One video frame at a time (frame-accurate seek), as PNG at the video's own resolution. */
function videoFrame(ffmpeg: string, path: string, ms: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-ss', (ms / 1000).toFixed(3), '-i', path, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => { err += String(d); });
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      const png = Buffer.concat(out);
      if (code === 0 && png.length) resolve(png);
      else reject(new Error(`ffmpeg could not extract the frame at ${ms} ms: ${err.trim().slice(-300) || `exit ${code}`}`));
    });
  });
}

type Rect = { left: number; top: number; width: number; height: number };

/** The face box in frame pixels, grown by `pad` of its size on each side and kept inside the frame. */
export function faceRegion(f: Pick<ExportFaceRow, 'x' | 'y' | 'w' | 'h'>, scale: number, frame: { width: number; height: number }, pad: number): Rect | null {
  const x0 = Math.max(0, Math.floor((f.x - f.w * pad) * scale));
  const y0 = Math.max(0, Math.floor((f.y - f.h * pad) * scale));
  const x1 = Math.min(frame.width, Math.ceil((f.x + f.w * (1 + pad)) * scale));
  const y1 = Math.min(frame.height, Math.ceil((f.y + f.h * (1 + pad)) * scale));
  return x1 - x0 >= 2 && y1 - y0 >= 2 ? { left: x0, top: y0, width: x1 - x0, height: y1 - y0 } : null;
}

const raw = (img: RgbImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });

/** A face crop at the original's own resolution (no upscaling), with a quarter of the box as context. */
export async function faceCrop(fr: LoadedFrame, f: ExportFaceRow): Promise<Buffer | null> {
  const r = faceRegion(f, fr.scale, fr.image, 0.25);
  return r ? raw(fr.image).extract(r).jpeg({ quality: 92 }).toBuffer() : null;
}

/**
 * The whole frame with the subject faces outlined and labelled; with redaction, every other face
 * in it is blurred beyond recognition (reduced to 6 samples across, enlarged back and smoothed).
 */
export async function annotatedFrame(fr: LoadedFrame, subjects: readonly ExportFaceRow[], others: readonly ExportFaceRow[], redact: boolean): Promise<Buffer> {
  const layers: OverlayOptions[] = [];
  if (redact) {
    for (const o of others) {
      const r = faceRegion(o, fr.scale, fr.image, 0.15);
      if (!r) continue;
      // Down to 6 samples across the face and back up: no feature survives, and it costs microseconds.
      const small = 6;
      const tiny = await raw(fr.image).extract(r).resize(small, Math.max(1, Math.round((small * r.height) / r.width)), { kernel: 'cubic' }).raw().toBuffer({ resolveWithObject: true });
      const blurred = await sharp(tiny.data, { raw: { width: tiny.info.width, height: tiny.info.height, channels: 3 } })
        .resize(r.width, r.height, { kernel: 'cubic' }).blur(Math.max(1, r.width / 24)).png().toBuffer();
      layers.push({ input: blurred, left: r.left, top: r.top });
    }
  }
  const stroke = Math.max(2, Math.round(Math.min(fr.image.width, fr.image.height) / 300));
  const font = Math.max(12, stroke * 7);
  // Boxes are drawn straight into a copy of the pixels; only the small labels go through SVG
  // (a frame-sized SVG overlay cost 14 ms a frame, measured: most of an export's time).
  const pixels = Buffer.from(fr.image.data);
  for (const s of subjects) {
    const r = faceRegion(s, fr.scale, fr.image, 0);
    if (!r) continue;
    outline(pixels, fr.image.width, r, stroke);
    // One subject needs no label: the file name and faces.csv tie the frame to its face.
    if (subjects.length < 2) continue;
    const text = `face ${s.id}`;
    const lw = Math.ceil(font * 0.62 * text.length) + 6;
    const lh = font + 6;
    const left = Math.max(0, Math.min(fr.image.width - lw, r.left));
    const top = r.top >= lh ? r.top - lh : Math.min(fr.image.height - lh, r.top + r.height);
    if (lw > fr.image.width || lh > fr.image.height || top < 0) continue;
    layers.push({
      input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${lw}" height="${lh}"><rect width="${lw}" height="${lh}" fill="#000" fill-opacity="0.6"/><text x="3" y="${font}" font-family="sans-serif" font-size="${font}" fill="#ffcc00">${text}</text></svg>`),
      left, top,
    });
  }
  const out = sharp(pixels, { raw: { width: fr.image.width, height: fr.image.height, channels: 3 } });
  return (layers.length ? out.composite(layers) : out).jpeg({ quality: 90 }).toBuffer();
}

/** Draws a yellow rectangle outline of the given width into packed RGB pixels. */
function outline(px: Buffer, width: number, r: Rect, stroke: number): void {
  const paint = (x0: number, y0: number, x1: number, y1: number): void => {
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y * width + x) * 3;
        px[i] = 0xff; px[i + 1] = 0xcc; px[i + 2] = 0x00;
      }
    }
  };
  const w = Math.min(stroke, Math.floor(r.width / 2), Math.floor(r.height / 2));
  paint(r.left, r.top, r.left + r.width, r.top + w);
  paint(r.left, r.top + r.height - w, r.left + r.width, r.top + r.height);
  paint(r.left, r.top, r.left + w, r.top + r.height);
  paint(r.left + r.width - w, r.top, r.left + r.width, r.top + r.height);
}
