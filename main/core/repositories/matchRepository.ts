import type { MatchDto, MatchItemDto, MatchLibraryDto, MatchPairDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import { blobToVector } from './faceRepository.js';
import { LOCATION_DISPLAY_SQL } from './locationPath.js';

export type NewMatch = Omit<MatchDto, 'id' | 'at'>;

interface MatchRow {
  id: number; at: string; examiner: string; library_a: string; library_b: string; threshold: number; threshold_from: string;
  models: string; pairs_compared: number; truncated: number; max_pairs: number; by_unit: 'item' | 'identity';
}

/** Stored M:N matches: both libraries, the parameters, and every kept pair with both sides whole. */
export class MatchRepository {
  constructor(private readonly db: Db) {}

  insert(m: NewMatch): number {
    return this.db.transaction(() => {
      const id = Number(this.db
        .prepare(`INSERT INTO matches (at, examiner, library_a, library_b, threshold, threshold_from, models, pairs_compared, truncated, max_pairs, by_unit)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(new Date().toISOString(), m.examiner, JSON.stringify(m.a), JSON.stringify(m.b), m.threshold, m.thresholdSource, JSON.stringify(m.models),
          m.pairsCompared, m.truncated ? 1 : 0, m.maxPairs, m.by ?? 'item').lastInsertRowid);
      const ins = this.db.prepare('INSERT INTO match_pairs (match_id, rank, score, log10_lr, a, b, item_pairs) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const p of m.pairs) ins.run(id, p.rank, p.score, p.log10Lr, JSON.stringify(p.a), JSON.stringify(p.b), p.itemPairs ?? null);
      return id;
    })();
  }

  get(id: number): MatchDto | null {
    const row = this.db.prepare('SELECT * FROM matches WHERE id = ?').get(id) as MatchRow | undefined;
    if (!row) return null;
    const pairs = (this.db.prepare('SELECT rank, score, log10_lr, a, b, item_pairs FROM match_pairs WHERE match_id = ? ORDER BY rank').all(id) as
      { rank: number; score: number; log10_lr: number | null; a: string; b: string; item_pairs: number | null }[])
      .map((p): MatchPairDto => ({
        rank: p.rank, score: p.score, log10Lr: p.log10_lr, a: JSON.parse(p.a) as MatchItemDto, b: JSON.parse(p.b) as MatchItemDto, ...(p.item_pairs === null ? {} : { itemPairs: p.item_pairs }),
      }));
    return { ...header(row), pairs };
  }

  /** Newest first, without pairs. */
  list(limit = 100, offset = 0): (Omit<MatchDto, 'pairs'> & { pairCount: number })[] {
    return (this.db.prepare('SELECT m.*, (SELECT count(*) FROM match_pairs p WHERE p.match_id = m.id) AS pair_count FROM matches m ORDER BY id DESC LIMIT ? OFFSET ?')
      .all(limit, offset) as (MatchRow & { pair_count: number })[]).map((r) => ({ ...header(r), pairCount: r.pair_count }));
  }
}

function header(r: MatchRow): Omit<MatchDto, 'pairs'> {
  return {
    id: r.id, at: r.at, examiner: r.examiner, a: JSON.parse(r.library_a) as MatchLibraryDto, b: JSON.parse(r.library_b) as MatchLibraryDto,
    threshold: r.threshold, thresholdSource: r.threshold_from, models: JSON.parse(r.models) as string[], pairsCompared: r.pairs_compared,
    truncated: r.truncated === 1, maxPairs: r.max_pairs, ...(r.by_unit === 'identity' ? { by: 'identity' as const } : {}),
  };
}

/** A comparable unit of a library: its description and one or more embedding sets (a subject's reference photos). */
export interface LibraryItem {
  readonly item: MatchItemDto;
  readonly embeddings: readonly Record<string, Float32Array>[];
}

const EMPTY = { subjectId: null, subject: null } as const;

/** What a face or track row of a case library reads besides its ids. */
type Row = { frame_ms: number | null; age: number | null; size: number; sha256: string; media_path: string | null; identity_id: number | null; identity_name: string | null };

/**
 * A case's faces as match items: each photo face on its own, each video track once (by its
 * quality-weighted template, shown by its best face). Works on any case database handle, so another
 * case can be read without opening it for writing. Optionally only the media found in one source.
 */
export function caseLibraryItems(db: Db, sourceId: number | null): LibraryItem[] {
  const inSource = sourceId === null ? '' : 'AND f.media_id IN (SELECT media_id FROM media_locations WHERE source_id = @source)';
  const params = sourceId === null ? {} : { source: sourceId };
  const path = `(SELECT ${LOCATION_DISPLAY_SQL} FROM media_locations l WHERE l.media_id = f.media_id ORDER BY l.id LIMIT 1)`;
  const faceEmb = new Map<number, Record<string, Float32Array>>();
  for (const r of db.prepare(`SELECT e.face_id, e.model_id, e.vector FROM embeddings e JOIN faces f ON f.id = e.face_id WHERE f.track_id IS NULL ${inSource}`)
    .iterate(params) as Iterable<{ face_id: number; model_id: string; vector: Buffer }>) {
    let e = faceEmb.get(r.face_id);
    if (!e) faceEmb.set(r.face_id, (e = {}));
    e[r.model_id] = blobToVector(r.vector);
  }
  const out: LibraryItem[] = [];
  for (const f of db.prepare(`SELECT f.id, f.frame_ms, f.age, min(f.box_w, f.box_h) AS size, m.sha256, ${path} AS media_path, f.identity_id, i.name AS identity_name
      FROM faces f JOIN media m ON m.id = f.media_id LEFT JOIN identities i ON i.id = f.identity_id
      WHERE f.track_id IS NULL ${inSource} ORDER BY f.id`).all(params) as (Row & { id: number })[]) {
    const e = faceEmb.get(f.id);
    if (!e) continue;
    out.push({
      item: { kind: 'face', key: `face:${f.id}`, faceId: f.id, trackId: null, ...EMPTY, mediaPath: f.media_path ?? '', mediaSha256: f.sha256, frameMs: f.frame_ms, startMs: null, endMs: null, age: f.age, faceSizePx: f.size,
        identityId: f.identity_id, identityName: f.identity_name },
      embeddings: [e],
    });
  }
  const tmpl = new Map<number, Record<string, Float32Array>>();
  for (const r of db.prepare('SELECT track_id, model_id, vector FROM track_templates').iterate() as Iterable<{ track_id: number; model_id: string; vector: Buffer }>) {
    let e = tmpl.get(r.track_id);
    if (!e) tmpl.set(r.track_id, (e = {}));
    e[r.model_id] = blobToVector(r.vector);
  }
  const trackSource = sourceId === null ? '' : 'WHERE t.media_id IN (SELECT media_id FROM media_locations WHERE source_id = @source)';
  for (const t of db.prepare(`SELECT t.id, t.start_ms, t.end_ms, f.id AS face_id, f.frame_ms, f.age, min(f.box_w, f.box_h) AS size, m.sha256, ${path} AS media_path, f.identity_id, i.name AS identity_name
      FROM tracks t JOIN faces f ON f.id = t.best_face_id JOIN media m ON m.id = t.media_id LEFT JOIN identities i ON i.id = f.identity_id ${trackSource} ORDER BY t.id`).all(params) as
      (Row & { id: number; start_ms: number; end_ms: number; face_id: number })[]) {
    const e = tmpl.get(t.id);
    if (!e) continue;
    out.push({
      item: { kind: 'track', key: `track:${t.id}`, faceId: t.face_id, trackId: t.id, ...EMPTY, mediaPath: t.media_path ?? '', mediaSha256: t.sha256, frameMs: t.frame_ms, startMs: t.start_ms, endMs: t.end_ms, age: t.age, faceSizePx: t.size,
        identityId: t.identity_id, identityName: t.identity_name },
      embeddings: [e],
    });
  }
  return out;
}
