import { CASE_TARGET_ID, childSearchAdvice, conditionText, decisionText, hasChildProbe, localWarning, onePerIdentityText, probeInCaseText, scaleText, thresholdSourceText, type AnnotationDto } from '../../contract/index.js';
import type { ExportContent } from './exportContent.js';
import type { ExportedClip } from './exportClips.js';
import { fill, LABELS, LIMITATIONS, REPORT_FACES_PER_IDENTITY, type ReportLang } from './reportText.js';

/** Format-neutral report blocks: the PDF and HTML renderers draw the same blocks. */
export type ReportBlock =
  | { readonly t: 'h1' | 'h2' | 'h3'; readonly text: string }
  | { readonly t: 'p' | 'warn'; readonly text: string }
  | { readonly t: 'kv'; readonly rows: readonly (readonly [string, string])[] }
  | { readonly t: 'table'; readonly head: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly widths: readonly number[] }
  | { readonly t: 'images'; readonly items: readonly { readonly file: string; readonly caption: string }[]; readonly size: number }
  | { readonly t: 'list'; readonly items: readonly string[] };

/** A watchlist subject's reference face written into an export (a removed photo still shown, marked). */
export interface SubjectReference { readonly file: string; readonly fileName: string; readonly removed: boolean }

export interface ReportInfo {
  readonly lang: ReportLang;
  readonly caseName: string;
  readonly caseCreatedAt: string;
  readonly caseCreatedBy: string;
  readonly profile: string;
  readonly examiner: string;
  readonly exportedAt: string;
  readonly software: string;
  readonly models: readonly { id: string; role: string; version: string; sha256: string; licence: string }[];
  readonly thresholds: readonly (readonly [string, string])[];
  readonly originalsCount: number;
  readonly problems: readonly string[];
  readonly redact: boolean;
  /** Export-relative files made for each face and frame. */
  readonly crops: ReadonlyMap<number, string>;
  /** The reference faces of the alarms' subjects, by subject id. */
  readonly references?: ReadonlyMap<number, readonly SubjectReference[]>;
  readonly frames: ReadonlyMap<number, string>;
  readonly clips: readonly ExportedClip[];
}

const REPORT_TIMELINE_ROWS = 40;
const REPORT_HITS = 20;
const REPORT_AUDIT_ROWS = 400;

const ms = (v: number | null): string => {
  if (v === null) return '';
  const s = v / 1000;
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
};
const num = (v: number | null | undefined, d = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
const short = (h: string): string => `${h.slice(0, 16)}…`;

export function buildReport(c: ExportContent, info: ReportInfo): ReportBlock[] {
  const L = LABELS[info.lang];
  const b: ReportBlock[] = [];
  const mediaPath = (id: number): string => {
    const m = c.media.get(id);
    const l = m?.locations[0];
    return l ? (l.entry ? `${l.path}!/${l.entry}` : l.path) : `media ${id}`;
  };
  const annotationsOf = (kind: string, id: number): AnnotationDto[] => c.annotations.filter((a) => a.target.kind === kind && a.target.id === id);
  const annotationLines = (list: readonly AnnotationDto[]): ReportBlock[] => (list.length ? [{
    t: 'list', items: list.map((a) => {
      const what = a.kind === 'conclusion' ? L.conclusion : a.kind === 'note' ? L.note : a.kind === 'tag' ? L.tag : L.bookmark;
      const text = [a.tag, a.scale ? scaleText(a.scale, info.lang) : null, a.body].filter(Boolean).join(' — ');
      return `${what}: ${text} (${a.examiner}, ${a.createdAt})${a.withdrawn ? ` [${L.withdrawn}: ${a.withdrawn.by}, ${a.withdrawn.at}: ${a.withdrawn.reason}]` : ''}`;
    }),
  }] : []);

  b.push({ t: 'h1', text: `${L.title}: ${info.caseName}` });
  b.push({ t: 'kv', rows: [
    [L.case, info.caseName], [L.examiner, info.examiner], [L.exportedAt, info.exportedAt], [L.software, info.software], [L.profile, info.profile],
    [L.createdAt, info.caseCreatedAt], [L.createdBy, info.caseCreatedBy], [L.selection, c.selection.join(', ')],
  ] });
  b.push({ t: 'h2', text: L.summary });
  b.push({ t: 'p', text: fill(L.summaryText, { identities: c.identities.length, searches: c.searches.length, alarms: c.alarms.length, comparisons: c.comparisons.length, faces: c.faces.size, media: c.media.size }) });
  b.push(c.auditCheck.ok ? { t: 'p', text: fill(L.auditOk, { rows: c.auditCheck.rows, head: c.auditCheck.headHash }) } : { t: 'warn', text: fill(L.auditBad, { problem: c.auditCheck.problem }) });
  if (info.redact) b.push({ t: 'warn', text: L.redacted });
  if (info.problems.length) {
    b.push({ t: 'h3', text: L.unavailable });
    b.push({ t: 'list', items: info.problems.slice(0, 50) });
  }

  const caseNotes = annotationsOf('case', CASE_TARGET_ID);
  if (caseNotes.length) {
    b.push({ t: 'h2', text: L.caseNotes });
    b.push(...annotationLines(caseNotes));
  }

  b.push({ t: 'h2', text: L.models });
  b.push({ t: 'table', head: [L.model, L.role, L.version, L.licence, L.sha256], widths: [2.2, 1.6, 3, 2.6, 4], rows: info.models.map((m) => [m.id, m.role, m.version, m.licence, m.sha256]) });
  b.push({ t: 'h3', text: L.thresholds });
  b.push({ t: 'kv', rows: info.thresholds });

  b.push({ t: 'h2', text: L.sources });
  b.push({ t: 'table', head: [L.path, L.kind, L.addedBy, L.addedAt], widths: [6, 1.2, 2, 3], rows: c.sources.map((s) => [s.path, s.kind, s.addedBy, s.addedAt]) });
  b.push({ t: 'p', text: fill(L.originalsText, { n: info.originalsCount }) });

  if (c.identities.length) {
    b.push({ t: 'h2', text: L.identities });
    for (const i of c.identities) {
      b.push({ t: 'h3', text: `${L.identity} ${i.id}: ${i.name ?? L.unnamed} (${i.faces.length} ${L.faces}; ${i.status === 'confirmed' ? L.confirmed : L.auto})` });
      b.push(...annotationLines(annotationsOf('identity', i.id)));
      const faces = i.faces.map((f) => c.faces.get(f)!).filter(Boolean).sort((x, y) => y.quality - x.quality);
      const shown = faces.slice(0, REPORT_FACES_PER_IDENTITY).filter((f) => info.crops.has(f.id));
      b.push({ t: 'images', size: 72, items: shown.map((f) => ({ file: info.crops.get(f.id)!, caption: `${f.id}${f.age !== null ? ` · ${Math.round(f.age)}` : ''}` })) });
      if (faces.length > shown.length) b.push({ t: 'p', text: fill(L.moreFaces, { n: faces.length - shown.length }) });
      const byPlace = new Map<string, { when: string; where: string; n: number; age: number | null }>();
      for (const f of faces) {
        const m = c.media.get(f.mediaId);
        const key = f.trackId !== null ? `t${f.trackId}` : `m${f.mediaId}`;
        const e = byPlace.get(key);
        if (e) e.n++;
        else byPlace.set(key, { when: [m?.capturedAt ?? '', f.frameMs !== null ? `@${ms(f.frameMs)}` : ''].filter(Boolean).join(' '), where: mediaPath(f.mediaId), n: 1, age: f.age });
      }
      const timeline = [...byPlace.values()].sort((x, y) => x.when.localeCompare(y.when));
      b.push({ t: 'h3', text: L.sightings });
      b.push({ t: 'table', head: [L.when, L.where, L.faces, L.ageEst], widths: [3, 6, 1, 1], rows: timeline.slice(0, REPORT_TIMELINE_ROWS).map((r) => [r.when || '–', r.where, String(r.n), r.age === null ? '–' : String(Math.round(r.age))]) });
    }
  }

  if (c.searches.length) {
    b.push({ t: 'h2', text: L.searches });
    for (const s of c.searches) {
      b.push({ t: 'h3', text: `${L.search} ${s.id} (${s.examiner}, ${s.at}): ${L.top} ${s.params.top}${s.params.by === 'identity' ? ` (${onePerIdentityText(info.lang)})` : ''}, ${L.threshold} ${s.params.threshold ?? '–'}, ${s.facesSearched} ${L.faces}` });
      b.push({ t: 'kv', rows: s.probes.map((p, i) => [`${L.probes} ${i + 1}`, `${p.fileName} (SHA-256 ${short(p.sha256)}; ${L.ageEst} ${p.age === null ? '–' : Math.round(p.age)}; quality ${num(p.quality, 2)}${p.inCase ? `; ${probeInCaseText(p.faceId ?? 0, info.lang)}` : ''})`] as const) });
      if (hasChildProbe(s.probes)) b.push({ t: 'warn', text: childSearchAdvice(info.lang, s.probes.length) });
      b.push(...annotationLines(annotationsOf('search', s.id)));
      const hits = s.hits.slice(0, REPORT_HITS);
      b.push({ t: 'images', size: 64, items: hits.filter((h) => info.crops.has(h.faceId)).map((h) => ({ file: info.crops.get(h.faceId)!, caption: `#${h.rank} ${num(h.score, 3)}` })) });
      b.push({ t: 'table', head: [L.rank, L.score, L.where, L.when, L.identity], widths: [0.8, 1, 6, 2, 2], rows: hits.map((h) => [
        String(h.rank), num(h.score), mediaPath(h.mediaId), [h.capturedAt ?? '', h.frameMs !== null ? `@${ms(h.frameMs)}` : ''].filter(Boolean).join(' ') || '–',
        h.identityId === null ? '–' : `${h.identityId}${h.identityName ? ` ${h.identityName}` : ''}`,
      ]) });
    }
  }

  if (c.alarms.length) {
    b.push({ t: 'h2', text: L.alarms });
    for (const a of c.alarms) {
      b.push({ t: 'h3', text: `${L.alarm} ${a.id}: ${a.subject} (${L.watchlist} ${a.watchlist}) — ${L.score} ${num(a.score)} ≥ ${num(a.threshold)}; ${L.status}: ${a.status}${a.decidedBy ? ` (${L.decidedBy} ${a.decidedBy}${a.decisionNote ? `: ${a.decisionNote}` : ''})` : ''}${a.subjectRetiredAt ? `; ${L.subjectRetired} (${a.subjectRetiredAt.slice(0, 10)}: ${a.subjectRetireReason ?? ''})` : ''}` });
      b.push({ t: 'p', text: `${mediaPath(a.mediaId)}${a.frameMs !== null ? ` @${ms(a.frameMs)}` : ''}${a.clipPath ? ` · ${L.clip}: SHA-256 ${short(a.clipSha256 ?? '')}` : ''}` });
      b.push(...annotationLines(annotationsOf('alarm', a.id)));
      const frame = info.frames.get(a.faceId);
      const crop = info.crops.get(a.faceId);
      const references = (info.references?.get(a.subjectId) ?? []).map((r) => ({ file: r.file, caption: `${L.reference}: ${r.fileName}${r.removed ? ` (${L.removedPhoto})` : ''}` }));
      b.push({ t: 'images', size: 160, items: [...references, ...(crop ? [{ file: crop, caption: `face ${a.faceId}` }] : []), ...(frame ? [{ file: frame, caption: L.frame }] : [])] });
    }
  }

  if (c.comparisons.length) {
    b.push({ t: 'h2', text: L.comparisons });
    for (const k of c.comparisons) {
      const r = k.result;
      b.push({ t: 'h3', text: `${L.comparison} ${k.id} (${k.examiner}, ${k.at}): ${r.a.label} ↔ ${r.b.label}` });
      const sides = [k.faceA, k.faceB].flatMap((f) => (f !== null && info.crops.has(f) ? [{ file: info.crops.get(f)!, caption: `face ${f}` }] : []));
      if (sides.length) b.push({ t: 'images', size: 140, items: sides });
      b.push({ t: 'kv', rows: [
        [L.fused, num(r.fused, 4)], ...r.scores.map((s) => [s.model, num(s.score, 4)] as const),
        [L.lr, r.evidence ? `LR ${r.evidence.lr.toPrecision(3)} (log10 ${num(r.evidence.log10Lr, 2)}); ${conditionText(r.evidence.condition, info.lang)}` : '–'],
        [L.verbal, r.evidence ? scaleText(`${r.evidence.strength} support for ${r.evidence.supports}`, info.lang) : '–'],
        [L.decision, `${decisionText(r.decision, info.lang)} (${L.threshold} ${num(r.threshold, 3)}: ${thresholdSourceText(r.thresholdSource, info.lang)})`],
        [L.warnings, r.warnings.map((w) => `• ${localWarning(w, info.lang)}`).join('\n') || L.none],
      ] });
      b.push(...annotationLines(annotationsOf('comparison', k.id)));
    }
  }

  if (info.clips.length) {
    b.push({ t: 'h2', text: L.clips });
    b.push({ t: 'p', text: L.clipsText });
    b.push({ t: 'table', head: [L.clipFile, L.clipSpan, L.clipOrigin, L.clipRedacted], widths: [3.4, 3.4, 2.4, 1.6], rows: info.clips.map((k) => [
      k.file, `${mediaPath(k.mediaId).split(/[\\/]/).pop() ?? ''} ${ms(k.startMs)}–${ms(k.endMs)}`, k.origin === 'cut at export' ? L.clipCut : fill(L.clipCopied, { id: k.origin.replace(/\D+/g, '') }), k.redacted ? String(k.redactedFrames) : '–',
    ]) });
  }

  const others = c.annotations.filter((a) => !['case', 'identity', 'search', 'alarm', 'comparison'].includes(a.target.kind));
  b.push({ t: 'h2', text: L.annotations });
  if (others.length) b.push({ t: 'table', head: [L.target, L.kind, L.note, L.examiner, L.at], widths: [1.6, 1.2, 5, 1.6, 2.4], rows: others.map((a) => [
    `${a.target.kind}:${a.target.id}`, a.kind, [a.tag, a.scale ? scaleText(a.scale, info.lang) : null, a.body].filter(Boolean).join(' — ') + (a.withdrawn ? ` [${L.withdrawn}: ${a.withdrawn.reason}]` : ''), a.examiner, a.createdAt,
  ]) });
  else b.push({ t: 'p', text: c.annotations.length ? '–' : L.none });

  b.push({ t: 'h2', text: L.limitations });
  b.push({ t: 'list', items: LIMITATIONS[info.lang] });

  b.push({ t: 'h2', text: L.audit });
  b.push({ t: 'p', text: fill(L.auditMore, { n: c.auditExcerpt.length }) });
  b.push({ t: 'table', head: ['#', L.at, L.actor, L.action, L.target], widths: [0.6, 2.6, 1.6, 2, 3.6], rows: c.auditExcerpt.slice(-REPORT_AUDIT_ROWS).map((e) => [String(e.id), e.at, e.actor, e.action, e.target]) });
  return b;
}
