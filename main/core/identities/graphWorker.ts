/**
 * A worker thread that builds one shard of a case's neighbour graph (neighbours.ts) on one thread
 * and saves it to a plain temporary file: shards are built side by side, each in a fixed order, so
 * that the graph is the same on every run while both cores work.
 */
import { parentPort } from 'node:worker_threads';
import { Index, type IndexConfig } from 'usearch';

export interface ShardJob {
  readonly config: IndexConfig;
  /** Row-major coordinates of the shard's units, in the order they are added. */
  readonly coords: Float32Array;
  readonly keys: BigUint64Array;
  /** Where the built shard is saved. */
  readonly path: string;
}
export type ShardReply = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** Adds the units in batches, on one thread, in order. */
function buildShard(job: ShardJob): Index {
  const width = job.config.dimensions;
  const g = new Index(job.config);
  const batch = 8192;
  for (let s = 0; s < job.keys.length; s += batch) {
    const e = Math.min(job.keys.length, s + batch);
    g.add(job.keys.slice(s, e), job.coords.slice(s * width, e * width), 1);
  }
  return g;
}

parentPort?.once('message', (job: ShardJob) => {
  let reply: ShardReply;
  try {
    buildShard(job).save(job.path);
    reply = { ok: true };
  } catch (err) {
    reply = { ok: false, error: (err as Error).message ?? String(err) };
  }
  parentPort!.postMessage(reply);
});
