import { Worker } from 'node:worker_threads';
import type { DecodeLimits, RgbImage } from '../media/imageDecoder.js';
import type { ImageFormat } from '../media/fileType.js';
import type { ImageAnalysis } from './imageAnalyzer.js';
import type { AnalyzeResult, DetectorInput, FaceEngineConfig } from './faceEngine.js';
import type { RawImageMsg, WorkerRequest, WorkerResponse } from './workerProtocol.js';

interface Pending {
  resolve: (msg: WorkerResponse) => void;
  reject: (err: Error) => void;
}

class EngineWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  busy = 0;
  private dead: Error | null = null;

  constructor(readonly worker: Worker) {
    worker.on('message', (msg: WorkerResponse) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === 'error') p.reject(new Error(msg.message));
      else p.resolve(msg);
    });
    const fail = (err: Error): void => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`inference worker exited (code ${code})`)));
  }

  request(msg: Omit<WorkerRequest, 'id'> & { type: WorkerRequest['type'] }, transfer: ArrayBuffer[] = []): Promise<WorkerResponse> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }
}

/**
 * Running from TypeScript sources (tests, tsx) the worker is a .ts file and needs tsx's loader;
 * in the bundle (dist/) it is plain .js.
 */
function startWorker(): Worker {
  if (import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./devWorkerLoader.mjs', import.meta.url), { workerData: { entry: new URL('./inferenceWorker.ts', import.meta.url).href } });
  }
  return new Worker(new URL('./inferenceWorker.js', import.meta.url));
}

const toMsg = (img: RgbImage): RawImageMsg => {
  // A standalone copy (Buffers may share a pool) that can be transferred; slice() skips zero-filling.
  const ab = img.data.buffer.slice(img.data.byteOffset, img.data.byteOffset + img.data.byteLength) as ArrayBuffer;
  return { data: ab, width: img.width, height: img.height };
};

/**
 * N worker threads, each with its own ONNX sessions. Images go to the least busy worker; a
 * worker decodes one image while it runs the models on another, and the engine's thread only
 * reads, hashes and stores.
 */
export class FacePool {
  private constructor(private readonly workers: EngineWorker[]) {}

  static async create(config: FaceEngineConfig, count: number): Promise<FacePool> {
    const workers: EngineWorker[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const w = new EngineWorker(startWorker());
        workers.push(w);
        await w.request({ type: 'init', config } as WorkerRequest);
      }
    } catch (err) {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      throw err;
    }
    return new FacePool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Raw frames (video): the caller decoded them and made the detector's copy. */
  async analyze(full: RgbImage, det: DetectorInput, pad = true): Promise<AnalyzeResult> {
    const fullMsg = toMsg(full);
    const detMsg = toMsg(det.image);
    const res = await this.leastBusy((w) => w.request({ type: 'analyze', full: fullMsg, det: detMsg, detScale: det.scale, pad } as WorkerRequest, [fullMsg.data, detMsg.data]));
    if (res.type !== 'result') throw new Error(`unexpected worker reply ${res.type}`);
    return res.result;
  }

  /** Decodes and analyses an encoded image on an inference thread (see imageAnalyzer.ts). */
  async analyzeEncoded(buf: Buffer, format: ImageFormat, limits: DecodeLimits): Promise<ImageAnalysis> {
    // A standalone copy of the file's bytes (the caller keeps its buffer), moved to the worker.
    const bytes = new Uint8Array(buf.length);
    bytes.set(buf);
    const res = await this.leastBusy((w) => w.request({ type: 'analyzeEncoded', bytes: bytes.buffer, format, limits } as WorkerRequest, [bytes.buffer]));
    if (res.type !== 'analyzed') throw new Error(`unexpected worker reply ${res.type}`);
    return res.analysis;
  }

  private async leastBusy(f: (w: EngineWorker) => Promise<WorkerResponse>): Promise<WorkerResponse> {
    const w = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    w.busy++;
    try {
      return await f(w);
    } finally {
      w.busy--;
    }
  }

  /**
   * Times pure inference over a set of images, spread over the workers the way intake spreads them;
   * returns the wall time of the slowest worker (they run concurrently), and the time summed over
   * the workers spent in the detector and in the per-face models (recognizers, age/gender).
   */
  async timeInference(images: readonly { full: RgbImage; det: DetectorInput }[]): Promise<{ wallMs: number; detectMs: number; faceModelsMs: number; faces: number }> {
    const per = this.workers.map(() => ({ ms: 0, detectMs: 0, faces: 0 }));
    await Promise.all(
      this.workers.map(async (w, wi) => {
        for (let i = wi; i < images.length; i += this.workers.length) {
          const img = images[i]!;
          const full = toMsg(img.full);
          const det = toMsg(img.det.image);
          const r = await w.request({ type: 'timeInference', full, det, detScale: img.det.scale } as WorkerRequest, [full.data, det.data]);
          if (r.type !== 'timed') throw new Error(`unexpected worker reply ${r.type}`);
          per[wi]!.ms += r.ms;
          per[wi]!.detectMs += r.detectMs;
          per[wi]!.faces += r.faces;
        }
      }),
    );
    const detectMs = per.reduce((a, p) => a + p.detectMs, 0);
    return { wallMs: Math.max(...per.map((p) => p.ms)), detectMs, faceModelsMs: per.reduce((a, p) => a + p.ms, 0) - detectMs, faces: per.reduce((a, p) => a + p.faces, 0) };
  }

  async dispose(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        try {
          await w.request({ type: 'dispose' } as WorkerRequest);
        } catch {
          // already gone
        }
        await w.worker.terminate();
      }),
    );
  }
}
