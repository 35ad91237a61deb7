import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KestrelError } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import type { FacePool } from '../faces/facePool.js';
import { THUMB_SIZE } from '../faces/thumbnailCrop.js';
import { encodeThumbnail } from '../media/imageDecoder.js';
import { readProbe, type ProbeFace } from './probeFaces.js';
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
export function checkFaces(d: WatchlistDeps, o: { afterFaceId: number; subjectId?: number; actor: string; models: readonly string[] }): number[] {
  const subjects = d.watchlists.subjectRefs(o.subjectId);
  if (!subjects.length) return [];
  const raised: number[] = [];
  const seenTracks = new Set<number>();
  const faces = d.db.prepare('SELECT f.id, f.media_id AS mediaId, f.track_id AS trackId FROM faces f WHERE f.id > ? ORDER BY f.id')
    .iterate(o.afterFaceId) as Iterable<{ id: number; mediaId: number; trackId: number | null }>;
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

/** Examiner operations on watchlists: create, enrol (then check the case), decide alarms. Each is audited. */
export class WatchlistService {
  constructor(
    private readonly d: WatchlistDeps, private readonly pool: () => Promise<FacePool>, private readonly derivedDir: string, private readonly vault: CaseVault, private readonly models: readonly string[],
  ) {}

  create(o: { name: string; threshold?: number; notes?: string; examiner: string }): number {
    const name = o.name.trim();
    if (!name) throw new KestrelError('INVALID_INPUT', 'A watchlist needs a name');
    const threshold = o.threshold ?? DEFAULT_WATCHLIST_THRESHOLD;
    if (!(threshold > -1 && threshold <= 1)) throw new KestrelError('INVALID_INPUT', `A watchlist threshold is a fused cosine in (-1, 1] (got ${threshold})`);
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
    const pool = await this.pool();
    const refs: ProbeFace[] = [];
    for (const p of o.photos) refs.push(await readProbe(pool, p, photoReader(this.vault, this.derivedDir)));
    const dir = join(this.derivedDir, 'watchlist');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const thumbs: string[] = [];
    for (const r of refs) {
      const rel = join('watchlist', `${r.sha256}.jpg`);
      await this.vault.writeFile(join(this.derivedDir, rel), await encodeThumbnail(r.face.thumb, THUMB_SIZE));
      thumbs.push(rel);
    }
    const subjectId = this.d.db.transaction(() => {
      const id = this.d.watchlists.addSubject(list.id, o.name.trim(), o.notes ?? '', o.examiner);
      refs.forEach((r, i) => this.d.watchlists.addRef(id, { sha256: r.sha256, fileName: r.fileName, thumb: thumbs[i]!, age: r.face.age, quality: r.face.quality.overall, embeddings: r.face.embeddings }));
      this.d.audit.append(o.examiner, 'watchlist.enrolled', `subject:${id}`, { watchlist: list.name, name: o.name.trim(), photos: refs.map((r) => r.sha256) });
      return id;
    })();
    const alarms = checkFaces(this.d, { afterFaceId: 0, subjectId, actor: o.examiner, models: this.models });
    return { subjectId, alarms };
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
