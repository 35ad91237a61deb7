import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Saves a derived file, then the metadata that vouches for it, each under a temporary name renamed
 * into place. A crash leaves the old pair, or a new file beside old metadata that no longer matches
 * it (so the reader rebuilds it): never a half-written file taken for a whole one. The folder is
 * created owner-only.
 */
export function saveWithMeta(dir: string, file: string, write: (path: string) => void, metaFile: string, meta: unknown): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  write(join(dir, `${file}.tmp`));
  renameSync(join(dir, `${file}.tmp`), join(dir, file));
  writeFileSync(join(dir, `${metaFile}.tmp`), JSON.stringify(meta));
  renameSync(join(dir, `${metaFile}.tmp`), join(dir, metaFile));
}
