import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { KestrelError, type FaceFrameDto } from '../../contract/index.js';
import { annotatedFrame, OriginalReader } from '../export/evidenceImages.js';
import type { ExportRepository } from '../repositories/exportRepository.js';

export interface FaceFrameDeps {
  readonly exports: ExportRepository;
  readonly derivedDir: string;
  readonly ffmpeg: () => string;
}

/**
 * The whole frame a face was found in, with that face outlined (the photo, or the video frame at
 * the face's time), for the examiner to see the context. It is drawn only from the original whose
 * SHA-256 still matches the one recorded at intake, and kept under derived/frames/ so it is drawn
 * once; an original that is missing or changed gives the problem instead of a picture.
 */
export async function faceFrame(d: FaceFrameDeps, faceId: number): Promise<FaceFrameDto> {
  const face = d.exports.faces([faceId])[0];
  if (!face) throw new KestrelError('NOT_FOUND', `No face ${faceId} in this case`);
  const rel = `frames/face-${faceId}.jpg`;
  const abs = join(d.derivedDir, rel);
  if (!existsSync(abs)) {
    const media = d.exports.media([face.mediaId])[0]!;
    const reader = new OriginalReader(d.ffmpeg);
    const checked = await reader.check(media);
    if (!checked.ok) return { faceId, path: null, problem: checked.problem, width: null, height: null };
    const frame = await reader.frame(media, checked, face.frameMs);
    const jpeg = await annotatedFrame(frame, [face], [], false);
    await mkdir(join(d.derivedDir, 'frames'), { recursive: true, mode: 0o700 });
    // Written whole or not at all: a reader never sees half a frame.
    await writeFile(`${abs}.part`, jpeg, { mode: 0o600 });
    await rename(`${abs}.part`, abs);
  }
  const meta = await sharp(abs).metadata();
  return { faceId, path: rel, problem: null, width: meta.width ?? null, height: meta.height ?? null };
}
