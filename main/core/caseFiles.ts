import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { isSafeDerivedPath } from '../contract/index.js';

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
