import { KestrelError, type AlarmDto, type AlarmStatus, type WatchlistDto, type WatchlistPhotoDto, type WatchlistSubjectDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import { blobToVector, vectorToBlob } from './faceRepository.js';
import { LOCATION_DISPLAY_SQL } from './locationPath.js';

export type WatchlistRow = WatchlistDto;
export interface SubjectRefs { readonly subjectId: number; readonly name: string; readonly watchlist: string; readonly threshold: number; readonly refs: readonly Record<string, Float32Array>[] }
export type { AlarmStatus };
export type AlarmRow = AlarmDto;

/** The subject's reference face of best quality (relative to derived/). */
export const SUBJECT_THUMB_SQL = '(SELECT r.thumb FROM subject_refs r WHERE r.subject_id = s.id AND r.removed_at IS NULL ORDER BY r.quality DESC, r.id LIMIT 1)';

export class WatchlistRepository {
  constructor(private readonly db: Db) {}

  create(name: string, threshold: number, notes: string, examiner: string): number {
    if (this.byName(name)) throw new KestrelError('INVALID_INPUT', `A watchlist named '${name}' exists already`);
    return Number(this.db.prepare('INSERT INTO watchlists (name, threshold, notes, created_at, created_by) VALUES (?, ?, ?, ?, ?)')
      .run(name, threshold, notes, new Date().toISOString(), examiner).lastInsertRowid);
  }

  byName(name: string): WatchlistRow | null {
    return this.list().find((w) => w.name === name) ?? null;
  }

  list(): WatchlistRow[] {
    return this.db.prepare(`SELECT w.id, w.name, w.threshold, w.notes, w.created_at AS createdAt, w.created_by AS createdBy,
        (SELECT count(*) FROM subjects s WHERE s.watchlist_id = w.id AND s.retired_at IS NULL) AS subjects,
        (SELECT count(*) FROM subjects s WHERE s.watchlist_id = w.id AND s.retired_at IS NOT NULL) AS retired FROM watchlists w ORDER BY w.name`).all() as WatchlistRow[];
  }

  setThreshold(watchlistId: number, threshold: number): void {
    this.db.prepare('UPDATE watchlists SET threshold = ? WHERE id = ?').run(threshold, watchlistId);
  }

  /** A subject's reference photos, removed ones too (they say when, by whom and why). */
  photos(subjectId: number): WatchlistPhotoDto[] {
    return this.db.prepare(`SELECT id, file_name AS fileName, sha256, thumb AS thumbnail, age, quality, removed_at AS removedAt, removed_by AS removedBy, remove_reason AS removeReason
      FROM subject_refs WHERE subject_id = ? ORDER BY id`).all(subjectId) as WatchlistPhotoDto[];
  }

  /** A reference photo no longer used for the subject; its row, face and embeddings stay. */
  removePhoto(refId: number, by: string, reason: string): void {
    this.db.prepare('UPDATE subject_refs SET removed_at = ?, removed_by = ?, remove_reason = ? WHERE id = ?').run(new Date().toISOString(), by, reason, refId);
  }

  /** Retires a subject (`retired` given) or puts it back on its list (null). */
  setRetired(subjectId: number, retired: { by: string; reason: string } | null): void {
    this.db.prepare('UPDATE subjects SET retired_at = ?, retired_by = ?, retire_reason = ? WHERE id = ?')
      .run(retired ? new Date().toISOString() : null, retired?.by ?? null, retired?.reason ?? null, subjectId);
  }

  addSubject(watchlistId: number, name: string, notes: string, examiner: string): number {
    return Number(this.db.prepare('INSERT INTO subjects (watchlist_id, name, notes, created_at, created_by) VALUES (?, ?, ?, ?, ?)')
      .run(watchlistId, name, notes, new Date().toISOString(), examiner).lastInsertRowid);
  }

  addRef(subjectId: number, r: { sha256: string; fileName: string; thumb: string; age: number | null; quality: number; embeddings: Record<string, Float32Array> }): number {
    const id = Number(this.db.prepare('INSERT INTO subject_refs (subject_id, sha256, file_name, thumb, age, quality) VALUES (?, ?, ?, ?, ?, ?)')
      .run(subjectId, r.sha256, r.fileName, r.thumb, r.age, r.quality).lastInsertRowid);
    const ins = this.db.prepare('INSERT INTO subject_ref_embeddings (ref_id, model_id, vector) VALUES (?, ?, ?)');
    for (const [m, v] of Object.entries(r.embeddings)) ins.run(id, m, vectorToBlob(v));
    return id;
  }

  subjects(onlySubject?: number): WatchlistSubjectDto[] {
    return this.db.prepare(`SELECT s.id, s.name, w.name AS watchlist, s.notes, (SELECT count(*) FROM subject_refs r WHERE r.subject_id = s.id AND r.removed_at IS NULL) AS refs,
        ${SUBJECT_THUMB_SQL} AS thumbnail, s.retired_at AS retiredAt, s.retired_by AS retiredBy, s.retire_reason AS retireReason
      FROM subjects s JOIN watchlists w ON w.id = s.watchlist_id ${onlySubject === undefined ? '' : 'WHERE s.id = ?'} ORDER BY w.name, s.name`)
      .all(...(onlySubject === undefined ? [] : [onlySubject])) as WatchlistSubjectDto[];
  }

  /**
   * Every subject still on its list (retired ones are not checked or matched), with its reference
   * embeddings and its list's threshold: the matcher's input. `only` narrows it to these subjects.
   */
  subjectRefs(only?: readonly number[]): SubjectRefs[] {
    const ids = only ?? [];
    const rows = this.db.prepare(`SELECT s.id AS subjectId, s.name, w.name AS watchlist, w.threshold, r.id AS refId, e.model_id, e.vector
      FROM subjects s JOIN watchlists w ON w.id = s.watchlist_id JOIN subject_refs r ON r.subject_id = s.id AND r.removed_at IS NULL JOIN subject_ref_embeddings e ON e.ref_id = r.id
      WHERE s.retired_at IS NULL ${only === undefined ? '' : `AND s.id IN (${ids.map(() => '?').join(', ') || 'NULL'})`} ORDER BY s.id, r.id`).all(...ids) as
      { subjectId: number; name: string; watchlist: string; threshold: number; refId: number; model_id: string; vector: Buffer }[];
    const out = new Map<number, { subjectId: number; name: string; watchlist: string; threshold: number; refs: Map<number, Record<string, Float32Array>> }>();
    for (const r of rows) {
      let s = out.get(r.subjectId);
      if (!s) out.set(r.subjectId, (s = { subjectId: r.subjectId, name: r.name, watchlist: r.watchlist, threshold: r.threshold, refs: new Map() }));
      let ref = s.refs.get(r.refId);
      if (!ref) s.refs.set(r.refId, (ref = {}));
      ref[r.model_id] = blobToVector(r.vector);
    }
    return [...out.values()].map((s) => ({ ...s, refs: [...s.refs.values()] }));
  }

  /** Raises an alarm unless this subject already has one for this face; returns the new alarm's id or null. */
  raise(a: { subjectId: number; faceId: number; trackId: number | null; mediaId: number; score: number; threshold: number }): number | null {
    const r = this.db.prepare('INSERT OR IGNORE INTO alarms (subject_id, face_id, track_id, media_id, score, threshold, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(a.subjectId, a.faceId, a.trackId, a.mediaId, a.score, a.threshold, new Date().toISOString());
    return r.changes ? Number(r.lastInsertRowid) : null;
  }

  hasTrackAlarm(subjectId: number, trackId: number): boolean {
    return !!this.db.prepare('SELECT 1 FROM alarms WHERE subject_id = ? AND track_id = ?').get(subjectId, trackId);
  }

  alarms(status?: AlarmStatus, id?: number): AlarmRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (status) { where.push('a.status = ?'); args.push(status); }
    if (id !== undefined) { where.push('a.id = ?'); args.push(id); }
    return this.db.prepare(`SELECT a.id, a.subject_id AS subjectId, s.name AS subject, w.name AS watchlist, a.face_id AS faceId, a.track_id AS trackId,
        a.media_id AS mediaId, f.frame_ms AS frameMs, t.start_ms AS trackStartMs, t.end_ms AS trackEndMs, a.score, a.threshold, a.raised_at AS raisedAt,
        a.status, a.decided_by AS decidedBy, a.decided_at AS decidedAt, a.decision_note AS decisionNote, f.thumb AS thumbnail, ${SUBJECT_THUMB_SQL} AS subjectThumbnail, c.path AS clipPath, c.sha256 AS clipSha256,
        s.retired_at AS subjectRetiredAt, s.retire_reason AS subjectRetireReason,
        coalesce((SELECT ${LOCATION_DISPLAY_SQL} FROM media_locations l WHERE l.media_id = a.media_id ORDER BY l.id LIMIT 1), '') AS mediaPath
      FROM alarms a JOIN subjects s ON s.id = a.subject_id JOIN watchlists w ON w.id = s.watchlist_id JOIN faces f ON f.id = a.face_id
      LEFT JOIN tracks t ON t.id = a.track_id LEFT JOIN clips c ON c.id = a.clip_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id`).all(...args) as AlarmRow[];
  }

  openAlarmCount(): number {
    return this.db.prepare("SELECT count(*) FROM alarms WHERE status = 'open'").pluck().get() as number;
  }

  decide(id: number, status: 'confirmed' | 'dismissed', examiner: string, note: string): void {
    this.db.prepare('UPDATE alarms SET status = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ?').run(status, examiner, new Date().toISOString(), note, id);
  }
}
