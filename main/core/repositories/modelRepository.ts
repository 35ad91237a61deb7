import type { Db } from '../db/database.js';

export interface ModelRow {
  readonly id: string;
  readonly sha256: string;
  readonly role: string;
  readonly dim: number | null;
  readonly version: string;
}

export class ModelRepository {
  constructor(private readonly db: Db) {}
  /** Records the exact model (by hash) that produced a case's data; a changed hash under the same id is refused. */
  ensure(m: ModelRow): void {
    const existing = this.db.prepare('SELECT sha256 FROM models WHERE id = ?').pluck().get(m.id) as string | undefined;
    if (existing === undefined) {
      this.db.prepare('INSERT INTO models (id, sha256, role, dim, version) VALUES (?, ?, ?, ?, ?)').run(m.id, m.sha256, m.role, m.dim, m.version);
    } else if (existing !== m.sha256) {
      throw new Error(`Model ${m.id} in this case was produced by weights ${existing.slice(0, 16)}, not ${m.sha256.slice(0, 16)}`);
    }
  }
  list(): ModelRow[] {
    return this.db.prepare('SELECT id, sha256, role, dim, version FROM models ORDER BY id').all() as ModelRow[];
  }
}
