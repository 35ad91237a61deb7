import type { Box, Point } from '../../contract/index.js';
import type { RgbImage } from '../media/imageDecoder.js';
import { warpAffine } from './alignment.js';

/** Side of the square crop the landmark model sees (a multiple of every detector stride). */
export const LANDMARK_CROP = 192;
/** Crop side as a multiple of the face box's longer side: the face fills about half the crop. */
export const LANDMARK_CONTEXT = 2;

export interface LandmarkCrop {
  readonly image: RgbImage;
  /** The face's box in crop pixels. */
  readonly box: Box;
  /** Maps a crop point back to the full image's pixels. */
  readonly toImage: (p: Point) => Point;
}

/**
 * A LANDMARK_CROP square centred on a face box, taken from the detector's copy when the face is
 * still large enough there, else from the full image. Large faces are first halved by 2x2 means so
 * the bilinear warp never skips more than every other pixel (plain bilinear down-sampling aliases).
 * Pixels beyond the image are black, as in the alignment crops.
 */
export function landmarkCrop(full: RgbImage, detImage: RgbImage, detScale: number, box: Box): LandmarkCrop {
  const side = LANDMARK_CONTEXT * Math.max(box.width, box.height);
  const useDet = detScale < 1 && side * detScale >= LANDMARK_CROP;
  let src = useDet ? detImage : full;
  let sc = useDet ? detScale : 1;
  while ((LANDMARK_CROP / (side * sc)) < 0.5 && src.width >= 2 && src.height >= 2) {
    src = halve(src);
    sc /= 2;
  }
  const k = LANDMARK_CROP / (side * sc);
  // Crop origin in source pixels.
  const ox = (box.x + box.width / 2 - side / 2) * sc;
  const oy = (box.y + box.height / 2 - side / 2) * sc;
  const px = warpAffine(src, [k, 0, -k * ox, 0, k, -k * oy], LANDMARK_CROP);
  const image = { data: Buffer.from(px.buffer, px.byteOffset, px.length), width: LANDMARK_CROP, height: LANDMARK_CROP };
  const toCrop = (x: number, y: number): Point => ({ x: k * (x * sc - ox), y: k * (y * sc - oy) });
  const tl = toCrop(box.x, box.y);
  return {
    image,
    box: { x: tl.x, y: tl.y, width: box.width * sc * k, height: box.height * sc * k },
    toImage: (p) => ({ x: (p.x / k + ox) / sc, y: (p.y / k + oy) / sc }),
  };
}

/** Half-size copy by 2x2 means (odd last row or column dropped). */
export function halve(img: RgbImage): RgbImage {
  const w = Math.floor(img.width / 2);
  const h = Math.floor(img.height / 2);
  const out = Buffer.alloc(w * h * 3);
  const row = img.width * 3;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (2 * y * img.width + 2 * x) * 3;
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        out[o + c] = (img.data[i + c]! + img.data[i + 3 + c]! + img.data[i + row + c]! + img.data[i + row + 3 + c]! + 2) >> 2;
      }
    }
  }
  return { data: out, width: w, height: h };
}
