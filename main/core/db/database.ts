import Database from 'better-sqlite3';
import { KestrelError } from '../../contract/index.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  readonly readonly?: boolean;
  readonly migrations?: readonly Migration[];
}

/**
 * Opens a case database: WAL, foreign keys on, pending migrations applied in one transaction.
 * A database written by a newer Kestrel (user_version above what we know) is refused untouched.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  const migrations = options.migrations ?? MIGRATIONS;
  let db: Db;
  try {
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (err) {
    throw new KestrelError('IO_ERROR', `Cannot open case database ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the
      // last transactions, never corrupt the file (sqlite.org/pragma.html#pragma_synchronous).
      db.pragma('synchronous = NORMAL');
    }
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new KestrelError(
      'CASE_TOO_NEW',
      `This case was written by a newer version of Kestrel (schema ${current}; this version knows up to ${latest}). ` +
        'Open it with that version or newer; it was not modified.',
    );
  }
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  if (db.readonly) {
    throw new KestrelError('CASE_TOO_NEW', `This case needs upgrading from schema ${current} to ${latest}, which a read-only open cannot do.`);
  }
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  })();
}
