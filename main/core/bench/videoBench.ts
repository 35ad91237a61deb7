import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KestrelError, type ProfileName } from '../../contract/index.js';
import { ModelStore, defaultModelsDir } from '../../../models/modelStore.js';
import { createWorkbench } from '../workbench.js';
import { defaultWorkerLayout, engineConfigFor } from '../faces/engineConfig.js';
import { FacePool } from '../faces/facePool.js';
import { detectorSize, type DetectorInput } from '../faces/faceEngine.js';
import { resizeRgb, type RgbImage } from '../media/imageDecoder.js';
import { resolveFfmpeg } from '../media/ffmpegPath.js';
import { DEFAULT_SAMPLING, sampleFrames } from '../video/frameSampler.js';
import { probeVideo } from '../video/videoProbe.js';
import { videoStageMs } from '../video/videoProcessor.js';
import { withRssSamples } from './rssSampler.js';

export interface BenchVideoOptions {
  /** Real face videos to make the footage from: a 720p and a 1080p source. */
  readonly source720: string;
  readonly source1080: string;
  /** Length of each generated clip. */
  readonly seconds: number;
  readonly runs: number;
  readonly profile: ProfileName;
  readonly modelsDir?: string;
  /** Also ingest this many minutes of 720p footage and report the process's memory along the way (0: none). */
  readonly longMinutes?: number;
  readonly onLog?: (msg: string) => void;
}

const run = promisify(execFile);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (v: number, d = 2): number => Math.round(v * 10 ** d) / 10 ** d;

/** Loops a real face video to `seconds` at exactly width x height (H.264, no audio): footage with faces at a known size. */
async function makeFootage(ffmpeg: string, src: string, width: number, height: number, seconds: number, out: string): Promise<void> {
  await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '-1', '-i', src, '-t', String(seconds),
    '-vf', `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height}`, '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', out]);
}

/**
 * Video intake speed as multiples of real time for 720p and 1080p footage made from real face
 * videos, and where the time goes: decoding and sampling frames alone (ffmpeg plus the conversion),
 * the detector and the per-face models on those frames (time summed over the workers), tracking,
 * and writing thumbnails and rows. End-to-end runs start from warm workers, as on a running
 * workstation; medians of `runs`.
 */
export async function benchVideo(o: BenchVideoOptions): Promise<Record<string, unknown>> {
  const ffmpeg = resolveFfmpeg();
  const work = await mkdtemp(join(tmpdir(), 'kestrel-bench-video-'));
  const layout = defaultWorkerLayout(availableParallelism());
  const store = await ModelStore.open(o.modelsDir ?? defaultModelsDir());
  const pool = await FacePool.create(await engineConfigFor(store, o.profile, layout.threads), layout.workers);
  const result: Record<string, unknown> = { profile: o.profile, seconds: o.seconds, runs: o.runs, workers: layout.workers, threads_per_worker: layout.threads, sample_fps: DEFAULT_SAMPLING.fps };
  try {
    for (const [label, src, width, height] of [['720p', o.source720, 1280, 720], ['1080p', o.source1080, 1920, 1080]] as const) {
      const file = join(work, `footage_${label}.mp4`);
      o.onLog?.(`${label}: making ${o.seconds} s of footage from ${src}`);
      await makeFootage(ffmpeg, src, width, height, o.seconds, file);
      const info = await probeVideo(ffmpeg, file);
      if (!info) throw new KestrelError('IO_ERROR', `ffmpeg could not read the generated footage ${file}`);
      const durationS = (info.durationMs ?? o.seconds * 1000) / 1000;

      // Decoding and sampling alone; the frames are kept for the inference timing.
      const frames: { full: RgbImage; det: DetectorInput }[] = [];
      let t = performance.now();
      let sampled = 0;
      await sampleFrames(ffmpeg, file, info, DEFAULT_SAMPLING, async (f) => {
        sampled++;
        const ds = detectorSize(f.image.width, f.image.height);
        frames.push({ full: f.image, det: { image: ds.scale === 1 ? f.image : await resizeRgb(f.image, ds.width, ds.height), scale: ds.scale } });
      });
      const decodeS = (performance.now() - t) / 1000;
      await pool.timeInference(frames.slice(0, 4)); // warm-up
      const inference = await pool.timeInference(frames);
      frames.length = 0;

      const wall: number[] = [];
      let faces = 0;
      let tracks = 0;
      const stages = { track: 0, store: 0 };
      for (let r = 0; r < o.runs; r++) {
        const wb = await createWorkbench({ caseDir: join(work, `case_${label}_${r}`), profile: o.profile, ...(o.modelsDir ? { modelsDir: o.modelsDir } : {}) });
        try {
          await wb.prepare();
          videoStageMs.track = 0;
          videoStageMs.store = 0;
          t = performance.now();
          const s = await wb.ingest([file], { examiner: 'bench' });
          wall.push((performance.now() - t) / 1000);
          faces = s.faces;
          tracks = wb.repos.tracks.count();
          stages.track += videoStageMs.track / o.runs;
          stages.store += videoStageMs.store / o.runs;
        } finally {
          await wb.dispose();
        }
        o.onLog?.(`${label}: run ${r + 1}/${o.runs}: ${wall[wall.length - 1]!.toFixed(2)} s for ${durationS.toFixed(1)} s of video`);
      }
      const wallS = median(wall);
      result[`realtime_x_${label}`] = round(durationS / wallS);
      result[label] = {
        width, height, duration_s: round(durationS), source_fps: info.fps, frames_sampled: sampled,
        wall_s: round(wallS), realtime_x: round(durationS / wallS), faces, tracks,
        decode_s: round(decodeS), detect_s_summed: round(inference.detectMs / 1000), face_models_s_summed: round(inference.faceModelsMs / 1000),
        inference_wall_s: round(inference.wallMs / 1000), track_s: round(stages.track / 1000, 3), store_s: round(stages.store / 1000),
      };
    }
    if (o.longMinutes) result['long'] = await longRun(o, ffmpeg, work);
  } finally {
    await pool.dispose();
    await rm(work, { recursive: true, force: true });
  }
  return result;
}

/** Memory along a long video: RSS sampled every second of the intake, reported at each tenth of it. */
async function longRun(o: BenchVideoOptions, ffmpeg: string, work: string): Promise<Record<string, unknown>> {
  const seconds = Math.round(o.longMinutes! * 60);
  const file = join(work, 'footage_long.mp4');
  o.onLog?.(`long: making ${o.longMinutes} min of 720p footage`);
  await makeFootage(ffmpeg, o.source720, 1280, 720, seconds, file);
  const wb = await createWorkbench({ caseDir: join(work, 'case_long'), profile: o.profile, ...(o.modelsDir ? { modelsDir: o.modelsDir } : {}) });
  try {
    await wb.prepare();
    const t = performance.now();
    const m = await withRssSamples(() => wb.ingest([file], { examiner: 'bench' }));
    const wallS = (performance.now() - t) / 1000;
    o.onLog?.(`long: ${seconds} s of video in ${wallS.toFixed(0)} s; RSS MiB by tenths ${m.byTenthMib.join(' ')}`);
    return {
      duration_s: seconds, wall_s: round(wallS), realtime_x: round(seconds / wallS), faces: m.result.faces, tracks: wb.repos.tracks.count(),
      rss_start_mib: m.startMib, rss_peak_mib: m.peakMib, rss_by_tenth_mib: m.byTenthMib,
    };
  } finally {
    await wb.dispose();
  }
}
