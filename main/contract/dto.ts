import type { FaceId, JobId, MediaId, ModelId, SourceId, TrackId } from './ids.js';
import type { MediaErrorReason } from './mediaErrors.js';

export type ProfileName = 'accurate' | 'permissive';
export const PROFILE_NAMES: readonly ProfileName[] = ['accurate', 'permissive'];

export interface Point {
  readonly x: number;
  readonly y: number;
}
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface QualityDto {
  /** 0..1, the combined score used for ranking and warnings. */
  readonly overall: number;
  readonly faceSizePx: number;
  readonly sharpness: number;
  readonly yawDeg: number;
  readonly rollDeg: number;
  readonly exposure: number;
  readonly detectorScore: number;
  readonly warnings: readonly string[];
}

export interface FaceDto {
  readonly id: FaceId;
  readonly mediaId: MediaId;
  readonly mediaPath: string;
  readonly box: Box;
  readonly landmarks: readonly Point[];
  readonly detectorScore: number;
  readonly quality: QualityDto;
  readonly age: number | null;
  readonly gender: 'male' | 'female' | null;
  readonly thumbnail: string;
  readonly models: readonly ModelId[];
}

export interface MediaDto {
  readonly id: MediaId;
  readonly sha256: string;
  readonly kind: 'image' | 'video';
  readonly format: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly capturedAt: string | null;
  readonly cameraMake: string | null;
  readonly cameraModel: string | null;
  readonly gps: { readonly lat: number; readonly lon: number } | null;
  readonly faceCount: number;
  readonly paths: readonly string[];
}

export interface SourceDto {
  readonly id: SourceId;
  readonly path: string;
  readonly kind: 'folder' | 'file' | 'archive';
  readonly addedBy: string;
  readonly addedAt: string;
}

export interface IntakeError {
  readonly path: string;
  readonly reason: MediaErrorReason;
  readonly detail: string;
}

export interface IngestSummary {
  readonly jobId: JobId;
  readonly media: number;
  readonly media_with_faces: number;
  readonly faces: number;
  /** Files whose content was already in the case from another place. */
  readonly duplicates: number;
  /** Files at a place this case already recorded (a re-run, or a resume after an interruption). */
  readonly already_in_case: number;
  readonly errors: readonly IntakeError[];
  readonly seconds: number;
  /** Images where the detector found a face only after padding / upscaling. */
  readonly rescued_by_padding: number;
  /** Decodable images in which no face was found at all. */
  readonly media_without_faces: number;
  /** Watchlist alarms this intake raised (its new faces and tracks checked against every enrolled subject). */
  readonly alarms: number;
}

export interface ModelDto {
  readonly id: ModelId;
  readonly file: string;
  readonly role: 'detector' | 'recognizer' | 'genderage';
  readonly sha256: string;
  readonly licence: string;
  readonly commercialUse: boolean;
  readonly installed: boolean;
  readonly verified: boolean;
  readonly custom: boolean;
  readonly profiles: readonly ProfileName[];
  /** Profiles that run this detector on a crop around each face only for its landmarks (role stays 'detector'). */
  readonly landmarksIn: readonly ProfileName[];
}

export interface CaseInfo {
  readonly caseDir: string;
  readonly name: string;
  readonly profile: ProfileName;
  readonly createdAt: string;
  /** The examiner who created the case. */
  readonly createdBy: string;
  readonly schemaVersion: number;
  /** The database and every derived file are encrypted at rest under the case password. */
  readonly encrypted: boolean;
  /** `openAlarms`: watchlist alarms no examiner has confirmed or dismissed yet. */
  readonly counts: { readonly sources: number; readonly media: number; readonly faces: number; readonly errors: number; readonly openAlarms: number };
}

/** A case opened on this machine before, newest first; `exists` is false when its folder is gone. */
export interface RecentCaseDto {
  readonly dir: string;
  readonly name: string;
  readonly openedAt: string;
  readonly exists: boolean;
}

/** One row of the case's hash-chained audit log. */
export interface AuditEntryDto {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details: string;
}

/** Whether the audit log's hash chain is intact, end to end and against its anchored head. */
export interface AuditCheckDto {
  readonly ok: boolean;
  readonly rows: number;
  readonly firstBadId: number | null;
  readonly problem: string | null;
  readonly headHash: string | null;
}

export interface JobProgress {
  readonly jobId: JobId;
  readonly kind: string;
  readonly phase: 'scanning' | 'processing' | 'done' | 'failed' | 'cancelled';
  readonly done: number;
  readonly total: number;
  readonly currentPath: string | null;
}

/** One sighting in a video: a person's consecutive detections, with its best face and time span. */
export interface TrackDto {
  readonly id: TrackId;
  readonly mediaId: MediaId;
  readonly mediaPath: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly faces: number;
  readonly bestFace: FaceId;
  readonly bestThumbnail: string;
  /** Quality of the best face (0..1). */
  readonly quality: number;
}

/** One candidate of a stored search, as the examiner reviews it. */
export interface SearchHitDto {
  readonly rank: number;
  /** Fused cosine of the recognizers (averaged over the probes): the score thresholds apply to. */
  readonly score: number;
  /** The re-ranking score the order was made by (null below the re-ranked shortlist). */
  readonly rankScore: number | null;
  readonly faceId: FaceId;
  /** Set when the face belongs to a video track: the track is one result, shown by its best-matching face. */
  readonly trackId: TrackId | null;
  readonly mediaId: MediaId;
  readonly mediaPath: string;
  readonly mediaSha256: string;
  readonly frameMs: number | null;
  readonly trackStartMs: number | null;
  readonly trackEndMs: number | null;
  readonly capturedAt: string | null;
  readonly age: number | null;
  readonly thumbnail: string;
  /** The identity the face belongs to now (null when not clustered). */
  readonly identityId: number | null;
  readonly identityName: string | null;
}

export interface SearchProbeDto {
  readonly fileName: string;
  /** SHA-256 of the probe photo (for a stored face: of the case photo or video it was found in). */
  readonly sha256: string;
  /** Set when the probe is a face already in the case (that face is left out of the results). */
  readonly faceId?: number | null;
  /** True for a probe photo that is itself a photo of this case (same SHA-256): `faceId` is its face there. */
  readonly inCase?: boolean;
  readonly age: number | null;
  readonly quality: number;
  readonly otherFaces: number;
}

export interface SearchFilters {
  readonly ageMin?: number;
  readonly ageMax?: number;
  readonly capturedFrom?: string;
  readonly capturedTo?: string;
  readonly sourceId?: number;
}

export interface SearchParamsDto {
  readonly top: number;
  readonly threshold: number | null;
  readonly filters: SearchFilters;
  readonly ranking: { readonly shortlist: number; readonly cohort: number };
  readonly index: 'exact' | 'hnsw';
  /**
   * 'identity': one result per identity of the case (its best-ranked face or track; faces not in an
   * identity stand alone), grouped by the identities as they were at search time. Absent: 'face'.
   */
  readonly by?: SearchBy;
}

/** Results one per face or track, or one per identity. */
export type SearchBy = 'face' | 'identity';

export interface SearchDto {
  readonly id: number;
  readonly kind: 'search' | 'match';
  readonly at: string;
  readonly examiner: string;
  readonly probes: readonly SearchProbeDto[];
  readonly params: SearchParamsDto;
  readonly models: readonly string[];
  readonly facesSearched: number;
  readonly hits: readonly SearchHitDto[];
}

/** One side of a 1:1 comparison: a photo's primary face or a face stored in the case. */
export interface CompareSideDto {
  readonly label: string;
  /** SHA-256 of the photo compared (null for a stored face: see faceId). */
  readonly sha256: string | null;
  readonly faceId: FaceId | null;
  readonly box: Box;
  readonly age: number | null;
  /** Where the age used for calibration came from. */
  readonly ageSource: 'given' | 'estimated' | 'unknown';
  readonly quality: QualityDto;
  /** Other faces in the same photo (the largest confident face was compared). */
  readonly otherFaces: number;
}

export interface CompareEvidenceDto {
  readonly log10Lr: number;
  readonly lr: number;
  /** The LR reached the bound its calibration data can support. */
  readonly atBound: boolean;
  /** A face is smaller than the calibration data covers: the LR is limited to weak support. */
  readonly outOfRange: boolean;
  readonly condition: string;
  readonly conditionLabel: string;
  readonly strength: string;
  readonly supports: 'same person' | 'different people' | 'neither';
  readonly verbal: string;
  readonly calibration: { readonly file: string; readonly data: string; readonly protocol: string; readonly protocolSha256: string; readonly heldOutCllr: number | null; readonly created: string };
}

export interface CompareWarningDto {
  readonly code: string;
  readonly side: 'A' | 'B' | null;
  /** In English (see engineText for other languages). */
  readonly message: string;
  /** The values the message was made from (absent in comparisons stored before they were kept). */
  readonly params?: Readonly<Record<string, string | number>>;
}

export interface CompareDto {
  /** The stored comparison (annotate it as comparison:ID); null when compared outside a case. */
  readonly comparisonId: number | null;
  readonly a: CompareSideDto;
  readonly b: CompareSideDto;
  readonly profile: string;
  readonly scores: readonly { readonly model: string; readonly score: number }[];
  /** Mean of the per-model cosines (the score search and watchlists use). */
  readonly fused: number;
  /** Null when no calibration exists for these recognizer weights. */
  readonly evidence: CompareEvidenceDto | null;
  readonly threshold: number | null;
  readonly thresholdSource: string;
  readonly decision: 'match' | 'no match' | null;
  readonly warnings: readonly CompareWarningDto[];
}

/** One side of an M:N pair: a photo face, a video track, a watchlist subject or a face in a folder photo. */
export interface MatchItemDto {
  readonly kind: 'face' | 'track' | 'subject' | 'photo';
  /** Stable within its library: face:ID, track:ID, subject:ID, photo:SHA256#N. */
  readonly key: string;
  readonly faceId: number | null;
  readonly trackId: number | null;
  readonly subjectId: number | null;
  readonly subject: string | null;
  readonly mediaPath: string;
  readonly mediaSha256: string | null;
  readonly frameMs: number | null;
  readonly startMs: number | null;
  readonly endMs: number | null;
  readonly age: number | null;
  /** Short side of the face box in pixels (null for a subject: reference photos are checked at enrolment). */
  readonly faceSizePx: number | null;
  /** The identity of the face or track in its case when matched (absent in runs stored before identities were recorded). */
  readonly identityId?: number | null;
  readonly identityName?: string | null;
}

export interface MatchLibraryDto {
  /** As given: case, case:DIR, source:ID, watchlist:NAME, folder:DIR. */
  readonly spec: string;
  readonly label: string;
  readonly items: number;
  /** Files of a folder library that were not compared (not a photo, unreadable, no face). */
  readonly skipped: number;
}

export interface MatchPairDto {
  readonly rank: number;
  readonly score: number;
  /** Calibrated strength (null without a calibration); pairs are sorted by it, then by score. */
  readonly log10Lr: number | null;
  readonly a: MatchItemDto;
  readonly b: MatchItemDto;
  /** In a run by identity: the item pairs above the threshold this identity pair stands for (this one the strongest). */
  readonly itemPairs?: number;
}

/** Pairs one per item pair (face, track, subject, photo), or one per identity pair. */
export type MatchBy = 'item' | 'identity';

export interface MatchDto {
  readonly id: number;
  readonly at: string;
  readonly examiner: string;
  readonly a: MatchLibraryDto;
  readonly b: MatchLibraryDto;
  readonly threshold: number;
  readonly thresholdSource: string;
  readonly models: readonly string[];
  readonly pairsCompared: number;
  /** More pairs passed the threshold than were kept (see maxPairs). */
  readonly truncated: boolean;
  readonly maxPairs: number;
  /**
   * 'identity': one pair per identity pair, the strongest of its item pairs (items in no identity,
   * subjects and folder photos stand alone; two faces of one identity are not paired). Absent: 'item'.
   */
  readonly by?: MatchBy;
  readonly pairs: readonly MatchPairDto[];
}

/** A stored M:N comparison without its pairs (for the list of runs). */
export type MatchSummaryDto = Omit<MatchDto, 'pairs'> & { readonly pairCount: number };

/** An M:N comparison as the UI shows it: with thumbnails (relative to derived/) of the items that belong to this case, by item key, per side. */
export interface MatchViewDto extends MatchDto {
  readonly thumbnails: { readonly a: Readonly<Record<string, string>>; readonly b: Readonly<Record<string, string>> };
}

/** One face of an identity as listed in its summary and age strip. */
export interface IdentityFaceDto {
  readonly faceId: number;
  readonly trackId: number | null;
  readonly mediaPath: string;
  readonly frameMs: number | null;
  readonly age: number | null;
  readonly capturedAt: string | null;
  readonly quality: number;
  readonly thumbnail: string;
}

export interface IdentityDto {
  readonly id: number;
  readonly name: string | null;
  readonly status: 'auto' | 'confirmed';
  readonly hidden: boolean;
  readonly faceCount: number;
  /** Sightings: photo faces plus video tracks (a track counts once). */
  readonly unitCount: number;
  readonly ageRange: { readonly min: number; readonly max: number } | null;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  readonly sources: readonly string[];
  readonly bestFace: IdentityFaceDto | null;
}

export interface IdentityDetailDto extends IdentityDto {
  /** Up to a dozen faces spread over the identity, ordered by estimated age (unknown ages last). */
  readonly ageStrip: readonly IdentityFaceDto[];
  readonly faces: readonly IdentityFaceDto[];
}

/** Another identity that may be the same person, with the evidence. */
export interface IdentitySuggestionDto {
  readonly identityId: number;
  readonly name: string | null;
  readonly faceCount: number;
  /** Mean age-normalised score over sampled cross pairs (cohort standard deviations). */
  readonly meanZ: number;
  /** The best single pair: its fused cosine and normalised score. */
  readonly bestScore: number;
  readonly bestZ: number;
  readonly ageRange: { readonly min: number; readonly max: number } | null;
  /** Years between the two identities' estimated age ranges (0 when they overlap). */
  readonly ageGap: number | null;
  readonly crossAge: boolean;
  readonly bestFace: IdentityFaceDto | null;
}

/** The outcome of an examiner operation on identities. */
export interface IdentityOpDto {
  readonly op: number;
  readonly kind: 'name' | 'confirm' | 'hide' | 'merge' | 'split' | 'move' | 'reject' | 'undo';
  /** Identities touched (created ones included). */
  readonly identities: readonly number[];
}

export interface ClusterRunDto {
  readonly mode: 'full' | 'incremental';
  readonly units: number;
  readonly newUnits: number;
  readonly faces: number;
  readonly identities: number;
  readonly identitiesWithSeveralUnits: number;
  readonly created: number;
  readonly removed: number;
  readonly seeds: number;
  readonly merges: number;
  /** New sightings too poor to group automatically (quality below MIN_CLUSTER_QUALITY): left on their own. */
  readonly isolated: number;
  readonly constraints: { readonly must: number; readonly cannot: number; readonly locked: number; readonly contradictions: number };
  readonly params: Record<string, number>;
  readonly seconds: number;
}

/** A watchlist of wanted or missing people; every intake is checked against its subjects. */
export interface WatchlistDto {
  readonly id: number;
  readonly name: string;
  /** Alarm at or above this fused score. */
  readonly threshold: number;
  readonly notes: string;
  readonly createdAt: string;
  readonly createdBy: string;
  /** Subjects checked at intake (retired ones not counted). */
  readonly subjects: number;
  /** Subjects retired: kept with their alarms, no longer checked. */
  readonly retired: number;
}

export interface WatchlistSubjectDto {
  readonly id: number;
  readonly name: string;
  readonly watchlist: string;
  /** Reference photos enrolled. */
  readonly refs: number;
  readonly notes: string;
  /** The best reference photo's face (relative to derived/). */
  readonly thumbnail: string | null;
  /** When, by whom and why the subject was retired (found, or no longer wanted); null while checked at intake. */
  readonly retiredAt: string | null;
  readonly retiredBy: string | null;
  readonly retireReason: string | null;
}

/** One reference photo of a watchlist subject; a removed one is kept with when, by whom and why. */
export interface WatchlistPhotoDto {
  readonly id: number;
  readonly fileName: string;
  readonly sha256: string;
  /** Its face (relative to derived/). */
  readonly thumbnail: string;
  readonly age: number | null;
  readonly quality: number;
  readonly removedAt: string | null;
  readonly removedBy: string | null;
  readonly removeReason: string | null;
}

export type AlarmStatus = 'open' | 'confirmed' | 'dismissed';

/** How an alarm queue is read: in the order raised, or the strongest first (ties in the order raised). */
export const ALARM_ORDERS = ['raised', 'score'] as const;
export type AlarmOrder = (typeof ALARM_ORDERS)[number];
export function orderAlarms<T extends { readonly id: number; readonly score: number }>(alarms: readonly T[], order: AlarmOrder): T[] {
  return order === 'score' ? [...alarms].sort((a, b) => b.score - a.score || a.id - b.id) : [...alarms].sort((a, b) => a.id - b.id);
}

/** A face or video sighting that scored at or above its watchlist's threshold against a subject. */
export interface AlarmDto {
  readonly id: number; readonly subjectId: number; readonly subject: string; readonly watchlist: string; readonly faceId: number; readonly trackId: number | null;
  readonly mediaId: number; readonly mediaPath: string; readonly frameMs: number | null; readonly trackStartMs: number | null; readonly trackEndMs: number | null;
  readonly score: number; readonly threshold: number; readonly raisedAt: string; readonly status: AlarmStatus;
  readonly decidedBy: string | null; readonly decidedAt: string | null; readonly decisionNote: string | null;
  /** The alarming face (relative to derived/). */
  readonly thumbnail: string;
  /** The subject's best reference face (relative to derived/). */
  readonly subjectThumbnail: string | null;
  /** Evidence clip of a video alarm (relative to derived/), with its SHA-256; null for photos or when the cut failed. */
  readonly clipPath: string | null; readonly clipSha256: string | null;
  /** Set when the subject was retired from its list since (found, withdrawn): when, and why. */
  readonly subjectRetiredAt: string | null; readonly subjectRetireReason: string | null;
}

/** One thing placed in time: a dated original (photo point, video span) or a sighting of a face. */
export interface TimelineItemDto {
  readonly kind: 'photo' | 'video' | 'sighting';
  readonly mediaId: number;
  /** The face shown (a sighting's face, a track's best face, a media item's first face); null for media without faces. */
  readonly faceId: number | null;
  readonly trackId: number | null;
  /** Milliseconds since 1970 on the recorded clock (a capture time without a zone is taken as UTC). */
  readonly startMs: number;
  readonly endMs: number;
  readonly thumbnail: string | null;
  readonly mediaPath: string;
  readonly identityId: number | null;
}

export interface TimelineLaneDto {
  /** 'media' for every dated original; 'identity:ID' for one identity's sightings. */
  readonly key: string;
  readonly identityId: number | null;
  readonly label: string;
  /** Items of this lane in the window. */
  readonly count: number;
  /** Items starting in each bin of the window. */
  readonly bins: readonly number[];
  /** The items themselves when there are few enough to draw one by one; else null (draw the bins). */
  readonly items: readonly TimelineItemDto[] | null;
}

export interface TimelineDto {
  /** The span of every dated original of the case; null when none has a capture time. */
  readonly extent: { readonly fromMs: number; readonly toMs: number } | null;
  readonly fromMs: number;
  readonly toMs: number;
  readonly binMs: number;
  readonly lanes: readonly TimelineLaneDto[];
  readonly datedMedia: number;
  /** Originals without a capture time: not on the timeline. */
  readonly undatedMedia: number;
}

/** A face drawn over a media preview, in fractions (0–1) of the picture's width and height. */
export interface PreviewBoxDto {
  readonly faceId: number;
  readonly identityId: number | null;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** A small picture of a photo (or of a video's busiest frame) from the verified original, with its faces' boxes. */
export interface MediaPreviewDto {
  readonly mediaId: number;
  /** Relative to derived/; null when the original cannot be used (problem says why). */
  readonly path: string | null;
  readonly problem: string | null;
  /** The video frame shown (null for a photo). */
  readonly frameMs: number | null;
  readonly boxes: readonly PreviewBoxDto[];
}

/** A contact sheet of a video (12 frames at even times, faces outlined), from the verified original. */
export interface ContactSheetDto {
  readonly mediaId: number;
  /** Relative to derived/; null when the original cannot be used (problem says why). */
  readonly path: string | null;
  readonly problem: string | null;
  /** The video time of each frame on the sheet, left to right, top to bottom. */
  readonly times: readonly number[];
}

/** The frame a face was found in, drawn from the verified original with the face outlined. */
export interface FaceFrameDto {
  readonly faceId: number;
  /** Relative to derived/; null when the original cannot be used (problem says why). */
  readonly path: string | null;
  readonly problem: string | null;
  readonly width: number | null;
  readonly height: number | null;
}
