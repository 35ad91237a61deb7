/** An estimated age range as the examiner reads it: "7", "7–19", or "?" when unknown. */
export function ageRange(r: { readonly min: number; readonly max: number } | null): string {
  if (!r) return '?';
  const lo = Math.round(r.min);
  const hi = Math.round(r.max);
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

/** A video position in m:ss.s. */
export function videoTime(ms: number): string {
  const s = ms / 1000;
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
}

/** A capture date without the time-zone noise: "2021-06-03 14:22". */
export function shortDate(iso: string | null): string {
  return iso ? iso.replace('T', ' ').slice(0, 16) : '–';
}

/** A number field's value: null while it is empty or not a number. */
export const numberOrNull = (v: string): number | null => (v.trim() === '' || !Number.isFinite(Number(v)) ? null : Number(v));
