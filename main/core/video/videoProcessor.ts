import { mkdir } from 'node:fs/promises';
import type { CaseVault } from '../vault/caseVault.js';
import { join } from 'node:path';
import type { FaceId, MediaId } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import type { FaceRepository } from '../repositories/faceRepository.js';
import type { MediaRepository } from '../repositories/mediaRepository.js';
import type { TrackRepository } from '../repositories/trackRepository.js';
import type { VideoFormat } from '../media/fileType.js';
import { encodeThumbnail, resizeRgb } from '../media/imageDecoder.js';
import type { FacePool } from '../faces/facePool.js';
import { detectorSize, type AnalyzedFace } from '../faces/faceEngine.js';
import { toOriginalCoords } from '../faces/imageAnalyzer.js';
import { THUMB_SIZE } from '../faces/thumbnailCrop.js';
import { sampleFrames, type SamplingOptions } from './frameSampler.js';
import { FaceTracker, TemplateSum } from './faceTracker.js';
import { probeVideo } from './videoProbe.js';

export interface VideoDeps {
  readonly db: Db;
  readonly media: MediaRepository;
  readonly faces: FaceRepository;
  readonly tracks: TrackRepository;
  readonly derivedDir: string;
  readonly vault: CaseVault;
  readonly pool: () => Promise<FacePool>;
  /** Resolves ffmpeg (throws a KestrelError with the fix when there is none). */
  readonly ffmpeg: () => string;
  readonly sampling: SamplingOptions;
}

/**
 * Time spent in this process on the steps of video intake that are not decoding or inference,
 * summed over every video since the last reset (read by `kestrel bench video`).
 */
export const videoStageMs = { track: 0, store: 0 };

/** Faces are written to the case this many at a time while the video plays, so memory does not grow with its length. */
const FACE_BATCH = 64;

/** What stays in memory per face until the video ends: enough to choose a track's best face. */
interface KeptFace { readonly id: FaceId; readonly quality: number }

interface FrameFace {
  readonly ptsMs: number;
  /** Without its crop pixels (written as the thumbnail at once). */
  readonly face: Omit<AnalyzedFace, 'thumb'>;
  readonly thumb: string;
}

/**
 * One video: probe, stream sampled frames through the face pipeline (frames overlap on the
 * inference workers but enter the tracker in time order), write faces in batches as they come,
 * then link them into tracks and write the tracks, templates and the media's 'done' status in one
 * transaction. Until then the media stays pending: an interrupted run's faces are removed when the
 * video is processed again (or at once when it is cancelled). A damaged file keeps what could be
 * decoded and records why it stopped.
 */
export async function processVideo(d: VideoDeps, mediaId: MediaId, hash: string, path: string, format: VideoFormat, signal?: AbortSignal): Promise<void> {
  let ffmpeg: string;
  try {
    ffmpeg = d.ffmpeg();
  } catch (err) {
    d.media.markFailed(mediaId, 'decode_failed', (err as Error).message);
    return;
  }
  const info = await probeVideo(ffmpeg, path);
  if (!info || info.width <= 0 || info.height <= 0) {
    d.media.markFailed(mediaId, 'truncated_or_corrupt', 'ffmpeg found no decodable video stream');
    return;
  }
  const pool = await d.pool();
  const tracker = new FaceTracker();
  // Faces of an earlier, interrupted run of this video go first: nothing is counted twice.
  const forget = (): void => d.db.transaction(() => d.tracks.clearMedia(mediaId))();
  forget();
  const kept: KeptFace[] = [];
  let batch: FrameFace[] = [];
  const flush = (): void => {
    const rows = batch;
    batch = [];
    d.db.transaction(() => {
      for (const c of rows) {
        const id = d.faces.insert({
          mediaId, frameMs: c.ptsMs, box: c.face.box, landmarks: c.face.landmarks, detectorScore: c.face.score, quality: c.face.quality,
          age: c.face.age, gender: c.face.gender, thumb: c.thumb, embeddings: new Map(Object.entries(c.face.embeddings)),
        });
        kept.push({ id, quality: c.face.quality.overall });
      }
    })();
  };
  const thumbDir = join(d.derivedDir, 'thumbs', hash.slice(0, 2));
  await mkdir(thumbDir, { recursive: true, mode: 0o700 });
  const inFlight: Promise<{ ptsMs: number; faces: AnalyzedFace[] }>[] = [];
  let scale = 1;
  let lastFaceMs = 0;

  const settle = async (): Promise<void> => {
    const r = await inFlight.shift()!;
    const t0 = performance.now();
    tracker.push(r.ptsMs, r.faces.map((f) => ({ box: f.box, embeddings: f.embeddings, quality: f.quality.overall })));
    const t1 = performance.now();
    if (r.faces.length) lastFaceMs = r.ptsMs;
    for (let i = 0; i < r.faces.length; i++) {
      const rel = join('thumbs', hash.slice(0, 2), `${hash}_${r.ptsMs}_${i}.jpg`);
      const { thumb, embeddings, ...rest } = r.faces[i]!;
      await d.vault.writeFile(join(d.derivedDir, rel), await encodeThumbnail(thumb, THUMB_SIZE));
      batch.push({ ptsMs: r.ptsMs, face: { ...rest, embeddings }, thumb: rel });
    }
    if (batch.length >= FACE_BATCH) flush();
    videoStageMs.track += t1 - t0;
    videoStageMs.store += performance.now() - t1;
  };

  // Hours of CCTV take longer than the per-file limit at any speed: a file may take as long as it plays.
  const sampling = { ...d.sampling, timeoutMs: Math.max(d.sampling.timeoutMs, info.durationMs ?? 0) };
  let end: Awaited<ReturnType<typeof sampleFrames>>;
  try {
    end = await sampleFrames(ffmpeg, path, info, sampling, async (frame) => {
      const img = frame.image;
      scale = img.width / info.width;
      const ds = detectorSize(img.width, img.height);
      const det = { image: ds.scale === 1 ? img : await resizeRgb(img, ds.width, ds.height), scale: ds.scale };
      // No padded retry on frames: most CCTV frames hold no face, and a second pass would double their cost.
      inFlight.push(pool.analyze(img, det, false).then((r) => ({ ptsMs: frame.ptsMs, faces: toOriginalCoords(r, scale).faces })));
      while (inFlight.length > pool.size) await settle();
    }, signal);
    while (inFlight.length) await settle();
    flush();
  } catch (err) {
    forget();
    throw err;
  }
  if (signal?.aborted) return forget();

  const t0 = performance.now();
  const tracks = tracker.finish();
  const t1 = performance.now();
  d.db.transaction(() => {
    for (const t of tracks) {
      const members = t.faces.map((i) => kept[i]!);
      const best = members.reduce((a, b) => (b.quality > a.quality ? b : a));
      // The template is summed from the stored embeddings a batch at a time (an hour-long track has thousands).
      const sum = new TemplateSum();
      for (let i = 0; i < members.length; i += FACE_BATCH) {
        const part = members.slice(i, i + FACE_BATCH);
        const stored = d.faces.embeddingsOf(part.map((m) => m.id));
        sum.add(part.map((m) => ({ embeddings: stored.get(m.id)!.embeddings, quality: m.quality })));
      }
      d.tracks.insert({
        mediaId, startMs: t.startMs, endMs: t.endMs, faceIds: members.map((m) => m.id), bestFace: best.id, quality: best.quality, template: sum.template(),
      });
    }
    d.media.markDone(mediaId, {
      format, width: info.width, height: info.height, orientation: null, capturedAt: info.creationTime, cameraMake: null, cameraModel: null, gps: null,
    }, kept.length ? 'direct' : 'none');
    d.media.setVideoInfo(mediaId, { durationMs: info.durationMs, fps: info.fps, codec: info.codec });
    if (end.error) {
      d.media.noteDamage(mediaId, end.frames ? 'truncated_or_corrupt' : 'decode_failed',
        `${end.frames} frames decoded${end.frames ? ` (faces up to ${(lastFaceMs / 1000).toFixed(1)} s)` : ''}; ffmpeg: ${end.error.slice(0, 500)}`);
    }
  })();
  videoStageMs.track += t1 - t0;
  videoStageMs.store += performance.now() - t1;
}
