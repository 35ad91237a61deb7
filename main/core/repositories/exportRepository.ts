import type { Db } from '../db/database.js';
import type { AuditEntry } from './auditRepository.js';

/** One face as an export shows it: where it was found (original, frame, box) and what was measured. */
export interface ExportFaceRow {
  readonly id: number; readonly mediaId: number; readonly frameMs: number | null;
  readonly x: number; readonly y: number; readonly w: number; readonly h: number;
  readonly detScore: number; readonly quality: number; readonly age: number | null; readonly gender: string | null;
  readonly trackId: number | null; readonly identityId: number | null; readonly thumb: string;
}

/** One original: its hash, facts and every place it was seen. */
export interface ExportMediaRow {
  readonly id: number; readonly sha256: string; readonly bytes: number; readonly kind: 'image' | 'video'; readonly format: string | null;
  readonly width: number | null; readonly height: number | null; readonly capturedAt: string | null; readonly status: string;
  readonly durationMs: number | null;
  readonly fps: number | null;
  /** Locations: plain path and archive entry ('' for a plain file), oldest first. */
  readonly locations: readonly { readonly path: string; readonly entry: string }[];
}

const FACE_COLUMNS = `id, media_id AS mediaId, frame_ms AS frameMs, box_x AS x, box_y AS y, box_w AS w, box_h AS h, det_score AS detScore,
  quality, age, gender, track_id AS trackId, identity_id AS identityId, thumb`;

const chunks = <T>(xs: readonly T[], n = 500): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
};

/** The reads an evidence export needs, in bulk (a 10k-face export is a handful of queries). */
export class ExportRepository {
  constructor(private readonly db: Db) {}

  faces(ids: readonly number[]): ExportFaceRow[] {
    return chunks([...new Set(ids)]).flatMap((c) =>
      this.db.prepare(`SELECT ${FACE_COLUMNS} FROM faces WHERE id IN (${c.map(() => '?').join(',')})`).all(...c) as ExportFaceRow[]);
  }

  /** Every face on the same media and frame as the given ones (what redaction must consider). */
  facesOnMedia(mediaId: number): ExportFaceRow[] {
    return this.db.prepare(`SELECT ${FACE_COLUMNS} FROM faces WHERE media_id = ? ORDER BY id`).all(mediaId) as ExportFaceRow[];
  }

  facesOfIdentity(identityId: number): number[] {
    return this.db.prepare('SELECT id FROM faces WHERE identity_id = ? ORDER BY id').pluck().all(identityId) as number[];
  }

  facesOfMedia(mediaId: number): number[] {
    return this.db.prepare('SELECT id FROM faces WHERE media_id = ? ORDER BY id').pluck().all(mediaId) as number[];
  }

  facesOfTrack(trackId: number): number[] {
    return this.db.prepare('SELECT id FROM faces WHERE track_id = ? ORDER BY id').pluck().all(trackId) as number[];
  }

  allFaceIds(): number[] {
    return this.db.prepare('SELECT id FROM faces ORDER BY id').pluck().all() as number[];
  }

  identityIds(o: { namedOrConfirmedOnly: boolean }): number[] {
    return this.db.prepare(`SELECT id FROM identities WHERE hidden = 0 ${o.namedOrConfirmedOnly ? "AND (name IS NOT NULL OR status = 'confirmed')" : ''}
      AND EXISTS (SELECT 1 FROM faces f WHERE f.identity_id = identities.id) ORDER BY id`).pluck().all() as number[];
  }

  searchIds(): number[] {
    return this.db.prepare("SELECT id FROM searches WHERE kind = 'search' ORDER BY id").pluck().all() as number[];
  }

  alarmIds(): number[] {
    return this.db.prepare('SELECT id FROM alarms ORDER BY id').pluck().all() as number[];
  }

  media(ids: readonly number[]): ExportMediaRow[] {
    return chunks([...new Set(ids)]).flatMap((c) => this.mediaWhere(`m.id IN (${c.map(() => '?').join(',')})`, c));
  }

  /** Every original of the case, a page at a time (the manifest lists them all). */
  *allMedia(pageSize = 2000): Generator<ExportMediaRow> {
    for (let after = 0; ;) {
      const page = this.mediaWhere('m.id > ? ORDER BY m.id LIMIT ?', [after, pageSize]);
      if (!page.length) return;
      yield* page;
      after = page[page.length - 1]!.id;
    }
  }

  private mediaWhere(where: string, args: unknown[]): ExportMediaRow[] {
    const rows = this.db.prepare(`SELECT m.id, m.sha256, m.byte_size AS bytes, m.kind, m.format, m.width, m.height, m.captured_at AS capturedAt, m.status,
      m.duration_ms AS durationMs, m.fps, (SELECT json_group_array(json_array(l.path, l.archive_entry)) FROM (SELECT path, archive_entry FROM media_locations
      WHERE media_id = m.id ORDER BY id) l) AS locs FROM media m WHERE ${where}`).all(...args) as (Omit<ExportMediaRow, 'locations'> & { locs: string })[];
    return rows.map(({ locs, ...m }) => ({ ...m, locations: (JSON.parse(locs) as [string, string][]).map(([path, entry]) => ({ path, entry })) }));
  }

  /** Files that could not be read at all (no media row): listed so a report accounts for every file. */
  unreadable(): { path: string; entry: string; reason: string }[] {
    return this.db.prepare('SELECT path, archive_entry AS entry, error_reason AS reason FROM media_locations WHERE media_id IS NULL ORDER BY id').all() as { path: string; entry: string; reason: string }[];
  }

  identity(id: number): { id: number; name: string | null; status: string; hidden: number } | null {
    return (this.db.prepare('SELECT id, name, status, hidden FROM identities WHERE id = ?').get(id) as { id: number; name: string | null; status: string; hidden: number } | undefined) ?? null;
  }

  track(id: number): { id: number; mediaId: number; startMs: number; endMs: number } | null {
    return (this.db.prepare('SELECT id, media_id AS mediaId, start_ms AS startMs, end_ms AS endMs FROM tracks WHERE id = ?').get(id) as { id: number; mediaId: number; startMs: number; endMs: number } | undefined) ?? null;
  }

  /** SHA-256 of every manifest this case wrote (from its export.created audit rows). */
  auditedManifests(): Set<string> {
    const rows = this.db.prepare("SELECT json_extract(details, '$.manifestSha256') FROM audit_log WHERE action = 'export.created'").pluck().all() as string[];
    return new Set(rows.filter(Boolean));
  }

  *audit(): Generator<AuditEntry> {
    yield* this.db.prepare('SELECT id, at, actor, action, target, details, prev_hash AS prevHash, hash FROM audit_log ORDER BY id').iterate() as IterableIterator<AuditEntry>;
  }
}
