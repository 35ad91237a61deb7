import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { isSafeDerivedPath } from '../contract/index.js';
import type { CaseVault } from './vault/caseVault.js';

const TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', mp4: 'video/mp4' };

/**
 * Resolves a derived file (thumbnail, crop, frame, clip) that a UI asks for by its relative path.
 * Only files under the case's derived/ folder are served: the path is checked syntactically and the
 * resolved real path (symlinks followed) must stay inside that folder. Originals are never served.
 */
export async function resolveDerivedFile(caseDir: string, rel: string): Promise<{ path: string; contentType: string } | null> {
  if (!isSafeDerivedPath(rel)) return null;
  const type = TYPES[rel.slice(rel.lastIndexOf('.') + 1).toLowerCase()];
  if (!type) return null;
  try {
    const root = await realpath(join(caseDir, 'derived'));
    const real = await realpath(join(root, rel));
    return real.startsWith(root + sep) ? { path: real, contentType: type } : null;
  } catch {
    return null;
  }
}

/**
 * The byte span an HTTP Range header asks for, as a video element sends it to seek in a clip:
 * one range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) inside a file of `size` bytes. null means the
 * whole file (no header, or a form not supported, such as several ranges); 'unsatisfiable' a range
 * that starts past the end.
 */
export function requestedRange(header: string | null | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  return start > end ? null : { start, end };
}

/** What a shell sends for a derived file a UI asked for (plain bytes, read through the case's vault). */
export type DerivedFileReply =
  | { readonly status: 404 }
  | { readonly status: 416; readonly contentType: string; readonly size: number }
  | { readonly status: 200 | 206; readonly contentType: string; readonly size: number; readonly range: { start: number; end: number } | null; readonly body: Buffer | null };

/**
 * The derived file `rel` (resolveDerivedFile), or the part of it a Range header asks for, decrypted
 * when the case is encrypted. `head`: the answer without the bytes.
 */
export async function readDerivedFile(caseDir: string, vault: CaseVault, rel: string, rangeHeader: string | null | undefined, head = false): Promise<DerivedFileReply> {
  const file = await resolveDerivedFile(caseDir, rel);
  if (!file) return { status: 404 };
  // Checked above by its real path; read by its place in the case, which a sealed file is bound to.
  const path = join(caseDir, 'derived', rel);
  let size: number;
  try {
    size = await vault.size(path);
  } catch {
    return { status: 404 };
  }
  const range = requestedRange(rangeHeader, size);
  if (range === 'unsatisfiable') return { status: 416, contentType: file.contentType, size };
  const body = head ? null : range ? await vault.readRange(path, range.start, range.end) : await vault.readFile(path);
  return { status: range ? 206 : 200, contentType: file.contentType, size, range, body };
}
