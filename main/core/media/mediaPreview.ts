import sharp from 'sharp';
import { KestrelError, type MediaPreviewDto, type PreviewBoxDto } from '../../contract/index.js';
import type { ExportFaceRow } from '../repositories/exportRepository.js';
import { derivedPicture, type DerivedPictureDeps } from './derivedPicture.js';

/** The longest side of a preview: sharp in a grid cell and in the detail pane. */
export const PREVIEW_SIZE = 480;

/** The video frame with the most faces (the earliest of equals), else a second in (past a black first frame). */
function previewFrame(faces: readonly ExportFaceRow[], durationMs: number | null): number {
  const counts = new Map<number, number>();
  for (const f of faces) if (f.frameMs !== null) counts.set(f.frameMs, (counts.get(f.frameMs) ?? 0) + 1);
  let best: [number, number] | null = null;
  for (const [ms, n] of counts) if (!best || n > best[1] || (n === best[1] && ms < best[0])) best = [ms, n];
  return best ? best[0] : Math.min(1000, Math.floor((durationMs ?? 0) / 2));
}

/**
 * A small picture of one original for the media browser, drawn from the verified original (and
 * kept under derived/previews/), with the boxes of the faces on it as fractions of the picture, so
 * the UI can draw them at any size and toggle them without another picture.
 */
export async function mediaPreview(d: DerivedPictureDeps, mediaId: number): Promise<MediaPreviewDto> {
  const media = d.exports.media([mediaId])[0];
  if (!media || media.status !== 'done') throw new KestrelError('NOT_FOUND', `No processed media ${mediaId} in this case`);
  const faces = d.exports.facesOnMedia(mediaId);
  const frameMs = media.kind === 'video' ? previewFrame(faces, media.durationMs) : null;
  const shown = faces.filter((f) => f.frameMs === frameMs);
  const rel = `previews/media-${mediaId}.jpg`;
  const r = await derivedPicture(d, rel, media, frameMs, (frame) =>
    sharp(frame.image.data, { raw: { width: frame.image.width, height: frame.image.height, channels: 3 } })
      .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 82 })
      .toBuffer());
  const { width, height } = media;
  const boxes: PreviewBoxDto[] = width && height
    ? shown.map((f) => ({ faceId: f.id, identityId: f.identityId, x: f.x / width, y: f.y / height, w: f.w / width, h: f.h / height }))
    : [];
  return { mediaId, path: r.path, problem: r.problem, frameMs, boxes };
}
