import { toErrorPayload } from '../contract/index.js';

/** --json prints exactly one JSON document on stdout; everything else goes to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A plain fixed-width table for terminal output. */
export function printTable(rows: readonly (readonly (string | number | null | undefined)[])[], header: readonly string[]): void {
  const cells = [header, ...rows].map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write([line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n') + '\n');
}

/** Reports a failed run: message on stderr, the closed-code error document on stdout with --json. */
export function fail(err: unknown, json: boolean): never {
  const payload = toErrorPayload(err);
  if (json) printJson({ error: payload });
  process.stderr.write(`kestrel: ${payload.message}${payload.code === 'INTERNAL' && err instanceof Error && err.stack ? `\n${err.stack}` : ''}\n`);
  process.exit(1);
}

export const pct = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '-');

/** A media time in seconds for tables ('' when unknown). */
export const seconds = (ms: number | null): string => (ms === null ? '' : `${(ms / 1000).toFixed(2)} s`);
