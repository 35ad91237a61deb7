import { spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { KestrelError } from '../../contract/index.js';

export interface Box { readonly x: number; readonly y: number; readonly w: number; readonly h: number }

/** One detection of a face to hide: where it was at `ms` (video time), and which sighting it belongs to. */
export interface HiddenFace { readonly ms: number; readonly box: Box; readonly trackId: number | null }

/** How far around its detections a face stays hidden (detections are sampled, faces move between them). */
export const REDACT_HOLD_MS = 600;
/** Margin added around each hidden face box, as a fraction of its size on each side. */
export const REDACT_MARGIN = 0.3;
const BLOCKS = 6;

/**
 * Where each hidden face is at time `ms`: a tracked face is interpolated between its two nearest
 * detections (and held REDACT_HOLD_MS past its first and last), an untracked one is held
 * REDACT_HOLD_MS around its detection. Boxes are grown by REDACT_MARGIN.
 */
export function hiddenBoxesAt(faces: readonly HiddenFace[], ms: number): Box[] {
  const byTrack = new Map<number, HiddenFace[]>();
  const out: Box[] = [];
  for (const f of faces) {
    if (f.trackId === null) { if (Math.abs(f.ms - ms) <= REDACT_HOLD_MS) out.push(f.box); continue; }
    const l = byTrack.get(f.trackId);
    if (l) l.push(f); else byTrack.set(f.trackId, [f]);
  }
  for (const list of byTrack.values()) {
    list.sort((a, b) => a.ms - b.ms);
    const first = list[0]!;
    const last = list[list.length - 1]!;
    if (ms < first.ms - REDACT_HOLD_MS || ms > last.ms + REDACT_HOLD_MS) continue;
    if (ms <= first.ms) { out.push(first.box); continue; }
    if (ms >= last.ms) { out.push(last.box); continue; }
    const i = list.findIndex((f) => f.ms >= ms);
    const a = list[i - 1]!;
    const b = list[i]!;
    const k = b.ms === a.ms ? 0 : (ms - a.ms) / (b.ms - a.ms);
    const lerp = (p: number, q: number): number => p + (q - p) * k;
    // Both ends are covered too: a box between two detections spans them both while the face moves.
    out.push({ x: lerp(a.box.x, b.box.x), y: lerp(a.box.y, b.box.y), w: lerp(a.box.w, b.box.w), h: lerp(a.box.h, b.box.h) });
  }
  return out.map((b) => ({ x: b.x - b.w * REDACT_MARGIN, y: b.y - b.h * REDACT_MARGIN, w: b.w * (1 + 2 * REDACT_MARGIN), h: b.h * (1 + 2 * REDACT_MARGIN) }));
}

/** Pixelates a box of an RGB frame in place: BLOCKS cells across, each filled with its mean colour (no feature survives). */
export function pixelate(rgb: Buffer, width: number, height: number, b: Box): void {
  const x0 = Math.max(0, Math.floor(b.x));
  const y0 = Math.max(0, Math.floor(b.y));
  const x1 = Math.min(width, Math.ceil(b.x + b.w));
  const y1 = Math.min(height, Math.ceil(b.y + b.h));
  if (x1 - x0 < 1 || y1 - y0 < 1) return;
  const cell = Math.max(1, Math.ceil((x1 - x0) / BLOCKS));
  for (let cy = y0; cy < y1; cy += cell) {
    for (let cx = x0; cx < x1; cx += cell) {
      const ex = Math.min(x1, cx + cell);
      const ey = Math.min(y1, cy + cell);
      let r = 0, g = 0, bl = 0, n = 0;
      for (let y = cy; y < ey; y++) for (let x = cx; x < ex; x++) { const o = (y * width + x) * 3; r += rgb[o]!; g += rgb[o + 1]!; bl += rgb[o + 2]!; n++; }
      r = Math.round(r / n); g = Math.round(g / n); bl = Math.round(bl / n);
      for (let y = cy; y < ey; y++) for (let x = cx; x < ex; x++) { const o = (y * width + x) * 3; rgb[o] = r; rgb[o + 1] = g; rgb[o + 2] = bl; }
    }
  }
}

/**
 * Cuts [fromMs, toMs) of a video with the given faces pixelated: ffmpeg decodes the span to raw
 * frames at the video's size and rate, each frame's hidden faces are pixelated here, and a second
 * ffmpeg encodes the frames (H.264) with the original's audio into `out` (written whole or not at all).
 */
export async function cutRedactedClip(ffmpeg: string, src: string, o: {
  fromMs: number; toMs: number; width: number; height: number; fps: number; hidden: readonly HiddenFace[];
}, out: string): Promise<{ frames: number; redactedFrames: number }> {
  const { width, height } = o;
  const fps = o.fps > 0 && o.fps <= 120 ? o.fps : 25;
  const frameBytes = width * height * 3;
  const seconds = ((o.toMs - o.fromMs) / 1000).toFixed(3);
  const start = (o.fromMs / 1000).toFixed(3);
  const tmp = `${out}.part`;
  const decoder = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-ss', start, '-i', src, '-t', seconds, '-map', '0:v:0',
    '-vf', `fps=${fps},scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const encoder = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
    '-ss', start, '-t', seconds, '-i', src, '-map', '0:v:0', '-map', '1:a:0?', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-shortest', '-movflags', '+faststart', '-f', 'mp4', '-y', tmp], { stdio: ['pipe', 'ignore', 'pipe'] });
  let errText = '';
  const collect = (c: Buffer): void => { if (errText.length < 8000) errText += c.toString(); };
  decoder.stderr.on('data', collect);
  encoder.stderr.on('data', collect);
  const closed = (p: ReturnType<typeof spawn>): Promise<number | null> => new Promise((r) => { p.on('error', () => r(-1)); p.on('close', (code) => r(code)); });
  const decoderDone = closed(decoder);
  const encoderDone = closed(encoder);
  let frames = 0;
  let redactedFrames = 0;
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of decoder.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= frameBytes) {
        const frame = Buffer.from(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
        const boxes = hiddenBoxesAt(o.hidden, o.fromMs + (frames * 1000) / fps);
        for (const b of boxes) pixelate(frame, width, height, b);
        if (boxes.length) redactedFrames++;
        frames++;
        if (!encoder.stdin!.write(frame)) await new Promise((r) => encoder.stdin!.once('drain', r));
      }
    }
    encoder.stdin!.end();
    const [dc, ec] = await Promise.all([decoderDone, encoderDone]);
    if (dc !== 0 || ec !== 0 || frames === 0) throw new Error(errText.trim() || `ffmpeg exited with ${String(dc)}/${String(ec)} after ${frames} frames`);
    await rename(tmp, out);
    return { frames, redactedFrames };
  } catch (err) {
    decoder.kill('SIGKILL');
    encoder.kill('SIGKILL');
    await rm(tmp, { force: true });
    throw new KestrelError('IO_ERROR', `could not cut a redacted clip: ${(err as Error).message}`);
  }
}
