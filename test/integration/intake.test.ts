import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkbench, resolveFfmpeg, type Workbench } from '../../main/core/index.js';
import type { IngestSummary, MediaDto } from '../../main/contract/index.js';
import { repoRoot, testModelsDir } from '../helpers/fixtures.js';
import { buildHostileCorpus, type CorpusItem, type Outcome } from '../helpers/hostileCorpus.js';

let work: string;
let evidence: string;
let modelsDir: string;
let wb: Workbench;
let summary: IngestSummary;
let corpus: CorpusItem[];
const hashesBefore = new Map<string, string>();

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function hashTree(dir: string, into: Map<string, string>): void {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st || n === 'loop' || n === 'outside') continue;
    if (st.isDirectory()) hashTree(p, into);
    else if (st.isFile()) {
      try {
        into.set(p, sha(readFileSync(p)));
      } catch {
        into.set(p, `unreadable, mode ${st.mode.toString(8)}, ${st.size} bytes, mtime ${st.mtimeMs}`);
      }
    }
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-it-'));
  evidence = join(work, 'evidence');
  corpus = await buildHostileCorpus(evidence, { ffmpeg: resolveFfmpeg() });
  hashTree(evidence, hashesBefore);
  modelsDir = await testModelsDir();
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir, examiner: 'Det. Test' });
  summary = await wb.ingest([evidence], { examiner: 'Det. Test' });
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});


test('every image holding the face yields exactly that one face', () => {
  const media = wb.repos.media.list(0, 10_000);
  const single = corpus.filter((i) => i.group !== 'video' && i.expect.length === 1 && i.expect[0] === 'faces');
  assert.ok(single.length >= 20);
  for (const item of single) {
    const m = media.find((x) => x.paths.includes(`${evidence}/${item.name}`));
    assert.equal(m?.faceCount, 1, `${item.name}: expected one face, got ${m?.faceCount ?? 0}`);
  }
});

test('faces carry box, landmarks, quality, age, gender, thumbnail and one embedding per recognizer', () => {
  const f = wb.repos.faces.list(0, 1)[0]!;
  assert.equal(f.landmarks.length, 5);
  assert.ok(f.box.width > 50 && f.detectorScore > 0.6);
  assert.ok(f.quality.overall > 0 && f.quality.overall <= 1);
  assert.ok(f.age !== null && f.age > 15 && f.age < 70, `age ${f.age}`);
  assert.ok(f.gender === 'male' || f.gender === 'female');
  assert.deepEqual([...f.models].sort(), ['mfn_foamliu', 'mfn_y1', 'reid_0095']);
  assert.ok(statSync(join(wb.caseDir, 'derived', f.thumbnail)).size > 1000);
  for (const m of f.models) {
    const v = wb.repos.faces.embeddings(m)[0]!.vector;
    const norm = Math.hypot(...v);
    assert.ok(Math.abs(norm - 1) < 1e-3, `${m} embedding is L2-normalised`);
  }
});

test('EXIF orientation is applied: the rotated photo is stored upright with swapped dimensions', () => {
  const media = wb.repos.media.list(0, 1000).find((m) => m.paths.some((p) => p.endsWith('rotated_exif6.jpg')))!;
  assert.deepEqual([media.width, media.height], [430, 302]);
  assert.equal(media.faceCount, 1);
});

test('an identical file seen twice is linked, not processed twice', () => {
  assert.equal(summary.duplicates, 1);
  const media = wb.repos.media.list(0, 1000).find((m) => m.paths.some((p) => p.endsWith('copy_of_astronaut.jpg')))!;
  assert.equal(media.paths.length, 2);
  assert.equal(media.faceCount, 1);
});

/** What intake made of one corpus item: its error reason, or whether faces were found. */
function outcomeOf(item: CorpusItem, media: MediaDto[]): Outcome | 'missing' {
  const where = `${evidence}/${item.name}`; // not join(): that would resolve an entry's '..'
  const error = summary.errors.find((e) => e.path === where);
  if (error) return error.reason;
  const m = media.find((x) => x.paths.includes(where));
  if (!m) return 'missing';
  return m.faceCount > 0 ? 'faces' : 'no_faces';
}

test('every hostile input ends as its clear error record or its correct result, and every good file is processed', (t) => {
  const media = wb.repos.media.list(0, 10_000);
  const wrong: string[] = [];
  for (const item of corpus) {
    const got = outcomeOf(item, media);
    if (!item.expect.includes(got as Outcome)) wrong.push(`${JSON.stringify(item.name)}: ${got}, expected ${item.expect.join(' or ')}`);
  }
  assert.deepEqual(wrong, []);
  const hostile = corpus.filter((i) => i.hostile);
  assert.ok(hostile.length >= 30, `${hostile.length} hostile kinds`);
  const groups = [...new Set(hostile.map((i) => i.group))].sort();
  assert.deepEqual(groups, ['archive', 'filesystem', 'image', 'video']);
  t.diagnostic(`hostile kinds tried: ${hostile.length} (${groups.map((g) => `${g} ${hostile.filter((i) => i.group === g).length}`).join(', ')}); good files: ${corpus.length - hostile.length}; crashes 0`);
  // Every error names its file and says why in words.
  assert.ok(summary.errors.every((e) => e.path.startsWith(evidence) && e.detail.length > 5), JSON.stringify(summary.errors.filter((e) => e.detail.length <= 5)));
});

test('EXIF is evidence from the file, not trusted: impossible values are dropped, the picture kept', () => {
  const m = wb.repos.media.list(0, 10_000).find((x) => x.paths.some((p) => p.endsWith('hostile_exif.jpg')))!;
  assert.equal(m.faceCount, 1);
  assert.equal(m.capturedAt, null, 'month 99 is no date');
  assert.equal(m.gps, null, 'zero denominators and 500 degrees are no position');
  assert.equal(m.cameraMake?.length, 200, 'a 30 KB maker string is cut');
});

test('nothing was written outside the case folder and the originals are byte-for-byte unchanged', () => {
  const after = new Map<string, string>();
  hashTree(evidence, after);
  assert.deepEqual(after, hashesBefore);
  assert.equal(readdirSync(work).sort().join(','), 'case,evidence');
  assert.equal(readdirSync(join(work, '..')).filter((n) => n === 'outside.jpg' || n === 'escape.jpg').length, 0);
});

test('case folder is owner-only and the audit chain verifies with the examiner named', () => {
  assert.equal(statSync(wb.caseDir).mode & 0o077, 0);
  const v = wb.repos.audit.verify();
  assert.ok(v.ok && v.rows >= 3);
  const actions = wb.repos.audit.list().map((r) => `${r.actor}:${r.action}`);
  assert.ok(actions.includes('Det. Test:intake.started') && actions.includes('Det. Test:intake.finished'));
});

test('re-ingesting the same folder adds no media and no faces', async () => {
  const faces = wb.repos.faces.count();
  const again = await wb.ingest([evidence], { examiner: 'Det. Test' });
  assert.equal(again.media, 0);
  assert.equal(again.duplicates, 0, 'a file at a place already recorded is not a duplicate of itself');
  assert.ok(again.already_in_case >= 30, `${again.already_in_case} already in the case`);
  assert.equal(wb.repos.faces.count(), faces);
});

test('CLI: ingest --json prints one JSON document with the documented keys; faces --json lists faces with ages', () => {
  const caseDir = join(work, 'cli-case');
  const env = { ...process.env, KESTREL_MODELS: modelsDir };
  const cli = join(repoRoot, 'bin', 'kestrel.js');
  const r = spawnSync(process.execPath, [cli, 'ingest', '--case', caseDir, '--json', join(evidence, 'good'), join(evidence, 'bad')], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  for (const k of ['media', 'media_with_faces', 'faces', 'duplicates', 'errors', 'seconds']) assert.ok(k in out, k);
  assert.ok((out['faces'] as number) >= 13);
  assert.ok((out['errors'] as { path: string; reason: string }[]).every((e) => typeof e.path === 'string' && typeof e.reason === 'string'));
  const f = spawnSync(process.execPath, [cli, 'faces', '--case', caseDir, '--json'], { env, encoding: 'utf8' });
  assert.equal(f.status, 0, f.stderr);
  const faces = (JSON.parse(f.stdout) as { faces: { age: number | null }[] }).faces;
  assert.equal(faces.length, out['faces']);
  assert.ok(faces.every((x) => typeof x.age === 'number'));
  const bad = spawnSync(process.execPath, [cli, 'faces', '--case', join(work, 'nope'), '--json'], { env, encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  assert.equal((JSON.parse(bad.stdout) as { error: { code: string } }).error.code, 'CASE_NOT_FOUND');
});
