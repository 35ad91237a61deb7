import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OriginalReader, type LoadedFrame } from '../export/evidenceImages.js';
import type { ExportMediaRow, ExportRepository } from '../repositories/exportRepository.js';
import type { CaseVault } from '../vault/caseVault.js';

export interface DerivedPictureDeps {
  readonly exports: ExportRepository;
  readonly derivedDir: string;
  readonly vault: CaseVault;
  readonly ffmpeg: () => string;
}

/** Reads frames of one verified original: the photo itself, or a video frame at a time. */
export type FrameReader = (frameMs: number | null) => Promise<LoadedFrame>;

/**
 * A file made from an original (from one or several of its frames) and kept under derived/`rel`,
 * so it is made once. It is made only from an original whose SHA-256 still matches the one
 * recorded at intake; a missing or changed original gives the problem instead.
 */
export async function derivedFromOriginal(
  d: DerivedPictureDeps, rel: string, media: ExportMediaRow, make: (read: FrameReader) => Promise<Buffer>,
): Promise<{ readonly path: string; readonly problem: null } | { readonly path: null; readonly problem: string }> {
  const abs = join(d.derivedDir, rel);
  if (existsSync(abs)) return { path: rel, problem: null };
  const reader = new OriginalReader(d.ffmpeg, d.derivedDir, d.vault);
  const checked = await reader.check(media);
  if (!checked.ok) return { path: null, problem: checked.problem };
  const picture = await make((frameMs) => reader.frame(media, checked, frameMs));
  await mkdir(dirname(abs), { recursive: true, mode: 0o700 });
  // Written whole or not at all: a reader never sees half a picture.
  await d.vault.writeFile(abs, picture);
  return { path: rel, problem: null };
}

/** A picture drawn from one frame of an original (the photo, or the video frame at `frameMs`); see derivedFromOriginal. */
export function derivedPicture(
  d: DerivedPictureDeps, rel: string, media: ExportMediaRow, frameMs: number | null, draw: (frame: LoadedFrame) => Promise<Buffer>,
): ReturnType<typeof derivedFromOriginal> {
  return derivedFromOriginal(d, rel, media, async (read) => draw(await read(frameMs)));
}
