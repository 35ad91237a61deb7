import Database from 'better-sqlite3-multiple-ciphers';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { blobToVector, vectorToBlob } from '../repositories/faceRepository.js';
import { engineModels, type FaceEngineConfig } from '../faces/faceEngine.js';

export interface CachedFace {
  readonly detected: boolean;
  readonly pass: string;
  readonly age: number | null;
  readonly quality: number;
  readonly embeddings: Record<string, Float32Array>;
}

/** Bump when anything between the bytes and the embedding changes (decode, detection, alignment). */
export const PIPELINE_REVISION = 2;

/** Identifies the exact pipeline (weights, tuning, revision) whose output a cache row holds. */
export function pipelineSignature(cfg: FaceEngineConfig): string {
  const models = engineModels(cfg).map((m) => m.spec.sha256);
  return createHash('sha256')
    .update(JSON.stringify({ models, t: [cfg.scoreThreshold, cfg.nmsIou, cfg.minFacePx], rev: PIPELINE_REVISION }))
    .digest('hex')
    .slice(0, 16);
}

/** Embeddings of evaluation images by file hash, so a second evaluation run skips inference. */
export class EmbeddingCache {
  private readonly db: Database.Database;
  constructor(dir: string, private readonly signature: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.db = new Database(join(dir, 'eval-embeddings.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS faces (sha256 TEXT NOT NULL, signature TEXT NOT NULL, detected INTEGER NOT NULL,
      pass TEXT NOT NULL, age REAL, quality REAL NOT NULL, models TEXT NOT NULL, vectors BLOB, PRIMARY KEY (sha256, signature)) WITHOUT ROWID`);
  }

  get(sha: string): CachedFace | null {
    const r = this.db.prepare('SELECT detected, pass, age, quality, models, vectors FROM faces WHERE sha256 = ? AND signature = ?').get(sha, this.signature) as
      | { detected: number; pass: string; age: number | null; quality: number; models: string; vectors: Buffer | null }
      | undefined;
    if (!r) return null;
    const models = JSON.parse(r.models) as [string, number][];
    const all = r.vectors ? blobToVector(r.vectors) : new Float32Array(0);
    const embeddings: Record<string, Float32Array> = {};
    let off = 0;
    for (const [id, dim] of models) {
      embeddings[id] = all.slice(off, off + dim);
      off += dim;
    }
    return { detected: !!r.detected, pass: r.pass, age: r.age, quality: r.quality, embeddings };
  }

  put(sha: string, f: CachedFace): void {
    const ids = Object.keys(f.embeddings).sort();
    const total = ids.reduce((a, id) => a + f.embeddings[id]!.length, 0);
    const all = new Float32Array(total);
    let off = 0;
    for (const id of ids) {
      all.set(f.embeddings[id]!, off);
      off += f.embeddings[id]!.length;
    }
    this.db
      .prepare('INSERT OR REPLACE INTO faces (sha256, signature, detected, pass, age, quality, models, vectors) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(sha, this.signature, f.detected ? 1 : 0, f.pass, f.age, f.quality, JSON.stringify(ids.map((id) => [id, f.embeddings[id]!.length])), vectorToBlob(all));
  }

  close(): void {
    this.db.close();
  }
}
