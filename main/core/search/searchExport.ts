import type { MatchDto, MatchItemDto, SearchDto } from '../../contract/index.js';

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a leading =+-@ is neutralised against spreadsheet formula injection. */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const SEARCH_CSV_COLUMNS = [
  'search_id', 'rank', 'score', 'rank_score', 'face_id', 'track_id', 'media_sha256', 'media_path', 'frame_ms', 'track_start_ms', 'track_end_ms', 'captured_at', 'estimated_age',
] as const;

/** One row per candidate; the search's probes and parameters are in the JSON export and the audit log. */
export function searchToCsv(s: SearchDto): string {
  const rows = s.hits.map((h) => [s.id, h.rank, h.score.toFixed(4), h.rankScore === null ? null : h.rankScore.toFixed(4), h.faceId, h.trackId, h.mediaSha256, h.mediaPath, h.frameMs, h.trackStartMs, h.trackEndMs, h.capturedAt, h.age]);
  return [SEARCH_CSV_COLUMNS.join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\r\n') + '\r\n';
}

const SIDE_COLUMNS = ['kind', 'key', 'subject', 'media_sha256', 'media_path', 'frame_ms', 'start_ms', 'end_ms', 'estimated_age'] as const;
// The identities and the item pairs (a run by identity) come last, after the columns of earlier exports.
export const MATCH_CSV_COLUMNS = ['match_id', 'rank', 'score', 'log10_lr', ...SIDE_COLUMNS.map((c) => `a_${c}`), ...SIDE_COLUMNS.map((c) => `b_${c}`), 'a_identity_id', 'b_identity_id', 'item_pairs'];

/** One row per pair, both sides whole; the libraries and parameters are in the JSON export and the audit log. */
export function matchToCsv(m: MatchDto): string {
  const side = (s: MatchItemDto): (string | number | null)[] => [s.kind, s.key, s.subject, s.mediaSha256, s.mediaPath, s.frameMs, s.startMs, s.endMs, s.age];
  const rows = m.pairs.map((p) => [m.id, p.rank, p.score.toFixed(4), p.log10Lr === null ? null : p.log10Lr.toFixed(3), ...side(p.a), ...side(p.b), p.a.identityId ?? null, p.b.identityId ?? null, p.itemPairs ?? null]);
  return [MATCH_CSV_COLUMNS.join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\r\n') + '\r\n';
}
