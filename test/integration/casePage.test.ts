import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { createWorkbench, type Workbench } from '../../main/core/index.js';
import { openDatabase, schemaVersion } from '../../main/core/db/database.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../main/core/db/migrations.js';
import { CASE_TARGET_ID, KestrelError } from '../../main/contract/index.js';
import { testModelsDir } from '../helpers/fixtures.js';

let work: string;
let wb: Workbench;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-casepage-'));
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir(), examiner: 'Det. Founder' });
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('case notes are annotations on the case itself: audited, withdrawn never deleted, and they open the exported report', async () => {
  assert.equal(wb.info().createdBy, 'Det. Founder');
  const note = await wb.invoke('annotation.add', { target: { kind: 'case', id: CASE_TARGET_ID }, kind: 'note', body: 'Seized laptop received sealed, bag 4471.', examiner: 'Det. A' });
  const wrong = await wb.invoke('annotation.add', { target: { kind: 'case', id: CASE_TARGET_ID }, kind: 'note', body: 'Bag 4417.', examiner: 'Det. A' });
  await wb.invoke('annotation.withdraw', { id: wrong.id, reason: 'typo in the bag number', examiner: 'Det. A' });
  await assert.rejects(wb.invoke('annotation.add', { target: { kind: 'case', id: 2 }, kind: 'note', body: 'x', examiner: 'Det. A' }), (e: unknown) => e instanceof KestrelError && e.code === 'NOT_FOUND');
  const listed = await wb.invoke('annotations.list', { target: { kind: 'case', id: CASE_TARGET_ID }, includeWithdrawn: true });
  assert.deepEqual(listed.annotations.map((a) => [a.id, a.withdrawn?.reason ?? null]), [[note.id, null], [wrong.id, 'typo in the bag number']]);

  const out = join(work, 'export');
  await wb.exportCase({ out, select: [], formats: ['html', 'json'], lang: 'en', redact: false, originals: false, clips: false, frames: 'report', examiner: 'Det. A' });
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.ok(html.indexOf('Case notes') > 0 && html.indexOf('Case notes') < html.indexOf('Models'), 'case notes come before the models section');
  assert.match(html, /Seized laptop received sealed, bag 4471\./);
  assert.match(html, /typo in the bag number/, 'a withdrawn note is shown withdrawn, with its reason');
});

test('the audit log is listed newest first, and its hash chain is checked on request', async () => {
  const a = await wb.invoke('audit.list', { limit: 2 });
  assert.ok(a.total >= 4);
  assert.ok(a.entries[0]!.id > a.entries[1]!.id, 'newest first');
  const page2 = await wb.invoke('audit.list', { limit: 2, offset: 2 });
  assert.ok(page2.entries[0]!.id < a.entries[1]!.id);
  const ok = await wb.invoke('audit.verify', {});
  assert.equal(ok.ok, true);
  assert.equal(ok.rows, a.total);
  assert.match(ok.headHash!, /^[0-9a-f]{64}$/);
  // An edit behind the engine's back (a note's audit row rewritten) is found and named.
  // (The database refuses updates of audit rows; someone with the file can drop that guard.)
  const db = new Database(join(wb.caseDir, 'case.sqlite'));
  db.exec('DROP TRIGGER audit_log_no_update');
  db.prepare("UPDATE audit_log SET actor = 'someone else' WHERE id = ?").run(a.entries[1]!.id);
  db.close();
  const bad = await wb.invoke('audit.verify', {});
  assert.equal(bad.ok, false);
  assert.equal(bad.firstBadId, a.entries[1]!.id);
});

test('a case made before case notes existed keeps every annotation when it is upgraded', () => {
  const file = join(work, 'old.sqlite');
  const old = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < 10) });
  old.prepare("INSERT INTO annotations (target_kind, target_id, kind, body, examiner, created_at, withdrawn_at, withdrawn_by, withdraw_reason) VALUES ('identity', 7, 'note', 'older note', 'Det. B', '2026-01-02T03:04:05Z', '2026-01-03T00:00:00Z', 'Det. B', 'wrong person')").run();
  old.close();
  const db = openDatabase(file);
  assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
  assert.deepEqual(db.prepare('SELECT target_kind, target_id, body, examiner, withdraw_reason FROM annotations').all(),
    [{ target_kind: 'identity', target_id: 7, body: 'older note', examiner: 'Det. B', withdraw_reason: 'wrong person' }]);
  db.prepare("INSERT INTO annotations (target_kind, target_id, kind, examiner, created_at) VALUES ('case', 1, 'note', 'x', 'now')").run();
  // The rebuilt table still refuses unknown targets.
  assert.throws(() => db.prepare("INSERT INTO annotations (target_kind, target_id, kind, examiner, created_at) VALUES ('planet', 1, 'note', 'x', 'now')").run(), /CHECK constraint/);
  db.close();
});
