import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { KestrelError } from '../../contract/index.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  readonly readonly?: boolean;
  readonly migrations?: readonly Migration[];
  /** The cipher key (hex) of an encrypted case's database (SQLite3 Multiple Ciphers, ChaCha20-Poly1305 pages). */
  readonly key?: string | null;
}

/**
 * Opens a case database: WAL, foreign keys on, pending migrations applied in one transaction.
 * A database written by a newer Kestrel (user_version above what we know) is refused untouched.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  const migrations = options.migrations ?? MIGRATIONS;
  if (!options.readonly) refuseReadOnly(file);
  let db: Db;
  try {
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (err) {
    throw new KestrelError('IO_ERROR', `Cannot open case database ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    if (options.key) {
      db.pragma(`hexkey='${options.key.replace(/[^0-9a-f]/gi, '')}'`);
      try {
        db.prepare('SELECT count(*) FROM sqlite_schema').get();
      } catch (err) {
        throw new KestrelError('CASE_PASSWORD_WRONG', `The case database ${file} does not open with this case's key: the password is wrong or the database was replaced`, { cause: err });
      }
    }
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
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) refuseReadOnly(file);
    if (code.startsWith('SQLITE_')) throw new KestrelError('IO_ERROR', `Cannot open case database ${file}: ${(err as Error).message} (${code})`, { cause: err });
    throw err;
  }
}

/**
 * Every examiner action is written to the case's audit log, so a case is only opened where it can
 * be written. A write-protected case (read-only media or mount, or no write permission) is refused
 * before anything is touched, with the way out.
 */
function refuseReadOnly(file: string): void {
  for (const p of [dirname(file), ...(existsSync(file) ? [file, `${file}-wal`, `${file}-shm`].filter(existsSync) : [])]) {
    try {
      accessSync(p, constants.W_OK);
    } catch (err) {
      throw new KestrelError('CASE_READ_ONLY',
        `The case at ${dirname(file)} is read-only (${(err as NodeJS.ErrnoException).code ?? 'no write access'} on ${p}). Kestrel records every examiner ` +
          'action in the case, so it opens cases only where it can write: copy the case folder to writable storage and open the copy ' +
          '(its audit chain and exports verify there as well). Nothing was changed.', { cause: err });
    }
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
