import sharp, { type OverlayOptions } from 'sharp';
import { KestrelError, type ContactSheetDto } from '../../contract/index.js';
import { annotatedFrame } from '../export/evidenceImages.js';
import { derivedFromOriginal, type DerivedPictureDeps } from './derivedPicture.js';

export const SHEET_COLUMNS = 4;
export const SHEET_ROWS = 3;
const TILE_W = 320;
const CAPTION_H = 22;

const clock = (ms: number): string => {
  const s = ms / 1000;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = (s % 60).toFixed(1).padStart(4, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
};

/**
 * A contact sheet of a video: 12 frames at even times across it (each near the middle of its
 * twelfth, on a frame where faces were detected when one is that close), the faces found on it
 * outlined and the time under each, drawn from the verified original and kept under
 * derived/contact/. An examiner sees at a glance what a video shows and where its people are.
 */
export async function contactSheet(d: DerivedPictureDeps, mediaId: number): Promise<ContactSheetDto> {
  const media = d.exports.media([mediaId])[0];
  if (!media || media.status !== 'done') throw new KestrelError('NOT_FOUND', `No processed media ${mediaId} in this case`);
  if (media.kind !== 'video') throw new KestrelError('INVALID_INPUT', `Media ${mediaId} is a photo: a contact sheet is made of a video`);
  const durationMs = media.durationMs ?? 0;
  const n = SHEET_COLUMNS * SHEET_ROWS;
  const faces = d.exports.facesOnMedia(mediaId).filter((f) => f.frameMs !== null);
  // Each tile shows the sampled frame nearest its even time when one lies within half a second (and
  // within its own twelfth, so no two tiles show one frame), so the outlines are exactly where the
  // faces were found; otherwise the frame at that time.
  const sampled = [...new Set(faces.map((f) => f.frameMs!))].sort((x, y) => x - y);
  const reach = Math.min(500, durationMs / n / 2);
  const times = Array.from({ length: n }, (_, i) => {
    const even = Math.round(((i + 0.5) * durationMs) / n);
    const nearest = sampled.reduce<number | null>((best, ms) => (best === null || Math.abs(ms - even) < Math.abs(best - even) ? ms : best), null);
    return nearest !== null && Math.abs(nearest - even) < reach ? nearest : even;
  });
  const r = await derivedFromOriginal(d, `contact/media-${mediaId}.jpg`, media, async (read) => {
    const tiles: { image: Buffer; caption: string }[] = [];
    let tileH = 0;
    for (const ms of times) {
      const frame = await read(ms);
      const near = faces.filter((f) => f.frameMs === ms);
      const jpeg = near.length ? await annotatedFrame(frame, near, [], false)
        : await sharp(frame.image.data, { raw: { width: frame.image.width, height: frame.image.height, channels: 3 } }).jpeg().toBuffer();
      const tile = await sharp(jpeg).resize(TILE_W).jpeg({ quality: 85 }).toBuffer({ resolveWithObject: true });
      tileH = Math.max(tileH, tile.info.height);
      tiles.push({ image: tile.data, caption: `${clock(ms)}${near.length ? ` · ${near.length} face${near.length > 1 ? 's' : ''}` : ''}` });
    }
    const rowH = tileH + CAPTION_H;
    const layers: OverlayOptions[] = tiles.flatMap((t, i) => {
      const left = (i % SHEET_COLUMNS) * TILE_W;
      const top = Math.floor(i / SHEET_COLUMNS) * rowH;
      return [
        { input: t.image, left, top },
        {
          input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${TILE_W}" height="${CAPTION_H}"><rect width="${TILE_W}" height="${CAPTION_H}" fill="#111"/>`
            + `<text x="6" y="16" font-family="sans-serif" font-size="14" fill="#eee">${t.caption}</text></svg>`),
          left, top: top + tileH,
        },
      ];
    });
    return sharp({ create: { width: TILE_W * SHEET_COLUMNS, height: rowH * SHEET_ROWS, channels: 3, background: '#000' } }).composite(layers).jpeg({ quality: 85 }).toBuffer();
  });
  return { mediaId, path: r.path, problem: r.problem, times };
}
