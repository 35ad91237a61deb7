import sharp, { type OverlayOptions } from 'sharp';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rng } from '../util/rng.js';

/** A time as EXIF writes it: "YYYY:MM:DD HH:MM:SS" (the clock as shown, no zone). */
const exifClock = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, ':');

/**
 * Writes `count` distinct JPEG photos made from one licence-clean face photo (the public-domain
 * astronaut shipped in resources/): random scale, crop, mirror, brightness and canvas size, with
 * one or two copies of the face per photo, optionally with capture times. Used by the ingest
 * benchmark and integration tests.
 */
export async function writeSyntheticPhotos(
  outDir: string, count: number, facePhoto: string, seed = 1, dated?: { readonly from: Date; readonly stepMs: number },
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const rand = rng(seed);
  const base = sharp(facePhoto);
  const meta = await base.metadata();
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const w = 640 + Math.floor(rand() * 4) * 160;
    const h = Math.round(w * 0.75);
    const faces = rand() < 0.3 ? 2 : 1;
    const layers: OverlayOptions[] = [];
    for (let f = 0; f < faces; f++) {
      const side = Math.round((faces === 2 ? 0.45 : 0.6 + rand() * 0.3) * h);
      let img = sharp(facePhoto).resize(side, Math.round((side * (meta.height ?? 1)) / (meta.width ?? 1)));
      if (rand() < 0.5) img = img.flop();
      img = img.modulate({ brightness: 0.8 + rand() * 0.4 });
      const buf = await img.toBuffer();
      const left = faces === 2 ? f * Math.round(w / 2) + Math.round(rand() * 20) : Math.round(rand() * (w - side));
      layers.push({ input: buf, left: Math.max(0, Math.min(w - side, left)), top: Math.round(rand() * Math.max(0, h - side)) });
    }
    let photo = sharp({ create: { width: w, height: h, channels: 3, background: { r: 40 + i % 50, g: 60, b: 80 } } })
      .composite(layers)
      .jpeg({ quality: 90 });
    // A camera clock (EXIF DateTimeOriginal, no zone) when asked: photo i at from + i * step.
    if (dated) photo = photo.withExif({ IFD2: { DateTimeOriginal: exifClock(dated.from.getTime() + i * dated.stepMs) } });
    const out = await photo.toBuffer();
    const file = join(outDir, `photo_${String(i).padStart(5, '0')}.jpg`);
    await writeFile(file, out);
    files.push(file);
  }
  return files;
}
