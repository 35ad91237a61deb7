import { asJobId, type JobId } from '../../contract/index.js';
import type { Db } from '../db/database.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export class JobRepository {
  constructor(private readonly db: Db) {}
  create(kind: string, payload: unknown): JobId {
    const now = new Date().toISOString();
    const r = this.db
      .prepare("INSERT INTO jobs (kind, payload, status, created_at, updated_at) VALUES (?, ?, 'running', ?, ?)")
      .run(kind, JSON.stringify(payload), now, now);
    return asJobId(Number(r.lastInsertRowid));
  }
  progress(id: JobId, done: number, total: number): void {
    this.db.prepare('UPDATE jobs SET progress_done = ?, progress_total = ?, updated_at = ? WHERE id = ?').run(done, total, new Date().toISOString(), id);
  }
  finish(id: JobId, status: Exclude<JobStatus, 'queued' | 'running'>, error: string | null = null): void {
    this.db.prepare('UPDATE jobs SET status = ?, error = ?, updated_at = ? WHERE id = ?').run(status, error, new Date().toISOString(), id);
  }
}
