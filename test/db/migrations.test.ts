import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { openDatabase, schemaVersion } from '../../main/core/db/database.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../main/core/db/migrations.js';
import { AuditRepository } from '../../main/core/repositories/auditRepository.js';
import { KestrelError } from '../../main/contract/index.js';

const made: string[] = [];
const tmp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-db-'));
  made.push(dir);
  return join(dir, 'case.sqlite');
};
after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

test('a new database gets every migration, WAL and foreign keys', () => {
  const db = openDatabase(tmp());
  assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  for (const t of ['sources', 'media', 'media_locations', 'faces', 'embeddings', 'models', 'jobs', 'audit_log', 'intake_media', 'case_meta']) assert.ok(tables.includes(t), t);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
});

test('migrations are numbered 1..n without gaps', () => {
  MIGRATIONS.forEach((m, i) => assert.equal(m.version, i + 1));
});

test('a database from a newer Kestrel is refused and left untouched', () => {
  const file = tmp();
  openDatabase(file).close();
  const raw = new Database(file);
  raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
  raw.close();
  const before = readFileSync(file);
  assert.throws(() => openDatabase(file), (e: unknown) => e instanceof KestrelError && e.code === 'CASE_TOO_NEW' && /newer version/.test(e.message));
  assert.deepEqual(readFileSync(file), before);
});

test('a failing migration rolls back entirely: no half-applied schema', () => {
  const file = tmp();
  const bad = [...MIGRATIONS, { version: LATEST_SCHEMA_VERSION + 1, name: 'broken', sql: 'CREATE TABLE extra (x INTEGER); THIS IS NOT SQL;' }];
  assert.throws(() => openDatabase(file, { migrations: bad }));
  const db = new Database(file);
  assert.equal(db.pragma('user_version', { simple: true }), 0);
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('extra', 'faces')").pluck().get(), 0);
  db.close();
});

test('the audit log is append-only and its chain detects edits, deletions, insertions, reordering and a cut-off end', () => {
  const file = tmp();
  const db = openDatabase(file);
  const audit = new AuditRepository(db);
  for (let i = 0; i < 5; i++) audit.append('examiner A', 'test.action', `t:${i}`, { i });
  const good = audit.verify();
  assert.equal(good.ok, true);
  assert.equal(good.rows, 5);
  assert.throws(() => db.prepare("UPDATE audit_log SET actor = 'x' WHERE id = 2").run(), /append-only/);
  assert.throws(() => db.prepare('DELETE FROM audit_log WHERE id = 2').run(), /append-only/);
  db.close();

  // A tamperer with raw file access drops the triggers; the chain (and its anchored end) still catches every kind of change.
  const kinds: Record<string, [string, number]> = {
    edit: ["DROP TRIGGER audit_log_no_update; UPDATE audit_log SET details = '{\"i\":99}' WHERE id = 3;", 3],
    delete: ['DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 3;', 4],
    insert: ["DROP TRIGGER audit_log_head; INSERT INTO audit_log (id, at, actor, action, target, details, prev_hash, hash) VALUES (10, '2020-01-01', 'x', 'forged', 't', '{}', 'a', 'b');", 10],
    reorder: ['DROP TRIGGER audit_log_no_update; UPDATE audit_log SET id = id + 100 WHERE id = 2; UPDATE audit_log SET id = 2 WHERE id = 3; UPDATE audit_log SET id = 3 WHERE id = 102;', 2],
    truncate: ['DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 5;', 5],
  };
  for (const [kind, [sql, firstBad]] of Object.entries(kinds)) {
    const copy = tmp();
    copyFileSync(file, copy);
    const raw = new Database(copy);
    raw.exec(sql);
    raw.close();
    const reopened = openDatabase(copy);
    const r = new AuditRepository(reopened).verify();
    reopened.close();
    assert.equal(r.ok, false, `${kind} must break the chain`);
    assert.equal(r.firstBadId, firstBad, kind);
  }
});

