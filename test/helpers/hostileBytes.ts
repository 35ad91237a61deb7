// Byte-level builders for the hostile corpus: files no ordinary tool will write.
import tarStream from 'tar-stream';

const ASCII = 2;
const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;

interface IfdEntry { tag: number; type: number; count: number; value: number }

function writeIfd(tiff: Buffer, at: number, entries: IfdEntry[], next: number): void {
  tiff.writeUInt16LE(entries.length, at);
  entries.forEach((e, i) => {
    const p = at + 2 + i * 12;
    tiff.writeUInt16LE(e.tag, p);
    tiff.writeUInt16LE(e.type, p + 2);
    tiff.writeUInt32LE(e.count, p + 4);
    if (e.type === SHORT && e.count === 1) tiff.writeUInt16LE(e.value, p + 8);
    else tiff.writeUInt32LE(e.value, p + 8);
  });
  tiff.writeUInt32LE(next, at + 2 + entries.length * 12);
}

/**
 * A JPEG APP1 EXIF segment with values no camera writes: orientation 99, a date in month 99, an
 * offset of +99:99, GPS rationals with zero denominators and a longitude of 500 degrees, a 30 KB
 * maker string, and IFD0's "next IFD" pointing back at IFD0 (a loop).
 */
export function hostileExifSegment(): Buffer {
  const make = 'A'.repeat(30_000);
  const dataAt = 146;
  const tiff = Buffer.alloc(dataAt + 20 + 8 + 24 + 24 + make.length + 1);
  tiff.write('II', 0, 'ascii');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  const dateAt = dataAt;
  const offsetAt = dateAt + 20;
  const latAt = offsetAt + 8;
  const lonAt = latAt + 24;
  const makeAt = lonAt + 24;
  writeIfd(tiff, 8, [
    { tag: 0x010f, type: ASCII, count: make.length + 1, value: makeAt },
    { tag: 0x0112, type: SHORT, count: 1, value: 99 },
    { tag: 0x8769, type: LONG, count: 1, value: 62 },
    { tag: 0x8825, type: LONG, count: 1, value: 92 },
  ], 8);
  writeIfd(tiff, 62, [
    { tag: 0x9003, type: ASCII, count: 20, value: dateAt },
    { tag: 0x9011, type: ASCII, count: 7, value: offsetAt },
  ], 0);
  writeIfd(tiff, 92, [
    { tag: 0x0001, type: ASCII, count: 2, value: 0x4e },
    { tag: 0x0002, type: RATIONAL, count: 3, value: latAt },
    { tag: 0x0003, type: ASCII, count: 2, value: 0x45 },
    { tag: 0x0004, type: RATIONAL, count: 3, value: lonAt },
  ], 0);
  tiff.write('2019:99:99 99:99:99\0', dateAt, 'ascii');
  tiff.write('+99:99\0', offsetAt, 'ascii');
  [[1, 0], [0, 0], [0xffffffff, 1]].forEach(([n, d], i) => { tiff.writeUInt32LE(n!, latAt + i * 8); tiff.writeUInt32LE(d!, latAt + i * 8 + 4); });
  [[500, 1], [0, 1], [0, 1]].forEach(([n, d], i) => { tiff.writeUInt32LE(n!, lonAt + i * 8); tiff.writeUInt32LE(d!, lonAt + i * 8 + 4); });
  tiff.write(make, makeAt, 'ascii');
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/** A valid small baseline JPEG whose frame header claims width x height (a decompression bomb). */
export function jpegDeclaring(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9; i++) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
  }
  throw new Error('no SOF marker in the JPEG');
}

/** An MP4 whose index (the chunk offset table) points past the end of the file. */
export function mp4WithBrokenIndex(mp4: Buffer): Buffer {
  const out = Buffer.from(mp4);
  const at = out.indexOf('stco', 0, 'latin1');
  if (at < 4) throw new Error('no stco box in the MP4');
  const count = out.readUInt32BE(at + 8);
  for (let i = 0; i < count; i++) out.writeUInt32BE(0xfffff000 - i, at + 12 + i * 4);
  return out;
}

/** A TIFF header whose first IFD claims 65,535 entries and holds none. */
export function tiffWithHugeIfd(): Buffer {
  const out = Buffer.alloc(64);
  out.write('II', 0, 'ascii');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4);
  out.writeUInt16LE(0xffff, 8);
  return out;
}

/** A tar archive; entries may be symbolic or hard links (which intake must not follow). */
export async function tarOf(entries: { name: string; data?: Buffer; type?: 'symlink' | 'link'; linkname?: string }[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) {
    if (e.type) pack.entry({ name: e.name, type: e.type, linkname: e.linkname ?? '' });
    else pack.entry({ name: e.name }, e.data!);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A HEIF whose second top-level box has length 0 and no 'meta' box follows (a parser that walks boxes by length never advances). */
export function heifWithZeroLengthBox(heic: Buffer): Buffer {
  const ftyp = heic.subarray(0, heic.readUInt32BE(0));
  const zero = Buffer.alloc(64);
  zero.write('free', 4, 'latin1');
  return Buffer.concat([ftyp, zero]);
}
