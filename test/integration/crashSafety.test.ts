// Crash safety: the engine process is killed (SIGKILL) at random points of a large intake, again
// and again; every restart resumes, and the end state must equal an uninterrupted run's: the same
// media, faces, tracks and error records, none lost or duplicated, the database intact and the
// audit chain whole.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { rng } from '../../main/core/util/rng.js';
import { resolveFfmpeg } from '../../main/core/index.js';
import { AuditRepository } from '../../main/core/repositories/auditRepository.js';
import { astronautJpeg, repoRoot, sharedDir, testModelsDir } from '../helpers/fixtures.js';
import { buildHostileCorpus } from '../helpers/hostileCorpus.js';

const KILLS = Number(process.env['KESTREL_CRASH_KILLS'] ?? 20);
const SEED = Number(process.env['KESTREL_CRASH_SEED'] ?? Date.now() % 2 ** 31);
const cli = join(repoRoot, 'bin', 'kestrel.js');
let work: string;
let sources: string[];
let env: NodeJS.ProcessEnv;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-crash-'));
  const mixed = join(work, 'mixed');
  await buildHostileCorpus(mixed, { ffmpeg: resolveFfmpeg() });
  // The bulk: FG-NET's 1,002 real photos read in place, or generated photos where it is absent.
  const fgnet = join(sharedDir, 'datasets', 'FGNET', 'images');
  if (existsSync(fgnet)) sources = [fgnet, mixed];
  else {
    const gen = join(work, 'generated');
    mkdirSync(gen);
    for (let i = 0; i < 600; i++) writeFileSync(join(gen, `p${i}.jpg`), await astronautJpeg(200 + i));
    sources = [gen, mixed];
  }
  env = { ...process.env, KESTREL_MODELS: await testModelsDir() };
});

after(() => rmSync(work, { recursive: true, force: true }));

function ingest(caseDir: string): ReturnType<typeof spawn> {
  return spawn(process.execPath, [cli, 'ingest', '--case', caseDir, '--examiner', 'Crash Tester', '--json', ...sources], { env, stdio: ['ignore', 'ignore', 'pipe'] });
}

interface CaseState {
  integrity: string;
  foreignKeys: number;
  audit: { ok: boolean; rows: number; problem: string | null };
  runningJobs: number;
  pending: number;
  media: string[];
  faces: string[];
  tracks: string[];
  errors: string[];
  doneMedia: number;
}

/** Whether the case database exists and its schema was committed. */
function hasSchema(caseDir: string): boolean {
  if (!existsSync(join(caseDir, 'case.sqlite'))) return false;
  const db = new Database(join(caseDir, 'case.sqlite'), { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'media'").pluck().get() === 1;
  } finally {
    db.close();
  }
}

/** Everything the comparison needs, read from the case database (read-only). */
function caseState(caseDir: string): CaseState {
  const db = new Database(join(caseDir, 'case.sqlite'), { readonly: true });
  try {
    const col = (sql: string): string[] => db.prepare(sql).pluck().all() as string[];
    const v = new AuditRepository(db).verify();
    return {
      integrity: col('PRAGMA integrity_check').join(';'),
      foreignKeys: db.prepare('PRAGMA foreign_key_check').all().length,
      audit: { ok: v.ok, rows: v.rows, problem: v.problem },
      runningJobs: db.prepare("SELECT count(*) FROM jobs WHERE status = 'running'").pluck().get() as number,
      pending: db.prepare("SELECT count(*) FROM media WHERE status = 'pending'").pluck().get() as number,
      doneMedia: db.prepare("SELECT count(*) FROM media WHERE status = 'done'").pluck().get() as number,
      media: col(`SELECT sha256 || ' ' || status || ' ' || coalesce(error_reason, '') || ' faces=' ||
        (SELECT count(*) FROM faces f WHERE f.media_id = m.id) FROM media m ORDER BY sha256`),
      faces: col(`SELECT m.sha256 || ' ' || coalesce(f.frame_ms, -1) || ' ' || round(f.box_x) || ',' || round(f.box_y) || ',' || round(f.box_w) || ',' || round(f.box_h)
        FROM faces f JOIN media m ON m.id = f.media_id ORDER BY 1`),
      tracks: col(`SELECT m.sha256 || ' ' || t.start_ms || '-' || t.end_ms || ' n=' || (SELECT count(*) FROM faces f WHERE f.track_id = t.id)
        FROM tracks t JOIN media m ON m.id = t.media_id ORDER BY 1`),
      // Each intake registers its sources anew, so the same file's error recurs per run: compare the distinct set.
      errors: col(`SELECT DISTINCT l.path || '|' || l.archive_entry || '|' || coalesce(l.error_reason, m.error_reason)
        FROM media_locations l LEFT JOIN media m ON m.id = l.media_id
        WHERE l.error_reason IS NOT NULL OR (m.error_reason IS NOT NULL AND l.is_duplicate = 0) ORDER BY 1`),
    };
  } finally {
    db.close();
  }
}

test(`intake killed with SIGKILL ${KILLS} times at random points resumes to exactly the uninterrupted result`, { timeout: 900_000 }, async (t) => {
  const reference = join(work, 'reference');
  const ref = spawnSync(process.execPath, [cli, 'ingest', '--case', reference, '--examiner', 'Crash Tester', '--json', ...sources], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(ref.status, 0, ref.stderr);
  const want = caseState(reference);
  assert.ok(want.faces.length > 500, `${want.faces.length} faces in the reference run`);

  const crashed = join(work, 'crashed');
  const r = rng(SEED);
  let kills = 0;
  let killsWhileProcessing = 0;
  let runs = 0;
  const stderrTails: string[] = [];
  while (kills < KILLS && runs < KILLS * 3) {
    runs++;
    const child = ingest(crashed);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    const exited = once(child, 'exit');
    // Model loading takes about a second: kill points from 0.2 s to 4 s cover opening the case,
    // scanning, hashing, inference and the commits.
    const delay = 200 + r() * 3800;
    const finished = await Promise.race([exited.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), delay))]);
    if (finished) {
      // It ran to the end before the kill: the corpus is done, later kills would prove nothing.
      assert.equal(child.exitCode, 0, `run ${runs} ended on its own with ${child.exitCode}: ${stderr}`);
      break;
    }
    const before = hasSchema(crashed) ? caseState(crashed).doneMedia : 0;
    child.kill('SIGKILL');
    await exited;
    kills++;
    stderrTails.push(stderr.slice(-200));
    // On a loaded machine an early kill can land before the case exists or before its first
    // migration committed: nothing to check yet, and the next run must make the case from there.
    if (!hasSchema(crashed)) continue;
    const state = caseState(crashed);
    assert.equal(state.integrity, 'ok', `after kill ${kills} at ${Math.round(delay)} ms`);
    assert.ok(state.audit.ok, `audit after kill ${kills}: ${state.audit.problem}`);
    if (state.doneMedia > 0 && state.doneMedia >= before) killsWhileProcessing += state.doneMedia > want.media.length * 0.02 ? 1 : 0;
  }
  assert.ok(kills >= KILLS, `only ${kills} kills landed before the intake finished (seed ${SEED}); grow the corpus`);

  // Restart once more and let it finish.
  const last = spawnSync(process.execPath, [cli, 'ingest', '--case', crashed, '--examiner', 'Crash Tester', '--json', ...sources], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(last.status, 0, last.stderr);
  const got = caseState(crashed);
  assert.equal(got.integrity, 'ok');
  assert.equal(got.foreignKeys, 0);
  assert.ok(got.audit.ok, got.audit.problem ?? '');
  assert.equal(got.pending, 0, 'no media left half-done');
  assert.equal(got.runningJobs, 0, 'every killed job is marked as interrupted');
  const diff = (a: string[], b: string[]): string[] => a.filter((x) => !b.includes(x));
  assert.deepEqual({ lost: diff(want.media, got.media), extra: diff(got.media, want.media) }, { lost: [], extra: [] }, 'media');
  assert.deepEqual({ lost: diff(want.faces, got.faces), extra: diff(got.faces, want.faces) }, { lost: [], extra: [] }, 'faces');
  assert.equal(got.faces.length, want.faces.length, 'no face duplicated');
  assert.deepEqual(got.tracks, want.tracks, 'tracks');
  assert.deepEqual(got.errors, want.errors, 'error records');
  t.diagnostic(`seed ${SEED}: ${kills} SIGKILLs over ${runs} runs (${killsWhileProcessing} after processing had begun); ` +
    `media ${got.media.length}, faces ${got.faces.length}, tracks ${got.tracks.length}, error records ${got.errors.length}; lost 0, duplicated 0, integrity ok, audit ${got.audit.rows} rows ok`);
});
