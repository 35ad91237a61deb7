import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import type { MediaErrorReason } from '../../contract/index.js';

export type WalkItem =
  | { readonly type: 'file'; readonly path: string; readonly size: number }
  | { readonly type: 'error'; readonly path: string; readonly reason: MediaErrorReason; readonly detail: string };

const inside = (root: string, p: string): boolean => {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
};

/**
 * Lists every regular file under a source path, in a stable (sorted) order. Symbolic links are
 * followed only while they stay inside the source; loops and escapes become error items, as do
 * FIFOs, sockets and devices (reading a FIFO would hang the intake).
 */
export async function* walkSource(root: string): AsyncGenerator<WalkItem> {
  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch (err) {
    yield errorFor(root, err);
    return;
  }
  const visitedDirs = new Set<string>();
  yield* visit(root, rootReal, rootReal, visitedDirs);
}

async function* visit(path: string, rootReal: string, rootForContainment: string, visitedDirs: Set<string>): AsyncGenerator<WalkItem> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    yield errorFor(path, err);
    return;
  }
  let real = path;
  if (st.isSymbolicLink()) {
    try {
      real = await realpath(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') yield { type: 'error', path, reason: 'symlink_loop', detail: 'symbolic link loop' };
      else yield { type: 'error', path, reason: 'unreadable', detail: `broken symbolic link (${code ?? 'error'})` };
      return;
    }
    if (!inside(rootForContainment, real)) {
      yield { type: 'error', path, reason: 'symlink_outside_source', detail: `link points outside the source: ${real}` };
      return;
    }
    try {
      st = await stat(path);
    } catch (err) {
      yield errorFor(path, err);
      return;
    }
  } else if (st.isDirectory()) {
    try {
      real = await realpath(path);
    } catch (err) {
      yield errorFor(path, err);
      return;
    }
  }
  if (st.isDirectory()) {
    if (visitedDirs.has(real)) {
      yield { type: 'error', path, reason: 'symlink_loop', detail: `directory already visited through another link: ${real}` };
      return;
    }
    visitedDirs.add(real);
    let names: string[];
    try {
      names = (await readdir(path)).sort();
    } catch (err) {
      yield errorFor(path, err);
      return;
    }
    for (const name of names) yield* visit(join(path, name), rootReal, rootForContainment, visitedDirs);
    return;
  }
  if (!st.isFile()) {
    yield { type: 'error', path, reason: 'not_a_regular_file', detail: 'not a regular file (device, FIFO or socket)' };
    return;
  }
  yield { type: 'file', path, size: st.size };
}

function errorFor(path: string, err: unknown): WalkItem {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  // readdir decodes names as UTF-8; a Latin-1 name from an old card comes back with U+FFFD and can
  // no longer be opened by that string.
  if (code === 'ENOENT' && path.includes('\ufffd')) {
    return { type: 'error', path, reason: 'unreadable', detail: 'the file name is not valid UTF-8 (e.g. Latin-1 from an old camera or card); image a copy with the name converted (convmv) and ingest that' };
  }
  const reason: MediaErrorReason = code === 'ELOOP' ? 'symlink_loop' : 'unreadable';
  return { type: 'error', path, reason, detail: `${code}: ${(err as Error).message}` };
}
