import { asSourceId, type SourceDto, type SourceId } from '../../contract/index.js';
import type { Db } from '../db/database.js';

export class SourceRepository {
  constructor(private readonly db: Db) {}
  insert(path: string, kind: SourceDto['kind'], addedBy: string): SourceId {
    const r = this.db
      .prepare('INSERT INTO sources (path, kind, added_by, added_at) VALUES (?, ?, ?, ?)')
      .run(path, kind, addedBy, new Date().toISOString());
    return asSourceId(Number(r.lastInsertRowid));
  }
  list(): SourceDto[] {
    return this.db
      .prepare('SELECT id, path, kind, added_by AS addedBy, added_at AS addedAt FROM sources ORDER BY id')
      .all() as SourceDto[];
  }
  count(): number {
    return this.db.prepare('SELECT count(*) FROM sources').pluck().get() as number;
  }
}
