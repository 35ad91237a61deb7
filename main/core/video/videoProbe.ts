import { spawn } from 'node:child_process';

export interface VideoInfo {
  /** Null for raw elementary streams, whose container states no duration. */
  readonly durationMs: number | null;
  readonly fps: number | null;
  readonly codec: string;
  /** Display size, after the rotation ffmpeg applies when decoding. */
  readonly width: number;
  readonly height: number;
  readonly rotation: number;
  readonly creationTime: string | null;
}

/**
 * Reads a video's stream facts from ffmpeg's own report (`ffmpeg -i`), so that only the ffmpeg
 * binary is needed (ffmpeg-static ships no ffprobe). Returns null when ffmpeg finds no video stream.
 */
export async function probeVideo(ffmpeg: string, path: string, timeoutMs = 30_000): Promise<VideoInfo | null> {
  const text = await new Promise<string>((resolve, reject) => {
    const p = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-i', path], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => {
      if (err.length < 1 << 20) err += String(d);
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', () => {
      clearTimeout(timer);
      resolve(err);
    });
  });
  return parseFfmpegInfo(text);
}

export function parseFfmpegInfo(text: string): VideoInfo | null {
  const stream = /Stream #\d+:\d+[^:]*: Video: ([a-z0-9_]+)[^\n]*?, (\d{1,5})x(\d{1,5})[^\n]*/.exec(text);
  if (!stream) return null;
  const line = stream[0];
  const fps = /, ([\d.]+) fps/.exec(line) ?? /, ([\d.]+) tbr/.exec(line);
  const dur = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(text);
  const rot = /rotation of (-?[\d.]+) degrees/.exec(text) ?? /rotate\s*:\s*(-?\d+)/.exec(text);
  const created = /creation_time\s*:\s*(\S+)/.exec(text);
  const rotation = rot ? ((Math.round(Number(rot[1])) % 360) + 360) % 360 : 0;
  let width = Number(stream[2]);
  let height = Number(stream[3]);
  if (rotation === 90 || rotation === 270) [width, height] = [height, width];
  const createdAt = created ? new Date(created[1]!) : null;
  return {
    durationMs: dur ? Math.round((Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3])) * 1000) : null,
    fps: fps ? Number(fps[1]) : null,
    codec: stream[1]!,
    width,
    height,
    rotation,
    creationTime: createdAt && !Number.isNaN(createdAt.getTime()) ? createdAt.toISOString() : null,
  };
}
