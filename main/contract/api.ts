import { z } from 'zod';
import type {
  AlarmDto, AuditCheckDto, AuditEntryDto, CaseInfo, ContactSheetDto, RecentCaseDto, ClusterRunDto, CompareDto, FaceDto, IdentityDetailDto, IdentityDto, IdentityOpDto, IdentitySuggestionDto, IngestSummary, MatchSummaryDto, MatchViewDto, MediaDto, MediaPreviewDto, ModelDto,
  SearchDto, SourceDto, TimelineDto, FaceFrameDto, TrackDto, WatchlistDto, WatchlistPhotoDto, WatchlistSubjectDto,
} from './dto.js';
import {
  ANNOTATION_KINDS, ANNOTATION_TARGETS, CONCLUSION_SCALE, EXPORT_FORMATS, type AnnotationDto, type ComparisonRecordDto, type ExportSummaryDto, type TagDto,
} from './annotations.js';
export { EVENT_NAMES, type EventName, type EventPayloads } from './events.js';

/** A page of a case-wide list (faces, tracks), optionally of one media item. */
const pageOfMedia = () =>
  z
    .object({
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(5000).default(500),
      mediaId: z.number().int().positive().optional(),
    })
    .strict();

const examiner = () => z.string().trim().min(1, 'an examiner name is required (every action is recorded under it)').max(200);
const id = () => z.number().int().positive();
const faceIds = () => z.array(id()).min(1).max(100_000);

/** The largest photo the UI may send as a probe (a dropped file has no path in the browser). */
export const MAX_PROBE_UPLOAD_BYTES = 20 * 1024 * 1024;

const pathRef = () => z.object({ path: z.string().min(1).max(4096) }).strict();
const uploadRef = () =>
  z
    .object({
      upload: z
        .object({
          name: z.string().min(1).max(255),
          base64: z.string().min(1).max(Math.ceil(MAX_PROBE_UPLOAD_BYTES / 3) * 4, `a probe photo may be at most ${MAX_PROBE_UPLOAD_BYTES / 1024 / 1024} MiB`),
        })
        .strict(),
    })
    .strict();

/** What a probe or a compared face is: a face of this case, a photo on the engine's machine, or photo bytes sent by the UI. */
const faceRef = () => z.union([z.object({ faceId: id() }).strict(), pathRef(), uploadRef()]);
export type FaceRef = z.input<ReturnType<typeof faceRef>>;

const day = () => z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is written YYYY-MM-DD');

/** Which media the browser shows: every filter narrows; days are inclusive; `undated` keeps only media without a capture time. */
const mediaFilter = () =>
  z
    .object({
      kind: z.enum(['image', 'video']).optional(),
      faces: z.enum(['with', 'without']).optional(),
      sourceId: id().optional(),
      capturedFrom: day().optional(),
      capturedTo: day().optional(),
      undated: z.boolean().optional(),
    })
    .strict()
    .refine((f) => !f.capturedFrom || !f.capturedTo || f.capturedFrom <= f.capturedTo, 'the first day must not be after the last')
    .refine((f) => !f.undated || (!f.capturedFrom && !f.capturedTo), 'undated media have no capture day to filter on');
export type MediaFilter = z.input<ReturnType<typeof mediaFilter>>;

/** A reference photo for a watchlist subject: a photo on the engine's machine or bytes sent by the UI. */
const photoRef = () => z.union([pathRef(), uploadRef()]);
export type PhotoRef = z.input<ReturnType<typeof photoRef>>;

/** A library of faces for M:N: this case, another case, a source of this case, a watchlist, or a folder of photos analysed on the fly. */
export const librarySpec = () =>
  z.string().trim().regex(/^(case(:.+)?|source:\d+|watchlist:.+|folder:.+)$/, 'a library is case, case:DIR, source:ID, watchlist:NAME or folder:DIR');

/** Examiner operations on identities; each is audited and undoable (see IdentityOperations). */
const identityOp = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('name'), id: id(), name: z.string().max(200).nullable(), examiner: examiner() }).strict(),
  z.object({ kind: z.literal('confirm'), id: id(), examiner: examiner() }).strict(),
  z.object({ kind: z.literal('hide'), id: id(), hidden: z.boolean(), examiner: examiner() }).strict(),
  z.object({ kind: z.literal('merge'), ids: z.array(id()).min(2).max(1000), examiner: examiner() }).strict(),
  z.object({ kind: z.literal('split'), id: id(), faces: faceIds(), examiner: examiner() }).strict(),
  z.object({ kind: z.literal('move'), faces: faceIds(), to: id(), examiner: examiner() }).strict(),
  z.object({ kind: z.literal('reject'), id: id(), faces: faceIds(), examiner: examiner() }).strict(),
  z.object({ kind: z.literal('undo'), examiner: examiner() }).strict(),
]);
export type IdentityOpInput = z.input<typeof identityOp>;

const annotationTarget = () => z.object({ kind: z.enum(ANNOTATION_TARGETS), id: id() }).strict();

/** A tag name: short, printable, no spaces at either end (it is shown in reports and typed in filters). */
export const tagName = () => z.string().trim().min(1).max(64).regex(/^[^\u0000-\u001f,]+$/, 'a tag may not hold control characters or commas');

/**
 * What an export covers: `all`, or refs `identity:ID`, `search:ID`, `alarm:ID`, `comparison:ID`,
 * `media:ID`, `track:ID`, `face:ID`, or `tag:NAME` (everything carrying that tag). Empty: the
 * default selection (named or confirmed identities, every search, alarm, comparison and annotated item).
 */
export const exportSelectRef = () => z.string().regex(/^(all|(identity|search|alarm|comparison|media|track|face):\d+|tag:.+)$/, 'a selection is all, KIND:ID (identity, search, alarm, comparison, media, track, face) or tag:NAME');

/**
 * Every call the UI (or any client) may make, declared once. The Electron shell maps these to
 * ipcMain.handle, `kestrel serve` to WebSocket messages; inputs are validated with these schemas on
 * the engine side before any handler runs.
 */
export const callInputSchemas = {
  'case.info': z.object({}).strict(),
  'cases.recent': z.object({}).strict(),
  'case.open': z.object({
    dir: z.string().trim().min(1, 'say which case folder to open').max(4096), examiner: examiner(),
    /** An encrypted case's password (never stored or logged). */
    password: z.string().min(1).max(1024).optional(),
  }).strict(),
  'case.create': z
    .object({
      dir: z.string().trim().min(1, 'say where the new case goes').max(4096),
      name: z.string().trim().min(1).max(200).optional(),
      profile: z.enum(['accurate', 'permissive']).default('accurate'),
      examiner: examiner(),
      /** Given: the new case is encrypted at rest under this password. */
      password: z.string().min(1).max(1024).optional(),
    })
    .strict(),
  'sources.list': z.object({}).strict(),
  'media.list': z
    .object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200), filter: mediaFilter().default({}) })
    .strict(),
  'media.preview': z.object({ mediaId: id() }).strict(),
  'media.contactSheet': z.object({ mediaId: id() }).strict(),
  'faces.list': pageOfMedia(),
  'intake.errors': z.object({}).strict(),
  'tracks.list': pageOfMedia(),
  'ingest.start': z
    .object({ paths: z.array(z.string().min(1)).min(1), examiner: z.string().min(1).max(200) })
    .strict(),
  'job.cancel': z.object({ jobId: z.number().int().positive() }).strict(),
  'models.list': z.object({}).strict(),
  'audit.list': z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  'audit.verify': z.object({}).strict(),
  'identities.list': z.object({ includeHidden: z.boolean().default(false), minFaces: z.number().int().min(1).default(1) }).strict(),
  'identity.get': z.object({ id: id() }).strict(),
  'identity.suggestions': z.object({ id: id(), limit: z.number().int().min(1).max(100).default(12) }).strict(),
  'identities.cluster': z.object({ full: z.boolean().default(false), examiner: examiner() }).strict(),
  'identity.op': identityOp,
  'search.run': z
    .object({
      probes: z.array(faceRef()).min(1).max(20),
      top: z.number().int().min(1).max(1000).default(20),
      threshold: z.number().min(-1).max(1).nullable().default(null),
      filters: z
        .object({
          ageMin: z.number().min(0).max(120).optional(), ageMax: z.number().min(0).max(120).optional(),
          capturedFrom: z.string().optional(), capturedTo: z.string().optional(), sourceId: id().optional(),
        })
        .strict()
        .default({}),
      by: z.enum(['face', 'identity']).default('face'),
      examiner: examiner(),
    })
    .strict(),
  'match.run': z
    .object({
      a: librarySpec(), b: librarySpec(),
      threshold: z.number().min(-1).max(1).optional(),
      maxPairs: z.number().int().min(1).max(100_000).default(1000),
      by: z.enum(['item', 'identity']).default('item'),
      examiner: examiner(),
    })
    .strict(),
  'matches.list': z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) }).strict(),
  'match.get': z.object({ id: id() }).strict(),
  'searches.list': z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) }).strict(),
  'search.get': z.object({ id: id() }).strict(),
  'compare.run': z
    .object({
      a: faceRef(), b: faceRef(),
      ageA: z.number().min(0).max(120).nullable().default(null), ageB: z.number().min(0).max(120).nullable().default(null),
      examiner: examiner(),
    })
    .strict(),
  'annotations.list': z
    .object({
      target: annotationTarget().optional(),
      kind: z.enum(ANNOTATION_KINDS).optional(),
      tag: z.string().max(64).optional(),
      query: z.string().max(500).optional(),
      includeWithdrawn: z.boolean().default(false),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(5000).default(500),
    })
    .strict(),
  'annotation.add': z
    .object({
      target: annotationTarget(),
      kind: z.enum(ANNOTATION_KINDS),
      tag: tagName().optional(),
      body: z.string().max(20_000).default(''),
      scale: z.enum(CONCLUSION_SCALE).optional(),
      examiner: examiner(),
    })
    .strict(),
  'annotation.withdraw': z.object({ id: id(), reason: z.string().trim().min(1, 'say why the annotation is withdrawn').max(2000), examiner: examiner() }).strict(),
  'tags.list': z.object({}).strict(),
  'tag.define': z.object({ name: tagName(), description: z.string().max(2000).default(''), examiner: examiner() }).strict(),
  'comparisons.list': z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) }).strict(),
  'timeline.get': z
    .object({
      fromMs: z.number().finite().optional(),
      toMs: z.number().finite().optional(),
      bins: z.number().int().min(1).max(2000).default(200),
      /** Identity lanes; default the named or confirmed identities, then the largest, up to 8. */
      identities: z.array(id()).max(50).optional(),
      maxItems: z.number().int().min(0).max(5000).default(300),
    })
    .strict()
    .refine((o) => o.fromMs === undefined || o.toMs === undefined || o.fromMs < o.toMs, 'the window must end after it starts'),
  'face.frame': z.object({ faceId: id() }).strict(),
  'watchlists.list': z.object({}).strict(),
  'watchlist.create': z
    .object({
      name: z.string().trim().min(1, 'a watchlist needs a name').max(200),
      threshold: z.number().gt(-1).max(1).optional(),
      notes: z.string().max(20_000).default(''),
      examiner: examiner(),
    })
    .strict(),
  'watchlist.enrol': z
    .object({
      watchlist: z.string().min(1).max(200),
      name: z.string().trim().min(1, 'a subject needs a name').max(200),
      notes: z.string().max(20_000).default(''),
      photos: z.array(photoRef()).min(1, 'enrolment needs at least one reference photo').max(20),
      examiner: examiner(),
    })
    .strict(),
  'watchlist.addPhotos': z
    .object({
      subjectId: id(),
      photos: z.array(photoRef()).min(1, 'adding photos needs at least one reference photo').max(20),
      examiner: examiner(),
    })
    .strict(),
  'watchlist.photos': z.object({ subjectId: id() }).strict(),
  'watchlist.removePhoto': z
    .object({ subjectId: id(), photoId: id(), reason: z.string().trim().min(1, 'removing a photo needs a reason').max(20_000), examiner: examiner() })
    .strict(),
  'watchlist.retire': z
    .object({ subjectId: id(), reason: z.string().trim().min(1, 'retiring a subject needs a reason').max(20_000), examiner: examiner() })
    .strict(),
  'watchlist.reinstate': z.object({ subjectId: id(), examiner: examiner() }).strict(),
  'watchlist.threshold': z
    .object({ watchlist: z.string().min(1).max(200), threshold: z.number().gt(-1).max(1), examiner: examiner() })
    .strict(),
  /** Writes a list and its subjects' reference photos into a new or empty folder (to check another case against it). */
  'watchlist.export': z
    .object({ watchlist: z.string().min(1).max(200), out: z.string().trim().min(1, 'choose a folder to export into').max(4096), examiner: examiner() })
    .strict(),
  /** Creates a list from an exported folder, under its own name or another; the case is checked at once. */
  'watchlist.import': z
    .object({ from: z.string().trim().min(1, 'choose the exported folder').max(4096), name: z.string().trim().max(200).optional(), examiner: examiner() })
    .strict(),
  'alarms.list': z.object({ status: z.enum(['open', 'confirmed', 'dismissed']).optional() }).strict(),
  'alarm.decide': z
    .object({ id: id(), status: z.enum(['confirmed', 'dismissed']), note: z.string().max(20_000).default(''), examiner: examiner() })
    .strict(),
  'export.run': z
    .object({
      out: z.string().min(1).max(4096),
      select: z.array(exportSelectRef()).max(10_000).default([]),
      formats: z.array(z.enum(EXPORT_FORMATS)).min(1).default([...EXPORT_FORMATS]),
      lang: z.enum(['en', 'zh']).default('en'),
      redact: z.boolean().default(false),
      originals: z.boolean().default(false),
      clips: z.boolean().default(true),
      frames: z.enum(['report', 'all']).default('report'),
      examiner: examiner(),
    })
    .strict(),
} as const;

export type CallName = keyof typeof callInputSchemas;
export type CallInput<C extends CallName> = z.input<(typeof callInputSchemas)[C]>;
export type CallParsedInput<C extends CallName> = z.output<(typeof callInputSchemas)[C]>;

export interface CallResults {
  'case.info': CaseInfo;
  'cases.recent': { cases: RecentCaseDto[] };
  'case.open': CaseInfo;
  'case.create': CaseInfo;
  'sources.list': { sources: SourceDto[] };
  'media.list': { media: MediaDto[]; total: number };
  'media.preview': MediaPreviewDto;
  'media.contactSheet': ContactSheetDto;
  'audit.list': { entries: AuditEntryDto[]; total: number };
  'audit.verify': AuditCheckDto;
  'faces.list': { faces: FaceDto[]; total: number };
  'intake.errors': { errors: IngestSummary['errors'] };
  'tracks.list': { tracks: TrackDto[]; total: number };
  'ingest.start': IngestSummary;
  'job.cancel': { cancelled: boolean };
  'models.list': { models: ModelDto[] };
  'identities.list': { identities: IdentityDto[] };
  'identity.get': IdentityDetailDto;
  'identity.suggestions': { suggestions: IdentitySuggestionDto[] };
  'identities.cluster': ClusterRunDto;
  'identity.op': IdentityOpDto;
  'search.run': SearchDto;
  'searches.list': { searches: Omit<SearchDto, 'hits'>[] };
  'search.get': SearchDto;
  'match.run': MatchViewDto;
  'matches.list': { matches: MatchSummaryDto[] };
  'match.get': MatchViewDto;
  'compare.run': CompareDto;
  'annotations.list': { annotations: AnnotationDto[]; total: number };
  'annotation.add': AnnotationDto;
  'annotation.withdraw': AnnotationDto;
  'tags.list': { tags: TagDto[] };
  'tag.define': TagDto;
  'comparisons.list': { comparisons: ComparisonRecordDto[] };
  'timeline.get': TimelineDto;
  'face.frame': FaceFrameDto;
  'watchlists.list': { watchlists: WatchlistDto[]; subjects: WatchlistSubjectDto[] };
  'watchlist.create': WatchlistDto;
  'watchlist.enrol': { subjectId: number; alarms: number[] };
  'watchlist.addPhotos': { alarms: number[] };
  'watchlist.photos': { photos: WatchlistPhotoDto[] };
  'watchlist.removePhoto': { photos: number };
  'watchlist.retire': { openAlarms: number };
  'watchlist.reinstate': { alarms: number[] };
  'watchlist.threshold': { alarms: number[]; openBelow: number };
  'watchlist.export': { subjects: number; photos: number; manifestSha256: string };
  'watchlist.import': { watchlistId: number; name: string; subjects: number; photos: number; alarms: number[] };
  'alarms.list': { alarms: AlarmDto[] };
  'alarm.decide': AlarmDto;
  'export.run': ExportSummaryDto;
}
export type CallResult<C extends CallName> = CallResults[C];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(callInputSchemas, name);
}
