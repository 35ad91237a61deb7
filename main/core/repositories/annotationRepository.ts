import { CASE_TARGET_ID, type AnnotationDto, type AnnotationKind, type AnnotationTarget, type AnnotationTargetKind, type ConclusionScale, type TagDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';

interface AnnotationRow {
  id: number; target_kind: AnnotationTargetKind; target_id: number; kind: AnnotationKind; tag: string | null; body: string; scale: ConclusionScale | null;
  examiner: string; created_at: string; withdrawn_at: string | null; withdrawn_by: string | null; withdraw_reason: string | null;
}

const toDto = (r: AnnotationRow): AnnotationDto => ({
  id: r.id, target: { kind: r.target_kind, id: r.target_id }, kind: r.kind, tag: r.tag, body: r.body, scale: r.scale, examiner: r.examiner, createdAt: r.created_at,
  withdrawn: r.withdrawn_at ? { at: r.withdrawn_at, by: r.withdrawn_by ?? '', reason: r.withdraw_reason ?? '' } : null,
});

export interface AnnotationFilter {
  readonly target?: AnnotationTarget;
  readonly targetKind?: AnnotationTargetKind;
  readonly kind?: AnnotationKind;
  readonly tag?: string;
  /** Words found in the body or tag (case-insensitive substring). */
  readonly query?: string;
  readonly includeWithdrawn?: boolean;
}

/** Where each annotation target kind lives, to check that an annotated item exists. */
const TARGET_TABLES: Record<Exclude<AnnotationTargetKind, 'case'>, string> = {
  media: 'media', face: 'faces', track: 'tracks', identity: 'identities', search: 'searches', alarm: 'alarms', comparison: 'comparisons',
};

/** Tags, notes, bookmarks and conclusions, and the case's tag vocabulary. */
export class AnnotationRepository {
  constructor(private readonly db: Db) {}

  targetExists(t: AnnotationTarget): boolean {
    if (t.kind === 'case') return t.id === CASE_TARGET_ID;
    return this.db.prepare(`SELECT 1 FROM ${TARGET_TABLES[t.kind]} WHERE id = ?`).get(t.id) !== undefined;
  }

  insert(a: { target: AnnotationTarget; kind: AnnotationKind; tag: string | null; body: string; scale: ConclusionScale | null; examiner: string; at: string }): number {
    return Number(this.db.prepare('INSERT INTO annotations (target_kind, target_id, kind, tag, body, scale, examiner, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(a.target.kind, a.target.id, a.kind, a.tag, a.body, a.scale, a.examiner, a.at).lastInsertRowid);
  }

  get(id: number): AnnotationDto | null {
    const r = this.db.prepare('SELECT * FROM annotations WHERE id = ?').get(id) as AnnotationRow | undefined;
    return r ? toDto(r) : null;
  }

  withdraw(id: number, by: string, reason: string, at: string): void {
    this.db.prepare('UPDATE annotations SET withdrawn_at = ?, withdrawn_by = ?, withdraw_reason = ? WHERE id = ? AND withdrawn_at IS NULL').run(at, by, reason, id);
  }

  private where(f: AnnotationFilter): { sql: string; args: unknown[] } {
    const clauses: string[] = [];
    const args: unknown[] = [];
    if (f.target) { clauses.push('target_kind = ? AND target_id = ?'); args.push(f.target.kind, f.target.id); }
    if (f.targetKind) { clauses.push('target_kind = ?'); args.push(f.targetKind); }
    if (f.kind) { clauses.push('kind = ?'); args.push(f.kind); }
    if (f.tag) { clauses.push('tag = ?'); args.push(f.tag); }
    if (f.query) {
      const like = `%${f.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      clauses.push("(body LIKE ? ESCAPE '\\' OR tag LIKE ? ESCAPE '\\' OR scale LIKE ? ESCAPE '\\')");
      args.push(like, like, like);
    }
    if (!f.includeWithdrawn) clauses.push('withdrawn_at IS NULL');
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', args };
  }

  list(f: AnnotationFilter, offset = 0, limit = 100_000): AnnotationDto[] {
    const w = this.where(f);
    return (this.db.prepare(`SELECT * FROM annotations ${w.sql} ORDER BY id LIMIT ? OFFSET ?`).all(...w.args, limit, offset) as AnnotationRow[]).map(toDto);
  }

  count(f: AnnotationFilter): number {
    const w = this.where(f);
    return this.db.prepare(`SELECT count(*) FROM annotations ${w.sql}`).pluck().get(...w.args) as number;
  }

  /** Distinct annotated targets of one kind (not withdrawn), optionally only those with a tag. */
  targetsOf(kind: AnnotationTargetKind, tag?: string): number[] {
    return this.db.prepare(`SELECT DISTINCT target_id FROM annotations WHERE target_kind = ? AND withdrawn_at IS NULL ${tag ? 'AND tag = ?' : ''} ORDER BY target_id`)
      .pluck().all(...(tag ? [kind, tag] : [kind])) as number[];
  }

  defineTag(name: string, description: string, by: string, at: string): void {
    this.db.prepare('INSERT INTO tags (name, description, created_by, created_at) VALUES (?, ?, ?, ?)').run(name, description, by, at);
  }

  tag(name: string): TagDto | null {
    return this.tags().find((t) => t.name === name) ?? null;
  }

  tags(): TagDto[] {
    return this.db.prepare(`SELECT t.name, t.description, t.created_by AS createdBy, t.created_at AS createdAt,
      (SELECT count(*) FROM annotations a WHERE a.tag = t.name AND a.withdrawn_at IS NULL) AS uses FROM tags t ORDER BY t.name`).all() as TagDto[];
  }
}
