import sharp from 'sharp';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from './zipWriter.js';
import { ModelStore, defaultModelsDir } from '../../models/modelStore.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const astronautPng = join(repoRoot, 'resources', 'fixtures', 'astronaut.png');
export const sharedDir = resolve(repoRoot, '..', 'shared');

/**
 * A verified models folder for tests: the user's (KESTREL_MODELS or per-user) if it verifies, else the bundle in
 * ../shared/models imported (verified) into .cache/models. Fails loudly, never skips: the face
 * tests are the product.
 */
let modelsPromise: Promise<string> | null = null;
export function testModelsDir(): Promise<string> {
  modelsPromise ??= (async () => {
    const env = defaultModelsDir();
    if (env) {
      const s = await ModelStore.open(env);
      try {
        await s.verifyProfile('accurate');
        return env;
      } catch {
        // fall through to the bundle
      }
    }
    const dir = join(repoRoot, '.cache', 'models');
    const store = await ModelStore.open(dir);
    const bundle = join(sharedDir, 'models');
    if (existsSync(bundle)) await store.installFrom(bundle);
    await store.verifyProfile('accurate');
    return dir;
  })();
  return modelsPromise;
}

/** A JPEG of the astronaut at a given width, optionally with an EXIF orientation tag. */
export async function astronautJpeg(width = 512, orientation?: number): Promise<Buffer> {
  let img = sharp(astronautPng).resize(width);
  if (orientation) img = img.withMetadata({ orientation });
  return img.jpeg({ quality: 90 }).toBuffer();
}

/** A 24-bit uncompressed BMP (sharp cannot write BMP). */
export async function astronautBmp(width = 256): Promise<Buffer> {
  const { data, info } = await sharp(astronautPng).resize(width).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const rowSize = Math.ceil((info.width * 3) / 4) * 4;
  const pixels = Buffer.alloc(rowSize * info.height);
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const s = (y * info.width + x) * 3;
      const d = (info.height - 1 - y) * rowSize + x * 3;
      pixels[d] = data[s + 2]!;
      pixels[d + 1] = data[s + 1]!;
      pixels[d + 2] = data[s]!;
    }
  }
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'ascii');
  header.writeUInt32LE(54 + pixels.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(info.width, 18);
  header.writeInt32LE(info.height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(pixels.length, 34);
  return Buffer.concat([header, pixels]);
}

/** A valid small PNG whose header claims width x height (a decompression bomb's signature). */
export async function pngDeclaring(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } }).png().toBuffer();
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

export function copyFixture(src: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, dest);
}
