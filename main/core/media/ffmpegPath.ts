import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { KestrelError } from '../../contract/index.js';

/**
 * ffmpeg, in order: the configured path, ffmpeg-static's binary if its install downloaded one,
 * `ffmpeg` on PATH. No download is ever attempted here.
 */
export function resolveFfmpeg(configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (configured) {
    if (!existsSync(configured)) throw new KestrelError('INVALID_INPUT', `The configured ffmpeg (${configured}) does not exist`);
    return configured;
  }
  try {
    const staticPath = createRequire(import.meta.url)('ffmpeg-static') as string | null;
    if (staticPath && existsSync(staticPath)) return staticPath;
  } catch {
    // optional dependency not installed
  }
  const exe = process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, exe))) return join(dir, exe);
  }
  throw new KestrelError(
    'IO_ERROR',
    'ffmpeg was not found. Install it (Debian/Ubuntu: sudo apt-get install ffmpeg), or set KESTREL_FFMPEG / --ffmpeg to its path.',
  );
}
