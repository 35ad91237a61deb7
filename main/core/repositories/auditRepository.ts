import { createHash } from 'node:crypto';
import type { AuditEntryDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';

/** An audit row with the hashes that chain it to the one before. */
export interface AuditEntry extends AuditEntryDto {
  readonly prevHash: string;
  readonly hash: string;
}

export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** The hash of one row: covers the previous row's hash, so edits, deletions and reorders break the chain. */
export function auditRowHash(prevHash: string, row: { at: string; actor: string; action: string; target: string; details: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([prevHash, row.at, row.actor, row.action, row.target, row.details]))
    .digest('hex');
}

export class AuditRepository {
  private readonly lastStmt;
  private readonly insertStmt;
  constructor(private readonly db: Db) {
    this.lastStmt = db.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').pluck();
    this.insertStmt = db.prepare(
      'INSERT INTO audit_log (at, actor, action, target, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Appends one row. Call inside the same transaction as the change it records. */
  append(actor: string, action: string, target: string, details: unknown): number {
    const prevHash = (this.lastStmt.get() as string | undefined) ?? AUDIT_GENESIS_HASH;
    const row = { at: new Date().toISOString(), actor, action, target, details: JSON.stringify(details ?? {}) };
    const hash = auditRowHash(prevHash, row);
    return Number(this.insertStmt.run(row.at, row.actor, row.action, row.target, row.details, prevHash, hash).lastInsertRowid);
  }

  list(limit = 1000, offset = 0): AuditEntry[] {
    return this.db
      .prepare(
        'SELECT id, at, actor, action, target, details, prev_hash AS prevHash, hash FROM audit_log ORDER BY id LIMIT ? OFFSET ?',
      )
      .all(limit, offset) as AuditEntry[];
  }

  /** The newest entries first (what an examiner reviewing the case looks at). */
  newest(limit: number, offset: number): AuditEntry[] {
    return this.db
      .prepare('SELECT id, at, actor, action, target, details, prev_hash AS prevHash, hash FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?')
      .all(limit, offset) as AuditEntry[];
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
  }

  /**
   * Walks the chain and checks its end against the head anchor (kept by a trigger): returns the id of
   * the first row that does not verify, or of the anchored row when rows were cut off the end.
   */
  verify(): AuditVerifyResult {
    let prev = AUDIT_GENESIS_HASH;
    let rows = 0;
    let lastId = 0;
    for (const r of this.db
      .prepare('SELECT id, at, actor, action, target, details, prev_hash AS prevHash, hash FROM audit_log ORDER BY id')
      .iterate() as IterableIterator<AuditEntry>) {
      rows++;
      if (r.prevHash !== prev || auditRowHash(prev, r) !== r.hash) return { ok: false, rows, firstBadId: r.id, problem: `row ${r.id} does not chain to the row before it (edited, inserted, deleted or reordered)` };
      prev = r.hash;
      lastId = r.id;
    }
    const head = this.head();
    if (head && (head.id !== lastId || head.hash !== prev)) {
      return { ok: false, rows, firstBadId: head.id, problem: `the log ends at row ${lastId} but its anchor names row ${head.id}: rows were removed from the end` };
    }
    return { ok: true, rows, firstBadId: null, problem: null, headHash: prev };
  }

  /** The anchored newest row (null for a case from before the anchor existed, or an empty log). */
  head(): { id: number; hash: string } | null {
    const v = this.db.prepare("SELECT value FROM case_meta WHERE key = 'audit.head'").pluck().get() as string | undefined;
    const m = v ? /^(\d+):([0-9a-f]{64})$/.exec(v) : null;
    return m ? { id: Number(m[1]), hash: m[2]! } : null;
  }
}

export type AuditVerifyResult =
  | { readonly ok: true; readonly rows: number; readonly firstBadId: null; readonly problem: null; readonly headHash: string }
  | { readonly ok: false; readonly rows: number; readonly firstBadId: number; readonly problem: string };
