/**
 * Worker-thread entry: owns one FaceEngine (ONNX sessions block the thread that runs them, so they
 * live here, off the thread that hashes, decodes and writes the database).
 */
import { parentPort } from 'node:worker_threads';
import { FaceEngine, type AnalyzeResult, type FaceEngineConfig } from './faceEngine.js';
import { analyzeEncoded } from './imageAnalyzer.js';
import type { WorkerRequest, WorkerResponse } from './workerProtocol.js';

if (!parentPort) throw new Error('inferenceWorker must run in a worker thread');
const port = parentPort;
let engine: FaceEngine | null = null;

const post = (msg: WorkerResponse, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

port.on('message', (msg: WorkerRequest) => {
  void handle(msg).catch((err: unknown) => {
    post({ type: 'error', id: 'id' in msg ? msg.id : -1, message: err instanceof Error ? err.message : String(err) });
  });
});

async function handle(msg: WorkerRequest): Promise<void> {
  switch (msg.type) {
    case 'init':
      engine = await FaceEngine.create(msg.config as FaceEngineConfig);
      post({ type: 'ready', id: msg.id });
      return;
    case 'analyze': {
      if (!engine) throw new Error('engine not initialised');
      const full = { data: Buffer.from(msg.full.data), width: msg.full.width, height: msg.full.height };
      const det = { image: { data: Buffer.from(msg.det.data), width: msg.det.width, height: msg.det.height }, scale: msg.detScale };
      const result: AnalyzeResult = await engine.analyze(full, det, msg.pad);
      post({ type: 'result', id: msg.id, result }, faceBuffers(result));
      return;
    }
    case 'analyzeEncoded': {
      if (!engine) throw new Error('engine not initialised');
      const analysis = await analyzeEncoded(engine, Buffer.from(msg.bytes), msg.format, msg.limits);
      post({ type: 'analyzed', id: msg.id, analysis }, analysis.ok ? faceBuffers(analysis.result) : []);
      return;
    }
    case 'timeInference': {
      if (!engine) throw new Error('engine not initialised');
      const full = { data: Buffer.from(msg.full.data), width: msg.full.width, height: msg.full.height };
      const det = { image: { data: Buffer.from(msg.det.data), width: msg.det.width, height: msg.det.height }, scale: msg.detScale };
      const r = await engine.timeInference(full, det);
      post({ type: 'timed', id: msg.id, ms: r.ms, detectMs: r.detectMs, faces: r.faces });
      return;
    }
    case 'dispose':
      await engine?.dispose();
      engine = null;
      post({ type: 'disposed', id: msg.id });
      return;
  }
}

/** The faces' embeddings and thumbnails move to the engine's thread instead of being copied. */
function faceBuffers(result: AnalyzeResult): ArrayBuffer[] {
  const transfer: ArrayBuffer[] = [];
  for (const f of result.faces) {
    for (const v of Object.values(f.embeddings)) transfer.push(v.buffer as ArrayBuffer);
    transfer.push(f.thumb.buffer as ArrayBuffer);
  }
  return transfer;
}
