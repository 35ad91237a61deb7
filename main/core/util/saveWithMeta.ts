import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseVault } from '../vault/caseVault.js';

/**
 * Saves a derived file, then the metadata that vouches for it, each under a temporary name renamed
 * into place. A crash leaves the old pair, or a new file beside old metadata that no longer matches
 * it (so the reader rebuilds it): never a half-written file taken for a whole one. The folder is
 * created owner-only; in an encrypted case both files are sealed (see caseVault.ts).
 */
export function saveWithMeta(vault: CaseVault, dir: string, file: string, write: (path: string) => void, metaFile: string, meta: unknown): void {
  saveAllWithMeta(vault, dir, [[file, write]], metaFile, meta);
}

/** saveWithMeta for several files that one metadata file vouches for: all files first, then it. */
export function saveAllWithMeta(vault: CaseVault, dir: string, files: readonly (readonly [string, (path: string) => void])[], metaFile: string, meta: unknown): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [file, write] of files) vault.writeViaSync(join(dir, file), write);
  vault.writeFileSync(join(dir, metaFile), Buffer.from(JSON.stringify(meta)));
}
