import { mkdir, writeFile } from 'node:fs/promises';
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
import { FaceTracker, trackTemplate } from './faceTracker.js';
import { probeVideo } from './videoProbe.js';

export interface VideoDeps {
  readonly db: Db;
  readonly media: MediaRepository;
  readonly faces: FaceRepository;
  readonly tracks: TrackRepository;
  readonly derivedDir: string;
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

interface FrameFace {
  readonly ptsMs: number;
  /** Without its crop pixels (written as the thumbnail at once): a long video's faces are kept until its end. */
  readonly face: Omit<AnalyzedFace, 'thumb'>;
  readonly thumb: string;
}

/**
 * One video: probe, stream sampled frames through the face pipeline (frames overlap on the
 * inference workers but enter the tracker in time order), link faces into tracks, and write the
 * faces, tracks and templates with the media's 'done' status in one transaction. A damaged file
 * keeps what could be decoded and records why it stopped.
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
  const collected: FrameFace[] = [];
  const thumbDir = join(d.derivedDir, 'thumbs', hash.slice(0, 2));
  await mkdir(thumbDir, { recursive: true, mode: 0o700 });
  const inFlight: Promise<{ ptsMs: number; faces: AnalyzedFace[] }>[] = [];
  let scale = 1;

  const settle = async (): Promise<void> => {
    const r = await inFlight.shift()!;
    const t0 = performance.now();
    tracker.push(r.ptsMs, r.faces.map((f) => ({ box: f.box, embeddings: f.embeddings, quality: f.quality.overall })));
    const t1 = performance.now();
    for (let i = 0; i < r.faces.length; i++) {
      const rel = join('thumbs', hash.slice(0, 2), `${hash}_${r.ptsMs}_${i}.jpg`);
      const { thumb, embeddings, ...rest } = r.faces[i]!;
      await writeFile(join(d.derivedDir, rel), await encodeThumbnail(thumb, THUMB_SIZE));
      // Own copies of the vectors, so that nothing larger they may point into stays alive.
      const own = Object.fromEntries(Object.entries(embeddings).map(([m, v]) => [m, v.slice()]));
      collected.push({ ptsMs: r.ptsMs, face: { ...rest, embeddings: own }, thumb: rel });
    }
    videoStageMs.track += t1 - t0;
    videoStageMs.store += performance.now() - t1;
  };

  // Hours of CCTV take longer than the per-file limit at any speed: a file may take as long as it plays.
  const sampling = { ...d.sampling, timeoutMs: Math.max(d.sampling.timeoutMs, info.durationMs ?? 0) };
  const end = await sampleFrames(ffmpeg, path, info, sampling, async (frame) => {
    const img = frame.image;
    scale = img.width / info.width;
    const ds = detectorSize(img.width, img.height);
    const det = { image: ds.scale === 1 ? img : await resizeRgb(img, ds.width, ds.height), scale: ds.scale };
    // No padded retry on frames: most CCTV frames hold no face, and a second pass would double their cost.
    inFlight.push(pool.analyze(img, det, false).then((r) => ({ ptsMs: frame.ptsMs, faces: toOriginalCoords(r, scale).faces })));
    while (inFlight.length > pool.size) await settle();
  }, signal);
  while (inFlight.length) await settle();
  if (signal?.aborted) return;

  const t0 = performance.now();
  const tracks = tracker.finish();
  const t1 = performance.now();
  d.db.transaction(() => {
    d.tracks.clearMedia(mediaId);
    const ids: FaceId[] = collected.map((c) =>
      d.faces.insert({
        mediaId, frameMs: c.ptsMs, box: c.face.box, landmarks: c.face.landmarks, detectorScore: c.face.score, quality: c.face.quality,
        age: c.face.age, gender: c.face.gender, thumb: c.thumb, embeddings: new Map(Object.entries(c.face.embeddings)),
      }),
    );
    for (const t of tracks) {
      const members = t.faces.map((i) => collected[i]!);
      const best = t.faces.reduce((a, b) => (collected[b]!.face.quality.overall > collected[a]!.face.quality.overall ? b : a));
      d.tracks.insert({
        mediaId, startMs: t.startMs, endMs: t.endMs, faceIds: t.faces.map((i) => ids[i]!), bestFace: ids[best]!,
        quality: collected[best]!.face.quality.overall,
        template: trackTemplate(members.map((m) => ({ embeddings: m.face.embeddings, quality: m.face.quality.overall }))),
      });
    }
    d.media.markDone(mediaId, {
      format, width: info.width, height: info.height, orientation: null, capturedAt: info.creationTime, cameraMake: null, cameraModel: null, gps: null,
    }, collected.length ? 'direct' : 'none');
    d.media.setVideoInfo(mediaId, { durationMs: info.durationMs, fps: info.fps, codec: info.codec });
    if (end.error) {
      const upTo = collected.length ? collected[collected.length - 1]!.ptsMs : 0;
      d.media.noteDamage(mediaId, end.frames ? 'truncated_or_corrupt' : 'decode_failed',
        `${end.frames} frames decoded${end.frames ? ` (faces up to ${(upTo / 1000).toFixed(1)} s)` : ''}; ffmpeg: ${end.error.slice(0, 500)}`);
    }
  })();
  videoStageMs.track += t1 - t0;
  videoStageMs.store += performance.now() - t1;
}
