import type { Db } from '../db/database.js';

export class CaseMetaRepository {
  constructor(private readonly db: Db) {}
  get(key: string): string | null {
    const v = this.db.prepare('SELECT value FROM case_meta WHERE key = ?').pluck().get(key) as string | undefined;
    return v ?? null;
  }
  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO case_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
