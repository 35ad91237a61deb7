import { join } from 'node:path';
import sharp from 'sharp';
import { KestrelError, type FaceFrameDto } from '../../contract/index.js';
import { annotatedFrame } from '../export/evidenceImages.js';
import { derivedPicture, type DerivedPictureDeps } from '../media/derivedPicture.js';

/**
 * The whole frame a face was found in, with that face outlined (the photo, or the video frame at
 * the face's time), for the examiner to see the context; drawn from the verified original only.
 */
export async function faceFrame(d: DerivedPictureDeps, faceId: number): Promise<FaceFrameDto> {
  const face = d.exports.faces([faceId])[0];
  if (!face) throw new KestrelError('NOT_FOUND', `No face ${faceId} in this case`);
  const media = d.exports.media([face.mediaId])[0]!;
  const r = await derivedPicture(d, `frames/face-${faceId}.jpg`, media, face.frameMs, (frame) => annotatedFrame(frame, [face], [], false));
  if (r.path === null) return { faceId, path: null, problem: r.problem, width: null, height: null };
  const meta = await sharp(await d.vault.readFile(join(d.derivedDir, r.path))).metadata();
  return { faceId, path: r.path, problem: null, width: meta.width ?? null, height: meta.height ?? null };
}
