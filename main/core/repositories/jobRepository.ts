import { hostname } from 'node:os';
import { asJobId, type JobId } from '../../contract/index.js';
import type { Db } from '../db/database.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export class JobRepository {
  constructor(private readonly db: Db) {}
  create(kind: string, payload: unknown): JobId {
    const now = new Date().toISOString();
    const r = this.db
      .prepare("INSERT INTO jobs (kind, payload, status, created_at, updated_at, owner_pid, owner_host) VALUES (?, ?, 'running', ?, ?, ?, ?)")
      .run(kind, JSON.stringify(payload), now, now, process.pid, hostname());
    return asJobId(Number(r.lastInsertRowid));
  }
  progress(id: JobId, done: number, total: number): void {
    this.db.prepare('UPDATE jobs SET progress_done = ?, progress_total = ?, updated_at = ? WHERE id = ?').run(done, total, new Date().toISOString(), id);
  }
  /**
   * Jobs left 'running' by a process that no longer exists (killed, crashed, power lost) are marked
   * failed as interrupted; returns them. A job whose process is alive (another window or CLI on
   * this machine) is left alone.
   */
  markInterrupted(): { id: JobId; kind: string; createdAt: string; progress: string }[] {
    const rows = this.db
      .prepare("SELECT id, kind, created_at AS createdAt, progress_done AS done, progress_total AS total, owner_pid AS pid, owner_host AS host FROM jobs WHERE status = 'running'")
      .all() as { id: number; kind: string; createdAt: string; done: number; total: number; pid: number | null; host: string | null }[];
    const gone = rows.filter((r) => !(r.pid !== null && r.host === hostname() && processAlive(r.pid)));
    for (const r of gone) {
      this.finish(asJobId(r.id), 'failed', 'interrupted: the process ended before the job finished (crash, kill or power loss); finished work is kept, and the next intake resumes the rest');
    }
    return gone.map((r) => ({ id: asJobId(r.id), kind: r.kind, createdAt: r.createdAt, progress: `${r.done}/${r.total}` }));
  }
  finish(id: JobId, status: Exclude<JobStatus, 'queued' | 'running'>, error: string | null = null): void {
    this.db.prepare('UPDATE jobs SET status = ?, error = ?, updated_at = ? WHERE id = ?').run(status, error, new Date().toISOString(), id);
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
