import { existsSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { readArchiveMember } from '../media/archiveMember.js';
import type { ArchiveLimits } from '../media/archiveReader.js';
import { sha256 } from '../media/hashing.js';
import type { CaseVault } from '../vault/caseVault.js';
import { ARCHIVE_SEP } from '../repositories/locationPath.js';

/**
 * A video found inside an archive cannot be streamed or seeked in place, so the case keeps a
 * private working copy of it, named by its SHA-256 (derived/extracted/). The archive stays the
 * original: the copy is made from the member's bytes after they hash to the recorded SHA-256,
 * is checked again before every use, and is made again from the archive when missing or changed.
 */

/** Where the working copy of a video with this SHA-256, found as archive member `entry`, lives (keeping its extension). */
export function extractedVideoPath(derivedDir: string, hash: string, entry: string): string {
  const ext = extname(entry.split(ARCHIVE_SEP).pop() ?? '').toLowerCase();
  return join(derivedDir, 'extracted', hash.slice(0, 2), `${hash}${/^\.[a-z0-9]{1,5}$/.test(ext) ? ext : ''}`);
}

/** Writes the working copy from bytes already hashed to `hash` (whole or not at all); returns its path. */
export async function storeExtractedVideo(vault: CaseVault, derivedDir: string, hash: string, entry: string, data: Buffer): Promise<string> {
  const abs = extractedVideoPath(derivedDir, hash, entry);
  if (existsSync(abs) && (await vault.hashFile(abs)) === hash) return abs;
  await mkdir(join(abs, '..'), { recursive: true, mode: 0o700 });
  await vault.writeFile(abs, data);
  await chmod(abs, 0o400);
  return abs;
}

/**
 * The working copy of an archived video, verified: the copy itself when it still hashes to `hash`,
 * else one made again from the first archive location whose member does. Throws with every
 * location's problem when none can give it.
 */
export async function verifiedExtractedVideo(
  vault: CaseVault, derivedDir: string, hash: string, locations: readonly { readonly path: string; readonly entry: string }[], limits?: ArchiveLimits,
): Promise<string> {
  const archived = locations.filter((l) => l.entry);
  const problems: string[] = [];
  for (const l of archived) {
    const copy = extractedVideoPath(derivedDir, hash, l.entry);
    if (existsSync(copy)) {
      if ((await vault.hashFile(copy).catch(() => '')) === hash) return copy;
      problems.push(`working copy ${copy}: changed (SHA-256 differs); made again from the archive`);
      await rm(copy, { force: true });
    }
  }
  for (const l of archived) {
    const where = `${l.path}${ARCHIVE_SEP}${l.entry}`;
    try {
      if (!existsSync(l.path)) { problems.push(`${l.path}: missing`); continue; }
      const bytes = await readArchiveMember(l.path, l.entry, limits);
      if (!bytes) { problems.push(`${where}: entry not found in the archive`); continue; }
      if (sha256(bytes) !== hash) { problems.push(`${where}: its SHA-256 no longer matches the one recorded at intake`); continue; }
      return await storeExtractedVideo(vault, derivedDir, hash, l.entry, bytes);
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
  throw new Error(archived.length ? problems.join('; ') : 'no archive location');
}
