import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KestrelError } from '../../contract/index.js';

export interface VerifyPair { readonly a: string; readonly b: string; readonly same: boolean; readonly fold: number | null; readonly ageA: number | null; readonly ageB: number | null }
export interface SearchItem { readonly role: 'probe' | 'gallery' | 'distractor'; readonly path: string; readonly identity: string; readonly age: number | null }
export interface ClusterItem { readonly path: string; readonly identity: string; readonly age: number | null }

/** Minimal RFC 4180 CSV: quoted fields with doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function table(file: string, required: readonly string[]): { rows: Record<string, string>[]; base: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KestrelError('INVALID_INPUT', `Cannot read protocol ${file}: ${(err as Error).message}`);
  }
  const [header, ...body] = parseCsv(text);
  if (!header) throw new KestrelError('INVALID_INPUT', `Protocol ${file} is empty`);
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new KestrelError('INVALID_INPUT', `Protocol ${file} lacks column(s) ${missing.join(', ')} (has ${header.join(', ')})`);
  const rows = body.map((r) => Object.fromEntries(header.map((h, i) => [h, (r[i] ?? '').trim()])));
  return { rows, base: dirname(resolve(file)) };
}

const num = (s: string | undefined): number | null => (s === undefined || s === '' || !Number.isFinite(Number(s)) ? null : Number(s));

export function readVerifyProtocol(file: string): VerifyPair[] {
  const { rows, base } = table(file, ['path_a', 'path_b', 'is_same']);
  return rows.map((r) => ({
    a: resolve(base, r['path_a']!), b: resolve(base, r['path_b']!), same: r['is_same'] === '1' || r['is_same']?.toLowerCase() === 'true',
    fold: num(r['fold']), ageA: num(r['age_a']), ageB: num(r['age_b']),
  }));
}

export function readSearchProtocol(file: string): SearchItem[] {
  const { rows, base } = table(file, ['role', 'path', 'identity']);
  return rows.map((r, i) => {
    const role = r['role'];
    if (role !== 'probe' && role !== 'gallery' && role !== 'distractor') throw new KestrelError('INVALID_INPUT', `${file}: row ${i + 2} has role '${role}'`);
    return { role, path: resolve(base, r['path']!), identity: r['identity']!, age: num(r['age_years']) };
  });
}

export function readClusterProtocol(file: string): ClusterItem[] {
  const { rows, base } = table(file, ['path', 'identity']);
  return rows.map((r) => ({ path: resolve(base, r['path']!), identity: r['identity']!, age: num(r['age_years']) }));
}
