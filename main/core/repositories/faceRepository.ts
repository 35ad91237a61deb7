import { asFaceId, asMediaId, asModelId, type Box, type FaceDto, type FaceId, type MediaId, type Point, type QualityDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import { LOCATION_DISPLAY_SQL } from './locationPath.js';

export interface NewFace {
  readonly mediaId: MediaId;
  readonly frameMs: number | null;
  readonly box: Box;
  readonly landmarks: readonly Point[];
  readonly detectorScore: number;
  readonly quality: QualityDto;
  readonly age: number | null;
  readonly gender: 'male' | 'female' | null;
  readonly thumb: string;
  readonly embeddings: ReadonlyMap<string, Float32Array>;
}

interface FaceRow {
  id: number;
  media_id: number;
  box_x: number;
  box_y: number;
  box_w: number;
  box_h: number;
  landmarks: string;
  det_score: number;
  quality_json: string;
  age: number | null;
  gender: 'male' | 'female' | null;
  thumb: string;
  models: string | null;
  media_path: string | null;
}

export function vectorToBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
export function blobToVector(b: Buffer): Float32Array {
  // Copy: the Buffer may be a view into a pooled allocation with an unaligned offset.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export class FaceRepository {
  private readonly insertFace;
  private readonly insertEmbedding;
  constructor(private readonly db: Db) {
    this.insertFace = db.prepare(
      `INSERT INTO faces (media_id, frame_ms, box_x, box_y, box_w, box_h, landmarks, det_score, quality, quality_json, age, gender, thumb)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertEmbedding = db.prepare('INSERT INTO embeddings (face_id, model_id, vector) VALUES (?, ?, ?)');
  }

  insert(f: NewFace): FaceId {
    const r = this.insertFace.run(
      f.mediaId, f.frameMs, f.box.x, f.box.y, f.box.width, f.box.height, JSON.stringify(f.landmarks), f.detectorScore,
      f.quality.overall, JSON.stringify(f.quality), f.age, f.gender, f.thumb,
    );
    const id = asFaceId(Number(r.lastInsertRowid));
    for (const [model, vec] of f.embeddings) this.insertEmbedding.run(id, model, vectorToBlob(vec));
    return id;
  }

  /** The video track (or null) of each given face that exists, in one query. */
  trackIdsOf(faceIds: readonly number[]): Map<number, number | null> {
    // From the small (id, track_id) index, not the wide face rows (see migration 11).
    const rows = this.db.prepare('SELECT id, track_id FROM faces INDEXED BY faces_id_track WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(faceIds)) as { id: number; track_id: number | null }[];
    return new Map(rows.map((r) => [r.id, r.track_id]));
  }

  /** Embeddings and track of the given faces (for re-ranking a shortlist). */
  embeddingsOf(faceIds: readonly number[]): Map<number, { trackId: number | null; embeddings: Record<string, Float32Array> }> {
    const out = new Map<number, { trackId: number | null; embeddings: Record<string, Float32Array> }>();
    const face = this.db.prepare('SELECT track_id FROM faces WHERE id = ?').pluck();
    const emb = this.db.prepare('SELECT model_id, vector FROM embeddings WHERE face_id = ?');
    for (const id of faceIds) {
      if (out.has(id)) continue;
      const trackId = face.get(id) as number | null | undefined;
      if (trackId === undefined) continue;
      const embeddings: Record<string, Float32Array> = {};
      for (const r of emb.all(id) as { model_id: string; vector: Buffer }[]) embeddings[r.model_id] = blobToVector(r.vector);
      out.set(id, { trackId, embeddings });
    }
    return out;
  }

  countForMedia(mediaId: MediaId): number {
    return this.db.prepare('SELECT count(*) FROM faces WHERE media_id = ?').pluck().get(mediaId) as number;
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM faces').pluck().get() as number;
  }

  list(offset: number, limit: number, mediaId?: MediaId): FaceDto[] {
    const where = mediaId === undefined ? '' : 'WHERE f.media_id = ?';
    const stmt = this.db.prepare(`${FACE_DTO_SQL} ${where} ORDER BY f.id LIMIT ? OFFSET ?`);
    const rows = (mediaId === undefined ? stmt.all(limit, offset) : stmt.all(mediaId, limit, offset)) as FaceRow[];
    return rows.map(toFaceDto);
  }

  get(id: number): FaceDto | null {
    const r = this.db.prepare(`${FACE_DTO_SQL} WHERE f.id = ?`).get(id) as FaceRow | undefined;
    return r ? toFaceDto(r) : null;
  }

  /** All embeddings of one model, for search and clustering. */
  embeddings(modelId: string): { faceId: FaceId; vector: Float32Array }[] {
    return (this.db.prepare('SELECT face_id AS faceId, vector FROM embeddings WHERE model_id = ? ORDER BY face_id').all(modelId) as { faceId: number; vector: Buffer }[])
      .map((r) => ({ faceId: asFaceId(r.faceId), vector: blobToVector(r.vector) }));
  }
}

const FACE_DTO_SQL = `SELECT f.*, (SELECT json_group_array(model_id) FROM embeddings e WHERE e.face_id = f.id) AS models,
    (SELECT ${LOCATION_DISPLAY_SQL} FROM media_locations l WHERE l.media_id = f.media_id ORDER BY l.id LIMIT 1) AS media_path
  FROM faces f`;

function toFaceDto(r: FaceRow): FaceDto {
  return {
    id: asFaceId(r.id),
    mediaId: asMediaId(r.media_id),
    mediaPath: r.media_path ?? '',
    box: { x: r.box_x, y: r.box_y, width: r.box_w, height: r.box_h },
    landmarks: JSON.parse(r.landmarks) as Point[],
    detectorScore: r.det_score,
    quality: JSON.parse(r.quality_json) as QualityDto,
    age: r.age,
    gender: r.gender,
    thumbnail: r.thumb,
    models: (JSON.parse(r.models ?? '[]') as string[]).map(asModelId),
  };
}
