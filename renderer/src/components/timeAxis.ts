// Times on the timeline are shown on the recorded clock, exactly as the device wrote them: the
// engine places a zone-less capture time at UTC, so every formatter here uses UTC fields.

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

/** Steps the axis may use, finest first; months and years follow the calendar. */
const STEPS: readonly { readonly ms: number; readonly months?: number }[] = [
  { ms: S }, { ms: 5 * S }, { ms: 15 * S }, { ms: 30 * S }, { ms: MIN }, { ms: 5 * MIN }, { ms: 15 * MIN }, { ms: 30 * MIN },
  { ms: H }, { ms: 3 * H }, { ms: 6 * H }, { ms: 12 * H }, { ms: D }, { ms: 7 * D },
  { ms: 30 * D, months: 1 }, { ms: 91 * D, months: 3 }, { ms: 365 * D, months: 12 }, { ms: 5 * 365 * D, months: 60 }, { ms: 10 * 365 * D, months: 120 },
];

const pad = (n: number): string => String(n).padStart(2, '0');

/** A full instant: "2021-06-03 14:22:05". */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** A duration as a person reads it: "3.5 s", "12 min", "5 h", "14 d", "2.3 y". */
export function formatSpan(ms: number): string {
  if (ms < MIN) return `${(ms / S).toFixed(ms < 10 * S ? 1 : 0)} s`;
  if (ms < H) return `${Math.round(ms / MIN)} min`;
  if (ms < 2 * D) return `${(ms / H).toFixed(ms < 10 * H ? 1 : 0)} h`;
  if (ms < 365 * D) return `${Math.round(ms / D)} d`;
  return `${(ms / (365.25 * D)).toFixed(1)} y`;
}

function label(ms: number, stepMs: number, months: number | undefined): string {
  const d = new Date(ms);
  const ymd = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (months && months >= 12) return String(d.getUTCFullYear());
  if (months) return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
  if (stepMs >= D) return ymd;
  if (stepMs >= MIN) return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * Tick marks for a window: the finest step that gives at most `maxTicks` ticks, aligned to round
 * values (whole minutes, midnights, first days of months, new years), each with its label.
 */
export function axisTicks(fromMs: number, toMs: number, maxTicks: number): { ms: number; label: string }[] {
  const span = Math.max(1, toMs - fromMs);
  const step = STEPS.find((s) => span / s.ms <= maxTicks) ?? STEPS[STEPS.length - 1]!;
  const ticks: { ms: number; label: string }[] = [];
  if (step.months) {
    const d = new Date(fromMs);
    let y = d.getUTCFullYear();
    let m = Math.ceil((d.getUTCMonth() + (d.getUTCDate() > 1 || d.getUTCHours() > 0 ? 1 : 0)) / step.months) * step.months;
    if (step.months >= 12) { y = Math.ceil(y / (step.months / 12)) * (step.months / 12); m = 0; if (Date.UTC(y, 0, 1) < fromMs) y += step.months / 12; }
    for (let t = Date.UTC(y, m, 1); t <= toMs && ticks.length <= maxTicks; ) {
      ticks.push({ ms: t, label: label(t, step.ms, step.months) });
      m += step.months;
      t = Date.UTC(y, m, 1);
    }
    return ticks;
  }
  // Days and weeks align to midnights; finer steps to their own multiples.
  for (let t = Math.ceil(fromMs / step.ms) * step.ms; t <= toMs && ticks.length <= maxTicks; t += step.ms) ticks.push({ ms: t, label: label(t, step.ms, undefined) });
  return ticks;
}
