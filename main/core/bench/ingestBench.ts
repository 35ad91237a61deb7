import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProfileName } from '../../contract/index.js';
import { ModelStore, defaultModelsDir } from '../../../models/modelStore.js';
import { createWorkbench } from '../workbench.js';
import { defaultWorkerLayout, engineConfigFor } from '../faces/engineConfig.js';
import { FacePool } from '../faces/facePool.js';
import { detectorSize } from '../faces/faceEngine.js';
import { decodeImage, resizeRgb } from '../media/imageDecoder.js';
import { writeSyntheticPhotos } from './syntheticPhotos.js';
import { withRssSamples } from './rssSampler.js';

export interface BenchIngestOptions {
  readonly photos: number;
  readonly runs: number;
  readonly profile: ProfileName;
  readonly facePhoto: string;
  readonly modelsDir?: string;
  readonly workers?: number;
  readonly threads?: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * End-to-end intake throughput on a generated photo set, next to the pure model-inference bound on
 * the same images with the same worker layout. Medians of `runs` runs of each.
 */
export async function benchIngest(o: BenchIngestOptions): Promise<Record<string, unknown>> {
  const work = await mkdtemp(join(tmpdir(), 'kestrel-bench-'));
  try {
    const files = await writeSyntheticPhotos(join(work, 'photos'), o.photos, o.facePhoto);
    const warmup = join(work, 'warmup');
    await writeSyntheticPhotos(warmup, 8, o.facePhoto, 99);
    const layout = defaultWorkerLayout(availableParallelism());
    const workers = o.workers ?? layout.workers;
    const threads = o.threads ?? layout.threads;
    const store = await ModelStore.open(o.modelsDir ?? defaultModelsDir());
    const pool = await FacePool.create(await engineConfigFor(store, o.profile, threads), workers);
    const e2e: { seconds: number; cpu: number; faces: number; peakMib: number; byTenthMib: number[] }[] = [];
    const bound: { seconds: number; cpu: number; faces: number }[] = [];
    // CPU seconds of the whole process (engine, inference and decoding threads) while `f` runs.
    const cpuOf = async <T>(f: () => Promise<T>): Promise<{ result: T; cpu: number }> => {
      const c0 = process.cpuUsage();
      const result = await f();
      const c = process.cpuUsage(c0);
      return { result, cpu: (c.user + c.system) / 1e6 };
    };
    try {
      const images: Parameters<FacePool['timeInference']>[0][number][] = [];
      for (const f of files) {
        const d = await decodeImage(await readFile(f), 'jpeg');
        if (!d.ok) throw new Error(`bench image ${f} failed to decode`);
        const img = d.decoded.image;
        const ds = detectorSize(img.width, img.height);
        images.push({ full: img, det: { image: await resizeRgb(img, ds.width, ds.height), scale: ds.scale } });
      }
      await pool.timeInference(images.slice(0, 4)); // warm-up
      // End-to-end and bound runs alternate, so drift in the machine's speed (it is shared and
      // noisy) hits both sides of each run's ratio alike; the median of those ratios is reported.
      for (let r = 0; r < o.runs; r++) {
        const wb = await createWorkbench({ caseDir: join(work, `case${r}`), profile: o.profile, workers, threads, ...(o.modelsDir ? { modelsDir: o.modelsDir } : {}) });
        try {
          // Start and warm the workers before timing (a few other photos through the same case), as
          // on a running workstation; the bound's workers are warmed the same way.
          await wb.prepare();
          await wb.ingest([warmup], { examiner: 'bench' });
          const t0 = performance.now();
          const { result: m, cpu } = await cpuOf(() => withRssSamples(() => wb.ingest([join(work, 'photos')], { examiner: 'bench' })));
          e2e.push({ seconds: (performance.now() - t0) / 1000, cpu, faces: m.result.faces, peakMib: m.peakMib, byTenthMib: m.byTenthMib });
        } finally {
          await wb.dispose();
        }
        const { result: t, cpu } = await cpuOf(() => pool.timeInference(images));
        bound.push({ seconds: t.wallMs / 1000, cpu, faces: t.faces });
      }
    } finally {
      await pool.dispose();
    }
    const e2eS = median(e2e.map((x) => x.seconds));
    const boundS = median(bound.map((x) => x.seconds));
    const faces = e2e[0]!.faces;
    return {
      profile: o.profile, photos: o.photos, faces, runs: o.runs, workers, threads_per_worker: threads,
      e2e_seconds: round(e2eS), e2e_photos_per_s: round(o.photos / e2eS), e2e_faces_per_s: round(faces / e2eS),
      inference_seconds: round(boundS), inference_photos_per_s: round(o.photos / boundS), inference_faces_per_s: round(bound[0]!.faces / boundS),
      ratio_e2e_to_inference: round(median(e2e.map((x, i) => bound[i]!.seconds / x.seconds))),
      e2e_runs_seconds: e2e.map((x) => round(x.seconds)), inference_runs_seconds: bound.map((x) => round(x.seconds)),
      // Where the gap goes: CPU time of each side (all threads), and how busy the cores were.
      e2e_cpu_seconds: round(median(e2e.map((x) => x.cpu))), inference_cpu_seconds: round(median(bound.map((x) => x.cpu))),
      e2e_cores_busy: round(median(e2e.map((x) => x.cpu / x.seconds))), inference_cores_busy: round(median(bound.map((x) => x.cpu / x.seconds))),
      // Memory of the whole process (engine and inference threads) during the end-to-end runs.
      peak_rss_mib: Math.max(...e2e.map((x) => x.peakMib)), rss_by_tenth_mib: e2e[e2e.length - 1]!.byTenthMib,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const round = (v: number): number => Math.round(v * 1000) / 1000;
