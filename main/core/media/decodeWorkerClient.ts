import { Worker } from 'node:worker_threads';
import type { DecodeJob, DecodeReply } from './decodeWorker.js';

export type WorkerDecoded = Extract<DecodeReply, { ok: true }>;

/** Thrown when a decode ran past its time limit (its worker was terminated). */
export class DecodeTimeout extends Error {}

/**
 * Runs bmp-ts and libheif off the engine's thread, one file at a time per worker (two workers).
 * A decode past its time limit terminates its worker (the only way to stop synchronous code); the
 * next file starts a fresh one. Idle workers do not keep the process alive.
 */
class DecodeWorkers {
  private readonly idle: Worker[] = [];
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private nextId = 1;
  constructor(private readonly size: number) {}

  async decode(kind: DecodeJob['kind'], bytes: Buffer, timeoutMs: number | undefined): Promise<WorkerDecoded> {
    if (this.running >= this.size) await new Promise<void>((r) => this.queue.push(r));
    this.running++;
    const worker = this.idle.pop() ?? startWorker();
    worker.ref();
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    let healthy = true;
    try {
      return await new Promise<WorkerDecoded>((resolve, reject) => {
        const onMessage = (r: DecodeReply): void => {
          if (r.id !== id) return;
          cleanup();
          if (r.ok) resolve(r); else reject(new Error(r.error));
        };
        const onError = (err: Error): void => { cleanup(); healthy = false; reject(err); };
        const onExit = (code: number): void => { cleanup(); healthy = false; reject(new Error(`the decoder stopped (exit ${code})`)); };
        const cleanup = (): void => {
          clearTimeout(timer);
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        if (timeoutMs) {
          timer = setTimeout(() => {
            cleanup();
            healthy = false;
            void worker.terminate();
            reject(new DecodeTimeout(`decoding took longer than ${timeoutMs / 1000} s`));
          }, timeoutMs);
        }
        // A copy of the file's bytes goes to the worker (the caller keeps its buffer).
        const copy = new Uint8Array(bytes.length);
        copy.set(bytes);
        worker.postMessage({ id, kind, bytes: copy } satisfies DecodeJob, [copy.buffer]);
      });
    } finally {
      if (healthy) { worker.unref(); this.idle.push(worker); } else void worker.terminate();
      this.running--;
      this.queue.shift()?.();
    }
  }
}

/** From TypeScript sources (tests, tsx) the worker needs tsx's loader; in the bundle it is plain .js beside the entry. */
function startWorker(): Worker {
  if (import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('../faces/devWorkerLoader.mjs', import.meta.url), { workerData: { entry: new URL('./decodeWorker.ts', import.meta.url).href } });
  }
  return new Worker(new URL('./decodeWorker.js', import.meta.url));
}

export const decodeWorkers = new DecodeWorkers(2);
