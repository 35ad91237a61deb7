import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsonld from 'jsonld';
import sharp from 'sharp';
import { createWorkbench, verifyExport, type Workbench } from '../../main/core/index.js';
import { KestrelError } from '../../main/contract/index.js';
import type { ExportManifest } from '../../main/core/export/exportManifest.js';
import { sharedDir, testModelsDir } from '../helpers/fixtures.js';
import { overlappingWords, pdfWords } from '../helpers/pdfWords.js';

const code = (c: string) => (e: unknown) => e instanceof KestrelError && e.code === c;
const photos = join(sharedDir, 'datasets', 'test-photos');
const video = join(sharedDir, 'datasets', 'videos', 'faceapi_bbt_5frames.mp4');

let work: string;
let wb: Workbench;
let searchId: number;
let comparisonId: number;
let merged: number;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const hashTree = (dir: string): Map<string, string> => new Map(readdirSync(dir).map((f) => [f, sha(readFileSync(join(dir, f)))]));
let originalsBefore: Map<string, string>;

// A case from the shared datasets, read in place: photos, a video, a 1:N search, an identity merge,
// a 1:1 comparison and annotations of every kind.
before(async () => {
  assert.ok(existsSync(photos) && existsSync(video), 'the shared datasets must sit beside the repository');
  work = mkdtempSync(join(tmpdir(), 'kestrel-export-'));
  originalsBefore = hashTree(photos);
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir() });
  await wb.ingest([photos, video], { examiner: 'Examiner A' });
  await wb.cluster({ examiner: 'Examiner A' });
  const ids = wb.listIdentities().map((i) => i.id);
  merged = 0;
  for (let i = 0; i < ids.length && !merged; i++) {
    for (let j = i + 1; j < ids.length && !merged; j++) {
      try {
        wb.identityOps.merge([ids[i]!, ids[j]!], 'Examiner A');
        merged = ids[i]!;
      } catch {
        // two faces of one photo or frame: not mergeable, try the next pair
      }
    }
  }
  assert.ok(merged, 'an identity merge was made');
  wb.identityOps.name(merged, '王小明 (merged)', 'Examiner A');
  const brad = wb.repos.faces.list(0, 100).filter((f) => f.mediaPath.includes('brad'));
  assert.equal(brad.length, 2);
  searchId = (await wb.search({ probes: [join(photos, 'faceonnx_brad_1.jpg')], top: 5, threshold: null, filters: {}, examiner: 'Examiner A' })).id;
  const cmp = await wb.compare({ a: `face:${brad[0]!.id}`, b: `face:${brad[1]!.id}`, ageA: null, ageB: null, examiner: 'Examiner A' });
  assert.ok(cmp.comparisonId !== null);
  comparisonId = cmp.comparisonId;
  await wb.invoke('tag.define', { name: 'suspect', description: 'person of interest', examiner: 'Examiner A' });
  await wb.invoke('annotation.add', { target: { kind: 'identity', id: merged }, kind: 'tag', tag: 'suspect', examiner: 'Examiner A' });
  await wb.invoke('annotation.add', { target: { kind: 'identity', id: merged }, kind: 'note', body: 'Seen near exhibit 4; 见证物四号', examiner: 'Examiner A' });
  await wb.invoke('annotation.add', { target: { kind: 'search', id: searchId }, kind: 'bookmark', body: 'top candidates reviewed', examiner: 'Examiner A' });
  await wb.invoke('annotation.add', { target: { kind: 'comparison', id: comparisonId }, kind: 'conclusion', scale: 'strong support for same person', body: 'Ear shape and hairline agree.', examiner: 'Examiner B' });
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('annotations are checked, audited, searchable and never deleted', async () => {
  await assert.rejects(wb.invoke('annotation.add', { target: { kind: 'face', id: 1 }, kind: 'tag', tag: 'undefined-tag', examiner: 'Examiner A' }), /not in this case's vocabulary/);
  await assert.rejects(wb.invoke('annotation.add', { target: { kind: 'comparison', id: comparisonId }, kind: 'conclusion', body: 'same', examiner: 'Examiner A' }), /verbal-scale opinion/);
  await assert.rejects(wb.invoke('annotation.add', { target: { kind: 'face', id: 999_999 }, kind: 'note', body: 'x', examiner: 'Examiner A' }), code('NOT_FOUND'));
  await assert.rejects(wb.invoke('annotation.add', { target: { kind: 'face', id: 1 }, kind: 'note', body: 'x', examiner: '' }), code('INVALID_INPUT'));
  await assert.rejects(wb.invoke('tag.define', { name: 'suspect', examiner: 'Examiner A' }), /already defined/);

  const note = await wb.invoke('annotation.add', { target: { kind: 'face', id: 1 }, kind: 'note', body: 'wrong face, see face 2', examiner: 'Examiner A' });
  const withdrawn = await wb.invoke('annotation.withdraw', { id: note.id, reason: 'entered on the wrong face', examiner: 'Examiner B' });
  assert.equal(withdrawn.body, 'wrong face, see face 2');
  assert.deepEqual([withdrawn.withdrawn?.by, withdrawn.withdrawn?.reason], ['Examiner B', 'entered on the wrong face']);
  await assert.rejects(wb.invoke('annotation.withdraw', { id: note.id, reason: 'again', examiner: 'Examiner B' }), /already withdrawn/);

  const found = await wb.invoke('annotations.list', { query: 'exhibit' });
  assert.deepEqual(found.annotations.map((a) => a.kind), ['note']);
  assert.equal((await wb.invoke('annotations.list', { query: 'wrong face' })).total, 0, 'withdrawn annotations are hidden by default');
  assert.equal((await wb.invoke('annotations.list', { query: 'wrong face', includeWithdrawn: true })).total, 1);
  assert.equal((await wb.invoke('tags.list', {})).tags[0]?.uses, 1);
  const actions = wb.repos.audit.list(10_000).map((e) => e.action);
  for (const a of ['tag.defined', 'annotation.tag', 'annotation.note', 'annotation.bookmark', 'annotation.conclusion', 'annotation.withdrawn', 'compare.run']) assert.ok(actions.includes(a), a);
});

test('an export holds the report, data, CASE/UCO and evidence; export verify passes, then fails after any byte of any file changes', async () => {
  const out = join(work, 'export-en');
  const r = await wb.exportCase({ out, select: [], formats: ['pdf', 'html', 'csv', 'json', 'case'], lang: 'en', redact: false, originals: false, clips: true, frames: 'all', examiner: 'Examiner A' });
  assert.deepEqual(r.problems, []);
  assert.equal(r.searches, 1);
  assert.equal(r.comparisons, 1);
  assert.ok(r.identities >= 1 && r.annotations >= 4, JSON.stringify(r));
  for (const f of ['report.pdf', 'report.html', 'data/faces.csv', 'data/originals.csv', 'data/audit.csv', 'data/export.json', 'data/case-uco.jsonld', 'manifest.json']) assert.ok(existsSync(join(out, f)), f);

  // The manifest lists every file with its hash, and every original of the case.
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as ExportManifest;
  assert.equal(manifest.originals.length, wb.repos.media.count());
  for (const f of manifest.files) assert.equal(sha(readFileSync(join(out, f.path))), f.sha256, f.path);
  assert.ok(manifest.files.some((f) => f.path.startsWith('crops/')) && manifest.files.some((f) => f.path.startsWith('frames/')));
  // The export is audited with the manifest's hash, chained right after the head the manifest names.
  const audited = wb.repos.audit.list(10_000).filter((e) => e.action === 'export.created').at(-1)!;
  assert.equal((JSON.parse(audited.details) as { manifestSha256: string }).manifestSha256, r.manifestSha256);
  assert.equal(audited.prevHash, manifest.case.auditHead);

  // The PDF renders to pages that say what the examiner needs.
  const pages = join(work, 'pages');
  mkdirSync(pages);
  execFileSync('pdftoppm', ['-r', '40', '-png', join(out, 'report.pdf'), join(pages, 'p')]);
  assert.ok(readdirSync(pages).length >= 3, 'several pages');
  const text = execFileSync('pdftotext', ['-layout', join(out, 'report.pdf'), '-'], { encoding: 'utf8' });
  for (const s of ['Face examination report', 'Limitations', 'Audit trail excerpt', 'Seen near exhibit 4', 'strong support for same person', '王小明', 'Page 1 of']) assert.ok(text.includes(s), s);
  // No text is drawn over other text anywhere in the report.
  assert.deepEqual(overlappingWords(pdfWords(join(out, 'report.pdf'))).slice(0, 3).map(([a, b]) => `page ${a.page}: "${a.text}" over "${b.text}"`), []);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.ok(html.includes("default-src 'none'") && !/<script/i.test(html) && html.includes('crops/face-'));

  // CASE/UCO parses as JSON-LD offline (its context is inline) and gives each face its provenance.
  const doc = JSON.parse(readFileSync(join(out, 'data', 'case-uco.jsonld'), 'utf8')) as object;
  const expanded = await jsonld.expand(doc, { documentLoader: (url: string) => Promise.reject(new Error(`no network: ${url}`)) });
  const types = new Set(expanded.flatMap((n) => (n['@type'] as string[] | undefined) ?? []));
  for (const t of ['https://ontology.unifiedcyberontology.org/uco/observable/File', 'https://ontology.unifiedcyberontology.org/uco/action/Action', 'https://ontology.caseontology.org/case/investigation/Investigation', 'https://ontology.unifiedcyberontology.org/uco/core/Annotation']) assert.ok(types.has(t), t);

  // Export verify: ok, then every kind of change is caught.
  assert.equal((await verifyExport(out)).ok, true);
  assert.equal((await verifyExport(out, { auditedManifests: wb.repos.exports.auditedManifests() })).recordedInCase, true);
  for (const f of manifest.files) {
    const p = join(out, f.path);
    const orig = readFileSync(p);
    const bad = Buffer.from(orig);
    const at = Math.floor(orig.length / 2);
    bad[at] = bad[at]! ^ 0x01;
    writeFileSync(p, bad);
    const v = await verifyExport(out);
    writeFileSync(p, orig);
    assert.equal(v.ok, false, `a flipped byte in ${f.path} must fail`);
    assert.deepEqual(v.changed, [f.path]);
  }
  const victim = manifest.files[0]!;
  const keep = readFileSync(join(out, victim.path));
  rmSync(join(out, victim.path));
  assert.deepEqual((await verifyExport(out)).missing, [victim.path]);
  writeFileSync(join(out, victim.path), keep);
  writeFileSync(join(out, 'planted.txt'), 'x');
  assert.deepEqual((await verifyExport(out)).unlisted, ['planted.txt']);
  rmSync(join(out, 'planted.txt'));
  // A manifest rewritten to match an altered file passes on its own, but not against the case's audit log.
  const m2 = { ...manifest, examiner: 'someone else' };
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(m2));
  assert.equal((await verifyExport(out)).ok, true);
  const v2 = await verifyExport(out, { auditedManifests: wb.repos.exports.auditedManifests() });
  assert.equal(v2.ok, false);
  assert.equal(v2.recordedInCase, false);

  // An export never overwrites, and never writes into the case.
  await assert.rejects(wb.exportCase({ out, select: [], formats: ['json'], lang: 'en', redact: false, originals: false, clips: false, frames: 'report', examiner: 'Examiner A' }), /not empty/);
  await assert.rejects(wb.exportCase({ out: join(wb.caseDir, 'x'), select: [], formats: ['json'], lang: 'en', redact: false, originals: false, clips: false, frames: 'report', examiner: 'Examiner A' }), /outside the case/);
  await assert.rejects(wb.exportCase({ out: join(work, 'bad-sel'), select: ['identity:999999'], formats: ['json'], lang: 'en', redact: false, originals: false, clips: false, frames: 'report', examiner: 'Examiner A' }), code('NOT_FOUND'));
  assert.deepEqual(hashTree(photos), originalsBefore, 'originals are untouched');
});

test('a comparison in a Chinese report is told in Chinese: decision, threshold source, calibration condition and warnings', async () => {
  const out = join(work, 'export-zh-comparison');
  await wb.exportCase({ out, select: [`comparison:${comparisonId}`], formats: ['html'], lang: 'zh', redact: false, originals: false, clips: false, frames: 'report', examiner: '李警官' });
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  const stored = wb.repos.comparisons.get(comparisonId)!.result;
  assert.ok(stored.warnings.length > 0, 'the comparison has warnings to tell');
  assert.ok(html.includes(stored.decision === 'match' ? '匹配' : '不匹配'));
  assert.match(html, /校准数据（.+）上误识率 1e-3 的阈值/);
  for (const w of stored.warnings) assert.ok(!html.includes(w.message), `English warning left in the Chinese report: ${w.message}`);
  assert.match(html, /年龄为模型估计值/, 'the estimated-age warning in Chinese');
});

test('the report in Chinese renders Chinese text, and redaction blurs every non-subject face in exported frames', async () => {
  // insightface_t1.jpg has six faces: export one of them as the subject.
  const t1 = wb.repos.faces.list(0, 100).filter((f) => f.mediaPath.endsWith('insightface_t1.jpg'));
  assert.equal(t1.length, 6);
  const [subject, ...others] = t1;
  const out = join(work, 'export-zh');
  const r = await wb.exportCase({ out, select: [`face:${subject!.id}`], formats: ['pdf', 'csv'], lang: 'zh', redact: true, originals: true, clips: true, frames: 'report', examiner: '李警官' });
  assert.equal(r.faces, 1);
  const text = execFileSync('pdftotext', [join(out, 'report.pdf'), '-'], { encoding: 'utf8' });
  for (const s of ['人脸检验报告', '局限性说明', '李警官', '脱敏']) assert.ok(text.includes(s), s);
  assert.equal((await verifyExport(out)).ok, true);

  const frameFile = readdirSync(join(out, 'frames'))[0]!;
  const exported = await sharp(join(out, 'frames', frameFile)).raw().toBuffer({ resolveWithObject: true });
  const original = await sharp(join(photos, 'insightface_t1.jpg')).raw().toBuffer({ resolveWithObject: true });
  assert.equal(exported.info.width, original.info.width);
  // Detail (mean absolute difference between neighbouring pixels) inside each face box.
  const detail = (img: typeof exported, b: { x: number; y: number; width: number; height: number }): number => {
    let sum = 0;
    let n = 0;
    const ch = img.info.channels;
    for (let y = Math.ceil(b.y + b.height * 0.2); y < Math.floor(b.y + b.height * 0.8); y++) {
      for (let x = Math.ceil(b.x + b.width * 0.2); x < Math.floor(b.x + b.width * 0.8) - 1; x++) {
        const i = (y * img.info.width + x) * ch;
        sum += Math.abs(img.data[i]! - img.data[i + ch]!);
        n++;
      }
    }
    return sum / n;
  };
  for (const o of others) assert.ok(detail(exported, o.box) < 0.35 * detail(original, o.box), `face ${o.id} is blurred`);
  assert.ok(detail(exported, subject!.box) > 0.8 * detail(original, subject!.box), 'the subject stays sharp');
  // Non-subjects get no crops; the original is copied only as a verified working copy.
  assert.deepEqual(readdirSync(join(out, 'crops')), [`face-${subject!.id}.jpg`]);
  assert.equal(readdirSync(join(out, 'originals')).length, 1);
  assert.deepEqual(hashTree(photos), originalsBefore);
});
