import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KestrelError } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import { sha256File } from '../media/hashing.js';
import { verifiedExtractedVideo } from './archivedVideo.js';
import { withReadablePath, type CaseVault } from '../vault/caseVault.js';
import type { AuditRepository } from '../repositories/auditRepository.js';
import type { ClipRepository, ClipRow } from '../repositories/clipRepository.js';

export interface ClipDeps {
  readonly db: Db;
  readonly clips: ClipRepository;
  readonly audit: AuditRepository;
  readonly derivedDir: string;
  readonly vault: CaseVault;
  readonly ffmpeg: () => string;
}

export interface ClipRequest {
  /** A track's span, or a media item with an explicit span. */
  readonly trackId?: number;
  readonly mediaId?: number;
  readonly startMs?: number;
  readonly endMs?: number;
  /** Context kept before and after the span (default 2 s). */
  readonly padMs?: number;
  /** A sighting's clip is widened evenly to at least this long where the video allows (default 10 s; 0 for an explicit span). */
  readonly minLengthMs?: number;
  readonly reason: string;
  readonly examiner: string;
}

export const DEFAULT_CLIP_PAD_MS = 2000;
export const DEFAULT_CLIP_MIN_MS = 10_000;

/**
 * The span of a clip around [startMs, endMs]: `padMs` of context on each side, then widened evenly
 * to `minLengthMs` where the video allows, always inside [0, durationMs] (when the duration is known).
 */
export function clipSpan(startMs: number, endMs: number, durationMs: number | null, padMs: number, minLengthMs: number): { fromMs: number; toMs: number } {
  let from = startMs - padMs;
  let to = endMs + padMs;
  const short = minLengthMs - (to - from);
  if (short > 0) { from -= short / 2; to += short / 2; }
  // What cannot go before the start (or past the end) goes to the other side.
  if (from < 0) { to -= from; from = 0; }
  if (durationMs !== null && to > durationMs) { from = Math.max(0, from - (to - durationMs)); to = durationMs; }
  return { fromMs: Math.round(from), toMs: Math.max(Math.round(from) + 1, Math.round(to)) };
}

/**
 * Cuts an evidence clip from an original video: the original is first re-hashed and must still match
 * the SHA-256 recorded at intake (a changed or replaced file is refused), then ffmpeg re-encodes the
 * span (frame-accurate, H.264 + AAC in MP4; MPEG-4 part 2 where libx264 is missing) into the case's
 * derived/clips/. The clip's own SHA-256 is stored and the cut audited. The original is only read.
 */
export async function createClip(d: ClipDeps, req: ClipRequest): Promise<ClipRow> {
  let mediaId: number;
  let startMs: number;
  let endMs: number;
  let trackId: number | null = null;
  if (req.trackId !== undefined) {
    const t = d.db.prepare('SELECT media_id, start_ms, end_ms FROM tracks WHERE id = ?').get(req.trackId) as { media_id: number; start_ms: number; end_ms: number } | undefined;
    if (!t) throw new KestrelError('NOT_FOUND', `No track ${req.trackId} in this case`);
    ({ media_id: mediaId, start_ms: startMs, end_ms: endMs } = t);
    trackId = req.trackId;
  } else {
    if (req.mediaId === undefined || req.startMs === undefined || req.endMs === undefined) throw new KestrelError('INVALID_INPUT', 'A clip needs a track, or a media item with a start and an end');
    mediaId = req.mediaId;
    startMs = req.startMs;
    endMs = req.endMs;
  }
  const media = d.db.prepare('SELECT sha256, kind, duration_ms FROM media WHERE id = ?').get(mediaId) as { sha256: string; kind: string; duration_ms: number | null } | undefined;
  if (!media) throw new KestrelError('NOT_FOUND', `No media ${mediaId} in this case`);
  if (media.kind !== 'video') throw new KestrelError('INVALID_INPUT', `Media ${mediaId} is not a video`);
  const pad = req.padMs ?? DEFAULT_CLIP_PAD_MS;
  if (!(pad >= 0) || !(startMs >= 0) || !(endMs >= startMs)) throw new KestrelError('INVALID_INPUT', `Invalid clip span ${startMs}-${endMs} ms (pad ${pad} ms)`);
  const { fromMs: from, toMs: to } = clipSpan(startMs, endMs, media.duration_ms, pad, req.minLengthMs ?? (trackId !== null ? DEFAULT_CLIP_MIN_MS : 0));
  if (media.duration_ms !== null && startMs > media.duration_ms) throw new KestrelError('INVALID_INPUT', `The span starts after the end of the video (${media.duration_ms} ms)`);

  const dir = join(d.derivedDir, 'clips');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const rel = `clips/${mediaId}-${from}-${to}-${randomUUID().slice(0, 8)}.mp4`;
  const out = join(d.derivedDir, rel);
  const encoder = await withVerifiedOriginal(d.vault, d.derivedDir, media.sha256, d.clips.originalLocations(mediaId),
    (original) => d.vault.writeVia(out, (plain) => encodeSpan(d.ffmpeg(), original, from, to, plain)));
  const sha = await d.vault.hashFile(out);
  const bytes = await d.vault.size(out);
  return d.db.transaction(() => {
    const id = d.clips.insert({ mediaId, trackId, startMs: from, endMs: to, path: rel, sha256: sha, bytes, encoder, reason: req.reason, createdBy: req.examiner });
    d.audit.append(req.examiner, 'clip.created', `clip:${id}`, { media: mediaId, original_sha256: media.sha256, track: trackId, start_ms: from, end_ms: to, file: rel, sha256: sha, bytes, encoder, reason: req.reason });
    return d.clips.get(id)!;
  })();
}

/**
 * Re-encodes [fromMs, toMs) of a video into `out` (H.264 + AAC in MP4, MPEG-4 part 2 where libx264
 * is missing), written whole or not at all. Returns the video encoder used.
 */
export async function encodeSpan(ffmpeg: string, src: string, fromMs: number, toMs: number, out: string): Promise<string> {
  const tmp = `${out}.part`;
  let encoder = 'libx264';
  try {
    try {
      await runFfmpeg(ffmpeg, src, fromMs, toMs, tmp, ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p']);
    } catch (err) {
      if (!/Unknown encoder|Encoder not found|libx264/i.test((err as Error).message)) throw err;
      encoder = 'mpeg4';
      await runFfmpeg(ffmpeg, src, fromMs, toMs, tmp, ['-c:v', 'mpeg4', '-q:v', '2']);
    }
    await rename(tmp, out);
    return encoder;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err instanceof KestrelError ? err : new KestrelError('IO_ERROR', `ffmpeg could not cut the clip: ${(err as Error).message}`);
  }
}

type Locations = readonly { readonly path: string; readonly entry: string }[];

/**
 * The original video as a file ffmpeg can read, proven unchanged: the first plain location that
 * still hashes to the recorded SHA-256, else the case's verified working copy of an archive member
 * (made again from the archive when needed). Otherwise every location's problem.
 */
export async function locateVideo(vault: CaseVault, derivedDir: string, expected: string, locations: Locations): Promise<{ readonly path: string } | { readonly problems: string[] }> {
  const problems: string[] = [];
  for (const { path: p } of locations.filter((l) => !l.entry)) {
    if (!existsSync(p)) { problems.push(`${p}: missing`); continue; }
    if ((await sha256File(p)) === expected) return { path: p };
    problems.push(`${p}: changed since intake (SHA-256 differs)`);
  }
  if (locations.some((l) => l.entry)) {
    try {
      return { path: await verifiedExtractedVideo(vault, derivedDir, expected, locations) };
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return { problems: problems.length ? problems : ['no location recorded'] };
}

/**
 * Runs `use` on the original video as a file ffmpeg can read (see locateVideo; a working copy kept in
 * an encrypted case is given as a plain copy for the time of `use`), or NOT_FOUND naming every
 * location's problem.
 */
export async function withVerifiedOriginal<T>(vault: CaseVault, derivedDir: string, expected: string, locations: Locations, use: (path: string) => Promise<T>): Promise<T> {
  const r = await locateVideo(vault, derivedDir, expected, locations);
  if (!('path' in r)) throw new KestrelError('NOT_FOUND', `The original video is not available unchanged: ${r.problems.join('; ')}`);
  return withReadablePath(vault, derivedDir, r.path, use);
}

function runFfmpeg(ffmpeg: string, src: string, fromMs: number, toMs: number, out: string, video: readonly string[]): Promise<void> {
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-ss', (fromMs / 1000).toFixed(3), '-i', src, '-t', ((toMs - fromMs) / 1000).toFixed(3),
    '-map', '0:v:0', '-map', '0:a:0?', ...video, '-c:a', 'aac', '-movflags', '+faststart', '-f', 'mp4', '-y', out,
  ];
  return new Promise((resolve, reject) => {
    const p = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c: Buffer) => { if (err.length < 8000) err += c.toString(); });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err.trim() || `ffmpeg exited with ${String(code)}`))));
  });
}
