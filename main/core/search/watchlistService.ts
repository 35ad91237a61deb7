import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KestrelError, type WatchlistSubjectDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import type { FacePool } from '../faces/facePool.js';
import { THUMB_SIZE } from '../faces/thumbnailCrop.js';
import { encodeThumbnail } from '../media/imageDecoder.js';
import { probeFromBytes, readPhotoBytes, type ProbeFace } from './probeFaces.js';
import type { AuditRepository } from '../repositories/auditRepository.js';
import type { CaseMetaRepository } from '../repositories/caseMetaRepository.js';
import { blobToVector } from '../repositories/faceRepository.js';
import type { TrackRepository } from '../repositories/trackRepository.js';
import type { AlarmRow, SubjectRefs, WatchlistRepository } from '../repositories/watchlistRepository.js';
import { fusedScore, type EmbeddingSet } from './similarity.js';
import { photoReader, type CaseVault } from '../vault/caseVault.js';

/**
 * Default alarm threshold on the fused cosine. On fgnet_verify the fused score at FAR 1e-3 is 0.58
 * and at 1e-2 0.46; 0.55 sits near FAR 2e-3 there. Measured on real footage: the Hamilton clip's
 * track of the enrolled person scores 0.77 against his reference photo, the next track 0.44.
 */
export const DEFAULT_WATCHLIST_THRESHOLD = 0.55;

const CHECKED_META_KEY = 'watchlist_checked_face_id';

/** A reference photo read for enrolment: its face, and the thumbnail stored for it (relative to derived/). */
export type RefPhoto = ProbeFace & { readonly thumb: string };

export interface WatchlistDeps {
  readonly db: Db;
  readonly watchlists: WatchlistRepository;
  readonly tracks: TrackRepository;
  readonly audit: AuditRepository;
  readonly meta: CaseMetaRepository;
}

/** A subject's best score against one face or template: the best over the subject's reference photos. */
export function subjectScore(s: SubjectRefs, e: EmbeddingSet, models: readonly string[]): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const r of s.refs) {
    const v = fusedScore(r, e, models);
    if (v > best) best = v;
  }
  return best;
}

/**
 * Checks faces against the enrolled subjects and raises alarms above each list's threshold. A photo
 * face is checked by its own embeddings; a video track once, by its quality-weighted template, and
 * its alarm points at the track's best face. Returns the ids of new alarms (each audited).
 */
export function checkFaces(d: WatchlistDeps, o: ({ afterFaceId: number } | { mediaIds: readonly number[] }) & { subjectIds?: readonly number[]; actor: string; models: readonly string[] }): number[] {
  const subjects = d.watchlists.subjectRefs(o.subjectIds);
  if (!subjects.length) return [];
  const raised: number[] = [];
  const seenTracks = new Set<number>();
  // Every face after a face id, or the faces of some media (those an intake has just stored).
  const faces = ('mediaIds' in o
    ? d.db.prepare('SELECT f.id, f.media_id AS mediaId, f.track_id AS trackId FROM faces f WHERE f.media_id IN (SELECT value FROM json_each(?)) ORDER BY f.id').iterate(JSON.stringify(o.mediaIds))
    : d.db.prepare('SELECT f.id, f.media_id AS mediaId, f.track_id AS trackId FROM faces f WHERE f.id > ? ORDER BY f.id').iterate(o.afterFaceId)) as Iterable<{ id: number; mediaId: number; trackId: number | null }>;
  const emb = d.db.prepare('SELECT model_id, vector FROM embeddings WHERE face_id = ?');
  const bestFace = d.db.prepare('SELECT best_face_id FROM tracks WHERE id = ?').pluck();
  const pending: { subjectId: number; faceId: number; trackId: number | null; mediaId: number; score: number; threshold: number; subject: string }[] = [];
  for (const f of faces) {
    let e: EmbeddingSet;
    let faceId = f.id;
    if (f.trackId !== null) {
      if (seenTracks.has(f.trackId)) continue;
      seenTracks.add(f.trackId);
      e = d.tracks.template(f.trackId);
      faceId = bestFace.get(f.trackId) as number;
    } else {
      const r: Record<string, Float32Array> = {};
      for (const row of emb.all(f.id) as { model_id: string; vector: Buffer }[]) r[row.model_id] = blobToVector(row.vector);
      e = r;
    }
    for (const s of subjects) {
      const score = subjectScore(s, e, o.models);
      if (!(score >= s.threshold)) continue;
      if (f.trackId !== null && d.watchlists.hasTrackAlarm(s.subjectId, f.trackId)) continue;
      pending.push({ subjectId: s.subjectId, faceId, trackId: f.trackId, mediaId: f.mediaId, score, threshold: s.threshold, subject: s.name });
    }
  }
  d.db.transaction(() => {
    for (const p of pending) {
      const id = d.watchlists.raise(p);
      if (id === null) continue;
      raised.push(id);
      d.audit.append(o.actor, 'alarm.raised', `alarm:${id}`, { subject: p.subjectId, name: p.subject, face: p.faceId, track: p.trackId, media: p.mediaId, score: Math.round(p.score * 10000) / 10000, threshold: p.threshold });
    }
  })();
  return raised;
}

/** Checks the faces added since the last check (after each intake); remembers how far it got. */
export function checkNewFaces(d: WatchlistDeps, actor: string, models: readonly string[]): number[] {
  const after = Number(d.meta.get(CHECKED_META_KEY) ?? 0);
  const maxId = d.db.prepare('SELECT coalesce(max(id), 0) FROM faces').pluck().get() as number;
  if (maxId <= after) return [];
  const raised = checkFaces(d, { afterFaceId: after, actor, models });
  d.meta.set(CHECKED_META_KEY, String(maxId));
  return raised;
}

function checkThreshold(threshold: number): void {
  if (!(threshold > -1 && threshold <= 1)) throw new KestrelError('INVALID_INPUT', `A watchlist threshold is a fused cosine in (-1, 1] (got ${threshold})`);
}

/**
 * Examiner operations on watchlists: create, enrol (then check the case), add photos, retire and
 * reinstate subjects, change a list's threshold, decide alarms. Each is audited.
 */
export class WatchlistService {
  constructor(
    private readonly d: WatchlistDeps, private readonly pool: () => Promise<FacePool>, private readonly derivedDir: string, private readonly vault: CaseVault, private readonly models: readonly string[],
  ) {}

  create(o: { name: string; threshold?: number; notes?: string; examiner: string }): number {
    const name = o.name.trim();
    if (!name) throw new KestrelError('INVALID_INPUT', 'A watchlist needs a name');
    const threshold = o.threshold ?? DEFAULT_WATCHLIST_THRESHOLD;
    checkThreshold(threshold);
    return this.d.db.transaction(() => {
      const id = this.d.watchlists.create(name, threshold, o.notes ?? '', o.examiner);
      this.d.audit.append(o.examiner, 'watchlist.created', `watchlist:${id}`, { name, threshold });
      return id;
    })();
  }

  async enrol(o: { watchlist: string; name: string; photos: readonly string[]; notes?: string; examiner: string }): Promise<{ subjectId: number; alarms: number[] }> {
    const list = this.d.watchlists.byName(o.watchlist);
    if (!list) throw new KestrelError('NOT_FOUND', `No watchlist named '${o.watchlist}' in this case (kestrel watchlist create)`);
    if (!o.name.trim()) throw new KestrelError('INVALID_INPUT', 'A subject needs a name');
    if (!o.photos.length) throw new KestrelError('INVALID_INPUT', 'Enrolment needs at least one reference photo');
    const refs = await this.readRefs(o.photos);
    const subjectId = this.d.db.transaction(() => {
      const id = this.d.watchlists.addSubject(list.id, o.name.trim(), o.notes ?? '', o.examiner);
      this.storeRefs(id, refs);
      this.d.audit.append(o.examiner, 'watchlist.enrolled', `subject:${id}`, { watchlist: list.name, name: o.name.trim(), photos: refs.map((r) => r.sha256) });
      return id;
    })();
    return { subjectId, alarms: this.checkCase([subjectId], o.examiner) };
  }

  /** More reference photos of an enrolled subject (another age, another angle); the case is checked for them at once. */
  async addPhotos(o: { subjectId: number; photos: readonly string[]; examiner: string }): Promise<{ alarms: number[] }> {
    const s = this.subject(o.subjectId);
    if (!o.photos.length) throw new KestrelError('INVALID_INPUT', 'Adding photos needs at least one reference photo');
    const refs = await this.readRefs(o.photos);
    this.d.db.transaction(() => {
      this.storeRefs(s.id, refs);
      this.d.audit.append(o.examiner, 'watchlist.photos_added', `subject:${s.id}`, { watchlist: s.watchlist, name: s.name, photos: refs.map((r) => r.sha256) });
    })();
    // A retired subject keeps its new photos for when it is put back, and is not checked meanwhile.
    return { alarms: s.retiredAt ? [] : this.checkCase([s.id], o.examiner) };
  }

  /**
   * A reference photo taken off a subject (a wrong photo): no longer used to check or match, kept
   * with who removed it and why. Alarms it raised stay for the examiner's decision. A subject keeps
   * at least one photo (retire it instead).
   */
  removePhoto(o: { subjectId: number; photoId: number; reason: string; examiner: string }): { photos: number } {
    const s = this.subject(o.subjectId);
    const photo = this.d.watchlists.photos(s.id).find((p) => p.id === o.photoId);
    if (!photo) throw new KestrelError('NOT_FOUND', `Subject ${s.id} '${s.name}' has no reference photo ${o.photoId} (kestrel watchlist photos)`);
    if (photo.removedAt) throw new KestrelError('INVALID_INPUT', `Photo ${photo.id} (${photo.fileName}) was removed already (${photo.removedAt} by ${photo.removedBy})`);
    const reason = o.reason.trim();
    if (!reason) throw new KestrelError('INVALID_INPUT', 'Removing a reference photo needs a reason');
    if (s.refs <= 1) throw new KestrelError('INVALID_INPUT', `Photo ${photo.id} is the last reference photo of '${s.name}': retire the subject instead, or add another photo first`);
    this.d.db.transaction(() => {
      this.d.watchlists.removePhoto(photo.id, o.examiner, reason);
      this.d.audit.append(o.examiner, 'watchlist.photo_removed', `subject:${s.id}`, { watchlist: s.watchlist, name: s.name, photo: photo.id, file: photo.fileName, sha256: photo.sha256, reason });
    })();
    return { photos: s.refs - 1 };
  }

  /**
   * Takes a subject off its list (found, or no longer wanted): intake no longer checks it and M:N
   * leaves it out; its photos and alarms stay, and open alarms still await a decision.
   */
  retire(o: { subjectId: number; reason: string; examiner: string }): { openAlarms: number } {
    const s = this.subject(o.subjectId);
    const reason = o.reason.trim();
    if (!reason) throw new KestrelError('INVALID_INPUT', 'Retiring a subject needs a reason (found, withdrawn, ...)');
    if (s.retiredAt) throw new KestrelError('INVALID_INPUT', `Subject ${s.id} '${s.name}' was retired already (${s.retiredAt} by ${s.retiredBy})`);
    this.d.db.transaction(() => {
      this.d.watchlists.setRetired(s.id, { by: o.examiner, reason });
      this.d.audit.append(o.examiner, 'watchlist.subject_retired', `subject:${s.id}`, { watchlist: s.watchlist, name: s.name, reason });
    })();
    return { openAlarms: this.d.watchlists.alarms('open').filter((a) => a.subjectId === s.id).length };
  }

  /** Puts a retired subject back on its list; the whole case is checked for it (intake went on without it). */
  reinstate(o: { subjectId: number; examiner: string }): { alarms: number[] } {
    const s = this.subject(o.subjectId);
    if (!s.retiredAt) throw new KestrelError('INVALID_INPUT', `Subject ${s.id} '${s.name}' is on its list already`);
    this.d.db.transaction(() => {
      this.d.watchlists.setRetired(s.id, null);
      this.d.audit.append(o.examiner, 'watchlist.subject_reinstated', `subject:${s.id}`, { watchlist: s.watchlist, name: s.name, retiredAt: s.retiredAt, retiredBy: s.retiredBy, reason: s.retireReason });
    })();
    return { alarms: this.checkCase([s.id], o.examiner) };
  }

  /**
   * A list's new alarm threshold (audited with the old one). Lowered, the case is checked again and
   * faces now at or above it alarm; raised, alarms already raised stay as they are (each records the
   * threshold it was raised at), and the open ones now below it are counted for the examiner.
   */
  setThreshold(o: { watchlist: string; threshold: number; examiner: string }): { alarms: number[]; openBelow: number } {
    const list = this.d.watchlists.byName(o.watchlist);
    if (!list) throw new KestrelError('NOT_FOUND', `No watchlist named '${o.watchlist}' in this case`);
    checkThreshold(o.threshold);
    this.d.db.transaction(() => {
      this.d.watchlists.setThreshold(list.id, o.threshold);
      this.d.audit.append(o.examiner, 'watchlist.threshold_changed', `watchlist:${list.id}`, { name: list.name, before: list.threshold, after: o.threshold });
    })();
    const subjectIds = this.d.watchlists.subjects().filter((s) => s.watchlist === list.name).map((s) => s.id);
    const alarms = o.threshold < list.threshold ? this.checkCase(subjectIds, o.examiner) : [];
    const openBelow = this.d.watchlists.alarms('open').filter((a) => a.watchlist === list.name && a.score < o.threshold).length;
    return { alarms, openBelow };
  }

  private subject(id: number): WatchlistSubjectDto {
    const s = this.d.watchlists.subjects(id)[0];
    if (!s) throw new KestrelError('NOT_FOUND', `No watchlist subject ${id} in this case (kestrel watchlist list)`);
    return s;
  }

  checkCase(subjectIds: readonly number[], actor: string): number[] {
    return checkFaces(this.d, { afterFaceId: 0, subjectIds, actor, models: this.models });
  }

  /**
   * Reads each reference photo's face (one face per photo, or refused), stores its thumbnail and keeps
   * the photo itself in the case (under derived/watchlist/photos/, by SHA-256; encrypted with the case):
   * what an alarm was compared against stays with the case, and a list can be shared with its photos.
   */
  async readRefs(photos: readonly string[]): Promise<RefPhoto[]> {
    const pool = await this.pool();
    const read = photoReader(this.vault, this.derivedDir);
    const refs: { probe: ProbeFace; bytes: Buffer }[] = [];
    for (const p of photos) {
      const bytes = await readPhotoBytes(p, read);
      refs.push({ probe: await probeFromBytes(pool, p, bytes), bytes });
    }
    await mkdir(join(this.derivedDir, 'watchlist', 'photos'), { recursive: true, mode: 0o700 });
    const out: RefPhoto[] = [];
    for (const { probe: r, bytes } of refs) {
      const rel = join('watchlist', `${r.sha256}.jpg`);
      await this.vault.writeFile(join(this.derivedDir, rel), await encodeThumbnail(r.face.thumb, THUMB_SIZE));
      const kept = this.refPhotoPath(r.sha256);
      if (!existsSync(kept)) await this.vault.writeFile(kept, bytes);
      out.push({ ...r, thumb: rel });
    }
    return out;
  }

  /** Where a reference photo is kept in the case (photos enrolled by earlier versions were not kept). */
  refPhotoPath(sha256: string): string {
    return join(this.derivedDir, 'watchlist', 'photos', sha256);
  }

  storeRefs(subjectId: number, refs: readonly RefPhoto[]): void {
    for (const r of refs) this.d.watchlists.addRef(subjectId, { sha256: r.sha256, fileName: r.fileName, thumb: r.thumb, age: r.face.age, quality: r.face.quality.overall, embeddings: r.face.embeddings });
  }

  decide(id: number, status: 'confirmed' | 'dismissed', examiner: string, note: string): AlarmRow {
    return this.d.db.transaction(() => {
      const before = this.d.watchlists.alarms(undefined, id)[0];
      if (!before) throw new KestrelError('NOT_FOUND', `No alarm ${id} in this case`);
      this.d.watchlists.decide(id, status, examiner, note);
      this.d.audit.append(examiner, `alarm.${status}`, `alarm:${id}`, { before: before.status, after: status, note, subject: before.subjectId, face: before.faceId, score: before.score });
      return this.d.watchlists.alarms(undefined, id)[0]!;
    })();
  }
}
