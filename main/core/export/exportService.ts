import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { KestrelError, type ExportFormat, type ExportSummaryDto } from '../../contract/index.js';
import type { ExportFaceRow } from '../repositories/exportRepository.js';
import { writeCaseUco } from './caseUco.js';
import { collectExportContent, type ContentDeps, type ExportContent } from './exportContent.js';
import { writeExportData, type FaceEvidence } from './exportData.js';
import { writeExportClips } from './exportClips.js';
import { ExportWriter } from './exportManifest.js';
import { annotatedFrame, faceCrop, OriginalReader } from './evidenceImages.js';
import type { CaseVault } from '../vault/caseVault.js';
import { buildReport, type ReportInfo, type SubjectReference } from './reportModel.js';
import { reportHtml } from './reportHtml.js';
import { writeReportPdf } from './reportPdf.js';
import type { ReportLang } from './reportText.js';

export interface ExportDeps extends ContentDeps {
  readonly caseDir: string;
  readonly caseName: string;
  readonly caseMeta: { readonly profile: string; readonly createdAt: string; readonly createdBy: string };
  readonly software: string;
  readonly version: string;
  readonly models: readonly { id: string; role: string; version: string; sha256: string; licence: string }[];
  /** The decision thresholds and parameters in force, in each report language. */
  readonly thresholds: Readonly<Record<ReportLang, readonly (readonly [string, string])[]>>;
  readonly ffmpeg: () => string;
  readonly vault: CaseVault;
}

export interface ExportOptions {
  readonly out: string;
  readonly select: readonly string[];
  readonly formats: readonly ExportFormat[];
  readonly lang: ReportLang;
  readonly redact: boolean;
  /** Also copy working copies of the originals the exported faces come from. */
  readonly originals: boolean;
  /** A clip of every exported sighting: the case's own clips copied, the others cut now; with redaction all cut now, bystanders pixelated. */
  readonly clips: boolean;
  /** Full frames for the faces the report shows ('report'), or for every exported face ('all'). Crops are made of every face either way. */
  readonly frames: 'report' | 'all';
  readonly examiner: string;
  readonly onProgress?: (p: { phase: string; done: number; total: number }) => void;
  readonly signal?: AbortSignal;
}

/**
 * How many originals are worked on at once (each libvips operation runs on one thread). Measured on
 * the 10k-face bench case, 2 cores: 4 in flight took 98 s against 141 s for 2 (reads and encodes overlap).
 */
const PARALLEL_MEDIA = 4;

/**
 * Writes an evidence export: face crops and frames made from the verified originals (redacted on
 * request), clips, CSV/JSON, CASE/UCO JSON-LD, the report in HTML and PDF, and a manifest with the
 * SHA-256 of every file written and of every original of the case. Evidence is produced one original
 * at a time and documents are streamed, so memory does not grow with the case. The export is audited
 * with the manifest's hash; the case is only read.
 */
export async function runExport(d: ExportDeps, o: ExportOptions): Promise<ExportSummaryDto & { manifest: string }> {
  const started = performance.now();
  const out = resolve(o.out);
  const caseDir = resolve(d.caseDir);
  if (out === caseDir || out.startsWith(`${caseDir}/`) || out.startsWith(`${caseDir}\\`)) throw new KestrelError('INVALID_INPUT', 'Export into a folder outside the case folder');
  if (existsSync(out) && (await readdir(out)).length) throw new KestrelError('INVALID_INPUT', `${out} is not empty: an export never overwrites anything; choose a new folder`);
  const formats = new Set(o.formats);
  const content = collectExportContent(d, o.select);
  await mkdir(out, { recursive: true, mode: 0o700 });
  const w = new ExportWriter(out);
  const problems: string[] = [];
  const evidence = await writeEvidence(d, content, w, o, problems);
  const crops = new Map<number, string>();
  const frames = new Map<number, string>();
  for (const [id, e] of evidence) {
    if (e.crop) crops.set(id, e.crop);
    if (e.frame) frames.set(id, e.frame);
  }
  const references = await writeSubjectReferences(d, content, w, problems);
  const clips = o.clips ? await writeExportClips({ caseDir, vault: d.vault, exports: d.exports, ffmpeg: d.ffmpeg }, content, w, o, problems) : [];
  check(o.signal);
  const exportedAt = new Date().toISOString();
  const header = {
    case: d.caseName, examiner: o.examiner, exportedAt, software: `${d.software} ${d.version}`, profile: d.caseMeta.profile, models: d.models, thresholds: Object.fromEntries(d.thresholds.en),
    options: { select: content.selection, formats: [...formats], lang: o.lang, redact: o.redact, originals: o.originals, clips: o.clips, frames: o.frames },
  };
  o.onProgress?.({ phase: 'documents', done: 0, total: 1 });
  let originalsCount = 0;
  for (const _ of d.exports.allMedia()) originalsCount++;
  await writeExportData(w, content, evidence, clips, { csv: formats.has('csv'), json: formats.has('json'), header, originals: () => d.exports.allMedia(), audit: () => d.exports.audit() });
  if (formats.has('case')) {
    await writeCaseUco(await w.sink('data/case-uco.jsonld'), content, { caseName: d.caseName, software: d.software, version: d.version, examiner: o.examiner, exportedAt, models: d.models, evidence });
  }
  if (formats.has('pdf') || formats.has('html')) {
    const info: ReportInfo = {
      lang: o.lang, caseName: d.caseName, caseCreatedAt: d.caseMeta.createdAt, caseCreatedBy: d.caseMeta.createdBy, profile: d.caseMeta.profile, examiner: o.examiner, exportedAt,
      software: `${d.software} ${d.version}`, models: d.models, thresholds: d.thresholds[o.lang], originalsCount, problems, redact: o.redact, crops, frames, clips, references,
    };
    const blocks = buildReport(content, info);
    const title = `${d.caseName} · ${exportedAt.slice(0, 10)}`;
    if (formats.has('html')) await w.write('report.html', reportHtml(blocks, { lang: o.lang, title }));
    if (formats.has('pdf')) {
      const sink = await w.sink('report.pdf');
      await writeReportPdf(blocks, { root: out, lang: o.lang, title, sink });
      await sink.done();
    }
  }
  const originals: { sha256: string; bytes: number; locations: string[] }[] = [];
  for (const m of d.exports.allMedia()) originals.push({ sha256: m.sha256, bytes: m.bytes, locations: m.locations.map((l) => (l.entry ? `${l.path}!/${l.entry}` : l.path)) });
  const auditHead = content.auditCheck.ok ? content.auditCheck.headHash : null;
  const manifestSha256 = await w.finish({
    createdAt: exportedAt, examiner: o.examiner, software: `${d.software} ${d.version}`, case: { name: d.caseName, auditHead, auditRows: content.auditRows },
    options: header.options, originals,
  });
  const bytes = w.written.reduce((s, f) => s + f.bytes, 0);
  const summary: ExportSummaryDto = {
    outDir: out, files: w.written.length + 1, bytes, faces: content.faces.size, identities: content.identities.length, searches: content.searches.length, alarms: content.alarms.length,
    comparisons: content.comparisons.length, annotations: content.annotations.length, problems, manifestSha256, seconds: Math.round(performance.now() - started) / 1000,
  };
  d.audit.append(o.examiner, 'export.created', `export:${manifestSha256.slice(0, 16)}`, {
    out, manifestSha256, files: summary.files, bytes, selection: content.selection, formats: [...formats], lang: o.lang, redact: o.redact, originals: o.originals, problems: problems.length,
  });
  o.onProgress?.({ phase: 'done', done: 1, total: 1 });
  return { ...summary, manifest: join(out, 'manifest.json') };
}

/**
 * The reference faces of every watchlist subject the export's alarms name, so that the report shows
 * what each alarm matched against: `crops/subject-ID-photo-N.jpg`, removed photos marked as such.
 */
async function writeSubjectReferences(d: ExportDeps, c: ExportContent, w: ExportWriter, problems: string[]): Promise<Map<number, SubjectReference[]>> {
  const out = new Map<number, SubjectReference[]>();
  for (const subjectId of new Set(c.alarms.map((a) => a.subjectId))) {
    const items: SubjectReference[] = [];
    for (const p of d.watchlists.photos(subjectId)) {
      const from = join(d.caseDir, 'derived', p.thumbnail);
      const bytes = existsSync(from) ? await d.vault.readFile(from).catch(() => null) : null;
      if (!bytes) { problems.push(`subject ${subjectId}: reference face of ${p.fileName} is missing from the case`); continue; }
      const rel = `crops/subject-${subjectId}-photo-${p.id}.jpg`;
      await w.write(rel, bytes);
      items.push({ file: rel, fileName: p.fileName, removed: p.removedAt !== null });
    }
    out.set(subjectId, items);
  }
  return out;
}

function check(signal?: AbortSignal): void {
  if (signal?.aborted) throw new KestrelError('CANCELLED', 'Export cancelled; the partial export folder is incomplete and has no manifest');
}

/**
 * Crops every exported face and draws every frame with a subject in it, from the verified original
 * (a changed or missing original falls back to the case's stored thumbnail for the crop, and the
 * problem is reported). Frames redact the non-subject faces when asked.
 */
async function writeEvidence(d: ExportDeps, c: ExportContent, w: ExportWriter, o: ExportOptions, problems: string[]): Promise<Map<number, FaceEvidence>> {
  const reader = new OriginalReader(d.ffmpeg, join(d.caseDir, 'derived'), d.vault);
  const evidence = new Map<number, FaceEvidence>();
  const byMedia = new Map<number, ExportFaceRow[]>();
  for (const f of c.faces.values()) {
    const list = byMedia.get(f.mediaId);
    if (list) list.push(f);
    else byMedia.set(f.mediaId, [f]);
  }
  const mediaIds = [...byMedia.keys()].sort((a, b) => a - b);
  let done = 0;
  const one = async (mediaId: number): Promise<void> => {
    const m = c.media.get(mediaId)!;
    const faces = byMedia.get(mediaId)!;
    const checked = await reader.check(m);
    if (!checked.ok) {
      problems.push(checked.problem);
      for (const f of faces) {
        const rel = `crops/face-${f.id}-thumbnail.jpg`;
        const from = join(d.caseDir, 'derived', f.thumb);
        const thumb = existsSync(from) ? await d.vault.readFile(from).catch(() => null) : null;
        if (thumb) { await w.write(rel, thumb); evidence.set(f.id, { crop: rel, frame: null, from: 'case thumbnail' }); } else evidence.set(f.id, { crop: null, frame: null, from: 'none' });
      }
      return;
    }
    if (o.originals) {
      const rel = `originals/${m.sha256}${extname(checked.path)}`;
      if (checked.bytes) await w.write(rel, checked.bytes);
      else await w.copy(checked.path, rel);
    }
    const byFrame = new Map<number, ExportFaceRow[]>();
    for (const f of faces) {
      const k = f.frameMs ?? -1;
      const list = byFrame.get(k);
      if (list) list.push(f);
      else byFrame.set(k, [f]);
    }
    const everyone = o.redact ? d.exports.facesOnMedia(mediaId) : [];
    for (const [frameMs, list] of byFrame) {
      check(o.signal);
      let frame;
      try {
        frame = await reader.frame(m, checked, frameMs < 0 ? null : frameMs);
      } catch (err) {
        problems.push(`media ${mediaId}${frameMs >= 0 ? ` @${frameMs} ms` : ''}: ${(err as Error).message}`);
        continue;
      }
      const subjects = list.filter((f) => c.selectedFaces.has(f.id) || !o.redact);
      const others = everyone.filter((f) => (f.frameMs ?? -1) === frameMs && !subjects.some((s) => s.id === f.id));
      let frameRel: string | null = null;
      if (o.frames === 'all' || list.some((f) => c.reportFaces.has(f.id))) {
        frameRel = `frames/media-${mediaId}${frameMs >= 0 ? `-${frameMs}ms` : ''}.jpg`;
        await w.write(frameRel, await annotatedFrame(frame, subjects, others, o.redact));
      }
      for (const f of list) {
        // With redaction, a face that is not a subject gets no crop either.
        const crop = o.redact && !c.selectedFaces.has(f.id) ? null : await faceCrop(frame, f);
        const rel = crop ? `crops/face-${f.id}.jpg` : null;
        if (crop && rel) await w.write(rel, crop);
        evidence.set(f.id, { crop: rel, frame: frameRel, from: crop ? 'original' : 'none' });
      }
    }
  };
  let next = 0;
  const workers = Array.from({ length: Math.min(PARALLEL_MEDIA, mediaIds.length) }, async () => {
    while (next < mediaIds.length) {
      const id = mediaIds[next++]!;
      await one(id);
      o.onProgress?.({ phase: 'evidence', done: ++done, total: mediaIds.length });
    }
  });
  await Promise.all(workers);
  return evidence;
}
