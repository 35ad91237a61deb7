import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { sha256 } from '../media/hashing.js';
import type { CaseVault } from '../vault/caseVault.js';
import type { ExportRepository } from '../repositories/exportRepository.js';
import { clipSpan, DEFAULT_CLIP_MIN_MS, DEFAULT_CLIP_PAD_MS, encodeSpan, withVerifiedOriginal } from '../video/evidenceClip.js';
import { cutRedactedClip, REDACT_HOLD_MS, type HiddenFace } from '../video/redactedClip.js';
import type { ExportContent } from './exportContent.js';
import type { ExportWriter } from './exportManifest.js';

/** Clips cut by one export at most (each is a re-encode); more are listed as problems, not cut. */
export const MAX_EXPORT_CUTS = 200;

export interface ExportedClip {
  readonly file: string;
  readonly trackId: number | null;
  readonly mediaId: number;
  readonly startMs: number;
  readonly endMs: number;
  /** `case clip N` (copied, its recorded SHA-256 checked) or `cut at export` (from the verified original). */
  readonly origin: string;
  readonly redacted: boolean;
  /** Frames in which at least one face was pixelated (redacted clips). */
  readonly redactedFrames: number;
}

export interface ExportClipDeps {
  readonly caseDir: string;
  readonly vault: CaseVault;
  readonly exports: ExportRepository;
  readonly ffmpeg: () => string;
}

/**
 * The video clips of an export: every exported sighting (track) gets one, with 2 s of context.
 * Without redaction a clip the case already holds is copied after checking its recorded SHA-256,
 * and a track without one is cut now from the verified original. With redaction every clip is cut
 * now with every face that is not a subject of the export pixelated in every frame (tracked faces
 * followed between detections), so no unredacted clip leaves the case.
 */
export async function writeExportClips(d: ExportClipDeps, c: ExportContent, w: ExportWriter, o: { redact: boolean; signal?: AbortSignal }, problems: string[]): Promise<ExportedClip[]> {
  const out: ExportedClip[] = [];
  const covered = new Set<number>();
  if (!o.redact) {
    for (const clip of c.clips) {
      const from = join(d.caseDir, 'derived', clip.path);
      const bytes = existsSync(from) ? await d.vault.readFile(from).catch(() => null) : null;
      if (!bytes || sha256(bytes) !== clip.sha256) { problems.push(`clip ${clip.id}: missing, or its SHA-256 no longer matches the one recorded when it was cut`); continue; }
      const file = `clips/clip-${clip.id}${extname(clip.path) || '.mp4'}`;
      await w.write(file, bytes);
      if (clip.trackId !== null) covered.add(clip.trackId);
      out.push({ file, trackId: clip.trackId, mediaId: clip.mediaId, startMs: clip.startMs, endMs: clip.endMs, origin: `case clip ${clip.id}`, redacted: false, redactedFrames: 0 });
    }
  }
  const toCut = c.clipTracks.filter((t) => !covered.has(t.id));
  if (toCut.length > MAX_EXPORT_CUTS) problems.push(`${toCut.length - MAX_EXPORT_CUTS} sightings got no clip: an export cuts at most ${MAX_EXPORT_CUTS} (select fewer tracks or identities)`);
  for (const t of toCut.slice(0, MAX_EXPORT_CUTS)) {
    if (o.signal?.aborted) break;
    const m = c.media.get(t.mediaId) ?? d.exports.media([t.mediaId])[0];
    if (!m) continue;
    const { fromMs: startMs, toMs: endMs } = clipSpan(t.startMs, t.endMs, m.durationMs, DEFAULT_CLIP_PAD_MS, DEFAULT_CLIP_MIN_MS);
    try {
      if (!o.redact) {
        const file = `clips/track-${t.id}.mp4`;
        await withVerifiedOriginal(d.vault, join(d.caseDir, 'derived'), m.sha256, m.locations,
          (original) => w.produce(file, async (abs) => { await encodeSpan(d.ffmpeg(), original, startMs, endMs, abs); }));
        out.push({ file, trackId: t.id, mediaId: m.id, startMs, endMs, origin: 'cut at export', redacted: false, redactedFrames: 0 });
        continue;
      }
      if (!m.width || !m.height) throw new Error('the video size is unknown');
      const hidden: HiddenFace[] = d.exports.facesOnMedia(m.id)
        .filter((f) => f.frameMs !== null && !c.selectedFaces.has(f.id) && f.frameMs >= startMs - REDACT_HOLD_MS && f.frameMs <= endMs + REDACT_HOLD_MS)
        .map((f) => ({ ms: f.frameMs!, box: { x: f.x, y: f.y, w: f.w, h: f.h }, trackId: f.trackId }));
      const file = `clips/track-${t.id}-redacted.mp4`;
      let redactedFrames = 0;
      await withVerifiedOriginal(d.vault, join(d.caseDir, 'derived'), m.sha256, m.locations, (original) => w.produce(file, async (abs) => {
        ({ redactedFrames } = await cutRedactedClip(d.ffmpeg(), original, { fromMs: startMs, toMs: endMs, width: m.width!, height: m.height!, fps: m.fps ?? 25, hidden }, abs));
      }));
      out.push({ file, trackId: t.id, mediaId: m.id, startMs, endMs, origin: 'cut at export', redacted: true, redactedFrames });
    } catch (err) {
      problems.push(`track ${t.id}: no clip (${(err as Error).message})`);
    }
  }
  return out;
}
