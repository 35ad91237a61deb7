import type { SearchDto } from '../../contract/index.js';

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
