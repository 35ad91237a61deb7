import type { Db } from '../db/database.js';
import type { IdentityFaceDto } from '../../contract/index.js';
import { LOCATION_DISPLAY_SQL } from './locationPath.js';

export interface IdentityRow {
  readonly id: number;
  readonly name: string | null;
  readonly status: 'auto' | 'confirmed';
  readonly hidden: number;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface IdentityOpRow {
  readonly id: number;
  readonly at: string;
  readonly examiner: string;
  readonly kind: string;
  readonly details: string;
  readonly undone_at: string | null;
}

export interface IdentityAggregate {
  readonly faces: number;
  readonly units: number;
  readonly minAge: number | null;
  readonly maxAge: number | null;
  readonly first: string | null;
  readonly last: string | null;
  readonly bestFace: number | null;
}

const FACE_SQL = `SELECT f.id AS faceId, f.track_id AS trackId, f.frame_ms AS frameMs, f.age, f.quality, f.thumb AS thumbnail, m.captured_at AS capturedAt,
    coalesce((SELECT ${LOCATION_DISPLAY_SQL} FROM media_locations l WHERE l.media_id = f.media_id ORDER BY l.id LIMIT 1), '') AS mediaPath
  FROM faces f JOIN media m ON m.id = f.media_id`;

/** Identities, face membership, examiner constraints and the operations journal. */
export class IdentityRepository {
  constructor(private readonly db: Db) {}

  create(now: string): number {
    return Number(this.db.prepare("INSERT INTO identities (status, created_at, updated_at) VALUES ('auto', ?, ?)").run(now, now).lastInsertRowid);
  }

  get(id: number): IdentityRow | null {
    return (this.db.prepare('SELECT * FROM identities WHERE id = ?').get(id) as IdentityRow | undefined) ?? null;
  }

  all(): IdentityRow[] {
    return this.db.prepare('SELECT * FROM identities ORDER BY id').all() as IdentityRow[];
  }

  update(id: number, fields: { name?: string | null; status?: 'auto' | 'confirmed'; hidden?: boolean }, now: string): void {
    const r = this.get(id);
    if (!r) return;
    this.db.prepare('UPDATE identities SET name = ?, status = ?, hidden = ?, updated_at = ? WHERE id = ?').run(
      fields.name !== undefined ? fields.name : r.name, fields.status ?? r.status, fields.hidden !== undefined ? Number(fields.hidden) : r.hidden, now, id);
  }

  /** Restores an identity row exactly as it was (undo), creating it again if it was removed. */
  restore(row: IdentityRow): void {
    this.db.prepare(`INSERT INTO identities (id, name, status, hidden, created_at, updated_at) VALUES (@id, @name, @status, @hidden, @created_at, @updated_at)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, status = excluded.status, hidden = excluded.hidden, updated_at = excluded.updated_at`).run(row);
  }

  /** Removes identities that no face belongs to any more (auto ones only: a confirmed identity is kept). */
  removeEmpty(): number {
    return this.db.prepare("DELETE FROM identities WHERE status = 'auto' AND NOT EXISTS (SELECT 1 FROM faces f WHERE f.identity_id = identities.id)").run().changes;
  }

  remove(id: number): void {
    this.db.prepare('DELETE FROM identities WHERE id = ? AND NOT EXISTS (SELECT 1 FROM faces f WHERE f.identity_id = ?)').run(id, id);
  }

  /** face id -> identity id (null where not yet clustered). */
  membership(): Map<number, number | null> {
    const m = new Map<number, number | null>();
    for (const r of this.db.prepare('SELECT id, identity_id FROM faces').iterate() as Iterable<{ id: number; identity_id: number | null }>) m.set(r.id, r.identity_id);
    return m;
  }

  facesOf(identityId: number): number[] {
    return this.db.prepare('SELECT id FROM faces WHERE identity_id = ? ORDER BY id').pluck().all(identityId) as number[];
  }

  identityOf(faceId: number): number | null {
    const r = this.db.prepare('SELECT identity_id FROM faces WHERE id = ?').get(faceId) as { identity_id: number | null } | undefined;
    return r ? r.identity_id : null;
  }

  faceExists(faceId: number): boolean {
    return this.db.prepare('SELECT 1 FROM faces WHERE id = ?').get(faceId) !== undefined;
  }

  /** Faces of the same tracks as the given faces (a track is one sighting and moves as one). */
  withTracks(faceIds: readonly number[]): number[] {
    const out = new Set<number>();
    const stmt = this.db.prepare('SELECT id FROM faces WHERE track_id = (SELECT track_id FROM faces WHERE id = ?) ORDER BY id');
    for (const id of faceIds) {
      out.add(id);
      for (const t of stmt.pluck().all(id) as number[]) out.add(t);
    }
    return [...out].sort((a, b) => a - b);
  }

  assign(faceIds: readonly number[], identityId: number | null): void {
    const stmt = this.db.prepare('UPDATE faces SET identity_id = ? WHERE id = ?');
    for (const f of faceIds) stmt.run(identityId, f);
  }

  faceDtos(identityId: number): IdentityFaceDto[] {
    return this.db.prepare(`${FACE_SQL} WHERE f.identity_id = ? ORDER BY f.id`).all(identityId) as IdentityFaceDto[];
  }

  /** Per identity: face count, units, ages, capture span and best face id, in one pass. */
  aggregates(): Map<number, IdentityAggregate> {
    const rows = this.db.prepare(`SELECT f.identity_id AS id, count(*) AS faces,
        count(DISTINCT CASE WHEN f.track_id IS NULL THEN 'f' || f.id ELSE 't' || f.track_id END) AS units,
        min(f.age) AS minAge, max(f.age) AS maxAge, min(m.captured_at) AS first, max(m.captured_at) AS last,
        (SELECT g.id FROM faces g WHERE g.identity_id = f.identity_id ORDER BY g.quality DESC, g.id LIMIT 1) AS bestFace
      FROM faces f JOIN media m ON m.id = f.media_id WHERE f.identity_id IS NOT NULL GROUP BY f.identity_id`).all() as
      (IdentityAggregate & { id: number })[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  face(faceId: number): IdentityFaceDto | null {
    return (this.db.prepare(`${FACE_SQL} WHERE f.id = ?`).get(faceId) as IdentityFaceDto | undefined) ?? null;
  }

  sourcesOf(identityId: number): string[] {
    return this.db.prepare(`SELECT DISTINCT s.path FROM faces f JOIN media_locations l ON l.media_id = f.media_id JOIN sources s ON s.id = l.source_id
      WHERE f.identity_id = ? ORDER BY s.path`).pluck().all(identityId) as string[];
  }

  addOp(at: string, examiner: string, kind: string, details: unknown): number {
    return Number(this.db.prepare('INSERT INTO identity_ops (at, examiner, kind, details) VALUES (?, ?, ?, ?)').run(at, examiner, kind, JSON.stringify(details)).lastInsertRowid);
  }

  lastOp(): IdentityOpRow | null {
    return (this.db.prepare('SELECT * FROM identity_ops WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1').get() as IdentityOpRow | undefined) ?? null;
  }

  ops(limit: number): IdentityOpRow[] {
    return this.db.prepare('SELECT * FROM identity_ops ORDER BY id DESC LIMIT ?').all(limit) as IdentityOpRow[];
  }

  markUndone(opId: number, at: string): void {
    this.db.prepare('UPDATE identity_ops SET undone_at = ? WHERE id = ?').run(at, opId);
  }

  addConstraint(kind: 'must' | 'cannot', a: number, b: number, opId: number): void {
    if (a === b) return;
    this.db.prepare('INSERT INTO identity_constraints (kind, face_a, face_b, op_id) VALUES (?, ?, ?, ?)').run(kind, Math.min(a, b), Math.max(a, b), opId);
  }

  removeConstraintsOf(opId: number): number {
    return this.db.prepare('DELETE FROM identity_constraints WHERE op_id = ?').run(opId).changes;
  }

  /** Constraints of operations not undone. */
  constraints(): { kind: 'must' | 'cannot'; a: number; b: number }[] {
    return this.db.prepare(`SELECT c.kind, c.face_a AS a, c.face_b AS b FROM identity_constraints c JOIN identity_ops o ON o.id = c.op_id
      WHERE o.undone_at IS NULL ORDER BY c.id`).all() as { kind: 'must' | 'cannot'; a: number; b: number }[];
  }

  /** Whether any cannot-link (examiner's or one photo/frame) joins the two face sets. */
  cannotBetween(a: readonly number[], b: readonly number[]): [number, number] | null {
    const setB = new Set(b);
    for (const c of this.constraints()) {
      if (c.kind !== 'cannot') continue;
      if ((a.includes(c.a) && setB.has(c.b)) || (a.includes(c.b) && setB.has(c.a))) return [c.a, c.b];
    }
    const frame = this.db.prepare(`SELECT g.id FROM faces f JOIN faces g ON g.media_id = f.media_id AND g.id <> f.id
      AND (g.frame_ms = f.frame_ms OR (g.frame_ms IS NULL AND f.frame_ms IS NULL)) WHERE f.id = ?`).pluck();
    for (const f of a) for (const g of frame.all(f) as number[]) if (setB.has(g)) return [f, g];
    return null;
  }
}
