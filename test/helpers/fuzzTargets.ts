// Mutation fuzzing targets, run in a child process by test/integration/fuzz.test.ts (so that a hang,
// even a busy loop that starves timers, is caught by the parent's watchdog and the input kept).
// Each input's bytes are sent to the parent before it is checked; 'done' reports the counts.
//   node --import tsx test/helpers/fuzzTargets.ts image|archive SEED SECONDS
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { MEDIA_ERROR_REASONS } from '../../main/contract/index.js';
import { sniffFileType, SNIFF_BYTES } from '../../main/core/media/fileType.js';
import { rng } from '../../main/core/util/rng.js';
import { decodeImage } from '../../main/core/media/imageDecoder.js';
import { readExif } from '../../main/core/media/exifMetadata.js';
import { readArchive, type ArchiveLimits } from '../../main/core/media/archiveReader.js';
import { astronautBmp, astronautJpeg, astronautPng, repoRoot } from './fixtures.js';
import { hostileExifSegment, tarOf } from './hostileBytes.js';
import { makeZip } from './zipWriter.js';

export const FUZZ_TARGETS = ['image', 'archive'] as const;
export type FuzzTarget = (typeof FUZZ_TARGETS)[number];

export type FuzzMessage =
  | { type: 'input'; index: number; bytes: string }
  | { type: 'failed'; index: number; message: string }
  | { type: 'done'; tried: number; summary: string };

const REASONS = new Set<string>(MEDIA_ERROR_REASONS);
// Small limits so that a mutated size field cannot make a run allocate gigabytes.
const DECODE_LIMITS = { maxPixels: 40_000_000, maxSide: 1024 };
const ARCHIVE_LIMITS: ArchiveLimits = { maxEntryBytes: 32 * 1024 * 1024, maxTotalBytes: 256 * 1024 * 1024, maxRatio: 200, maxEntries: 10_000, maxDepth: 4 };

/** One to four mutations: bit flips, byte runs, interesting values at header offsets, cuts, splices. */
function mutate(input: Buffer, r: () => number): Buffer {
  let b = Buffer.from(input);
  const at = (): number => Math.floor(r() * b.length);
  // Headers hold the sizes and offsets: aim half the mutations at the first 512 bytes.
  const headerAt = (): number => (r() < 0.5 ? Math.floor(r() * Math.min(512, b.length)) : at());
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n && b.length > 0; k++) {
    const op = Math.floor(r() * 7);
    if (op === 0) { const i = headerAt(); b[i] = b[i]! ^ (1 << Math.floor(r() * 8)); }
    else if (op === 1) { const i = headerAt(); const len = 1 + Math.floor(r() * 16); for (let j = i; j < Math.min(b.length, i + len); j++) b[j] = Math.floor(r() * 256); }
    else if (op === 2) { const i = headerAt(); const v = [0x00, 0xff, 0x7f, 0x80][Math.floor(r() * 4)]!; for (let j = i; j < Math.min(b.length, i + 4); j++) b[j] = v; }
    else if (op === 3) b = b.subarray(0, at());
    else if (op === 4) { const i = at(); const j = at(); b = Buffer.concat([b.subarray(0, Math.min(i, j)), b.subarray(Math.max(i, j))]); }
    else if (op === 5) { const i = at(); const len = Math.floor(r() * 64); b = Buffer.concat([b.subarray(0, i), b.subarray(i, i + len), b.subarray(i)]); }
    else if (b.length >= 4) { const i = headerAt(); b.writeUInt32BE(0xffffffff >>> Math.floor(r() * 32), Math.min(i, b.length - 4)); }
  }
  return b;
}

interface Target {
  seeds(): Promise<Buffer[]>;
  check(input: Buffer, count: (key: string) => void): Promise<void>;
}

const targets: Record<FuzzTarget, Target> = {
  image: {
    async seeds() {
      const exifJpeg = await astronautJpeg(200);
      return [
        await astronautJpeg(160),
        Buffer.concat([exifJpeg.subarray(0, 2), hostileExifSegment(), exifJpeg.subarray(2)]),
        await sharp(astronautPng).resize(150).png().toBuffer(),
        await sharp(astronautPng).resize(150).webp().toBuffer(),
        await sharp(astronautPng).resize(150).gif().toBuffer(),
        await sharp(astronautPng).resize(150).tiff().toBuffer(),
        await astronautBmp(120),
        readFileSync(join(repoRoot, 'test', 'fixtures', 'astronaut.heic')),
      ];
    },
    async check(input, count) {
      const type = sniffFileType(input.subarray(0, SNIFF_BYTES));
      await readExif(input);
      if (type.kind !== 'image') return count(`not an image (${type.kind})`);
      const res = await decodeImage(input, type.format, DECODE_LIMITS);
      if (!res.ok) assert.ok(REASONS.has(res.reason) && res.detail.length > 0, `unknown outcome ${res.reason}: ${res.detail}`);
      else assert.equal(res.decoded.image.data.length, res.decoded.image.width * res.decoded.image.height * 3, 'decoded pixels match the stated size');
      count(res.ok ? 'decoded' : res.reason);
    },
  },
  archive: {
    async seeds() {
      const photo = await astronautJpeg(120);
      const tar = await tarOf([{ name: 'a/one.jpg', data: photo }, { name: 'b/two.txt', data: Buffer.from('notes') }]);
      return [
        makeZip([{ name: 'one.jpg', data: photo }, { name: 'dir/two.txt', data: Buffer.from('notes '.repeat(50)) }]),
        makeZip([{ name: 'inner.zip', data: makeZip([{ name: 'x.jpg', data: photo }]) }]),
        tar,
        gzipSync(tar),
      ];
    },
    async check(input, count) {
      const type = sniffFileType(input.subarray(0, SNIFF_BYTES));
      if (type.kind !== 'archive') return count(`not an archive (${type.kind})`);
      let bytes = 0;
      for await (const item of readArchive({ buffer: input }, type.format, ARCHIVE_LIMITS)) {
        if (item.type === 'entry') {
          bytes += item.data.length;
          assert.ok(item.data.length <= ARCHIVE_LIMITS.maxEntryBytes);
          count('entry');
        } else {
          assert.ok(REASONS.has(item.reason), `unknown reason ${item.reason}`);
          count(item.reason);
        }
      }
      assert.ok(bytes <= ARCHIVE_LIMITS.maxTotalBytes);
    },
  },
};

/** Runs mutated seeds through a target until the time is up, reporting each input before its check. */
export async function runFuzz(name: FuzzTarget, seed: number, seconds: number, send: (m: FuzzMessage) => void): Promise<void> {
  const target = targets[name];
  const seeds = await target.seeds();
  const r = rng(seed);
  const counts = new Map<string, number>();
  const count = (k: string): void => { counts.set(k, (counts.get(k) ?? 0) + 1); };
  const end = Date.now() + seconds * 1000;
  let index = 0;
  for (; Date.now() < end; index++) {
    const input = mutate(seeds[Math.floor(r() * seeds.length)]!, r);
    send({ type: 'input', index, bytes: input.toString('base64') });
    try {
      await target.check(input, count);
    } catch (err) {
      send({ type: 'failed', index, message: (err as Error).message });
      return;
    }
  }
  send({ type: 'done', tried: index, summary: [...counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [name, seed, seconds] = process.argv.slice(2);
  if (!FUZZ_TARGETS.includes(name as FuzzTarget)) {
    process.stderr.write(`usage: node --import tsx test/helpers/fuzzTargets.ts ${FUZZ_TARGETS.join('|')} SEED SECONDS\n`);
    process.exit(2);
  }
  // libheif reports each failed parse with console.log; the outcomes are checked, not the chatter.
  console.log = () => undefined;
  const send = (m: FuzzMessage): void => {
    if (process.send) process.send(m);
    else if (m.type !== 'input') process.stderr.write(JSON.stringify(m) + '\n');
  };
  await runFuzz(name as FuzzTarget, Number(seed ?? 1), Number(seconds ?? 10), send);
  process.disconnect?.();
}
