import { KestrelError, type SearchBy, type SearchDto, type SearchFilters, type SearchProbeDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import type { FacePool } from '../faces/facePool.js';
import type { AuditRepository } from '../repositories/auditRepository.js';
import type { FaceRepository } from '../repositories/faceRepository.js';
import type { SearchRepository } from '../repositories/searchRepository.js';
import type { TrackRepository } from '../repositories/trackRepository.js';
import type { FaceIndex } from './faceIndex.js';
import { fusedVector } from './fusedVector.js';
import { readProbe } from './probeFaces.js';
import { DEFAULT_RANKING, onePerIdentity, rankCandidates, type Candidate, type RankingParams } from './ranking.js';
import { fusedScore } from './similarity.js';

export interface SearchRequest {
  /** Photos of one person, or `face:ID` for a face already in the case; several combine into one query. */
  readonly probes: readonly string[];
  readonly top: number;
  readonly threshold: number | null;
  readonly filters: SearchFilters;
  readonly examiner: string;
  readonly ranking?: RankingParams;
  /** One result per face or track (default), or one per identity. */
  readonly by?: SearchBy;
}

export interface SearchDeps {
  readonly db: Db;
  readonly pool: () => Promise<FacePool>;
  readonly index: () => FaceIndex;
  readonly faces: FaceRepository;
  readonly tracks: TrackRepository;
  readonly searches: SearchRepository;
  readonly audit: AuditRepository;
  /** Reads a probe photo (an upload kept in the case goes through its vault). */
  readonly readPhoto: (path: string) => Promise<Buffer>;
}

type Key = { readonly faceId: number; readonly trackId: number | null };

/** Faces a retrieval stage fetches per probe for each result asked (tracks collapse many faces into one result). */
export const FETCH_PER_RESULT = 3;

/**
 * 1:N search: probes -> index shortlist -> track templates replace their faces -> the shared
 * re-ranking -> threshold and top-k -> stored with an audit row. Returns the stored search.
 */
export async function runSearch(d: SearchDeps, req: SearchRequest): Promise<SearchDto> {
  if (!req.probes.length) throw new KestrelError('INVALID_INPUT', 'search needs at least one probe photo');
  if (!Number.isInteger(req.top) || req.top < 1 || req.top > 1000) throw new KestrelError('INVALID_INPUT', `--top must be 1..1000 (got ${req.top})`);
  checkRanges(req.filters);
  const ranking = req.ranking ?? DEFAULT_RANKING;
  const probes: SearchProbe[] = [];
  for (const p of req.probes) probes.push(await searchProbe(d, p));
  const probeFaceIds = new Set(probes.flatMap((p) => p.sameSighting));
  const index = d.index();
  const models = index.models.map((m) => m.id);
  const dims = index.models.map((m) => m.dim);
  const filtered = hasFilters(req.filters) ? filteredFaceIds(d.db, req.filters) : null;
  const fetch = Math.max(ranking.shortlist, req.top) * FETCH_PER_RESULT;
  const best = new Map<number, number>();
  for (const p of probes) {
    const q = fusedVector(p.embeddings, models, dims);
    const hits = filtered ? index.searchAmong(q, fetch, filtered) : index.search(q, fetch);
    // A face used as a probe (and the rest of its video track) is not a result of its own search.
    for (const h of hits) if (!probeFaceIds.has(h.faceId)) best.set(h.faceId, Math.max(best.get(h.faceId) ?? -Infinity, h.score));
  }
  const candidates = toCandidates(d, index, [...best.entries()].sort((a, b) => b[1] - a[1]).map((e) => e[0]), models);
  const passing = rankCandidates(probes.map((p) => p.embeddings), candidates, models, ranking)
    .filter((r) => req.threshold === null || r.score >= req.threshold);
  const by = req.by ?? 'face';
  const ranked = (by === 'identity' ? onePerIdentity(passing, identitiesOf(d.db, passing.map((r) => r.key.faceId))) : passing).slice(0, req.top);
  const probeDtos: SearchProbeDto[] = probes.map(({ embeddings: _e, sameSighting: _s, ...dto }) => dto);
  const params = { top: req.top, threshold: req.threshold, filters: req.filters, ranking, index: index.mode, ...(by === 'identity' ? { by } : {}) };
  const id = d.db.transaction(() => {
    const sid = d.searches.insert({
      kind: 'search', examiner: req.examiner, probes: probeDtos, params, models, facesSearched: filtered ? filtered.length : index.size,
      results: ranked.map((r) => ({ faceId: r.key.faceId, trackId: r.key.trackId, score: r.score, rankScore: r.rankScore })),
    });
    d.audit.append(req.examiner, 'search.run', `search:${sid}`, { probes: probeDtos.map((p) => p.sha256), params, results: ranked.length });
    return sid;
  })();
  return d.searches.get(id)!;
}

type SearchProbe = SearchProbeDto & { readonly embeddings: Record<string, Float32Array>; readonly sameSighting: readonly number[] };

/** A probe photo (read, never written) or `face:ID`, a face stored in the case (its photo's hash is recorded). */
async function searchProbe(d: SearchDeps, ref: string): Promise<SearchProbe> {
  const m = /^face:(\d+)$/.exec(ref);
  if (!m) {
    // The inference workers start only for a probe photo (a stored face has its embeddings).
    const p = await readProbe(await d.pool(), ref, d.readPhoto);
    // A probe photo that is itself evidence of the case: its face there is the probe, not a result.
    const own = sameFaceInCase(d, p.sha256, p.face.embeddings);
    return { fileName: p.fileName, sha256: p.sha256, faceId: own, ...(own === null ? {} : { inCase: true }), age: p.face.age, quality: p.face.quality.overall, otherFaces: p.otherFaces, embeddings: p.face.embeddings, sameSighting: own === null ? [] : [own] };
  }
  const id = Number(m[1]);
  const f = d.faces.get(id);
  const e = d.faces.embeddingsOf([id]).get(id);
  if (!f || !e) throw new KestrelError('NOT_FOUND', `No face ${id} in this case`);
  const sha = d.db.prepare('SELECT sha256 FROM media WHERE id = ?').pluck().get(f.mediaId) as string;
  const sameSighting = e.trackId === null ? [id] : (d.db.prepare('SELECT id FROM faces WHERE track_id = ?').pluck().all(e.trackId) as number[]);
  return { fileName: `face ${id} in ${f.mediaPath}`, sha256: sha, faceId: id, age: f.age, quality: f.quality.overall, otherFaces: 0, embeddings: e.embeddings, sameSighting };
}

/** At or above this fused cosine a stored face of the same photo is the probe's face itself (the same pixels through the same models give 1 to rounding). */
const SAME_FACE = 0.999;

/**
 * The stored face a probe photo's face is, when the photo (by SHA-256) is already in the case; null
 * when it is not, or when none of its faces is the probe's (another face of a group photo was taken,
 * or the case was analysed by other models).
 */
function sameFaceInCase(d: SearchDeps, sha256: string, embeddings: Record<string, Float32Array>): number | null {
  const ids = d.db.prepare('SELECT f.id FROM media m JOIN faces f ON f.media_id = m.id WHERE m.sha256 = ?').pluck().all(sha256) as number[];
  if (!ids.length) return null;
  const stored = d.faces.embeddingsOf(ids);
  const models = Object.keys(embeddings);
  let best: number | null = null;
  let bestScore = SAME_FACE;
  for (const id of ids) {
    const e = stored.get(id);
    if (!e || !models.every((m) => e.embeddings[m])) continue;
    const s = fusedScore(embeddings, e.embeddings, models);
    if (s >= bestScore) { best = id; bestScore = s; }
  }
  return best;
}

/**
 * Shortlisted faces become candidates: a photo face stands for itself; the faces of one video track
 * become one candidate, the track's template, shown by its face that best matches the probes.
 */
function toCandidates(d: SearchDeps, index: FaceIndex, faceIds: readonly number[], models: readonly string[]): Candidate<Key>[] {
  // The shortlist's embeddings come from the index's memory: reading them from the database costs
  // a random read per face (22 ms for 600 faces at 200k faces with a warm cache, seconds cold).
  const embeddings = index.embeddingsOf(faceIds);
  const tracks = d.faces.trackIdsOf(faceIds);
  const out: Candidate<Key>[] = [];
  const seenTracks = new Set<number>();
  for (const id of faceIds) {
    const e = embeddings.get(id);
    const trackId = tracks.get(id);
    if (!e || trackId === undefined) continue;
    if (trackId === null) {
      out.push({ key: { faceId: id, trackId: null }, embeddings: e });
      continue;
    }
    if (seenTracks.has(trackId)) continue;
    seenTracks.add(trackId);
    // faceIds are in descending raw score, so this face is the track's best match to the probes.
    const template = d.tracks.template(trackId);
    out.push({ key: { faceId: id, trackId }, embeddings: models.every((m) => template[m]) ? template : e });
  }
  return out;
}

/** The identity of each candidate's face (a track's candidate is its best-matching face), read in one query. */
function identitiesOf(db: Db, faceIds: readonly number[]): (r: { key: Key }) => number | null {
  const rows = faceIds.length
    ? db.prepare(`SELECT id, identity_id FROM faces WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(faceIds)) as { id: number; identity_id: number | null }[]
    : [];
  const of = new Map(rows.map((r) => [r.id, r.identity_id]));
  return (r) => of.get(r.key.faceId) ?? null;
}

/** A filter range that can hold nothing is the examiner's slip, said at once rather than stored as a search of no faces. */
function checkRanges(f: SearchFilters): void {
  if (f.ageMin !== undefined && f.ageMax !== undefined && f.ageMin > f.ageMax) throw new KestrelError('INVALID_INPUT', `the age range is empty: from ${f.ageMin} to ${f.ageMax} years`);
  // A bare last day includes that whole day, so a first moment on that day still falls inside.
  const to = f.capturedTo !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(f.capturedTo) ? `${f.capturedTo}\uffff` : f.capturedTo;
  if (f.capturedFrom !== undefined && to !== undefined && f.capturedFrom > to) throw new KestrelError('INVALID_INPUT', `the capture date range is empty: from ${f.capturedFrom} to ${f.capturedTo}`);
}

function hasFilters(f: SearchFilters): boolean {
  return f.ageMin !== undefined || f.ageMax !== undefined || f.capturedFrom !== undefined || f.capturedTo !== undefined || f.sourceId !== undefined;
}

/** Faces that pass the filters. Unknown estimated ages or capture dates do not pass an age or date filter. */
function filteredFaceIds(db: Db, f: SearchFilters): number[] {
  const media: string[] = [];
  const face: string[] = [];
  // Arguments in the order of their conditions: the media's, then the faces'.
  const mediaArgs: (string | number)[] = [];
  const faceArgs: number[] = [];
  if (f.sourceId !== undefined) { media.push('m.id IN (SELECT media_id FROM media_locations WHERE source_id = ?)'); mediaArgs.push(f.sourceId); }
  if (f.capturedFrom !== undefined) { media.push('m.captured_at >= ?'); mediaArgs.push(f.capturedFrom); }
  // A bare day ('2019-12-31', as a date field gives it) includes that whole day.
  if (f.capturedTo !== undefined) { media.push(/^\d{4}-\d{2}-\d{2}$/.test(f.capturedTo) ? "m.captured_at < date(?, '+1 day')" : 'm.captured_at <= ?'); mediaArgs.push(f.capturedTo); }
  if (f.ageMin !== undefined) { face.push('f.age >= ?'); faceArgs.push(f.ageMin); }
  if (f.ageMax !== undefined) { face.push('f.age <= ?'); faceArgs.push(f.ageMax); }
  if (!media.length) return db.prepare(`SELECT f.id FROM faces f WHERE ${face.join(' AND ')}`).pluck().all(...faceArgs) as number[];
  // Media first (CROSS JOIN keeps that order; dates through the media_captured index), then their
  // faces through the faces_media index: the wide face rows are read only for an age condition. A
  // date filter passing a fifth of 200k faces: 70 -> 28 ms; a source holding every face: 200 -> 110 ms.
  // No ORDER BY: searchAmong sorts the ids itself (a source holding 1M faces: 590 -> 436 ms).
  return db.prepare(`SELECT f.id FROM media m CROSS JOIN faces f ON f.media_id = m.id WHERE ${[...media, ...face].join(' AND ')}`)
    .pluck().all(...mediaArgs, ...faceArgs) as number[];
}
