import type { Db } from '../db/database.js';

export interface ClipRow {
  readonly id: number; readonly mediaId: number; readonly trackId: number | null; readonly startMs: number; readonly endMs: number;
  /** Relative to the case's derived/ folder. */
  readonly path: string; readonly sha256: string; readonly bytes: number; readonly encoder: string; readonly reason: string;
  readonly createdAt: string; readonly createdBy: string;
}

const COLUMNS = `id, media_id AS mediaId, track_id AS trackId, start_ms AS startMs, end_ms AS endMs, path, sha256, bytes, encoder, reason,
  created_at AS createdAt, created_by AS createdBy`;

/** Evidence clips cut from originals, each with the SHA-256 of the file written. */
export class ClipRepository {
  constructor(private readonly db: Db) {}

  insert(c: Omit<ClipRow, 'id' | 'createdAt'>): number {
    return Number(this.db.prepare(`INSERT INTO clips (media_id, track_id, start_ms, end_ms, path, sha256, bytes, encoder, reason, created_at, created_by)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(c.mediaId, c.trackId, c.startMs, c.endMs, c.path, c.sha256, c.bytes, c.encoder, c.reason, new Date().toISOString(), c.createdBy).lastInsertRowid);
  }

  get(id: number): ClipRow | null {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM clips WHERE id = ?`).get(id) as ClipRow | undefined) ?? null;
  }

  list(mediaId?: number): ClipRow[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM clips ${mediaId === undefined ? '' : 'WHERE media_id = ?'} ORDER BY id`).all(...(mediaId === undefined ? [] : [mediaId])) as ClipRow[];
  }

  /** Where a media item's original was found (a file, or a member of an archive), oldest first. */
  originalLocations(mediaId: number): { path: string; entry: string }[] {
    return this.db.prepare('SELECT path, archive_entry AS entry FROM media_locations WHERE media_id = ? ORDER BY id').all(mediaId) as { path: string; entry: string }[];
  }

  /** Track alarms that have no clip yet. */
  alarmsWithoutClip(ids?: readonly number[]): { id: number; trackId: number }[] {
    const rows = this.db.prepare('SELECT id, track_id AS trackId FROM alarms WHERE track_id IS NOT NULL AND clip_id IS NULL ORDER BY id').all() as { id: number; trackId: number }[];
    return ids ? rows.filter((r) => ids.includes(r.id)) : rows;
  }

  attachToAlarm(alarmId: number, clipId: number): void {
    this.db.prepare('UPDATE alarms SET clip_id = ? WHERE id = ?').run(clipId, alarmId);
  }
}
