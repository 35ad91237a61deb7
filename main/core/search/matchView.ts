import type { MatchDto, MatchViewDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import { SUBJECT_THUMB_SQL } from '../repositories/watchlistRepository.js';

/** Whether a library's faces and subjects are this case's own (so their thumbnails can be shown). */
const ofThisCase = (spec: string): boolean => spec === 'case' || spec.startsWith('source:') || spec.startsWith('watchlist:');

function thumbnails(db: Db, m: MatchDto, side: 'a' | 'b'): Record<string, string> {
  if (!ofThisCase(m[side].spec)) return {};
  const faces = new Map<number, string>();
  const subjects = new Map<number, string>();
  for (const p of m.pairs) {
    const it = p[side];
    if (it.faceId !== null) faces.set(it.faceId, it.key);
    else if (it.subjectId !== null) subjects.set(it.subjectId, it.key);
  }
  const out: Record<string, string> = {};
  const lookup = (ids: readonly number[], sql: (marks: string) => string, keys: ReadonlyMap<number, string>): void => {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      for (const [id, thumb] of db.prepare(sql(chunk.map(() => '?').join(','))).raw().all(...chunk) as [number, string | null][]) if (thumb) out[keys.get(id)!] = thumb;
    }
  };
  lookup([...faces.keys()], (q) => `SELECT id, thumb FROM faces WHERE id IN (${q})`, faces);
  lookup([...subjects.keys()], (q) => `SELECT s.id, ${SUBJECT_THUMB_SQL} FROM subjects s WHERE s.id IN (${q})`, subjects);
  return out;
}

/** An M:N result with the thumbnails of the items that belong to this case (faces, tracks by their face, subjects by their best reference). */
export function matchView(db: Db, m: MatchDto): MatchViewDto {
  return { ...m, thumbnails: { a: thumbnails(db, m, 'a'), b: thumbnails(db, m, 'b') } };
}
