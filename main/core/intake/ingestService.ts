import { lstat, mkdir, open, statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  KestrelError, type IngestSummary, type IntakeError, type JobId, type JobProgress, type MediaErrorReason, type MediaId, type SourceId,
} from '../../contract/index.js';
import type { Db } from '../db/database.js';
import type { AuditRepository } from '../repositories/auditRepository.js';
import type { FaceRepository } from '../repositories/faceRepository.js';
import type { JobRepository } from '../repositories/jobRepository.js';
import type { MediaRepository } from '../repositories/mediaRepository.js';
import type { SourceRepository } from '../repositories/sourceRepository.js';
import { readArchive, DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from '../media/archiveReader.js';
import { readFileHead, sniffFileType, SNIFF_BYTES, type ImageFormat, type VideoFormat } from '../media/fileType.js';
import { readArchiveMember } from '../media/archiveMember.js';
import { storeExtractedVideo, verifiedExtractedVideo } from '../video/archivedVideo.js';
import { sha256, sha256File } from '../media/hashing.js';
import { DEFAULT_DECODE_LIMITS, encodeThumbnail, type DecodeLimits } from '../media/imageDecoder.js';
import sharp from 'sharp';
import { THUMB_SIZE } from '../faces/thumbnailCrop.js';
import { walkSource } from '../media/sourceWalker.js';
import { ARCHIVE_SEP, displayLocation } from '../repositories/locationPath.js';
import { analyzeImage, toOriginalCoords } from '../faces/imageAnalyzer.js';
import type { FacePool } from '../faces/facePool.js';
import type { TrackRepository } from '../repositories/trackRepository.js';
import { DEFAULT_SAMPLING, type SamplingOptions } from '../video/frameSampler.js';
import { processVideo } from '../video/videoProcessor.js';
import { withReadablePath, type CaseVault } from '../vault/caseVault.js';

export interface IngestDeps {
  readonly db: Db;
  readonly sources: SourceRepository;
  readonly media: MediaRepository;
  readonly faces: FaceRepository;
  readonly jobs: JobRepository;
  readonly audit: AuditRepository;
  readonly derivedDir: string;
  readonly vault: CaseVault;
  readonly pool: () => Promise<FacePool>;
  readonly tracks: TrackRepository;
  /** Resolves ffmpeg for video (throws with the fix when none is installed). */
  readonly ffmpeg: () => string;
  readonly log: (msg: string) => void;
}

/** What intake itself counts; the workbench adds the watchlist alarms raised once intake has stored the faces. */
export type IntakeCounts = Omit<IngestSummary, 'alarms'>;

export interface IngestOptions {
  readonly examiner: string;
  readonly onProgress?: (p: JobProgress) => void;
  readonly signal?: AbortSignal;
  /** Images larger than this are not read (a separate error); videos are streamed elsewhere. */
  readonly maxImageBytes?: number;
  readonly archiveLimits?: ArchiveLimits;
  /** Parallel files in flight (decode + inference); default: workers + 2. */
  readonly concurrency?: number;
  /** Video frame sampling (rate, scene changes, working size, per-file time limit). */
  readonly sampling?: SamplingOptions;
  /** Intake does not start, and stops cleanly, when the case's disk has less free than this. */
  readonly minFreeBytes?: number;
  /** An image whose decoding takes longer is recorded as 'timeout' and intake goes on. */
  readonly decodeTimeoutMs?: number;
  /** Called once a media item's faces (and a video's tracks) are stored, or it has failed. */
  readonly onMediaDone?: (mediaId: MediaId) => void;
}

export const DEFAULT_MIN_FREE_BYTES = 200 * 1024 * 1024;
/** Files between two free-space checks. */
const DISK_CHECK_EVERY = 25;

const DEFAULT_MAX_IMAGE_BYTES = 256 * 1024 * 1024;

interface Counters {
  media: number;
  duplicates: number;
  known: number;
  discovered: number;
  done: number;
}

/** What the file handlers of one intake job share. */
interface JobContext {
  readonly jobId: JobId;
  readonly counters: Counters;
  /** Queues a new image for decoding and analysis. */
  readonly submit: (mediaId: MediaId, hash: string, buf: Buffer, format: ImageFormat, display: string) => void;
  /** Queues a new video (streamed from its file) for sampling, analysis and tracking. */
  /** `path` is the file to read (a working copy for an archived video); `display` names the original. */
  readonly submitVideo: (mediaId: MediaId, hash: string, path: string, format: VideoFormat, display?: string) => void;
  /** Back-pressure: resolves when fewer than `concurrency` images are in flight. */
  readonly waitForRoom: () => Promise<void>;
}

/**
 * Intake: registers sources, hashes every original (read-only), links duplicates, records bad files
 * with a reason and goes on, and runs the face pipeline on each new image. Each image's faces and
 * its 'done' status are written in one transaction, so a crash loses at most the images in flight,
 * which are picked up again (status 'pending') by the next intake or resume().
 */
export class IngestService {
  constructor(private readonly d: IngestDeps) {}

  async ingest(paths: readonly string[], opts: IngestOptions): Promise<IntakeCounts> {
    const minFree = opts.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
    const low = await this.lowDisk(minFree);
    if (low) throw new KestrelError('DISK_FULL', `${low}; intake did not start. Free space on that disk (or move the case), then run ingest again.`);
    const diskStop = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, diskStop.signal]) : diskStop.signal;
    let diskProblem: string | null = null;
    let sinceCheck = 0;
    const checkDisk = async (): Promise<void> => {
      if (++sinceCheck < DISK_CHECK_EVERY || diskProblem) return;
      sinceCheck = 0;
      diskProblem = await this.lowDisk(minFree);
      if (diskProblem) diskStop.abort();
    };
    try {
      const summary = await this.run(paths, { ...opts, signal }, checkDisk);
      if (diskProblem) throw new KestrelError('DISK_FULL', `${diskProblem}; intake stopped after the files in flight (${summary.media} new media kept). Free space, then run ingest again to resume.`);
      return summary;
    } catch (err) {
      if (err instanceof KestrelError) throw err;
      if (isDiskFull(err)) throw new KestrelError('DISK_FULL', `The case's disk is full (${(err as Error).message}); what was committed is kept. Free space, then run ingest again to resume.`, { cause: err });
      throw err;
    }
  }

  /** Says why the case's disk is too full to go on, or null. */
  private async lowDisk(minFree: number): Promise<string | null> {
    try {
      const fs = await statfs(this.d.derivedDir);
      const free = fs.bavail * fs.bsize;
      return free < minFree ? `only ${Math.floor(free / 1048576)} MiB free on the case's disk (intake keeps ${Math.round(minFree / 1048576)} MiB in reserve)` : null;
    } catch {
      return null;
    }
  }

  private async run(paths: readonly string[], opts: IngestOptions, checkDisk: () => Promise<void>): Promise<IntakeCounts> {
    const t0 = performance.now();
    const abs = paths.map((p) => resolve(p));
    const jobId = this.d.jobs.create('ingest', { paths: abs, examiner: opts.examiner });
    this.d.audit.append(opts.examiner, 'intake.started', `job:${jobId}`, { paths: abs });
    const counters: Counters = { media: 0, duplicates: 0, known: 0, discovered: 0, done: 0 };
    const sourceIds: SourceId[] = [];
    const pool = await this.d.pool();
    const limiter = new Limiter(opts.concurrency ?? pool.size + 2);
    const progress = (phase: JobProgress['phase'], currentPath: string | null): void => {
      opts.onProgress?.({ jobId, kind: 'ingest', phase, done: counters.done, total: counters.discovered, currentPath });
    };
    const queue = (display: string, mediaId: MediaId, work: () => Promise<void>): void => {
      counters.discovered++;
      limiter.run(async () => {
        if (opts.signal?.aborted) return;
        progress('processing', display);
        await work();
        opts.onMediaDone?.(mediaId);
        counters.done++;
        this.d.jobs.progress(jobId, counters.done, counters.discovered);
        progress('processing', display);
      });
    };
    const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, ...(opts.decodeTimeoutMs ? { timeoutMs: opts.decodeTimeoutMs } : {}) };
    const submit = (mediaId: MediaId, hash: string, buf: Buffer, format: ImageFormat, display: string): void =>
      queue(display, mediaId, () => this.processImage(mediaId, hash, buf, format, display, limits));
    const video = { ...this.d, sampling: opts.sampling ?? DEFAULT_SAMPLING };
    const submitVideo = (mediaId: MediaId, hash: string, path: string, format: VideoFormat, display = path): void =>
      queue(display, mediaId, async () => {
        try {
          // A working copy kept in an encrypted case is read from a plain copy while it is processed.
          await withReadablePath(this.d.vault, this.d.derivedDir, path, (readable) => processVideo(video, mediaId, hash, readable, format, opts.signal));
        } catch (err) {
          this.d.log(`video ${display}: ${(err as Error).message}`);
          this.d.media.markFailed(mediaId, 'decode_failed', (err as Error).message);
        }
      });
    const ctx: JobContext = { jobId, counters, submit, submitVideo, waitForRoom: () => limiter.waitForRoom() };
    try {
      // Images left pending by an interrupted run are finished first.
      for (const p of this.d.media.pending()) {
        if (p.kind === 'video') {
          this.d.media.linkToJob(jobId, p.id);
          // A plain file must still hash as taken in; an archive member is read from its verified working copy.
          const file = p.archiveEntry
            ? await verifiedExtractedVideo(this.d.vault, this.d.derivedDir, p.sha256, [{ path: p.path, entry: p.archiveEntry }], opts.archiveLimits).catch(() => null)
            : (await sha256File(p.path).catch(() => '')) === p.sha256 ? p.path : null;
          const head = file ? await withReadablePath(this.d.vault, this.d.derivedDir, file, readFileHead).catch(() => null) : null;
          const t = head ? sniffFileType(head) : null;
          const format = t?.kind === 'video' ? t.format : t?.kind === 'image' && t.format === 'gif' ? 'gif' : null;
          if (file && format) submitVideo(p.id, p.sha256, file, format, displayLocation(p.path, p.archiveEntry));
          else this.d.media.markFailed(p.id, 'unreadable', 'the original is gone or changed since it was hashed; not processed');
          continue;
        }
        const loaded = await this.reload(p.path, p.archiveEntry, opts);
        this.d.media.linkToJob(jobId, p.id);
        if (loaded.ok && sha256(loaded.buf) !== p.sha256) this.d.media.markFailed(p.id, 'unreadable', 'the original changed since it was hashed; not processed');
        else if (loaded.ok) submit(p.id, p.sha256, loaded.buf, loaded.format, displayLocation(p.path, p.archiveEntry));
        else this.d.media.markFailed(p.id, loaded.reason, loaded.detail);
      }
      for (const path of abs) {
        if (opts.signal?.aborted) break;
        const sourceId = await this.registerSource(path, opts.examiner);
        sourceIds.push(sourceId);
        progress('scanning', path);
        for await (const item of walkSource(path)) {
          if (opts.signal?.aborted) break;
          if (item.type === 'error') {
            this.recordError(sourceId, item.path, '', item.reason, item.detail);
            continue;
          }
          await limiter.waitForRoom();
          await checkDisk();
          if (opts.signal?.aborted) break;
          await this.intakeFile(sourceId, item.path, item.size, ctx, opts);
        }
      }
      await limiter.drain();
      const cancelled = opts.signal?.aborted ?? false;
      const errors: IntakeError[] = sourceIds.flatMap((s) => this.d.media.errors(s));
      const summary: IntakeCounts = {
        jobId,
        media: counters.media,
        duplicates: counters.duplicates,
        already_in_case: counters.known,
        errors,
        seconds: Math.round((performance.now() - t0) / 10) / 100,
        ...this.faceCounts(jobId),
      };
      this.d.db.transaction(() => {
        this.d.jobs.finish(jobId, cancelled ? 'cancelled' : 'done');
        this.d.audit.append(opts.examiner, cancelled ? 'intake.cancelled' : 'intake.finished', `job:${jobId}`, {
          media: summary.media, faces: summary.faces, duplicates: summary.duplicates, errors: errors.length,
        });
      })();
      progress(cancelled ? 'cancelled' : 'done', null);
      return summary;
    } catch (err) {
      await limiter.drain().catch(() => undefined);
      try {
        this.d.db.transaction(() => {
          this.d.jobs.finish(jobId, 'failed', (err as Error).message);
          this.d.audit.append(opts.examiner, 'intake.failed', `job:${jobId}`, { error: (err as Error).message });
        })();
      } catch {
        // A full disk may refuse even this; the job then reads as interrupted on the next opening.
      }
      progress('failed', null);
      throw err;
    }
  }

  private faceCounts(jobId: JobId): Pick<IngestSummary, 'media_with_faces' | 'faces' | 'rescued_by_padding' | 'media_without_faces'> {
    const r = this.d.media.jobFaceCounts(jobId);
    return { media_with_faces: r.withFaces, faces: r.faces, rescued_by_padding: r.padded, media_without_faces: r.none };
  }

  private async registerSource(path: string, examiner: string): Promise<SourceId> {
    let kind: 'folder' | 'file' | 'archive' = 'file';
    try {
      const st = await lstat(path);
      if (st.isDirectory()) kind = 'folder';
      else if (st.isFile()) {
        const head = await readFileHead(path);
        if (sniffFileType(head).kind === 'archive') kind = 'archive';
      }
    } catch {
      // the walker records the error against this source
    }
    return this.d.db.transaction(() => {
      const id = this.d.sources.insert(path, kind, examiner);
      this.d.audit.append(examiner, 'source.registered', `source:${id}`, { path, kind });
      return id;
    })();
  }

  private recordError(sourceId: SourceId, path: string, entry: string, reason: MediaErrorReason, detail: string): void {
    this.d.media.addLocation(sourceId, null, path, entry, false, { reason, detail });
  }

  private async intakeFile(sourceId: SourceId, path: string, size: number, ctx: JobContext, opts: IngestOptions): Promise<void> {
    if (size === 0) return this.recordError(sourceId, path, '', 'empty_file', 'zero bytes');
    let head: Buffer;
    try {
      head = await readFileHead(path);
    } catch (err) {
      return this.recordError(sourceId, path, '', 'unreadable', (err as Error).message);
    }
    const type = sniffFileType(head);
    if (type.kind === 'archive') {
      return this.intakeArchive(sourceId, path, { path }, type.format, '', 1, ctx, opts);
    }
    if (type.kind === 'video') return this.intakeVideo(sourceId, path, size, type.format, ctx);
    if (type.kind === 'unknown') return this.recordError(sourceId, path, '', 'unsupported_format', 'not a recognised image, video or archive');
    const max = opts.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES;
    if (size > max) return this.recordError(sourceId, path, '', 'too_large', `${size} bytes is over the ${max}-byte image limit`);
    let buf: Buffer;
    try {
      buf = await readOriginal(path);
    } catch (err) {
      return this.recordError(sourceId, path, '', 'unreadable', (err as Error).message);
    }
    // An animated GIF is footage (screen captures, phone exports): it goes through the video pipeline.
    if (type.format === 'gif' && (await isAnimatedGif(buf))) return this.intakeVideo(sourceId, path, size, 'gif', ctx);
    this.intakeBuffer(sourceId, path, '', buf, type.format, ctx);
  }

  private async intakeArchive(
    sourceId: SourceId, path: string, input: { path: string } | { buffer: Buffer }, format: 'zip' | 'tar' | 'gzip', prefix: string, depth: number,
    ctx: JobContext, opts: IngestOptions,
  ): Promise<void> {
    const limits = opts.archiveLimits ?? DEFAULT_ARCHIVE_LIMITS;
    if (depth > limits.maxDepth) {
      return this.recordError(sourceId, path, prefix, 'archive_too_deep', `archives nested deeper than ${limits.maxDepth} levels are not opened`);
    }
    for await (const item of readArchive(input, format, limits)) {
      if (opts.signal?.aborted) return;
      const entry = prefix ? `${prefix}${ARCHIVE_SEP}${item.name}` : item.name;
      if (item.type === 'error') {
        this.recordError(sourceId, path, entry || prefix, item.reason, item.detail);
        continue;
      }
      if (item.data.length === 0) {
        this.recordError(sourceId, path, entry, 'empty_file', 'zero bytes');
        continue;
      }
      const type = sniffFileType(item.data.subarray(0, SNIFF_BYTES));
      if (type.kind === 'archive') {
        await this.intakeArchive(sourceId, path, { buffer: item.data }, type.format, entry, depth + 1, ctx, opts);
      } else if (type.kind === 'video' || (type.kind === 'image' && type.format === 'gif' && (await isAnimatedGif(item.data)))) {
        await ctx.waitForRoom();
        await this.intakeArchivedVideo(sourceId, path, entry, item.data, type.kind === 'video' ? type.format : 'gif', ctx);
      } else if (type.kind === 'image') {
        await ctx.waitForRoom();
        this.intakeBuffer(sourceId, path, entry, item.data, type.format, ctx);
      } else {
        this.recordError(sourceId, path, entry, 'unsupported_format', 'not a recognised image, video or archive');
      }
    }
  }

  /** Hashes a video by streaming it (never loaded whole), links duplicates, and queues new ones. */
  private async intakeVideo(sourceId: SourceId, path: string, size: number, format: VideoFormat, ctx: JobContext): Promise<void> {
    let hash: string;
    try {
      hash = await sha256File(path);
    } catch (err) {
      return this.recordError(sourceId, path, '', 'unreadable', (err as Error).message);
    }
    const outcome = this.d.db.transaction(() => this.register(sourceId, path, '', hash, size, 'video', ctx.jobId))();
    if (this.counted(outcome, ctx)) ctx.submitVideo(outcome.id, hash, path, format);
  }

  /**
   * A video inside an archive: registered at its archive location like any member, and processed
   * from the case's working copy of it (written once its bytes are hashed; see archivedVideo.ts).
   */
  private async intakeArchivedVideo(sourceId: SourceId, path: string, entry: string, data: Buffer, format: VideoFormat, ctx: JobContext): Promise<void> {
    const hash = sha256(data);
    const outcome = this.d.db.transaction(() => this.register(sourceId, path, entry, hash, data.length, 'video', ctx.jobId))();
    if (!this.counted(outcome, ctx)) return;
    let copy: string;
    try {
      copy = await storeExtractedVideo(this.d.vault, this.d.derivedDir, hash, entry, data);
    } catch (err) {
      if (isDiskFull(err)) throw err;
      this.d.media.markFailed(outcome.id, 'unreadable', `could not write the working copy of the archived video: ${(err as Error).message}`);
      return;
    }
    ctx.submitVideo(outcome.id, hash, copy, format, displayLocation(path, entry));
  }

  /** Hashes, links duplicates, and queues new images. */
  private intakeBuffer(sourceId: SourceId, path: string, entry: string, buf: Buffer, format: ImageFormat, ctx: JobContext): void {
    const hash = sha256(buf);
    const outcome = this.d.db.transaction(() => this.register(sourceId, path, entry, hash, buf.length, 'image', ctx.jobId))();
    if (this.counted(outcome, ctx)) ctx.submit(outcome.id, hash, buf, format, displayLocation(path, entry));
  }

  /**
   * Records one original seen at one place: new content becomes a pending media item; content
   * already in the case is linked as a duplicate, unless this very place was recorded before (a
   * re-run or a resume), which adds nothing.
   */
  private register(sourceId: SourceId, path: string, entry: string, hash: string, size: number, kind: 'image' | 'video', jobId: JobId): { kind: 'new' | 'duplicate' | 'known'; id: MediaId } {
    const existing = this.d.media.findBySha(hash);
    if (existing) {
      if (this.d.media.hasLocation(existing.id, path, entry)) return { kind: 'known', id: existing.id };
      this.d.media.addLocation(sourceId, existing.id, path, entry, true);
      return { kind: 'duplicate', id: existing.id };
    }
    const id = this.d.media.insertPending(hash, size, kind);
    this.d.media.addLocation(sourceId, id, path, entry, false);
    this.d.media.linkToJob(jobId, id);
    return { kind: 'new', id };
  }

  /** Counts an outcome; true when it is new and must be processed. */
  private counted(outcome: { kind: 'new' | 'duplicate' | 'known' }, ctx: JobContext): boolean {
    if (outcome.kind === 'duplicate') ctx.counters.duplicates++;
    else if (outcome.kind === 'known') ctx.counters.known++;
    else ctx.counters.media++;
    return outcome.kind === 'new';
  }

  private async processImage(mediaId: MediaId, hash: string, buf: Buffer, format: ImageFormat, shown: string, limits: DecodeLimits): Promise<void> {
    let analysis;
    try {
      analysis = await analyzeImage(await this.d.pool(), buf, format, limits);
    } catch (err) {
      this.d.log(`analysis failed for ${shown}: ${(err as Error).message}`);
      this.d.media.markFailed(mediaId, 'decode_failed', (err as Error).message);
      return;
    }
    if (!analysis.ok) {
      this.d.media.markFailed(mediaId, analysis.reason, analysis.detail);
      return;
    }
    const { decoded } = analysis;
    const working = analysis.result;
    const result = toOriginalCoords(working, decoded.scale);
    const thumbDir = join(this.d.derivedDir, 'thumbs', hash.slice(0, 2));
    const thumbs: string[] = [];
    if (result.faces.length) await mkdir(thumbDir, { recursive: true, mode: 0o700 });
    for (let i = 0; i < working.faces.length; i++) {
      const rel = join('thumbs', hash.slice(0, 2), `${hash}_${i}.jpg`);
      await this.d.vault.writeFile(join(this.d.derivedDir, rel), await encodeThumbnail(working.faces[i]!.thumb, THUMB_SIZE));
      thumbs.push(rel);
    }
    this.d.db.transaction(() => {
      for (let i = 0; i < result.faces.length; i++) {
        const f = result.faces[i]!;
        this.d.faces.insert({
          mediaId, frameMs: null, box: f.box, landmarks: f.landmarks, detectorScore: f.score, quality: f.quality,
          age: f.age, gender: f.gender, thumb: thumbs[i]!, embeddings: new Map(Object.entries(f.embeddings)),
        });
      }
      this.d.media.markDone(mediaId, {
        format: decoded.format, width: decoded.originalWidth, height: decoded.originalHeight, orientation: decoded.exif.orientation,
        capturedAt: decoded.exif.capturedAt, cameraMake: decoded.exif.cameraMake, cameraModel: decoded.exif.cameraModel, gps: decoded.exif.gps,
      }, result.pass);
    })();
  }

  /** Re-reads a pending original (after a crash) from its first recorded location. */
  private async reload(path: string, entry: string, opts: IngestOptions): Promise<{ ok: true; buf: Buffer; format: ImageFormat } | { ok: false; reason: MediaErrorReason; detail: string }> {
    try {
      const buf = entry ? await readArchiveMember(path, entry, opts.archiveLimits ?? DEFAULT_ARCHIVE_LIMITS) : await readOriginal(path);
      if (!buf) throw new Error(`entry ${entry} no longer found`);
      const t = sniffFileType(buf.subarray(0, SNIFF_BYTES));
      if (t.kind !== 'image') throw new Error('no longer an image');
      return { ok: true, buf, format: t.format };
    } catch (err) {
      return { ok: false, reason: 'unreadable', detail: `could not re-read for resume: ${(err as Error).message}` };
    }
  }
}

/** Whether a GIF has more than one frame (a damaged one counts as a photo, whose decoding says what is wrong). */
async function isAnimatedGif(buf: Buffer): Promise<boolean> {
  try {
    return ((await sharp(buf, { limitInputPixels: DEFAULT_DECODE_LIMITS.maxPixels }).metadata()).pages ?? 1) > 1;
  } catch {
    return false;
  }
}

/** Originals are only ever opened with O_RDONLY. */
async function readOriginal(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Runs at most `limit` tasks at once; a task's failure is kept and rethrown by drain(). */
class Limiter {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly running = new Set<Promise<void>>();
  private failure: unknown = null;
  constructor(private readonly limit: number) {}
  async waitForRoom(): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }
  run(task: () => Promise<void>): void {
    this.active++;
    const p = task()
      .catch((err: unknown) => { this.failure ??= err; })
      .finally(() => {
        this.active--;
        this.running.delete(p);
        this.waiters.shift()?.();
      });
    this.running.add(p);
  }
  async drain(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
    if (this.failure) throw this.failure;
  }
}

function isDiskFull(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === 'ENOSPC' || e.code === 'EDQUOT' || e.code === 'SQLITE_FULL' || /database or disk is full|no space left/i.test(e.message ?? '');
}
