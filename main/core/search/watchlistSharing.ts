import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { KestrelError } from '../../contract/index.js';
import { sha256 } from '../media/hashing.js';
import type { CaseVault } from '../vault/caseVault.js';
import type { RefPhoto, WatchlistDeps, WatchlistService } from './watchlistService.js';

/**
 * A watchlist shared between cases (a unit's wanted list checked against every case it opens): a
 * folder with watchlist.json and the subjects' reference photos, each named by its SHA-256. Only
 * subjects on the list and photos in use travel; retired subjects and removed photos stay behind.
 */
export const WATCHLIST_FILE = 'watchlist.json';
export const WATCHLIST_FORMAT = 'kestrel-watchlist';

const sha = z.string().regex(/^[0-9a-f]{64}$/);
const sharedListSchema = z.object({
  format: z.literal(WATCHLIST_FORMAT),
  version: z.literal(1),
  name: z.string().trim().min(1),
  threshold: z.number().gt(-1).lte(1),
  notes: z.string(),
  exported: z.object({ by: z.string(), at: z.string(), caseName: z.string() }).strict(),
  subjects: z.array(z.object({
    name: z.string().trim().min(1),
    notes: z.string(),
    photos: z.array(z.object({ file: z.string(), fileName: z.string(), sha256: sha }).strict()).min(1),
  }).strict()),
}).strict();
export type SharedWatchlist = z.infer<typeof sharedListSchema>;

export interface ShareDeps {
  readonly d: WatchlistDeps;
  readonly service: WatchlistService;
  readonly vault: CaseVault;
  readonly caseName: string;
}

/** Writes a list and its subjects' reference photos into an empty (or new) folder; audited with the manifest's SHA-256. */
export async function exportWatchlist(s: ShareDeps, o: { watchlist: string; out: string; examiner: string }): Promise<{ subjects: number; photos: number; manifestSha256: string }> {
  const list = s.d.watchlists.byName(o.watchlist);
  if (!list) throw new KestrelError('NOT_FOUND', `No watchlist named '${o.watchlist}' in this case`);
  fullPath(o.out);
  if (existsSync(o.out) && !statSync(o.out).isDirectory()) throw new KestrelError('INVALID_INPUT', `${o.out} is a file, not a folder`);
  if (existsSync(o.out) && (await readdir(o.out)).length) throw new KestrelError('INVALID_INPUT', `${o.out} is not empty: a list is exported into a new or empty folder, never over anything`);
  const subjects = s.d.watchlists.subjects().filter((x) => x.watchlist === list.name && !x.retiredAt);
  // Every photo is read and checked before anything is written.
  const files: { file: string; bytes: Buffer }[] = [];
  const missing: string[] = [];
  const shared: SharedWatchlist['subjects'] = [];
  for (const subject of subjects) {
    const photos: SharedWatchlist['subjects'][number]['photos'] = [];
    for (const p of s.d.watchlists.photos(subject.id).filter((x) => !x.removedAt)) {
      const path = s.service.refPhotoPath(p.sha256);
      if (!existsSync(path)) { missing.push(`'${subject.name}' photo ${p.id} (${p.fileName})`); continue; }
      const bytes = await s.vault.readFile(path);
      if (sha256(bytes) !== p.sha256) throw new KestrelError('IO_ERROR', `The kept reference photo ${p.fileName} of '${subject.name}' no longer matches its SHA-256 ${p.sha256}`);
      const file = `${p.sha256}${extensionOf(p.fileName)}`;
      if (!files.some((f) => f.file === file)) files.push({ file, bytes });
      photos.push({ file, fileName: p.fileName, sha256: p.sha256 });
    }
    shared.push({ name: subject.name, notes: subject.notes, photos });
  }
  if (missing.length) {
    throw new KestrelError('INVALID_INPUT', `Reference photos enrolled before the case kept them cannot be exported: ${missing.join(', ')}. Add each again (kestrel watchlist add-photos), then remove the old entry`);
  }
  const manifest: SharedWatchlist = {
    format: WATCHLIST_FORMAT, version: 1, name: list.name, threshold: list.threshold, notes: list.notes,
    exported: { by: o.examiner, at: new Date().toISOString(), caseName: s.caseName }, subjects: shared,
  };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  // The manifest is written last: a folder left incomplete (a full disk) has none and is never imported.
  await mkdir(join(o.out, 'photos'), { recursive: true });
  for (const f of files) await writeFile(join(o.out, 'photos', f.file), f.bytes, { flag: 'wx' });
  await writeFile(join(o.out, WATCHLIST_FILE), text, { flag: 'wx' });
  const manifestSha256 = sha256(Buffer.from(text));
  const photos = shared.reduce((n, x) => n + x.photos.length, 0);
  s.d.audit.append(o.examiner, 'watchlist.exported', `watchlist:${list.id}`, { name: list.name, out: o.out, subjects: shared.length, photos, manifest_sha256: manifestSha256 });
  return { subjects: shared.length, photos, manifestSha256 };
}

/**
 * Creates a list from an exported folder: every photo is checked against its SHA-256 and read for its
 * face before anything is stored, so a damaged or altered folder adds nothing. The case is then
 * checked for the new subjects (the caller raises and clips the alarms).
 */
export async function importWatchlist(s: ShareDeps, o: { from: string; name?: string; examiner: string }): Promise<{ watchlistId: number; name: string; subjects: number; photos: number; alarms: number[] }> {
  fullPath(o.from);
  let text: string;
  try {
    text = await readFile(join(o.from, WATCHLIST_FILE), 'utf8');
  } catch (err) {
    throw new KestrelError('INVALID_INPUT', `${o.from} holds no exported watchlist (${WATCHLIST_FILE}): ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new KestrelError('INVALID_INPUT', `${join(o.from, WATCHLIST_FILE)} is not JSON: ${(err as Error).message}`);
  }
  const r = sharedListSchema.safeParse(parsed);
  if (!r.success) throw new KestrelError('INVALID_INPUT', `${join(o.from, WATCHLIST_FILE)} is not an exported watchlist: ${r.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')}`);
  const m = r.data;
  const name = (o.name ?? m.name).trim();
  if (!name) throw new KestrelError('INVALID_INPUT', 'A watchlist needs a name');
  if (s.d.watchlists.byName(name)) throw new KestrelError('INVALID_INPUT', `A watchlist named '${name}' exists already in this case: import it under another name`);
  for (const subject of m.subjects) {
    for (const p of subject.photos) {
      if (basename(p.file) !== p.file || p.file.startsWith('.')) throw new KestrelError('INVALID_INPUT', `Photo '${p.file}' of '${subject.name}' is not a file name in the folder's photos/`);
      let bytes: Buffer;
      try {
        bytes = await readFile(join(o.from, 'photos', p.file));
      } catch (err) {
        throw new KestrelError('INVALID_INPUT', `Reference photo ${p.file} of '${subject.name}' is missing: ${(err as Error).message}`);
      }
      if (sha256(bytes) !== p.sha256) throw new KestrelError('INVALID_INPUT', `Reference photo ${p.file} of '${subject.name}' does not match its SHA-256 in ${WATCHLIST_FILE}: the folder was altered or damaged; nothing was imported`);
    }
  }
  const read: RefPhoto[][] = [];
  for (const subject of m.subjects) read.push(await s.service.readRefs(subject.photos.map((p) => join(o.from, 'photos', p.file))));
  const manifestSha256 = sha256(Buffer.from(text));
  const ids = s.d.db.transaction(() => {
    const listId = s.d.watchlists.create(name, m.threshold, m.notes, o.examiner);
    s.d.audit.append(o.examiner, 'watchlist.imported', `watchlist:${listId}`, {
      name, from: o.from, manifest_sha256: manifestSha256, exported_as: m.name, exported_by: m.exported.by, exported_at: m.exported.at, exported_from_case: m.exported.caseName, threshold: m.threshold,
    });
    const subjectIds = m.subjects.map((subject, i) => {
      // The original file names are kept: what the exporting case enrolled, not the SHA-named copies.
      const refs = read[i]!.map((ref, k) => ({ ...ref, fileName: subject.photos[k]!.fileName }));
      const id = s.d.watchlists.addSubject(listId, subject.name.trim(), subject.notes, o.examiner);
      s.service.storeRefs(id, refs);
      s.d.audit.append(o.examiner, 'watchlist.enrolled', `subject:${id}`, { watchlist: name, name: subject.name.trim(), photos: refs.map((x) => x.sha256), imported: manifestSha256 });
      return id;
    });
    return { listId, subjectIds };
  })();
  const alarms = s.service.checkCase(ids.subjectIds, o.examiner);
  return { watchlistId: ids.listId, name, subjects: m.subjects.length, photos: m.subjects.reduce((n, x) => n + x.photos.length, 0), alarms };
}

/** Folders are given in full: a relative one would depend on where the engine happens to run. */
function fullPath(path: string): void {
  if (!isAbsolute(path)) throw new KestrelError('INVALID_INPUT', `Give the full path of the folder (${path} is relative)`);
}

/** A photo's extension, kept so the exported files open in any viewer (".jpg", or "" when it has none). */
function extensionOf(fileName: string): string {
  const m = /\.[A-Za-z0-9]{1,5}$/.exec(fileName);
  return m ? m[0].toLowerCase() : '';
}
