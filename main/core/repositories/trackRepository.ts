import { asFaceId, asMediaId, asTrackId, type FaceId, type MediaId, type TrackDto, type TrackId } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import { blobToVector, vectorToBlob } from './faceRepository.js';
import { LOCATION_DISPLAY_SQL } from './locationPath.js';

export interface NewTrack {
  readonly mediaId: MediaId;
  readonly startMs: number;
  readonly endMs: number;
  readonly faceIds: readonly FaceId[];
  readonly bestFace: FaceId;
  readonly quality: number;
  readonly template: Readonly<Record<string, Float32Array>>;
}

interface TrackRow {
  id: number;
  media_id: number;
  start_ms: number;
  end_ms: number;
  face_count: number;
  best_face_id: number;
  quality: number;
  thumb: string;
  media_path: string | null;
}

export class TrackRepository {
  constructor(private readonly db: Db) {}

  /** Inserts a track and ties its faces to it (call inside the media's transaction). */
  insert(t: NewTrack): TrackId {
    const r = this.db
      .prepare('INSERT INTO tracks (media_id, start_ms, end_ms, face_count, best_face_id, quality) VALUES (?, ?, ?, ?, ?, ?)')
      .run(t.mediaId, t.startMs, t.endMs, t.faceIds.length, t.bestFace, t.quality);
    const id = asTrackId(Number(r.lastInsertRowid));
    const link = this.db.prepare('UPDATE faces SET track_id = ? WHERE id = ?');
    for (const f of t.faceIds) link.run(id, f);
    const tpl = this.db.prepare('INSERT INTO track_templates (track_id, model_id, vector) VALUES (?, ?, ?)');
    for (const [model, v] of Object.entries(t.template)) tpl.run(id, model, vectorToBlob(v));
    return id;
  }

  /** A track's quality-weighted template, per recognizer. */
  template(trackId: number): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const r of this.db.prepare('SELECT model_id, vector FROM track_templates WHERE track_id = ?').all(trackId) as { model_id: string; vector: Buffer }[]) out[r.model_id] = blobToVector(r.vector);
    return out;
  }

  /** Removes what an interrupted run left for a media item before it is processed again. */
  clearMedia(mediaId: MediaId): void {
    this.db.prepare('UPDATE faces SET track_id = NULL WHERE media_id = ?').run(mediaId);
    this.db.prepare('DELETE FROM track_templates WHERE track_id IN (SELECT id FROM tracks WHERE media_id = ?)').run(mediaId);
    this.db.prepare('DELETE FROM tracks WHERE media_id = ?').run(mediaId);
    this.db.prepare('DELETE FROM faces WHERE media_id = ?').run(mediaId);
  }

  count(mediaId?: MediaId): number {
    const stmt = this.db.prepare(`SELECT count(*) FROM tracks ${mediaId === undefined ? '' : 'WHERE media_id = ?'}`).pluck();
    return (mediaId === undefined ? stmt.get() : stmt.get(mediaId)) as number;
  }

  list(offset: number, limit: number, mediaId?: MediaId): TrackDto[] {
    const where = mediaId === undefined ? '' : 'WHERE t.media_id = ?';
    const sql = `SELECT t.*, f.thumb,
        (SELECT ${LOCATION_DISPLAY_SQL} FROM media_locations l WHERE l.media_id = t.media_id ORDER BY l.id LIMIT 1) AS media_path
      FROM tracks t JOIN faces f ON f.id = t.best_face_id ${where} ORDER BY t.media_id, t.start_ms, t.id LIMIT ? OFFSET ?`;
    const stmt = this.db.prepare(sql);
    const rows = (mediaId === undefined ? stmt.all(limit, offset) : stmt.all(mediaId, limit, offset)) as TrackRow[];
    return rows.map((r) => ({
      id: asTrackId(r.id), mediaId: asMediaId(r.media_id), mediaPath: r.media_path ?? '', startMs: r.start_ms, endMs: r.end_ms,
      faces: r.face_count, bestFace: asFaceId(r.best_face_id), bestThumbnail: r.thumb, quality: r.quality,
    }));
  }
}
