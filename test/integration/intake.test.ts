import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import tarStream from 'tar-stream';
import { createWorkbench, type Workbench } from '../../main/core/index.js';
import type { IngestSummary } from '../../main/contract/index.js';
import { astronautBmp, astronautJpeg, astronautPng, pngDeclaring, repoRoot, testModelsDir } from '../helpers/fixtures.js';
import { makeZip } from '../helpers/zipWriter.js';

let work: string;
let evidence: string;
let modelsDir: string;
let wb: Workbench;
let summary: IngestSummary;
const hashesBefore = new Map<string, string>();

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function tarOf(entries: { name: string; data: Buffer }[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) pack.entry({ name: e.name }, e.data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Every file kind an examiner's evidence may contain: good photos in each format, and hostile ones. */
async function buildEvidence(dir: string): Promise<void> {
  const jpg = await astronautJpeg(512);
  const w = (name: string, data: Buffer | string): void => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  };
  // Good images, one per format (the same face; each a distinct file).
  w('good/astronaut.jpg', jpg);
  w('good/astronaut.png', await sharp(astronautPng).resize(480).png().toBuffer());
  w('good/astronaut.webp', await sharp(astronautPng).resize(470).webp().toBuffer());
  w('good/astronaut.tiff', await sharp(astronautPng).resize(460).tiff().toBuffer());
  w('good/astronaut.gif', await sharp(astronautPng).resize(450).gif().toBuffer());
  w('good/astronaut.bmp', await astronautBmp(440));
  w('good/iphone.heic', readFileSync(join(repoRoot, 'test', 'fixtures', 'astronaut.heic')));
  // Stored sideways (portrait pixels) with EXIF orientation 6: upright it is landscape, 430 x 302.
  const landscape = await sharp(astronautPng).extract({ left: 0, top: 0, width: 512, height: 360 }).resize(430).toBuffer();
  w('good/rotated_exif6.jpg', await sharp(landscape).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toBuffer());
  w('good/cmyk.jpg', await sharp(astronautPng).resize(420).toColourspace('cmyk').jpeg().toBuffer());
  w('good/sixteen_bit.png', await sharp(astronautPng).resize(410).toColourspace('rgb16').png().toBuffer());
  w('good/alpha.png', await sharp(astronautPng).resize(400).ensureAlpha(0.5).png().toBuffer());
  w('good/renamed_png.jpg', await sharp(astronautPng).resize(390).png().toBuffer()); // wrong extension, real image
  w('good/tight_crop.jpg', await sharp(astronautPng).extract({ left: 170, top: 50, width: 110, height: 140 }).resize(64, 80).jpeg().toBuffer());
  w('good/no_face.png', await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3a6' } }).png().toBuffer());
  w('dupes/copy_of_astronaut.jpg', jpg); // identical bytes: linked, not processed twice
  // Hostile and broken inputs.
  w('bad/zero.jpg', Buffer.alloc(0));
  w('bad/truncated.jpg', jpg.subarray(0, Math.floor(jpg.length / 3)));
  w('bad/corrupt_header.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]));
  w('bad/text_named.jpg', 'this is not an image\n');
  w('bad/bomb.png', await pngDeclaring(100_000, 100_000));
  w('bad/zero_dims.png', await pngDeclaring(0, 0));
  w('bad/bomb.zip', makeZip([{ name: 'zeros.jpg', data: Buffer.alloc(300 * 1024 * 1024) }]));
  w('bad/traversal.zip', makeZip([
    { name: '../../outside.jpg', data: jpg },
    { name: '/etc/absolute.jpg', data: jpg },
    { name: 'inside/ok.png', data: await sharp(astronautPng).resize(300).png().toBuffer() },
  ]));
  w('bad/traversal.tar', await tarOf([{ name: '../escape.jpg', data: jpg }, { name: 'fine.jpg', data: await astronautJpeg(380) }]));
  w('bad/corrupt.zip', Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(100, 1)]));
  // Nested archives: zip in tar.gz in zip, and an archive nested beyond the depth limit.
  const inner = makeZip([{ name: 'deep/astronaut_small.jpg', data: await astronautJpeg(360) }]);
  w('archives/nested.zip', makeZip([{ name: 'level1.tar.gz', data: gzipSync(await tarOf([{ name: 'level2.zip', data: inner }])) }]));
  let deep = makeZip([{ name: 'never.jpg', data: await astronautJpeg(350) }]);
  for (let i = 0; i < 5; i++) deep = makeZip([{ name: `layer${i}.zip`, data: deep }]);
  w('archives/too_deep.zip', deep);
  w('archives/photos.tar.gz', gzipSync(await tarOf([{ name: 'a/astronaut_340.jpg', data: await astronautJpeg(340) }])));
  // Links: a loop, an escape, a dangling link, a FIFO.
  mkdirSync(join(dir, 'links'), { recursive: true });
  symlinkSync('..', join(dir, 'links', 'loop'));
  symlinkSync('/etc', join(dir, 'links', 'outside'));
  symlinkSync(join(dir, 'links', 'missing.jpg'), join(dir, 'links', 'dangling.jpg'));
  execFileSync('mkfifo', [join(dir, 'links', 'fifo.jpg')]);
  // Names: Unicode and very long.
  w('names/证据照片_é.jpg', await astronautJpeg(330));
  w(`names/${'x'.repeat(200)}.jpg`, await astronautJpeg(320));
}

function hashTree(dir: string, into: Map<string, string>): void {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st || n === 'loop' || n === 'outside') continue;
    if (st.isDirectory()) hashTree(p, into);
    else if (st.isFile()) into.set(p, sha(readFileSync(p)));
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-it-'));
  evidence = join(work, 'evidence');
  await buildEvidence(evidence);
  hashTree(evidence, hashesBefore);
  modelsDir = await testModelsDir();
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir, examiner: 'Det. Test' });
  summary = await wb.ingest([evidence], { examiner: 'Det. Test' });
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

const errorFor = (suffix: string): { reason: string; detail: string } | undefined => summary.errors.find((e) => e.path.endsWith(suffix));

test('every good photo format yields exactly the one face it holds', () => {
  const byPath = new Map<string, number>();
  for (const m of wb.repos.media.list(0, 1000)) for (const p of m.paths) byPath.set(p.split('/').slice(-1)[0]!, m.faceCount);
  for (const name of ['astronaut.jpg', 'astronaut.png', 'astronaut.webp', 'astronaut.tiff', 'astronaut.gif', 'astronaut.bmp', 'iphone.heic',
    'rotated_exif6.jpg', 'cmyk.jpg', 'sixteen_bit.png', 'alpha.png', 'renamed_png.jpg', 'tight_crop.jpg', 'ok.png', 'fine.jpg',
    'astronaut_small.jpg', 'astronaut_340.jpg', '证据照片_é.jpg', `${'x'.repeat(200)}.jpg`]) {
    assert.equal(byPath.get(name), 1, `${name}: expected one face, got ${byPath.get(name) ?? 0}`);
  }
  assert.equal(byPath.get('no_face.png'), 0);
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

test('every hostile input becomes an error record with its reason', () => {
  const expect: [string, string][] = [
    ['bad/zero.jpg', 'empty_file'],
    ['bad/truncated.jpg', 'truncated_or_corrupt'],
    ['bad/corrupt_header.png', 'truncated_or_corrupt'],
    ['bad/text_named.jpg', 'unsupported_format'],
    ['bad/bomb.png', 'decompression_bomb'],
    ['bad/zero_dims.png', 'truncated_or_corrupt'],
    ['bomb.zip!/zeros.jpg', 'archive_bomb'],
    ['traversal.zip!/../../outside.jpg', 'archive_path_traversal'],
    ['traversal.zip!//etc/absolute.jpg', 'archive_path_traversal'],
    ['traversal.tar!/../escape.jpg', 'archive_path_traversal'],
    ['bad/corrupt.zip', 'archive_corrupt'],
    ['links/loop', 'symlink_loop'],
    ['links/outside', 'symlink_outside_source'],
    ['links/dangling.jpg', 'unreadable'],
    ['links/fifo.jpg', 'not_a_regular_file'],
  ];
  for (const [suffix, reason] of expect) {
    const e = errorFor(suffix);
    assert.ok(e, `no error record for ${suffix}; errors: ${summary.errors.map((x) => x.path.slice(evidence.length)).join(', ')}`);
    assert.equal(e.reason, reason, `${suffix}: ${e.detail}`);
  }
  assert.ok(summary.errors.some((e) => e.path.includes('too_deep.zip') && e.reason === 'archive_too_deep'));
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
