import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { CaseHost, createWorkbench } from '../../main/core/index.js';
import { writeSyntheticPhotos } from '../../main/core/bench/syntheticPhotos.js';
import { KestrelError, type EventPayloads } from '../../main/contract/index.js';
import { astronautPng, testModelsDir } from '../helpers/fixtures.js';

let work: string;
let host: CaseHost;
let modelsDir: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-casehost-'));
  modelsDir = await testModelsDir();
  await writeSyntheticPhotos(join(work, 'evidence'), 6, astronautPng, 3);
  host = await CaseHost.start({
    initial: await createWorkbench({ caseDir: join(work, 'a'), modelsDir, examiner: 'Det. A' }),
    recentFile: join(work, 'user', 'recent-cases.json'),
    open: (c) => createWorkbench({ caseDir: c.caseDir, modelsDir, examiner: c.examiner, mustExist: !c.create, ...(c.name ? { name: c.name } : {}), ...(c.profile ? { profile: c.profile } : {}) }),
  });
});

after(async () => {
  await host?.dispose();
  rmSync(work, { recursive: true, force: true });
});

const code = (c: string) => (e: unknown) => e instanceof KestrelError && e.code === c;

test('creating a case switches to it, tells every listener, and keeps listeners on the new case', async () => {
  const opened: EventPayloads['case.opened'][] = [];
  const changed: string[] = [];
  host.on('case.opened', (p) => opened.push(p));
  host.on('case.changed', (p) => changed.push(p.what));
  const info = await host.invoke('case.create', { dir: join(work, 'b'), name: 'Operation Bluebird', profile: 'permissive', examiner: 'Det. B' });
  assert.equal(info.name, 'Operation Bluebird');
  assert.equal(info.profile, 'permissive');
  assert.equal(info.createdBy, 'Det. B');
  assert.equal(host.caseDir, join(work, 'b'));
  assert.deepEqual(opened, [{ caseDir: join(work, 'b'), name: 'Operation Bluebird' }]);
  assert.equal((await host.invoke('case.info', {})).name, 'Operation Bluebird', 'calls now reach the new case');
  const out = join(work, 'bluebird-export');
  await host.wb.exportCase({ out, select: [], formats: ['html'], lang: 'zh', redact: false, originals: false, clips: false, frames: 'report', examiner: 'Det. B' });
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /人脸检验报告: Operation Bluebird/, 'the report carries the name the case was given');
  assert.match(html, /身份聚类/, 'thresholds and parameters in the report language');
  await host.invoke('ingest.start', { paths: [join(work, 'evidence')], examiner: 'Det. B' });
  assert.ok(changed.includes('faces'), 'a listener from before the switch hears the new case');
  const recent = (await host.invoke('cases.recent', {})).cases;
  assert.deepEqual(recent.map((r) => [r.name, r.exists]), [['Operation Bluebird', true], ['a', true]]);
});

test('refusals leave the open case as it is: an existing folder to create, a folder without a case, a case too new, a running intake', async () => {
  await assert.rejects(host.invoke('case.create', { dir: join(work, 'a'), examiner: 'Det. B' }), /already a case/);
  await assert.rejects(host.invoke('case.open', { dir: join(work, 'nothing'), examiner: 'Det. B' }), code('CASE_NOT_FOUND'));
  await assert.rejects(host.invoke('case.open', { dir: join(work, 'a') }), /examiner/);
  const future = await createWorkbench({ caseDir: join(work, 'future'), modelsDir, examiner: 'x' });
  await future.dispose();
  const db = new Database(join(work, 'future', 'case.sqlite'));
  db.pragma('user_version = 999');
  db.close();
  await assert.rejects(host.invoke('case.open', { dir: join(work, 'future'), examiner: 'Det. B' }), code('CASE_TOO_NEW'));
  await writeSyntheticPhotos(join(work, 'more'), 12, astronautPng, 4);
  const running = host.invoke('ingest.start', { paths: [join(work, 'more')], examiner: 'Det. B' });
  await new Promise((r) => setTimeout(r, 0));
  await assert.rejects(host.invoke('case.open', { dir: join(work, 'a'), examiner: 'Det. B' }), /intake or export is running/);
  await running;
  assert.equal(host.caseDir, join(work, 'b'));
  assert.equal((await host.invoke('case.info', {})).counts.media, 18);
});

test('opening a case records who opened it in that case, and the recent list follows', async () => {
  const info = await host.invoke('case.open', { dir: join(work, 'a'), examiner: 'Det. C' });
  assert.equal(info.name, 'a');
  const last = (await host.invoke('audit.list', { limit: 1 })).entries[0]!;
  assert.deepEqual([last.actor, last.action], ['Det. C', 'case.opened']);
  assert.equal((await host.invoke('audit.verify', {})).ok, true);
  const saved = JSON.parse(readFileSync(join(work, 'user', 'recent-cases.json'), 'utf8')) as { name: string }[];
  assert.deepEqual(saved.map((r) => r.name), ['a', 'Operation Bluebird']);
  rmSync(join(work, 'b'), { recursive: true, force: true });
  const recent = (await host.invoke('cases.recent', {})).cases;
  assert.deepEqual(recent.map((r) => [r.name, r.exists]), [['a', true], ['Operation Bluebird', false]]);
  assert.ok(!existsSync(join(work, 'b')));
});
