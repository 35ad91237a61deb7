import { asFaceId, asMediaId, asTrackId, type SearchDto, type SearchHitDto, type SearchParamsDto, type SearchProbeDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import { LOCATION_DISPLAY_SQL } from './locationPath.js';

export interface NewSearchResult {
  readonly faceId: number;
  readonly trackId: number | null;
  readonly score: number;
  readonly rankScore: number | null;
}

interface HitRow {
  rank: number; score: number; rank_score: number | null; face_id: number; track_id: number | null; media_id: number; frame_ms: number | null;
  age: number | null; thumb: string; sha256: string; captured_at: string | null; start_ms: number | null; end_ms: number | null; media_path: string | null;
  identity_id: number | null; identity_name: string | null;
}

/** Stored searches: what was asked (probe hashes, parameters, models), by whom, when, and what came back. */
export class SearchRepository {
  constructor(private readonly db: Db) {}

  insert(s: { kind: 'search' | 'match'; examiner: string; probes: readonly SearchProbeDto[]; params: SearchParamsDto; models: readonly string[]; facesSearched: number; results: readonly NewSearchResult[] }): number {
    const id = Number(this.db
      .prepare('INSERT INTO searches (kind, at, examiner, probes, params, models, faces_searched) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(s.kind, new Date().toISOString(), s.examiner, JSON.stringify(s.probes), JSON.stringify(s.params), JSON.stringify(s.models), s.facesSearched).lastInsertRowid);
    const ins = this.db.prepare('INSERT INTO search_results (search_id, rank, face_id, track_id, score, rank_score) VALUES (?, ?, ?, ?, ?, ?)');
    s.results.forEach((r, i) => ins.run(id, i + 1, r.faceId, r.trackId, r.score, r.rankScore));
    return id;
  }

  get(id: number): SearchDto | null {
    const row = this.db.prepare('SELECT * FROM searches WHERE id = ?').get(id) as
      | { id: number; kind: 'search' | 'match'; at: string; examiner: string; probes: string; params: string; models: string; faces_searched: number }
      | undefined;
    if (!row) return null;
    const hits = (this.db.prepare(
      `SELECT r.rank, r.score, r.rank_score, r.face_id, r.track_id, f.media_id, f.frame_ms, f.age, f.thumb, m.sha256, m.captured_at, t.start_ms, t.end_ms,
         f.identity_id, i.name AS identity_name,
         (SELECT ${LOCATION_DISPLAY_SQL} FROM media_locations l WHERE l.media_id = f.media_id ORDER BY l.id LIMIT 1) AS media_path
       FROM search_results r JOIN faces f ON f.id = r.face_id JOIN media m ON m.id = f.media_id LEFT JOIN tracks t ON t.id = r.track_id
         LEFT JOIN identities i ON i.id = f.identity_id
       WHERE r.search_id = ? ORDER BY r.rank`,
    ).all(id) as HitRow[]).map(toHit);
    return {
      id: row.id, kind: row.kind, at: row.at, examiner: row.examiner, probes: JSON.parse(row.probes) as SearchProbeDto[],
      params: JSON.parse(row.params) as SearchParamsDto, models: JSON.parse(row.models) as string[], facesSearched: row.faces_searched, hits,
    };
  }

  /** Newest first, without hits. */
  list(limit = 100, offset = 0): Omit<SearchDto, 'hits'>[] {
    const rows = this.db.prepare('SELECT * FROM searches ORDER BY id DESC LIMIT ? OFFSET ?').all(limit, offset) as
      { id: number; kind: 'search' | 'match'; at: string; examiner: string; probes: string; params: string; models: string; faces_searched: number }[];
    return rows.map((row) => ({
      id: row.id, kind: row.kind, at: row.at, examiner: row.examiner, probes: JSON.parse(row.probes) as SearchProbeDto[],
      params: JSON.parse(row.params) as SearchParamsDto, models: JSON.parse(row.models) as string[], facesSearched: row.faces_searched,
    }));
  }
}

function toHit(r: HitRow): SearchHitDto {
  return {
    rank: r.rank, score: r.score, rankScore: r.rank_score, faceId: asFaceId(r.face_id), trackId: r.track_id === null ? null : asTrackId(r.track_id),
    mediaId: asMediaId(r.media_id), mediaPath: r.media_path ?? '', mediaSha256: r.sha256, frameMs: r.frame_ms, trackStartMs: r.start_ms, trackEndMs: r.end_ms,
    capturedAt: r.captured_at, age: r.age, thumbnail: r.thumb, identityId: r.identity_id, identityName: r.identity_name,
  };
}
