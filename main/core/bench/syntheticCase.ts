import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { openDatabase } from '../db/database.js';
import { vectorToBlob } from '../repositories/faceRepository.js';
import { rng } from '../util/rng.js';
import { syntheticFaces, type FaceGenerator } from './syntheticFaces.js';

export interface SyntheticCaseOptions {
  readonly faces: number;
  /** Identities the faces are grouped into (sizes fall off like real cases: a few large, many small). */
  readonly identities: number;
  /** The face photo the thumbnails are cut from. */
  readonly facePhoto: string;
  readonly seed?: number;
  /**
   * Give every face embeddings from these recognizers (already recorded in the case's models table),
   * cut from one synthetic fused vector per face, so that the case can be searched.
   */
  readonly embeddings?: { readonly models: readonly { readonly id: string; readonly dim: number }[]; readonly generator?: FaceGenerator };
}

const THUMB_VARIANTS = 48;
const DAY = 86_400_000;

/**
 * Fills a freshly created (empty) case with rows for a UI benchmark: `faces` faces on about
 * faces / 1.6 photos, 92 % of them dated over 2019-2023 in bursts (as seized phones are), grouped
 * into identities. No inference runs: the thumbnails are 48 variants of one face photo, and without
 * `embeddings` the case can be browsed, not searched. It is marked in case_meta as synthetic so it
 * is never mistaken for evidence.
 */
export async function fillSyntheticCase(caseDir: string, o: SyntheticCaseOptions): Promise<{ media: number; faces: number; identities: number; undated: number }> {
  const rand = rng(o.seed ?? 11);
  const derived = join(caseDir, 'derived');
  await mkdir(join(derived, 'thumbs', 'synthetic'), { recursive: true });
  const thumbs: string[] = [];
  for (let i = 0; i < THUMB_VARIANTS; i++) {
    const rel = `thumbs/synthetic/${String(i).padStart(2, '0')}.jpg`;
    let img = sharp(o.facePhoto).resize(160, 160, { fit: 'cover', position: 'north' }).modulate({ brightness: 0.6 + (i % 8) * 0.1, hue: (i * 37) % 360 });
    if (i % 2) img = img.flop();
    await writeFile(join(derived, rel), await img.jpeg({ quality: 80 }).toBuffer());
    thumbs.push(rel);
  }
  const db = openDatabase(join(caseDir, 'case.sqlite'));
  const mediaCount = Math.ceil(o.faces / 1.6);
  const models = o.embeddings?.models ?? [];
  const fusedDims = models.reduce((a, m) => a + m.dim, 0);
  const vectors = models.length ? syntheticFaces(o.faces, 0, fusedDims, o.seed ?? 11, o.embeddings?.generator).data : null;
  let undated = 0;
  try {
    const now = new Date().toISOString();
    db.transaction(() => {
      db.prepare("INSERT INTO case_meta (key, value) VALUES ('synthetic', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .run(`benchmark rows (${o.faces} faces, ${o.identities} identities); not evidence`);
      const source = Number(db.prepare("INSERT INTO sources (path, kind, added_by, added_at) VALUES ('(synthetic)', 'folder', 'bench', ?)").run(now).lastInsertRowid);
      const media = db.prepare(`INSERT INTO media (sha256, byte_size, kind, format, width, height, captured_at, status, detect_pass, processed_at)
        VALUES (?, ?, 'image', 'jpeg', 1024, 768, ?, 'done', 'direct', ?)`);
      const loc = db.prepare('INSERT INTO media_locations (source_id, media_id, path, seen_at) VALUES (?, ?, ?, ?)');
      const face = db.prepare(`INSERT INTO faces (media_id, box_x, box_y, box_w, box_h, landmarks, det_score, quality, quality_json, age, gender, thumb, identity_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const ident = db.prepare("INSERT INTO identities (name, status, created_at, updated_at) VALUES (NULL, 'auto', ?, ?)");
      const embedding = db.prepare('INSERT INTO embeddings (face_id, model_id, vector) VALUES (?, ?, ?)');
      // Each recognizer's part of the fused vector, unit length as a recognizer's output is.
      const embed = (faceId: number, row: number): void => {
        let off = row * fusedDims;
        for (const m of models) {
          const v = vectors!.slice(off, off + m.dim);
          let norm = 0;
          for (const x of v) norm += x * x;
          norm = Math.sqrt(norm) || 1;
          for (let j = 0; j < v.length; j++) v[j]! /= norm;
          embedding.run(faceId, m.id, vectorToBlob(v));
          off += m.dim;
        }
      };
      const ids: number[] = [];
      for (let i = 0; i < o.identities; i++) ids.push(Number(ident.run(now, now).lastInsertRowid));
      // Bursts: a day of many photos every so often, spread over five years.
      const start = Date.UTC(2019, 0, 1);
      let t = start;
      let faceNo = 0;
      for (let m = 0; m < mediaCount; m++) {
        t += rand() < 0.05 ? rand() * 20 * DAY : rand() * 600_000;
        const dated = rand() < 0.92;
        if (!dated) undated++;
        const captured = dated ? new Date(start + ((t - start) % (5 * 365 * DAY))).toISOString().slice(0, 19) : null;
        const sha = createHash('sha256').update(`synthetic-${o.seed ?? 11}-${m}`).digest('hex');
        const mid = Number(media.run(sha, 200_000 + Math.floor(rand() * 3_000_000), captured, now).lastInsertRowid);
        loc.run(source, mid, `/synthetic/DCIM/IMG_${String(m).padStart(6, '0')}.jpg`, now);
        const n = m === mediaCount - 1 ? o.faces - faceNo : Math.min(o.faces - faceNo, rand() < 0.55 ? 1 : rand() < 0.7 ? 2 : 3);
        for (let k = 0; k < n; k++, faceNo++) {
          const x = 80 + k * 300 + rand() * 60;
          const y = 120 + rand() * 200;
          const s = 90 + rand() * 120;
          const lm = JSON.stringify([[0.35, 0.4], [0.65, 0.4], [0.5, 0.55], [0.38, 0.72], [0.62, 0.72]].map(([a, b]) => ({ x: x + a! * s, y: y + b! * s })));
          const q = 0.3 + rand() * 0.7;
          const quality = JSON.stringify({ overall: q, faceSizePx: s, sharpness: 100 + rand() * 500, yawDeg: rand() * 30 - 15, rollDeg: rand() * 10 - 5, exposure: 0.5, detectorScore: 0.9, warnings: [] });
          // Identity sizes fall off as 1/rank (a few people in most photos, many seen once).
          const who = ids.length ? ids[Math.min(ids.length - 1, Math.floor(ids.length ** rand()) - 1)]! : null;
          const faceId = Number(face.run(mid, x, y, s, s, lm, 0.9, q, quality, 5 + rand() * 60, rand() < 0.5 ? 'male' : 'female', thumbs[faceNo % thumbs.length]!, who).lastInsertRowid);
          if (vectors) embed(faceId, faceNo);
        }
      }
    })();
    const identities = db.prepare('SELECT count(DISTINCT identity_id) FROM faces WHERE identity_id IS NOT NULL').pluck().get() as number;
    // Identities no face landed in are removed, as clustering would never leave them.
    db.prepare('DELETE FROM identities WHERE id NOT IN (SELECT DISTINCT identity_id FROM faces WHERE identity_id IS NOT NULL)').run();
    return { media: mediaCount, faces: o.faces, identities, undated };
  } finally {
    db.close();
  }
}
