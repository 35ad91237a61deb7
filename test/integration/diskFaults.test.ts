// A write-protected case and a disk that fills up mid-intake: clear errors, nothing corrupted, and
// the intake resumes once there is space. The faults are real, made in a private mount namespace: a
// read-only bind mount of the case folder, and a 1.2 MB tmpfs as the case's disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { AuditRepository } from '../../main/core/repositories/auditRepository.js';
import { astronautJpeg, repoRoot, testModelsDir } from '../helpers/fixtures.js';

const cli = join(repoRoot, 'bin', 'kestrel.js');
const canMount = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=1m none /mnt 2>/dev/null || mount -t tmpfs -o size=1m none /tmp'], { stdio: 'ignore' }).status === 0;
const skip = canMount ? false : 'needs unprivileged mount namespaces (unshare -rm)';
const PHOTOS = 60;
let work: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-disk-'));
  mkdirSync(join(work, 'evidence'));
  for (let i = 0; i < PHOTOS; i++) writeFileSync(join(work, 'evidence', `p${i}.jpg`), await astronautJpeg(200 + i * 3));
  env = { ...process.env, KESTREL_MODELS: await testModelsDir(), KESTREL_EXAMINER: 'Disk Tester' };
});

after(() => rmSync(work, { recursive: true, force: true }));

/** Runs a shell script as root of a private user + mount namespace (mounts vanish with it). */
function inNamespace(script: string): void {
  const r = spawnSync('unshare', ['-rm', 'sh', '-ec', script], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, `${script}\n${r.stderr}`);
}

const kestrel = (args: string, out: string): string => `node ${JSON.stringify(cli)} ${args} > ${out} 2>/dev/null && echo 0 > ${out}.rc || echo $? > ${out}.rc`;
const result = (out: string): { rc: number; json: Record<string, unknown> } => ({
  rc: Number(readFileSync(`${out}.rc`, 'utf8')),
  json: JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>,
});

function caseHealth(dir: string): { integrity: string; audit: boolean; pending: number; done: number; faces: number; failedJobs: string[] } {
  const db = new Database(join(dir, 'case.sqlite'), { readonly: true });
  try {
    return {
      integrity: (db.prepare('PRAGMA integrity_check').pluck().all() as string[]).join(';'),
      audit: new AuditRepository(db).verify().ok,
      pending: db.prepare("SELECT count(*) FROM media WHERE status = 'pending'").pluck().get() as number,
      done: db.prepare("SELECT count(*) FROM media WHERE status = 'done'").pluck().get() as number,
      faces: db.prepare('SELECT count(*) FROM faces').pluck().get() as number,
      failedJobs: db.prepare("SELECT error FROM jobs WHERE status = 'failed'").pluck().all() as string[],
    };
  } finally {
    db.close();
  }
}

const treeHash = (dir: string): string => {
  const h = createHash('sha256');
  for (const n of readdirSync(dir, { recursive: true }).map(String).sort()) {
    h.update(n);
    try { h.update(readFileSync(join(dir, n))); } catch { /* a folder */ }
  }
  return h.digest('hex');
};

test('a read-only case is refused with CASE_READ_ONLY before anything is touched', { skip }, () => {
  const caseDir = join(work, 'ro-case');
  const made = spawnSync(process.execPath, [cli, 'ingest', '--case', caseDir, '--json', join(work, 'evidence', 'p0.jpg')], { env, encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const before = treeHash(caseDir);
  const out = join(work, 'ro.json');
  inNamespace(`mount --bind ${caseDir} ${caseDir}; mount -o remount,bind,ro ${caseDir}
    ${kestrel(`ingest --case ${caseDir} --json ${join(work, 'evidence')}`, out)}`);
  const r = result(out);
  assert.notEqual(r.rc, 0);
  const err = r.json['error'] as { code: string; message: string };
  assert.equal(err.code, 'CASE_READ_ONLY');
  assert.match(err.message, /copy the case folder to writable storage/);
  assert.equal(treeHash(caseDir), before, 'the case is byte-for-byte unchanged');
});

test('a disk that fills up stops intake with DISK_FULL, keeps what was committed intact, and resumes once there is space', { skip }, () => {
  const disk = join(work, 'disk');
  mkdirSync(disk);
  const caseDir = join(disk, 'case');
  const [refused, full, resumed] = ['refused.json', 'full.json', 'resumed.json'].map((n) => join(work, n)) as [string, string, string];
  inNamespace(`mount -t tmpfs -o size=1200k none ${disk}
    ${kestrel(`ingest --case ${caseDir} --json ${join(work, 'evidence')}`, refused)}
    ${kestrel(`ingest --case ${caseDir} --json --min-free-mb 0 ${join(work, 'evidence')}`, full)}
    cp -r ${caseDir} ${join(work, 'after-full')}
    mount -o remount,size=64m ${disk}
    ${kestrel(`ingest --case ${caseDir} --json --min-free-mb 1 ${join(work, 'evidence')}`, resumed)}
    cp -r ${caseDir} ${join(work, 'after-resume')}`);
  // Below the 200 MiB reserve, intake does not start.
  const r0 = result(refused);
  assert.notEqual(r0.rc, 0);
  assert.equal((r0.json['error'] as { code: string }).code, 'DISK_FULL');
  assert.match((r0.json['error'] as { message: string }).message, /did not start/);
  // Without the reserve the disk runs full mid-intake: a clear error, and a consistent case.
  const r1 = result(full);
  assert.notEqual(r1.rc, 0);
  assert.equal((r1.json['error'] as { code: string }).code, 'DISK_FULL');
  const mid = caseHealth(join(work, 'after-full'));
  assert.equal(mid.integrity, 'ok');
  assert.ok(mid.audit, 'audit chain verifies after the disk filled');
  assert.ok(mid.done > 0 && mid.done < PHOTOS, `${mid.done} photos done before the disk filled`);
  // With space, the next intake finishes the rest: every photo once, one face each.
  const r2 = result(resumed);
  assert.equal(r2.rc, 0, JSON.stringify(r2.json));
  assert.equal(r2.json['duplicates'], 0);
  const end = caseHealth(join(work, 'after-resume'));
  assert.deepEqual({ integrity: end.integrity, audit: end.audit, pending: end.pending, done: end.done, faces: end.faces }, { integrity: 'ok', audit: true, pending: 0, done: PHOTOS, faces: PHOTOS });
});
