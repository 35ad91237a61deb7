import type { CompareDto, ComparisonRecordDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';

const COLUMNS = 'id, at, examiner, ref_a AS refA, ref_b AS refB, face_a AS faceA, face_b AS faceB';

/** 1:1 comparisons made in a case, each with the full result the examiner was shown. */
export class ComparisonRepository {
  constructor(private readonly db: Db) {}

  insert(c: { at: string; examiner: string; refA: string; refB: string; result: CompareDto }): number {
    return Number(this.db.prepare('INSERT INTO comparisons (at, examiner, face_a, face_b, ref_a, ref_b, result) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(c.at, c.examiner, c.result.a.faceId, c.result.b.faceId, c.refA, c.refB, JSON.stringify(c.result)).lastInsertRowid);
  }

  list(offset = 0, limit = 100): ComparisonRecordDto[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM comparisons ORDER BY id DESC LIMIT ? OFFSET ?`).all(limit, offset) as ComparisonRecordDto[];
  }

  ids(): number[] {
    return this.db.prepare('SELECT id FROM comparisons ORDER BY id').pluck().all() as number[];
  }

  get(id: number): (ComparisonRecordDto & { result: CompareDto }) | null {
    const r = this.db.prepare(`SELECT ${COLUMNS}, result FROM comparisons WHERE id = ?`).get(id) as (ComparisonRecordDto & { result: string }) | undefined;
    return r ? { ...r, result: { ...(JSON.parse(r.result) as CompareDto), comparisonId: r.id } } : null;
  }
}
