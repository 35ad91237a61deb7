import { CASE_TARGET_ID, KestrelError, type AnnotationDto, type CompareDto, type ComparisonRecordDto, type SearchDto, type SourceDto } from '../../contract/index.js';
import type { AnnotationRepository } from '../repositories/annotationRepository.js';
import type { AuditEntry, AuditRepository, AuditVerifyResult } from '../repositories/auditRepository.js';
import type { ClipRepository, ClipRow } from '../repositories/clipRepository.js';
import type { ComparisonRepository } from '../repositories/comparisonRepository.js';
import type { ExportFaceRow, ExportMediaRow, ExportRepository } from '../repositories/exportRepository.js';
import type { SearchRepository } from '../repositories/searchRepository.js';
import type { SourceRepository } from '../repositories/sourceRepository.js';
import type { AlarmRow, WatchlistRepository } from '../repositories/watchlistRepository.js';
import { REPORT_FACES_PER_IDENTITY } from './reportText.js';

export interface ContentDeps {
  readonly exports: ExportRepository;
  readonly annotations: AnnotationRepository;
  readonly searches: SearchRepository;
  readonly watchlists: WatchlistRepository;
  readonly comparisons: ComparisonRepository;
  readonly clips: ClipRepository;
  readonly sources: SourceRepository;
  readonly audit: AuditRepository;
}

export interface ExportIdentity {
  readonly id: number; readonly name: string | null; readonly status: string; readonly faces: readonly number[];
}

export interface ExportComparison extends ComparisonRecordDto { readonly result: CompareDto }

/** Everything an export shows, resolved from the selection: the report, data files and evidence all read this. */
export interface ExportContent {
  readonly selection: readonly string[];
  readonly identities: readonly ExportIdentity[];
  readonly searches: readonly SearchDto[];
  readonly alarms: readonly AlarmRow[];
  readonly comparisons: readonly ExportComparison[];
  readonly tracks: readonly { id: number; mediaId: number; startMs: number; endMs: number }[];
  /** Every face the export refers to, by id (crops are made of each). */
  readonly faces: ReadonlyMap<number, ExportFaceRow>;
  /** Every original those faces were found in (plus selected media). */
  readonly media: ReadonlyMap<number, ExportMediaRow>;
  /** Faces chosen as subjects: what redaction leaves visible. */
  readonly selectedFaces: ReadonlySet<number>;
  /** Faces the report shows or points to (search hits, alarms, comparisons, each identity's best faces, explicit selections): their full frames are always exported. */
  readonly reportFaces: ReadonlySet<number>;
  readonly clips: readonly ClipRow[];
  /** Every video track with an exported face: each gets a clip in the export. */
  readonly clipTracks: readonly { readonly id: number; readonly mediaId: number; readonly startMs: number; readonly endMs: number }[];
  readonly annotations: readonly AnnotationDto[];
  readonly sources: readonly SourceDto[];
  readonly auditExcerpt: readonly AuditEntry[];
  readonly auditRows: number;
  readonly auditCheck: AuditVerifyResult;
}

/** Audit actions that describe the case as a whole and belong in every excerpt. */
const CASE_LEVEL_ACTIONS = /^(case\.|source\.|intake\.|identities\.cluster|tag\.defined|export\.)/;

/**
 * Resolves a selection (see exportSelectRef in the contract) into the export's content. The default
 * (empty selection) is what an examiner has worked on: named or confirmed identities, every search,
 * alarm and comparison, and every annotated item.
 */
export function collectExportContent(d: ContentDeps, selection: readonly string[]): ExportContent {
  const want = { identity: new Set<number>(), search: new Set<number>(), alarm: new Set<number>(), comparison: new Set<number>(), media: new Set<number>(), track: new Set<number>(), face: new Set<number>() };
  const addAnnotated = (tag?: string): void => {
    for (const k of ['identity', 'search', 'alarm', 'comparison', 'media', 'track', 'face'] as const) for (const id of d.annotations.targetsOf(k, tag)) want[k].add(id);
  };
  const sel = selection.length ? selection : ['default'];
  for (const s of sel) {
    if (s === 'all' || s === 'default') {
      for (const id of d.exports.identityIds({ namedOrConfirmedOnly: s === 'default' })) want.identity.add(id);
      for (const id of d.exports.searchIds()) want.search.add(id);
      for (const id of d.exports.alarmIds()) want.alarm.add(id);
      for (const id of d.comparisons.ids()) want.comparison.add(id);
      addAnnotated();
      if (s === 'all') for (const id of d.exports.allFaceIds()) want.face.add(id);
      continue;
    }
    const m = /^(identity|search|alarm|comparison|media|track|face):(\d+)$/.exec(s);
    if (m) want[m[1] as keyof typeof want].add(Number(m[2]));
    else if (s.startsWith('tag:')) {
      const tag = s.slice(4);
      if (!d.annotations.tag(tag)) throw new KestrelError('INVALID_INPUT', `Tag "${tag}" is not in this case's vocabulary`);
      addAnnotated(tag);
    } else throw new KestrelError('INVALID_INPUT', `Unknown selection "${s}"`);
  }

  const missing = (kind: string, id: number): never => { throw new KestrelError('NOT_FOUND', `No ${kind} ${id} in this case (selection ${kind}:${id})`); };
  const faceIds = new Set<number>(want.face);
  const selectedFaces = new Set<number>(want.face);
  const reportFaces = new Set<number>(sel.includes('all') ? [] : want.face);
  const identities: ExportIdentity[] = [...want.identity].sort((a, b) => a - b).map((id) => {
    const row = d.exports.identity(id) ?? missing('identity', id);
    const faces = d.exports.facesOfIdentity(id);
    for (const f of faces) { faceIds.add(f); selectedFaces.add(f); }
    return { id, name: row.name, status: row.status, faces };
  });
  const searches = [...want.search].sort((a, b) => a - b).map((id) => {
    const s = d.searches.get(id) ?? missing('search', id);
    // Candidates are what a search is about: redaction keeps them visible.
    for (const h of s.hits) { faceIds.add(h.faceId); selectedFaces.add(h.faceId); reportFaces.add(h.faceId); }
    for (const p of s.probes) if (p.faceId) { faceIds.add(p.faceId); selectedFaces.add(p.faceId); reportFaces.add(p.faceId); }
    return s;
  });
  const alarms = [...want.alarm].sort((a, b) => a - b).map((id) => {
    const a = d.watchlists.alarms(undefined, id)[0] ?? missing('alarm', id);
    faceIds.add(a.faceId);
    reportFaces.add(a.faceId);
    if (a.status !== 'dismissed') selectedFaces.add(a.faceId);
    return a;
  });
  const comparisons = [...want.comparison].sort((a, b) => a - b).map((id) => {
    const c = d.comparisons.get(id) ?? missing('comparison', id);
    for (const f of [c.faceA, c.faceB]) if (f !== null) { faceIds.add(f); selectedFaces.add(f); reportFaces.add(f); }
    return c;
  });
  const tracks = [...want.track].sort((a, b) => a - b).map((id) => {
    const t = d.exports.track(id) ?? missing('track', id);
    for (const f of d.exports.facesOfTrack(id)) { faceIds.add(f); selectedFaces.add(f); reportFaces.add(f); }
    return t;
  });
  for (const id of want.media) for (const f of d.exports.facesOfMedia(id)) { faceIds.add(f); reportFaces.add(f); }

  const faces = new Map(d.exports.faces([...faceIds]).map((f) => [f.id, f] as const));
  for (const id of want.face) if (!faces.has(id)) missing('face', id);
  for (const i of identities) {
    const best = i.faces.map((f) => faces.get(f)!).filter(Boolean).sort((a, b) => b.quality - a.quality).slice(0, REPORT_FACES_PER_IDENTITY);
    for (const f of best) reportFaces.add(f.id);
  }
  const mediaIds = new Set([...want.media, ...[...faces.values()].map((f) => f.mediaId)]);
  const media = new Map(d.exports.media([...mediaIds]).sort((a, b) => a.id - b.id).map((m) => [m.id, m] as const));
  for (const id of want.media) if (!media.has(id)) missing('media', id);

  const trackIds = new Set([...want.track, ...[...faces.values()].flatMap((f) => (f.trackId === null ? [] : [f.trackId]))]);
  const alarmClips = new Set(alarms.flatMap((a) => (a.clipPath ? [a.clipPath] : [])));
  const clips = [...new Set([...faces.values()].map((f) => f.mediaId))].flatMap((m) => d.clips.list(m))
    .filter((c) => (c.trackId !== null && trackIds.has(c.trackId)) || alarmClips.has(c.path));

  const refs = new Set<string>([
    `case:${CASE_TARGET_ID}`, ...identities.map((i) => `identity:${i.id}`), ...searches.map((s) => `search:${s.id}`), ...alarms.map((a) => `alarm:${a.id}`),
    ...comparisons.map((c) => `comparison:${c.id}`), ...tracks.map((t) => `track:${t.id}`), ...[...media.keys()].map((m) => `media:${m}`),
    ...[...faceIds].map((f) => `face:${f}`), ...clips.map((c) => `clip:${c.id}`),
  ]);
  const annotations = d.annotations.list({ includeWithdrawn: true }).filter((a) => refs.has(`${a.target.kind}:${a.target.id}`));
  const annotationIds = new Set(annotations.map((a) => a.id));
  const auditExcerpt: AuditEntry[] = [];
  let auditRows = 0;
  for (const e of d.exports.audit()) {
    auditRows++;
    const relevant = CASE_LEVEL_ACTIONS.test(e.action) || e.target.split(' ').some((t) => refs.has(t))
      || (e.action.startsWith('annotation.') && annotationIds.has((JSON.parse(e.details) as { annotation?: number }).annotation ?? -1));
    if (relevant) auditExcerpt.push(e);
  }
  return {
    selection: sel, identities, searches, alarms, comparisons, tracks, faces, media, selectedFaces, reportFaces, clips, annotations,
    clipTracks: [...trackIds].sort((a, b) => a - b).flatMap((id) => d.exports.track(id) ?? []),
    sources: d.sources.list(), auditExcerpt, auditRows, auditCheck: d.audit.verify(),
  };
}
