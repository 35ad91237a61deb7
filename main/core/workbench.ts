import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  KestrelError, callInputSchemas, type CallName, type CallParsedInput, type CallResult, type CaseInfo, type EventName, type EventPayloads, type FaceRef,
  type IdentityOpDto, type IdentityOpInput, type IngestSummary, type JobProgress, type ProfileName,
} from '../contract/index.js';
import { ModelStore, defaultModelsDir } from '../../models/modelStore.js';
import { openDatabase, schemaVersion, type Db } from './db/database.js';
import { PlainVault, SealedVault, photoReader, type CaseVault } from './vault/caseVault.js';
import { createCaseKey, isEncryptedCase, unlockCaseKey } from './vault/caseKey.js';
import { AuditRepository } from './repositories/auditRepository.js';
import { CaseMetaRepository } from './repositories/caseMetaRepository.js';
import { FaceRepository } from './repositories/faceRepository.js';
import { JobRepository } from './repositories/jobRepository.js';
import { MediaRepository } from './repositories/mediaRepository.js';
import { ModelRepository } from './repositories/modelRepository.js';
import { SourceRepository } from './repositories/sourceRepository.js';
import { IngestService } from './intake/ingestService.js';
import { TrackRepository } from './repositories/trackRepository.js';
import { resolveFfmpeg } from './media/ffmpegPath.js';
import { FacePool } from './faces/facePool.js';
import { defaultWorkerLayout, engineConfigFor } from './faces/engineConfig.js';
import { engineModels } from './faces/faceEngine.js';
import { KESTREL_VERSION } from './version.js';
import { SearchRepository } from './repositories/searchRepository.js';
import { DEFAULT_INDEX_TUNING, FaceIndex, type IndexStatus, type IndexTuning } from './search/faceIndex.js';
import { runSearch, type SearchRequest } from './search/searchService.js';
import type { CompareDto, MatchDto, SearchDto } from '../contract/index.js';
import { MatchRepository } from './repositories/matchRepository.js';
import { ClipRepository, type ClipRow } from './repositories/clipRepository.js';
import { createClip, type ClipDeps, type ClipRequest } from './video/evidenceClip.js';
import { runMatch, type MatchRequest } from './search/matchService.js';
import { compareFaces, photoFace, profileCalibration, type CompareFace } from './search/compareService.js';
import { WatchlistRepository, type AlarmRow, type AlarmStatus } from './repositories/watchlistRepository.js';
import { checkFaces, checkNewFaces, WatchlistService, type WatchlistDeps } from './search/watchlistService.js';
import { exportWatchlist, importWatchlist, type ShareDeps } from './search/watchlistSharing.js';
import { IdentityRepository } from './repositories/identityRepository.js';
import { runClustering, type ClusterDeps } from './identities/clusterService.js';
import { DEFAULT_CLUSTER_PARAMS } from './identities/identityClustering.js';
import { IdentityOperations } from './identities/identityOperations.js';
import { identityDetail, identitySuggestions, listIdentities } from './identities/identityQueries.js';
import type { ClusterRunDto, IdentityDetailDto, IdentityDto, IdentitySuggestionDto } from '../contract/index.js';
import { storeProbeUpload } from './search/probeUploads.js';
import { AnnotationRepository } from './repositories/annotationRepository.js';
import { ComparisonRepository } from './repositories/comparisonRepository.js';
import { ExportRepository } from './repositories/exportRepository.js';
import { timeline } from './timeline/timelineQuery.js';
import { faceFrame } from './timeline/faceFrame.js';
import { mediaPreview } from './media/mediaPreview.js';
import { contactSheet } from './media/contactSheet.js';
import { matchView } from './search/matchView.js';
import type { DerivedPictureDeps } from './media/derivedPicture.js';
import { AnnotationService } from './annotations/annotationService.js';
import { runExport, type ExportOptions } from './export/exportService.js';
import type { ExportSummaryDto } from '../contract/index.js';

export interface WorkbenchOptions {
  readonly caseDir: string;
  readonly modelsDir?: string;
  /** Used by video intake; resolved by resolveFfmpeg() when absent. */
  readonly ffmpegPath?: string;
  /** Intake does not start, and stops cleanly, below this much free space on the case's disk (default 200 MiB). */
  readonly minFreeBytes?: number;
  /** An image whose decoding takes longer is recorded as 'timeout' (default 120 s). */
  readonly decodeTimeoutMs?: number;
  readonly log?: (msg: string) => void;
  /** Profile for a new case; for an existing case it must match (or be omitted). */
  readonly profile?: ProfileName;
  /** The examiner recorded on case creation. */
  readonly examiner?: string;
  /** The case's name when it is created (default: its folder's name). */
  readonly name?: string;
  /** Refuse to create a case that does not exist yet. */
  readonly mustExist?: boolean;
  readonly workers?: number;
  readonly threads?: number;
  /** The case password: opens an encrypted case; with `encrypt`, makes a new case encrypted. */
  readonly password?: string;
  /** Make a new case encrypted at rest under `password` (database and every derived file). */
  readonly encrypt?: boolean;
  /** The face index's tuning (default DEFAULT_INDEX_TUNING); tests lower its exact limit to run the graph on a few faces. */
  readonly indexTuning?: IndexTuning;
  /** How often intake checks the media it has finished against the watchlists (default INTAKE_ALARM_CHECK_MS; 0: after each). */
  readonly alarmCheckMs?: number;
}

/**
 * Intake checks the media it has finished against the watchlists at most this often, so that an
 * alarm is raised while a long intake goes on (100,000 photos take hours here), not at its end.
 */
export const INTAKE_ALARM_CHECK_MS = 2000;

export const CASE_DB_FILE = 'case.sqlite';

export interface CompareRequest {
  /** A photo path or face:ID of a face stored in the case. */
  readonly a: string;
  readonly b: string;
  /** Known ages (years) at the time of each photo, or null to use the estimates. */
  readonly ageA: number | null;
  readonly ageB: number | null;
  readonly threshold?: number;
  readonly examiner: string;
}

export interface Workbench {
  readonly caseDir: string;
  readonly profile: ProfileName;
  info(): CaseInfo;
  ingest(paths: readonly string[], opts: { examiner: string; signal?: AbortSignal; onProgress?: (p: JobProgress) => void }): Promise<IngestSummary>;
  invoke<C extends CallName>(call: C, input: unknown): Promise<CallResult<C>>;
  on<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): () => void;
  /** 1:N search of the case with one or several probe photos of one person; the search is stored. */
  search(req: SearchRequest): Promise<SearchDto>;
  createWatchlist(o: { name: string; threshold?: number; notes?: string; examiner: string }): number;
  /** Enrols a subject from reference photos and checks the whole case for them at once; returns new alarm ids. */
  enrol(o: { watchlist: string; name: string; photos: readonly string[]; notes?: string; examiner: string }): Promise<{ subjectId: number; alarms: number[] }>;
  /** Writes a list and its subjects' reference photos into a new or empty folder (to check other cases against it). */
  exportWatchlist(o: { watchlist: string; out: string; examiner: string }): Promise<{ subjects: number; photos: number; manifestSha256: string }>;
  /** Creates a list from an exported folder (every photo checked against its SHA-256 first) and checks the case for it. */
  importWatchlist(o: { from: string; name?: string; examiner: string }): Promise<{ watchlistId: number; name: string; subjects: number; photos: number; alarms: number[] }>;
  /** More reference photos of an enrolled subject; the case is checked for them at once (unless the subject is retired). */
  addSubjectPhotos(o: { subjectId: number; photos: readonly string[]; examiner: string }): Promise<{ alarms: number[] }>;
  /** Takes a wrong reference photo off a subject (kept with why, no longer used); returns the photos left. */
  removeSubjectPhoto(o: { subjectId: number; photoId: number; reason: string; examiner: string }): { photos: number };
  /** Takes a subject off its list (kept with its alarms, no longer checked); returns its open alarms' count. */
  retireSubject(o: { subjectId: number; reason: string; examiner: string }): { openAlarms: number };
  /** Puts a retired subject back and checks the whole case for it. */
  reinstateSubject(o: { subjectId: number; examiner: string }): Promise<{ alarms: number[] }>;
  /** A list's new threshold: lowered, the case is checked again; raised, open alarms now below it are counted. */
  setWatchlistThreshold(o: { watchlist: string; threshold: number; examiner: string }): Promise<{ alarms: number[]; openBelow: number }>;
  /** An examiner's decision on an alarm, audited with the state before and after. */
  decideAlarm(id: number, status: 'confirmed' | 'dismissed', examiner: string, note: string): AlarmRow;
  /** The case's vector index, up to date with the database. */
  faceIndex(): FaceIndex;
  /** Builds the vector index again from the database (the source of truth); audited. */
  rebuildIndex(examiner: string): IndexStatus & { readonly seconds: number };
  /** 1:1 comparison of two faces (photo paths or face:ID of this case), audited as compare.run. */
  compare(o: CompareRequest): Promise<CompareDto>;
  /** Cuts an evidence clip of a track (or a media span) from the verified original; audited. */
  clip(req: ClipRequest): Promise<ClipRow>;
  /** M:N: every face, track or subject of library A against library B; stored and audited. */
  match(req: MatchRequest): Promise<MatchDto>;
  /** Clusters the case into identities (incremental unless full; see clusterService); audited. */
  cluster(o: { full?: boolean; examiner: string }): Promise<ClusterRunDto>;
  listIdentities(o?: { includeHidden?: boolean; minFaces?: number }): IdentityDto[];
  identity(id: number): IdentityDetailDto;
  identitySuggestions(id: number, limit?: number): IdentitySuggestionDto[];
  /** Examiner operations on identities (name, confirm, hide, merge, split, move, reject, undo); audited. */
  readonly identityOps: IdentityOperations;
  /** Tags, notes, bookmarks and conclusions; each audited, none ever deleted. */
  readonly annotations: AnnotationService;
  /** Writes an evidence export (report, data, CASE/UCO, crops, frames, manifest); audited. */
  exportCase(o: ExportOptions): Promise<ExportSummaryDto & { manifest: string }>;
  /** Verifies the profile's models and starts the face workers now rather than at the first intake. */
  prepare(): Promise<void>;
  readonly repos: {
    readonly faces: FaceRepository; readonly media: MediaRepository; readonly audit: AuditRepository; readonly sources: SourceRepository; readonly tracks: TrackRepository;
    readonly searches: SearchRepository; readonly watchlists: WatchlistRepository; readonly matches: MatchRepository; readonly clips: ClipRepository;
    readonly identities: IdentityRepository; readonly annotations: AnnotationRepository; readonly comparisons: ComparisonRepository; readonly exports: ExportRepository;
  };
  readonly models: ModelStore;
  readonly db: Db;
  /** Every derived file is read and written through it (sealed in an encrypted case). */
  readonly vault: CaseVault;
  dispose(): Promise<void>;
  /** Whether an intake or export is running (a case is not closed under one). */
  busy(): boolean;
}

const withoutUndefined = <T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };

/**
 * The case's vault: sealed when the case has a key file (unlocked with the password), plain otherwise.
 * A new case is made encrypted when asked; an existing plain case is never encrypted in place.
 */
async function openVault(caseDir: string, isNew: boolean, opts: WorkbenchOptions): Promise<CaseVault> {
  if (isEncryptedCase(caseDir)) return new SealedVault(caseDir, await unlockCaseKey(caseDir, opts.password));
  if (!opts.encrypt) return new PlainVault();
  if (!isNew) throw new KestrelError('INVALID_INPUT', `The case at ${caseDir} exists unencrypted; a case is encrypted when it is created (export it, or make a new encrypted case)`);
  if (!opts.password) throw new KestrelError('CASE_PASSWORD_REQUIRED', 'An encrypted case needs a password (in the app, the password field; on the command line, --password-file FILE or KESTREL_CASE_PASSWORD)');
  return new SealedVault(caseDir, await createCaseKey(caseDir, opts.password));
}

/** The single composition root: the CLI, the Electron shell, the server and the tests all start here. */
export async function createWorkbench(opts: WorkbenchOptions): Promise<Workbench> {
  const caseDir = resolve(opts.caseDir);
  const dbFile = join(caseDir, CASE_DB_FILE);
  const log = opts.log ?? (() => undefined);
  const isNew = !existsSync(dbFile);
  if (isNew && opts.mustExist) throw new KestrelError('CASE_NOT_FOUND', `No Kestrel case at ${caseDir} (no ${CASE_DB_FILE})`);
  if (isNew) {
    try {
      await mkdir(join(caseDir, 'derived'), { recursive: true, mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new KestrelError(code === 'EROFS' || code === 'EACCES' || code === 'EPERM' ? 'CASE_READ_ONLY' : code === 'ENOSPC' ? 'DISK_FULL' : 'IO_ERROR',
        `Cannot create the case folder ${caseDir}: ${(err as Error).message}`, { cause: err });
    }
  }
  const vault = await openVault(caseDir, isNew, opts);
  const models = await ModelStore.open(opts.modelsDir ?? defaultModelsDir());
  const db = openDatabase(dbFile, { key: vault.databaseKey });
  try {
    const meta = new CaseMetaRepository(db);
    const audit = new AuditRepository(db);
    let profile = meta.get('profile') as ProfileName | null;
    if (!profile) {
      profile = opts.profile ?? 'accurate';
      const examiner = opts.examiner ?? 'unknown';
      db.transaction(() => {
        meta.set('profile', profile!);
        meta.set('name', opts.name ?? basename(caseDir));
        meta.set('created_at', new Date().toISOString());
        meta.set('created_by', examiner);
        meta.set('created_with', `Kestrel ${KESTREL_VERSION}`);
        audit.append(examiner, 'case.created', `case:${basename(caseDir)}`, { profile, kestrel: KESTREL_VERSION });
      })();
    } else if (opts.profile && opts.profile !== profile) {
      throw new KestrelError('PROFILE_MISMATCH', `This case uses the '${profile}' profile; it cannot be processed with '${opts.profile}' (embeddings would not be comparable)`);
    }
    db.transaction(() => {
      for (const j of new JobRepository(db).markInterrupted()) {
        audit.append(opts.examiner ?? 'unknown', 'job.interrupted', `job:${j.id}`, { kind: j.kind, started: j.createdAt, progress: j.progress });
      }
    })();
    return new WorkbenchImpl(caseDir, profile, db, models, vault, opts, log);
  } catch (err) {
    db.close();
    throw err;
  }
}

class WorkbenchImpl implements Workbench {
  readonly repos;
  readonly annotations: AnnotationService;
  private readonly meta: CaseMetaRepository;
  private readonly jobs: JobRepository;
  private readonly modelRows: ModelRepository;
  private readonly ingestService: IngestService;
  private poolPromise: Promise<FacePool> | null = null;
  private index: FaceIndex | null = null;
  private readonly listeners = new Map<EventName, Set<(p: never) => void>>();
  private readonly running = new Map<number, AbortController>();
  /** Intakes and exports in progress (from their first step, before they have a job id). */
  private activeJobs = 0;
  /** The ffmpeg binary: configured path, else ffmpeg-static's, else PATH (resolved at each use). */
  private readonly ffmpeg = (): string => resolveFfmpeg(this.opts.ffmpegPath ?? process.env['KESTREL_FFMPEG']);
  private pictureDeps(): DerivedPictureDeps {
    return { exports: this.repos.exports, derivedDir: join(this.caseDir, 'derived'), vault: this.vault, ffmpeg: this.ffmpeg };
  }

  constructor(
    readonly caseDir: string,
    readonly profile: ProfileName,
    readonly db: Db,
    readonly models: ModelStore,
    readonly vault: CaseVault,
    private readonly opts: WorkbenchOptions,
    private readonly log: (msg: string) => void,
  ) {
    this.repos = {
      faces: new FaceRepository(db), media: new MediaRepository(db), audit: new AuditRepository(db), sources: new SourceRepository(db), tracks: new TrackRepository(db),
      searches: new SearchRepository(db), watchlists: new WatchlistRepository(db), matches: new MatchRepository(db), clips: new ClipRepository(db),
      identities: new IdentityRepository(db), annotations: new AnnotationRepository(db), comparisons: new ComparisonRepository(db), exports: new ExportRepository(db),
    };
    this.annotations = new AnnotationService({ db, annotations: this.repos.annotations, audit: this.repos.audit });
    this.meta = new CaseMetaRepository(db);
    this.jobs = new JobRepository(db);
    this.modelRows = new ModelRepository(db);
    this.ingestService = new IngestService({
      db, sources: this.repos.sources, media: this.repos.media, faces: this.repos.faces, jobs: this.jobs, audit: this.repos.audit,
      derivedDir: join(caseDir, 'derived'), vault, pool: () => this.pool(), log, tracks: this.repos.tracks,
      ffmpeg: this.ffmpeg,
    });
  }

  private pool(): Promise<FacePool> {
    this.poolPromise ??= (async () => {
      const layout = defaultWorkerLayout(availableParallelism());
      let config = await engineConfigFor(this.models, this.profile, this.opts.threads ?? layout.threads);
      // A case whose faces were found before its profile gained a landmark model keeps the pipeline
      // it was made with: one case never mixes two ways of aligning faces.
      const recorded = this.modelRows.list();
      if (config.landmarker && recorded.length > 0 && !recorded.some((r) => r.id === config.landmarker?.spec.id)) config = { ...config, landmarker: null };
      // Record exactly which weights produce this case's data.
      this.db.transaction(() => {
        for (const m of engineModels(config)) {
          const role = m === config.landmarker ? 'landmarker' : m.spec.role;
          this.modelRows.ensure({ id: m.spec.id, sha256: m.spec.sha256, role, dim: m.spec.output.kind === 'embedding' ? m.spec.output.dim : null, version: m.spec.version });
        }
      })();
      return FacePool.create(config, this.opts.workers ?? layout.workers);
    })();
    this.poolPromise.catch(() => { this.poolPromise = null; });
    return this.poolPromise;
  }

  faceIndex(): FaceIndex {
    const index = this.indexObject();
    index.refresh();
    return index;
  }

  /** The index object, not yet brought up to date (which may load or build it). */
  private indexObject(): FaceIndex {
    if (!this.index) {
      const p = this.models.profile(this.profile);
      const models = p.recognizers.map((id) => {
        const spec = this.models.spec(id);
        if (spec.output.kind !== 'embedding') throw new KestrelError('MODEL_INVALID', `${id} is not a recognizer`);
        return { id, dim: spec.output.dim };
      });
      this.index = new FaceIndex(this.db, join(this.caseDir, 'derived', 'index'), this.vault, models, this.opts.indexTuning);
    }
    return this.index;
  }

  rebuildIndex(examiner: string): IndexStatus & { readonly seconds: number } {
    const t0 = performance.now();
    // Not brought up to date first: a damaged saved index would be built twice.
    const index = this.indexObject();
    index.rebuild();
    const after = index.status();
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    this.repos.audit.append(examiner, 'index.rebuilt', 'index:faces', { after, seconds });
    return { ...after, seconds };
  }

  /** The face index if this case has more faces than an exact scan serves (so it is a graph), else null; reads no vectors otherwise. */
  private graphIndex(): FaceIndex | null {
    const faces = this.db.prepare('SELECT count(*) FROM faces').pluck().get() as number;
    return faces > (this.opts.indexTuning ?? DEFAULT_INDEX_TUNING).exactLimit ? this.faceIndex() : null;
  }

  private recognizerIds(): string[] {
    return [...this.models.profile(this.profile).recognizers];
  }

  private clusterDeps(): ClusterDeps {
    const models = this.recognizerIds().map((id) => {
      const spec = this.models.spec(id);
      return { id, dim: spec.output.kind === 'embedding' ? spec.output.dim : 0 };
    });
    return {
      db: this.db, identities: this.repos.identities, meta: this.meta, audit: this.repos.audit, models, threads: this.opts.threads ?? availableParallelism(),
      params: DEFAULT_CLUSTER_PARAMS, cache: { dir: join(this.caseDir, 'derived', 'identities'), vault: this.vault },
    };
  }

  async cluster(o: { full?: boolean; examiner: string }): Promise<ClusterRunDto> {
    const r = await runClustering(this.clusterDeps(), { full: o.full ?? false, examiner: o.examiner });
    this.emit('case.changed', { what: 'identities' });
    return r;
  }

  listIdentities(o: { includeHidden?: boolean; minFaces?: number } = {}): IdentityDto[] {
    return listIdentities(this.clusterDeps(), o);
  }

  identity(id: number): IdentityDetailDto {
    return identityDetail(this.clusterDeps(), id);
  }

  identitySuggestions(id: number, limit?: number): IdentitySuggestionDto[] {
    return identitySuggestions(this.clusterDeps(), id, limit);
  }

  get identityOps(): IdentityOperations {
    return new IdentityOperations({ db: this.db, identities: this.repos.identities, audit: this.repos.audit });
  }

  private watchlistDeps(): WatchlistDeps {
    return { db: this.db, watchlists: this.repos.watchlists, tracks: this.repos.tracks, audit: this.repos.audit, meta: this.meta };
  }

  createWatchlist(o: { name: string; threshold?: number; notes?: string; examiner: string }): number {
    return this.watchlistService().create(o);
  }

  async enrol(o: { watchlist: string; name: string; photos: readonly string[]; notes?: string; examiner: string }): Promise<{ subjectId: number; alarms: number[] }> {
    const r = await this.watchlistService().enrol(o);
    await this.alarmsRaised(r.alarms, o.examiner);
    return r;
  }

  /** Writes a list and its subjects' reference photos into a new or empty folder (audited). */
  exportWatchlist(o: { watchlist: string; out: string; examiner: string }): Promise<{ subjects: number; photos: number; manifestSha256: string }> {
    return exportWatchlist(this.shareDeps(), o);
  }

  /** Creates a list from an exported folder (every photo checked first) and checks the case for its subjects. */
  async importWatchlist(o: { from: string; name?: string; examiner: string }): Promise<{ watchlistId: number; name: string; subjects: number; photos: number; alarms: number[] }> {
    const r = await importWatchlist(this.shareDeps(), o);
    await this.alarmsRaised(r.alarms, o.examiner);
    // The new list shows whether or not it raised alarms.
    if (!r.alarms.length) this.emit('case.changed', { what: 'alarms' });
    return r;
  }

  private shareDeps(): ShareDeps {
    return { d: this.watchlistDeps(), service: this.watchlistService(), vault: this.vault, caseName: this.meta.get('name') ?? basename(this.caseDir) };
  }

  async addSubjectPhotos(o: { subjectId: number; photos: readonly string[]; examiner: string }): Promise<{ alarms: number[] }> {
    const r = await this.watchlistService().addPhotos(o);
    await this.alarmsRaised(r.alarms, o.examiner);
    return r;
  }

  removeSubjectPhoto(o: { subjectId: number; photoId: number; reason: string; examiner: string }): { photos: number } {
    const r = this.watchlistService().removePhoto(o);
    this.emit('case.changed', { what: 'alarms' });
    return r;
  }

  retireSubject(o: { subjectId: number; reason: string; examiner: string }): { openAlarms: number } {
    const r = this.watchlistService().retire(o);
    this.emit('case.changed', { what: 'alarms' });
    return r;
  }

  async reinstateSubject(o: { subjectId: number; examiner: string }): Promise<{ alarms: number[] }> {
    const r = this.watchlistService().reinstate(o);
    // The subject's status changed whether or not it raised alarms: the UI hears of it once.
    if (r.alarms.length) await this.clipAlarms(r.alarms, o.examiner);
    this.emit('case.changed', { what: 'alarms' });
    return r;
  }

  async setWatchlistThreshold(o: { watchlist: string; threshold: number; examiner: string }): Promise<{ alarms: number[]; openBelow: number }> {
    const r = this.watchlistService().setThreshold(o);
    if (r.alarms.length) await this.clipAlarms(r.alarms, o.examiner);
    this.emit('case.changed', { what: 'alarms' });
    return r;
  }

  /** New alarms get their clips, and the UI hears of them. */
  private async alarmsRaised(alarms: readonly number[], examiner: string): Promise<void> {
    if (!alarms.length) return;
    await this.clipAlarms(alarms, examiner);
    this.emit('case.changed', { what: 'alarms' });
  }

  clip(req: ClipRequest): Promise<ClipRow> {
    return createClip(this.clipDeps(), req);
  }

  private clipDeps(): ClipDeps {
    return {
      db: this.db, clips: this.repos.clips, audit: this.repos.audit, derivedDir: join(this.caseDir, 'derived'), vault: this.vault,
      ffmpeg: this.ffmpeg,
    };
  }

  /**
   * Watchlist checks while an intake runs: the media it finishes are checked together at most every
   * alarmCheckMs; each alarm is raised, audited and announced at once, and its clip cut beside the
   * intake. The intake's end check (checkNewFaces) then finds these faces alarmed already.
   */
  private alarmsDuringIntake(examiner: string): { mediaDone: (mediaId: number) => void; raised: () => number[]; clipped: () => Promise<void> } {
    const every = this.opts.alarmCheckMs ?? INTAKE_ALARM_CHECK_MS;
    const waiting: number[] = [];
    const raised: number[] = [];
    let last = performance.now();
    let clips: Promise<void> = Promise.resolve();
    const models = this.recognizerIds();
    return {
      mediaDone: (mediaId) => {
        waiting.push(mediaId);
        if (performance.now() - last < every) return;
        last = performance.now();
        let ids: number[];
        try {
          ids = checkFaces(this.watchlistDeps(), { mediaIds: waiting.splice(0), actor: examiner, models });
        } catch (err) {
          // Intake goes on; its end check sees these faces again.
          this.log(`watchlist check during intake failed: ${(err as Error).message}`);
          return;
        }
        if (!ids.length) return;
        raised.push(...ids);
        this.emit('case.changed', { what: 'alarms' });
        clips = clips.then(() => this.clipAlarms(ids, examiner)).then(() => this.emit('case.changed', { what: 'alarms' }))
          .catch((err: unknown) => this.log(`clips for alarms ${ids.join(', ')} failed: ${(err as Error).message}`));
      },
      raised: () => raised,
      clipped: () => clips,
    };
  }

  /**
   * Every alarm on a video track gets an evidence clip of the sighting. A clip that cannot be cut
   * (original moved or changed, ffmpeg missing) leaves the alarm standing and is audited with why.
   */
  private async clipAlarms(alarmIds: readonly number[], examiner: string): Promise<void> {
    for (const a of this.repos.clips.alarmsWithoutClip(alarmIds)) {
      try {
        const c = await createClip(this.clipDeps(), { trackId: a.trackId, reason: `alarm ${a.id}`, examiner });
        this.repos.clips.attachToAlarm(a.id, c.id);
      } catch (err) {
        this.log(`clip for alarm ${a.id} failed: ${(err as Error).message}`);
        this.repos.audit.append(examiner, 'clip.failed', `alarm:${a.id}`, { track: a.trackId, error: (err as Error).message });
      }
    }
  }

  decideAlarm(id: number, status: 'confirmed' | 'dismissed', examiner: string, note: string): AlarmRow {
    return this.watchlistService().decide(id, status, examiner, note);
  }

  private watchlistService(): WatchlistService {
    return new WatchlistService(this.watchlistDeps(), () => this.pool(), join(this.caseDir, 'derived'), this.vault, this.recognizerIds());
  }

  search(req: SearchRequest): Promise<SearchDto> {
    return runSearch({
      db: this.db, pool: () => this.pool(), index: () => this.faceIndex(), faces: this.repos.faces, tracks: this.repos.tracks,
      searches: this.repos.searches, audit: this.repos.audit, readPhoto: photoReader(this.vault, join(this.caseDir, 'derived')),
    }, req);
  }

  async compare(o: CompareRequest): Promise<CompareDto> {
    const side = async (ref: string, givenAge: number | null): Promise<CompareFace> => {
      const m = /^face:(\d+)$/.exec(ref);
      if (!m) return photoFace(await this.pool(), ref, givenAge, photoReader(this.vault, join(this.caseDir, 'derived')));
      const id = Number(m[1]);
      const f = this.repos.faces.get(id);
      const e = this.repos.faces.embeddingsOf([id]).get(id);
      if (!f || !e) throw new KestrelError('NOT_FOUND', `No face ${id} in this case`);
      return {
        label: `face ${id} in ${f.mediaPath}`, sha256: null, faceId: f.id, box: f.box, estimatedAge: f.age, givenAge,
        quality: f.quality, otherFaces: 0, embeddings: e.embeddings,
      };
    };
    const [a, b] = await Promise.all([side(o.a, o.ageA), side(o.b, o.ageB)]);
    const r = compareFaces(a, b, {
      profile: this.profile, models: this.recognizerIds(), calibration: profileCalibration(this.models, this.profile),
      ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
    });
    const ref = (s: CompareDto['a']): string => (s.faceId !== null ? `face:${s.faceId}` : `photo:${s.sha256}`);
    const comparisonId = this.db.transaction(() => {
      const id = this.repos.comparisons.insert({ at: new Date().toISOString(), examiner: o.examiner, refA: ref(r.a), refB: ref(r.b), result: r });
      this.repos.audit.append(o.examiner, 'compare.run', `comparison:${id} ${ref(r.a)} ${ref(r.b)}`, {
        comparison: id, a: { ref: ref(r.a), label: r.a.label, age: r.a.age, ageSource: r.a.ageSource }, b: { ref: ref(r.b), label: r.b.label, age: r.b.age, ageSource: r.b.ageSource },
        fused: r.fused, log10Lr: r.evidence?.log10Lr ?? null, condition: r.evidence?.condition ?? null, threshold: r.threshold, decision: r.decision,
        warnings: r.warnings.map((w) => (w.side ? `${w.side}:${w.code}` : w.code)),
      });
      return id;
    })();
    return { ...r, comparisonId };
  }

  exportCase(o: ExportOptions): Promise<ExportSummaryDto & { manifest: string }> {
    const models = this.modelRows.list().map((m) => {
      let licence = 'unknown';
      try { licence = this.models.spec(m.id).licence; } catch { /* a model no longer in the manifest keeps its recorded hash */ }
      return { id: m.id, role: m.role, version: m.version, sha256: m.sha256, licence };
    });
    const p = DEFAULT_CLUSTER_PARAMS;
    const lists = this.repos.watchlists.list().map((l) => `${l.name}: ${l.threshold}`).join('; ');
    return runExport({
      exports: this.repos.exports, annotations: this.repos.annotations, searches: this.repos.searches, watchlists: this.repos.watchlists, comparisons: this.repos.comparisons,
      clips: this.repos.clips, sources: this.repos.sources, audit: this.repos.audit, caseDir: this.caseDir, vault: this.vault, caseName: this.meta.get('name') ?? basename(this.caseDir),
      caseMeta: { profile: this.profile, createdAt: this.meta.get('created_at') ?? '', createdBy: this.meta.get('created_by') ?? '' },
      software: 'Kestrel', version: KESTREL_VERSION, models,
      thresholds: {
        en: [
          ['identity clustering', `fused cosine >= ${p.sureScore} always links; otherwise z-normalised scores (seed z ${p.seedZ}, merge z ${p.mergeZ}); see README "Identities"`],
          ['1:N search', 'per search, as shown with each search (top-k and optional threshold)'],
          ['watchlist alarms', lists || 'no watchlists'],
          ['1:1 comparison', 'false-accept rate 1e-3 on the calibration data unless the examiner gave one (shown with each comparison)'],
        ],
        zh: [
          ['身份聚类', `融合余弦 >= ${p.sureScore} 时总是关联；否则按 z 归一化分数（种子 z ${p.seedZ}，合并 z ${p.mergeZ}）；见 README "Identities"`],
          ['1:N 检索', '每次检索各自设定，随每次检索列出（top-k 及可选阈值）'],
          ['布控告警', lists || '无布控名单'],
          ['1:1 比对', '校准数据上误识率 1e-3 的阈值，检验人另行给定的除外（随每次比对列出）'],
        ],
      },
      ffmpeg: this.ffmpeg,
    }, o);
  }

  match(req: MatchRequest): Promise<MatchDto> {
    const models = this.recognizerIds().map((id) => {
      const spec = this.models.spec(id);
      return { id, dim: spec.output.kind === 'embedding' ? spec.output.dim : 0, sha256: spec.sha256 };
    });
    return runMatch({
      caseDb: this.db, caseName: basename(this.caseDir), pool: () => this.pool(), watchlists: this.repos.watchlists, matches: this.repos.matches,
      audit: this.repos.audit, models, calibration: profileCalibration(this.models, this.profile)?.calibration ?? null, graphIndex: () => this.graphIndex(),
    }, req);
  }

  async prepare(): Promise<void> {
    await this.pool();
  }

  info(): CaseInfo {
    return {
      caseDir: this.caseDir,
      encrypted: this.vault.encrypted,
      name: this.meta.get('name') ?? basename(this.caseDir),
      profile: this.profile,
      createdAt: this.meta.get('created_at') ?? '',
      createdBy: this.meta.get('created_by') ?? '',
      schemaVersion: schemaVersion(this.db),
      counts: {
        sources: this.repos.sources.count(),
        media: this.repos.media.count(),
        faces: this.repos.faces.count(),
        errors: this.repos.media.errors().length,
        openAlarms: this.repos.watchlists.openAlarmCount(),
      },
    };
  }

  async ingest(paths: readonly string[], o: { examiner: string; signal?: AbortSignal; onProgress?: (p: JobProgress) => void }): Promise<IngestSummary> {
    // Every intake is cancellable by job id (job.cancel), whether or not the caller passed a signal.
    const ac = new AbortController();
    const onAbort = (): void => ac.abort();
    o.signal?.addEventListener('abort', onAbort);
    let jobId: number | null = null;
    this.activeJobs++;
    const alarms = this.alarmsDuringIntake(o.examiner);
    try {
      const summary = await this.ingestService.ingest(paths, {
        examiner: o.examiner,
        signal: ac.signal,
        ...(this.opts.minFreeBytes === undefined ? {} : { minFreeBytes: this.opts.minFreeBytes }),
        ...(this.opts.decodeTimeoutMs === undefined ? {} : { decodeTimeoutMs: this.opts.decodeTimeoutMs }),
        onMediaDone: alarms.mediaDone,
        onProgress: (p) => {
          if (jobId === null) {
            jobId = p.jobId;
            this.running.set(jobId, ac);
          }
          o.onProgress?.(p);
          this.emit('job.progressed', p);
        },
      });
      this.emit('case.changed', { what: 'faces' });
      // What the checks during intake have not seen (the last media, faces left by an interrupted
      // run) is checked now; a face already alarmed is not raised again.
      const atEnd = checkNewFaces(this.watchlistDeps(), o.examiner, this.recognizerIds());
      const raised = [...alarms.raised(), ...atEnd];
      // Once a case has identities, new faces join them (or form new ones) after every intake.
      if (summary.faces > 0 && this.repos.identities.all().length) await this.cluster({ examiner: o.examiner });
      await alarms.clipped();
      if (atEnd.length) {
        await this.clipAlarms(atEnd, o.examiner);
        this.emit('case.changed', { what: 'alarms' });
      }
      // A graph index takes in the new faces now, after the alarms, rather than at the next search
      // (a case below the exact limit has nothing to build).
      if (summary.faces > 0) this.graphIndex();
      return { ...summary, alarms: raised.length };
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      if (jobId !== null) this.running.delete(jobId);
      this.activeJobs--;
    }
  }

  async invoke<C extends CallName>(call: C, input: unknown): Promise<CallResult<C>> {
    const parsed = callInputSchemas[call].safeParse(input ?? {});
    if (!parsed.success) throw new KestrelError('INVALID_INPUT', `${call}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
    const p = parsed.data as Record<string, unknown>;
    const result = await this.dispatch(call, p);
    return result as CallResult<C>;
  }

  private async dispatch(call: CallName, p: Record<string, unknown>): Promise<unknown> {
    switch (call) {
      case 'case.info':
        return this.info();
      case 'cases.recent':
      case 'case.open':
      case 'case.create':
        throw new KestrelError('INVALID_INPUT', `${call} is answered by the app (a CaseHost), not by an open case`);
      case 'sources.list':
        return { sources: this.repos.sources.list() };
      case 'media.list': {
        const q = p as CallParsedInput<'media.list'>;
        const filter = withoutUndefined(q.filter);
        return { media: this.repos.media.list(q.offset, q.limit, filter), total: this.repos.media.count(filter) };
      }
      case 'media.preview':
        return mediaPreview(this.pictureDeps(), p['mediaId'] as number);
      case 'media.contactSheet':
        return contactSheet(this.pictureDeps(), p['mediaId'] as number);
      case 'faces.list': {
        const mediaId = p['mediaId'] as number | undefined;
        return {
          faces: this.repos.faces.list(p['offset'] as number, p['limit'] as number, mediaId as never),
          total: mediaId === undefined ? this.repos.faces.count() : this.repos.faces.countForMedia(mediaId as never),
        };
      }
      case 'intake.errors':
        return { errors: this.repos.media.errors() };
      case 'tracks.list': {
        const mediaId = p['mediaId'] as number | undefined;
        return {
          tracks: this.repos.tracks.list(p['offset'] as number, p['limit'] as number, mediaId as never),
          total: this.repos.tracks.count(mediaId as never),
        };
      }
      case 'ingest.start':
        return this.ingest(p['paths'] as string[], { examiner: p['examiner'] as string });
      case 'job.cancel': {
        const ac = this.running.get(p['jobId'] as number);
        ac?.abort();
        return { cancelled: !!ac };
      }
      case 'audit.list':
        return {
          entries: this.repos.audit.newest(p['limit'] as number, p['offset'] as number).map(({ id, at, actor, action, target, details }) => ({ id, at, actor, action, target, details })),
          total: this.repos.audit.count(),
        };
      case 'audit.verify': {
        const v = this.repos.audit.verify();
        return { ok: v.ok, rows: v.rows, firstBadId: v.firstBadId, problem: v.problem, headHash: v.ok ? v.headHash : null };
      }
      case 'models.list':
        return { models: await this.models.list() };
      case 'identities.list':
        return { identities: this.listIdentities({ includeHidden: p['includeHidden'] as boolean, minFaces: p['minFaces'] as number }) };
      case 'identity.get':
        return this.identity(p['id'] as number);
      case 'identity.suggestions':
        return { suggestions: this.identitySuggestions(p['id'] as number, p['limit'] as number) };
      case 'identities.cluster':
        return this.cluster({ full: p['full'] as boolean, examiner: p['examiner'] as string });
      case 'identity.op':
        return this.identityOp(p as IdentityOpInput);
      case 'search.run': {
        const q = p as CallParsedInput<'search.run'>;
        const probes: string[] = [];
        for (const r of q.probes) probes.push(await this.faceRefPath(r));
        return this.search({ probes, top: q.top, threshold: q.threshold, filters: withoutUndefined(q.filters), examiner: q.examiner, by: q.by });
      }
      case 'match.run': {
        const q = p as CallParsedInput<'match.run'>;
        return matchView(this.db, await this.match(withoutUndefined({ a: q.a, b: q.b, threshold: q.threshold, maxPairs: q.maxPairs, by: q.by, examiner: q.examiner })));
      }
      case 'matches.list':
        return { matches: this.repos.matches.list(p['limit'] as number, p['offset'] as number) };
      case 'match.get': {
        const m = this.repos.matches.get(p['id'] as number);
        if (!m) throw new KestrelError('NOT_FOUND', `No M:N comparison ${String(p['id'])} in this case`);
        return matchView(this.db, m);
      }
      case 'searches.list':
        return { searches: this.repos.searches.list(p['limit'] as number, p['offset'] as number) };
      case 'search.get': {
        const s = this.repos.searches.get(p['id'] as number);
        if (!s) throw new KestrelError('NOT_FOUND', `No search ${String(p['id'])} in this case`);
        return s;
      }
      case 'compare.run': {
        const q = p as CallParsedInput<'compare.run'>;
        return this.compare({ a: await this.faceRefPath(q.a), b: await this.faceRefPath(q.b), ageA: q.ageA, ageB: q.ageB, examiner: q.examiner });
      }
      case 'annotations.list': {
        const q = p as CallParsedInput<'annotations.list'>;
        const f = withoutUndefined({ target: q.target, kind: q.kind, tag: q.tag, query: q.query, includeWithdrawn: q.includeWithdrawn });
        return { annotations: this.repos.annotations.list(f, q.offset, q.limit), total: this.repos.annotations.count(f) };
      }
      case 'annotation.add': {
        const q = p as CallParsedInput<'annotation.add'>;
        const a = this.annotations.add(q);
        this.emit('case.changed', { what: 'annotations' });
        return a;
      }
      case 'annotation.withdraw': {
        const a = this.annotations.withdraw(p['id'] as number, p['reason'] as string, p['examiner'] as string);
        this.emit('case.changed', { what: 'annotations' });
        return a;
      }
      case 'tags.list':
        return { tags: this.repos.annotations.tags() };
      case 'tag.define':
        return this.annotations.defineTag(p['name'] as string, p['description'] as string, p['examiner'] as string);
      case 'comparisons.list':
        return { comparisons: this.repos.comparisons.list(p['offset'] as number, p['limit'] as number) };
      case 'timeline.get': {
        const q = p as CallParsedInput<'timeline.get'>;
        return timeline(this.db, q);
      }
      case 'face.frame':
        return faceFrame(this.pictureDeps(), p['faceId'] as number);
      case 'watchlists.list':
        return { watchlists: this.repos.watchlists.list(), subjects: this.repos.watchlists.subjects() };
      case 'watchlist.create': {
        const q = p as CallParsedInput<'watchlist.create'>;
        const id = this.createWatchlist(withoutUndefined({ name: q.name, threshold: q.threshold, notes: q.notes, examiner: q.examiner }));
        this.emit('case.changed', { what: 'alarms' });
        return this.repos.watchlists.list().find((w) => w.id === id)!;
      }
      case 'watchlist.enrol': {
        const q = p as CallParsedInput<'watchlist.enrol'>;
        const photos: string[] = [];
        for (const r of q.photos) photos.push(await this.faceRefPath(r));
        return this.enrol({ watchlist: q.watchlist, name: q.name, notes: q.notes, photos, examiner: q.examiner });
      }
      case 'watchlist.addPhotos': {
        const q = p as CallParsedInput<'watchlist.addPhotos'>;
        const photos: string[] = [];
        for (const r of q.photos) photos.push(await this.faceRefPath(r));
        return this.addSubjectPhotos({ subjectId: q.subjectId, photos, examiner: q.examiner });
      }
      case 'watchlist.photos':
        return { photos: this.repos.watchlists.photos(p['subjectId'] as number) };
      case 'watchlist.removePhoto': {
        const q = p as CallParsedInput<'watchlist.removePhoto'>;
        return this.removeSubjectPhoto({ subjectId: q.subjectId, photoId: q.photoId, reason: q.reason, examiner: q.examiner });
      }
      case 'watchlist.retire': {
        const q = p as CallParsedInput<'watchlist.retire'>;
        return this.retireSubject({ subjectId: q.subjectId, reason: q.reason, examiner: q.examiner });
      }
      case 'watchlist.reinstate': {
        const q = p as CallParsedInput<'watchlist.reinstate'>;
        return this.reinstateSubject({ subjectId: q.subjectId, examiner: q.examiner });
      }
      case 'watchlist.threshold': {
        const q = p as CallParsedInput<'watchlist.threshold'>;
        return this.setWatchlistThreshold({ watchlist: q.watchlist, threshold: q.threshold, examiner: q.examiner });
      }
      case 'watchlist.export': {
        const q = p as CallParsedInput<'watchlist.export'>;
        return this.exportWatchlist({ watchlist: q.watchlist, out: q.out, examiner: q.examiner });
      }
      case 'watchlist.import': {
        const q = p as CallParsedInput<'watchlist.import'>;
        return this.importWatchlist(withoutUndefined({ from: q.from, name: q.name || undefined, examiner: q.examiner }));
      }
      case 'alarms.list':
        return { alarms: this.repos.watchlists.alarms(p['status'] as AlarmStatus | undefined) };
      case 'alarm.decide': {
        const q = p as CallParsedInput<'alarm.decide'>;
        const a = this.decideAlarm(q.id, q.status, q.examiner, q.note);
        this.emit('case.changed', { what: 'alarms' });
        return a;
      }
      case 'export.run':
        return this.runExportJob(p as CallParsedInput<'export.run'>);
      default: {
        const never: never = call;
        throw new KestrelError('INVALID_INPUT', `unknown call ${String(never)}`);
      }
    }
  }

  /** An export started from the UI: a job with progress events and cancellation, like intake. */
  private async runExportJob(q: CallParsedInput<'export.run'>): Promise<ExportSummaryDto> {
    const jobId = this.jobs.create('export', { out: q.out, select: q.select, formats: q.formats });
    const ac = new AbortController();
    this.running.set(jobId, ac);
    this.activeJobs++;
    const progress = (phase: JobProgress['phase'], done: number, total: number): void => this.emit('job.progressed', { jobId, kind: 'export', phase, done, total, currentPath: null });
    try {
      const { manifest: _manifest, ...summary } = await this.exportCase({
        out: q.out, select: q.select, formats: q.formats, lang: q.lang, redact: q.redact, originals: q.originals, clips: q.clips, frames: q.frames, examiner: q.examiner, signal: ac.signal,
        onProgress: (e) => progress(e.phase === 'done' ? 'done' : 'processing', e.done, e.total),
      });
      this.jobs.finish(jobId, 'done');
      return summary;
    } catch (err) {
      const cancelled = err instanceof KestrelError && err.code === 'CANCELLED';
      this.jobs.finish(jobId, cancelled ? 'cancelled' : 'failed', (err as Error).message);
      progress(cancelled ? 'cancelled' : 'failed', 0, 0);
      throw err;
    } finally {
      this.running.delete(jobId);
      this.activeJobs--;
    }
  }

  /** A probe or compared face as search and compare take it: `face:ID` or a photo path (uploads are kept in the case first). */
  private async faceRefPath(r: FaceRef): Promise<string> {
    if ('faceId' in r) return `face:${r.faceId}`;
    if ('path' in r) return resolve(r.path);
    return storeProbeUpload(this.vault, join(this.caseDir, 'derived'), r.upload.name, r.upload.base64);
  }

  private identityOp(o: IdentityOpInput): IdentityOpDto {
    const ops = this.identityOps;
    const r = (() => {
      switch (o.kind) {
        case 'name': return ops.name(o.id, o.name, o.examiner);
        case 'confirm': return ops.confirm(o.id, o.examiner);
        case 'hide': return ops.hide(o.id, o.hidden, o.examiner);
        case 'merge': return ops.merge(o.ids, o.examiner);
        case 'split': return ops.split(o.id, o.faces, o.examiner);
        case 'move': return ops.move(o.faces, o.to, o.examiner);
        case 'reject': return ops.reject(o.id, o.faces, o.examiner);
        case 'undo': return ops.undo(o.examiner);
      }
    })();
    this.emit('case.changed', { what: 'identities' });
    return r;
  }

  on<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(cb as (p: never) => void);
    return () => set.delete(cb as (p: never) => void);
  }

  private emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    for (const cb of this.listeners.get(event) ?? []) {
      try {
        (cb as (p: EventPayloads[E]) => void)(payload);
      } catch (err) {
        this.log(`listener for ${event} failed: ${(err as Error).message}`);
      }
    }
  }

  busy(): boolean {
    return this.activeJobs > 0;
  }

  async dispose(): Promise<void> {
    for (const ac of this.running.values()) ac.abort();
    if (this.poolPromise) {
      try {
        await (await this.poolPromise).dispose();
      } catch {
        // a pool that failed to start has nothing to dispose
      }
    }
    this.listeners.clear();
    this.db.close();
  }
}
