import { spawn } from 'node:child_process';
import type { RgbImage } from '../media/imageDecoder.js';

export interface SamplingOptions {
  /** Frames per second taken at regular intervals (measured default: see DEFAULT_SAMPLE_FPS). */
  readonly fps: number;
  /** Extra frames where the picture changes abruptly (ffmpeg scene score, 0..1); 0 disables. */
  readonly sceneThreshold: number;
  /** Working frames are scaled down so their long side is at most this. */
  readonly maxSide: number;
  /** Wall-clock limit for the whole file (a pathological file must not stall intake). */
  readonly timeoutMs: number;
}

export const DEFAULT_SAMPLE_FPS = 4;
export const DEFAULT_SAMPLING: SamplingOptions = { fps: DEFAULT_SAMPLE_FPS, sceneThreshold: 0.35, maxSide: 1280, timeoutMs: 30 * 60_000 };

export interface SampledFrame {
  /** Presentation time of the decoded frame, from ffmpeg (not a frame-index guess). */
  readonly ptsMs: number;
  readonly image: RgbImage;
}

export interface SamplerEnd {
  readonly frames: number;
  /** ffmpeg's complaints when it stopped early or hit damaged data; null when the file was clean. */
  readonly error: string | null;
}

/**
 * Streams sampled frames of a video from ffmpeg as raw RGB (never a folder of images, never the
 * whole file in memory): ffmpeg selects frames at `fps` plus scene changes, keeps their real
 * presentation times (printed by the showinfo filter), and scales them to the working size.
 * `onFrame` is awaited before more output is read, which is the back-pressure on ffmpeg.
 */
export async function sampleFrames(
  ffmpeg: string, path: string, size: { width: number; height: number }, o: SamplingOptions,
  onFrame: (f: SampledFrame) => Promise<void>, signal?: AbortSignal,
): Promise<SamplerEnd> {
  const s = Math.min(1, o.maxSide / Math.max(size.width, size.height));
  // Even dimensions keep every pixel format happy.
  const w = Math.max(2, Math.round((size.width * s) / 2) * 2);
  const h = Math.max(2, Math.round((size.height * s) / 2) * 2);
  const interval = 1 / o.fps;
  const select = o.sceneThreshold > 0
    ? `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${interval.toFixed(6)})+gt(scene\\,${o.sceneThreshold})'`
    : `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${interval.toFixed(6)})'`;
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'info', '-threads', '1', '-i', path, '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vf', `${select},showinfo,scale=${w}:${h}:flags=area,format=rgb24`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ];
  const proc = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const frameBytes = w * h * 3;
  const pts: number[] = [];
  const problems: string[] = [];
  let stderrTail = '';
  proc.stderr.on('data', (d: Buffer) => {
    const text = stderrTail + String(d);
    const lines = text.split('\n');
    stderrTail = lines.pop() ?? '';
    for (const line of lines) {
      const m = /\] n:\s*\d+ pts:\s*-?\d+ pts_time:(-?[\d.e+-]+)/.exec(line);
      if (m) pts.push(Math.round(Number(m[1]) * 1000));
      else if (/error|invalid|corrupt|truncat|missing|Could not|no frame/i.test(line) && problems.length < 20) problems.push(line.trim());
    }
  });
  const timer = setTimeout(() => {
    problems.push(`stopped after the ${Math.round(o.timeoutMs / 1000)} s limit`);
    proc.kill('SIGKILL');
  }, o.timeoutMs);
  const onAbort = (): void => {
    proc.kill('SIGKILL');
  };
  signal?.addEventListener('abort', onAbort);
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  let frames = 0;
  try {
    let pending: Buffer[] = [];
    let have = 0;
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      pending.push(chunk);
      have += chunk.length;
      while (have >= frameBytes) {
        const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        const data = Buffer.from(all.subarray(0, frameBytes));
        const rest = all.subarray(frameBytes);
        pending = rest.length ? [rest] : [];
        have = rest.length;
        // showinfo prints a frame's line before the frame reaches the pipe; wait briefly if not yet read.
        for (let i = 0; i < 50 && pts.length <= frames; i++) await new Promise((r) => setTimeout(r, 2));
        const t = pts[frames];
        if (t === undefined) throw new Error('ffmpeg gave a frame without its timestamp');
        frames++;
        await onFrame({ ptsMs: t, image: { data, width: w, height: h } });
      }
    }
    const code = await exited;
    if (code !== 0 && !signal?.aborted) problems.push(`ffmpeg exited with code ${code}`);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
  return { frames, error: problems.length ? problems.join('; ') : null };
}
