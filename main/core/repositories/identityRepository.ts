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
  /**
   * Face count, sighting units (a video track counts once), age range, first and last capture and
   * best face of each identity (or of the given ones), and the evidence sources it was seen in.
   * One scan of the faces summed here: per-identity queries took seconds at 100k faces.
   */
  aggregates(ids?: readonly number[]): Map<number, IdentityAggregate & { readonly sources: readonly string[] }> {
    const where = ids ? `f.identity_id IN (${ids.map(() => '?').join(',') || 'NULL'})` : 'f.identity_id IS NOT NULL';
    const rows = this.db.prepare(`SELECT f.identity_id, f.id, f.track_id, f.age, f.quality, f.media_id, m.captured_at
      FROM faces f JOIN media m ON m.id = f.media_id WHERE ${where}`).raw().all(...(ids ?? [])) as [number, number, number | null, number | null, number, number, string | null][];
    const sourcesOfMedia = new Map<number, number[]>();
    const locations = ids ? `SELECT DISTINCT media_id, source_id FROM media_locations WHERE media_id IN (SELECT f.media_id FROM faces f WHERE ${where})`
      : 'SELECT DISTINCT media_id, source_id FROM media_locations WHERE media_id IS NOT NULL';
    for (const [media, source] of this.db.prepare(locations).raw().all(...(ids ?? [])) as [number, number][]) {
      const l = sourcesOfMedia.get(media);
      if (l) l.push(source); else sourcesOfMedia.set(media, [source]);
    }
    const sourcePath = new Map(this.db.prepare('SELECT id, path FROM sources').raw().all() as [number, string][]);
    interface Acc { faces: number; tracks: Set<number>; loose: number; minAge: number | null; maxAge: number | null; first: string | null; last: string | null; best: number; bestQ: number; sources: Set<number> }
    const acc = new Map<number, Acc>();
    for (const [identity, face, track, age, quality, media, captured] of rows) {
      let a = acc.get(identity);
      if (!a) acc.set(identity, (a = { faces: 0, tracks: new Set(), loose: 0, minAge: null, maxAge: null, first: null, last: null, best: face, bestQ: -Infinity, sources: new Set() }));
      a.faces++;
      if (track === null) a.loose++; else a.tracks.add(track);
      if (age !== null) { a.minAge = a.minAge === null ? age : Math.min(a.minAge, age); a.maxAge = a.maxAge === null ? age : Math.max(a.maxAge, age); }
      if (captured !== null) { if (a.first === null || captured < a.first) a.first = captured; if (a.last === null || captured > a.last) a.last = captured; }
      if (quality > a.bestQ || (quality === a.bestQ && face < a.best)) { a.best = face; a.bestQ = quality; }
      for (const src of sourcesOfMedia.get(media) ?? []) a.sources.add(src);
    }
    return new Map([...acc].map(([id, a]) => [id, {
      faces: a.faces, units: a.tracks.size + a.loose, minAge: a.minAge, maxAge: a.maxAge, first: a.first, last: a.last, bestFace: a.best,
      sources: [...a.sources].map((x) => sourcePath.get(x)!).sort(),
    }]));
  }

  face(faceId: number): IdentityFaceDto | null {
    return this.faces([faceId]).get(faceId) ?? null;
  }

  /** Face summaries by id, fetched in bulk. */
  faces(faceIds: readonly number[]): Map<number, IdentityFaceDto> {
    const out = new Map<number, IdentityFaceDto>();
    for (let i = 0; i < faceIds.length; i += 500) {
      const chunk = faceIds.slice(i, i + 500);
      for (const f of this.db.prepare(`${FACE_SQL} WHERE f.id IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as IdentityFaceDto[]) out.set(f.faceId, f);
    }
    return out;
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
