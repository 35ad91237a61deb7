import { asMediaId, type IntakeError, type MediaDto, type MediaErrorReason, type MediaFilter, type MediaId, type SourceId } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import { LOCATION_DISPLAY_SQL } from './locationPath.js';

export interface MediaMetadata {
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly orientation: number | null;
  readonly capturedAt: string | null;
  readonly cameraMake: string | null;
  readonly cameraModel: string | null;
  readonly gps: { lat: number; lon: number } | null;
}

export interface PendingMedia {
  readonly id: MediaId;
  readonly kind: 'image' | 'video';
  readonly sha256: string;
  readonly path: string;
  readonly archiveEntry: string;
}

interface MediaRow {
  id: number;
  sha256: string;
  kind: 'image' | 'video';
  format: string | null;
  width: number | null;
  height: number | null;
  captured_at: string | null;
  camera_make: string | null;
  camera_model: string | null;
  gps_lat: number | null;
  gps_lon: number | null;
  face_count: number;
  paths: string | null;
}

/** The WHERE clauses (each starting with AND) of a media filter, on `media m`. Days are inclusive. */
function filterSql(f: MediaFilter): { sql: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.kind) { where.push('m.kind = ?'); args.push(f.kind); }
  if (f.faces) where.push(`${f.faces === 'with' ? '' : 'NOT '}EXISTS (SELECT 1 FROM faces f WHERE f.media_id = m.id)`);
  if (f.sourceId !== undefined) { where.push('EXISTS (SELECT 1 FROM media_locations l WHERE l.media_id = m.id AND l.source_id = ?)'); args.push(f.sourceId); }
  if (f.capturedFrom) { where.push('m.captured_at >= ?'); args.push(f.capturedFrom); }
  if (f.capturedTo) { where.push("m.captured_at < date(?, '+1 day')"); args.push(f.capturedTo); }
  if (f.undated) where.push('m.captured_at IS NULL');
  return { sql: where.map((w) => `AND ${w}`).join(' '), args };
}

export class MediaRepository {
  constructor(private readonly db: Db) {}

  findBySha(sha256: string): { id: MediaId; status: string } | null {
    const r = this.db.prepare('SELECT id, status FROM media WHERE sha256 = ?').get(sha256) as { id: number; status: string } | undefined;
    return r ? { id: asMediaId(r.id), status: r.status } : null;
  }

  insertPending(sha256: string, byteSize: number, kind: 'image' | 'video'): MediaId {
    const r = this.db
      .prepare("INSERT INTO media (sha256, byte_size, kind, status) VALUES (?, ?, ?, 'pending')")
      .run(sha256, byteSize, kind);
    return asMediaId(Number(r.lastInsertRowid));
  }

  /** Returns false when this exact location was already recorded (a re-run of the same intake). */
  addLocation(sourceId: SourceId, mediaId: MediaId | null, path: string, archiveEntry: string, isDuplicate: boolean, error?: { reason: MediaErrorReason; detail: string }): boolean {
    const r = this.db
      .prepare(
        `INSERT INTO media_locations (source_id, media_id, path, archive_entry, is_duplicate, error_reason, error_detail, seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_id, path, archive_entry) DO NOTHING`,
      )
      .run(sourceId, mediaId, path, archiveEntry, isDuplicate ? 1 : 0, error?.reason ?? null, error?.detail ?? null, new Date().toISOString());
    return r.changes > 0;
  }

  /** Whether this media item was already recorded at this place (by any intake). */
  hasLocation(id: MediaId, path: string, archiveEntry: string): boolean {
    return this.db.prepare('SELECT 1 FROM media_locations WHERE media_id = ? AND path = ? AND archive_entry = ? LIMIT 1').get(id, path, archiveEntry) !== undefined;
  }

  markDone(id: MediaId, meta: MediaMetadata, detectPass: string): void {
    this.db
      .prepare(
        `UPDATE media SET status = 'done', format = ?, width = ?, height = ?, orientation = ?, captured_at = ?, camera_make = ?,
         camera_model = ?, gps_lat = ?, gps_lon = ?, detect_pass = ?, processed_at = ? WHERE id = ?`,
      )
      .run(meta.format, meta.width, meta.height, meta.orientation, meta.capturedAt, meta.cameraMake, meta.cameraModel,
        meta.gps?.lat ?? null, meta.gps?.lon ?? null, detectPass, new Date().toISOString(), id);
  }

  /** Stream facts of a video (duration is null for raw elementary streams). */
  setVideoInfo(id: MediaId, v: { durationMs: number | null; fps: number | null; codec: string }): void {
    this.db.prepare('UPDATE media SET duration_ms = ?, fps = ?, codec = ? WHERE id = ?').run(v.durationMs, v.fps, v.codec, id);
  }

  /** A media item that was processed in part (a damaged video): its results stay, with the reason. */
  noteDamage(id: MediaId, reason: MediaErrorReason, detail: string): void {
    this.db.prepare('UPDATE media SET error_reason = ?, error_detail = ? WHERE id = ?').run(reason, detail, id);
  }

  markFailed(id: MediaId, reason: MediaErrorReason, detail: string): void {
    this.db
      .prepare("UPDATE media SET status = 'failed', error_reason = ?, error_detail = ?, processed_at = ? WHERE id = ?")
      .run(reason, detail, new Date().toISOString(), id);
  }

  /** Media whose processing has not completed (new, or interrupted by a crash), with one readable location each. */
  pending(sourceId?: SourceId): PendingMedia[] {
    const sql = `SELECT m.id, m.sha256, m.kind, l.path, l.archive_entry AS archiveEntry FROM media m
      JOIN media_locations l ON l.id = (SELECT min(id) FROM media_locations WHERE media_id = m.id ${sourceId === undefined ? '' : 'AND source_id = ?'})
      WHERE m.status = 'pending' ORDER BY m.id`;
    const stmt = this.db.prepare(sql);
    return (sourceId === undefined ? stmt.all() : stmt.all(sourceId)) as PendingMedia[];
  }

  count(filter: MediaFilter = {}): number {
    const w = filterSql(filter);
    return this.db.prepare(`SELECT count(*) FROM media m WHERE m.status = 'done' ${w.sql}`).pluck().get(...w.args) as number;
  }

  errors(sourceId?: SourceId): IntakeError[] {
    const where = sourceId === undefined ? '' : 'AND l.source_id = ?';
    const sql = `SELECT ${LOCATION_DISPLAY_SQL} AS path,
        coalesce(l.error_reason, m.error_reason) AS reason, coalesce(l.error_detail, m.error_detail) AS detail
      FROM media_locations l LEFT JOIN media m ON m.id = l.media_id
      WHERE (l.error_reason IS NOT NULL OR (m.error_reason IS NOT NULL AND l.is_duplicate = 0)) ${where} ORDER BY l.id`;
    const stmt = this.db.prepare(sql);
    return (sourceId === undefined ? stmt.all() : stmt.all(sourceId)) as IntakeError[];
  }

  /** A page of processed media in intake order, narrowed by the filter. */
  list(offset: number, limit: number, filter: MediaFilter = {}): MediaDto[] {
    const w = filterSql(filter);
    const rows = this.db
      .prepare(
        `SELECT m.*, (SELECT count(*) FROM faces f WHERE f.media_id = m.id) AS face_count,
          (SELECT json_group_array(${LOCATION_DISPLAY_SQL})
             FROM media_locations l WHERE l.media_id = m.id) AS paths
         FROM media m WHERE m.status = 'done' ${w.sql} ORDER BY m.id LIMIT ? OFFSET ?`,
      )
      .all(...w.args, limit, offset) as MediaRow[];
    return rows.map((r) => ({
      id: asMediaId(r.id),
      sha256: r.sha256,
      kind: r.kind,
      format: r.format ?? '',
      width: r.width,
      height: r.height,
      capturedAt: r.captured_at,
      cameraMake: r.camera_make,
      cameraModel: r.camera_model,
      gps: r.gps_lat !== null && r.gps_lon !== null ? { lat: r.gps_lat, lon: r.gps_lon } : null,
      faceCount: r.face_count,
      paths: JSON.parse(r.paths ?? '[]') as string[],
    }));
  }

  /** Associates a media item with the intake job that (re)processes it, for that job's summary. */
  linkToJob(jobId: number, mediaId: MediaId): void {
    this.db.prepare('INSERT OR IGNORE INTO intake_media (job_id, media_id) VALUES (?, ?)').run(jobId, mediaId);
  }

  jobFaceCounts(jobId: number): { withFaces: number; faces: number; padded: number; none: number } {
    const f = this.db
      .prepare(
        `SELECT count(DISTINCT f.media_id) AS withFaces, count(f.id) AS faces FROM faces f
         WHERE f.media_id IN (SELECT media_id FROM intake_media WHERE job_id = ?)`,
      )
      .get(jobId) as { withFaces: number; faces: number };
    const p = this.db
      .prepare(
        `SELECT coalesce(sum(detect_pass = 'padded'), 0) AS padded, coalesce(sum(detect_pass = 'none'), 0) AS none FROM media
         WHERE id IN (SELECT media_id FROM intake_media WHERE job_id = ?)`,
      )
      .get(jobId) as { padded: number; none: number };
    return { ...f, ...p };
  }
}
