import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffFileType } from '../../main/core/media/fileType.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import sharp from 'sharp';
import { exifTime, exifrCanWalk, NO_EXIF, readExif } from '../../main/core/media/exifMetadata.js';
import { unsafeEntryName } from '../../main/core/media/archiveReader.js';
import { assessQuality, smoothstep } from '../../main/core/faces/quality.js';
import { TEMPLATES } from '../../main/core/faces/alignment.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/fixtures.js';

const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);
const ascii = (s: string, len = s.length): Uint8Array => { const b = new Uint8Array(Math.max(len, s.length)); for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i); return b; };

test('sniffFileType recognises formats by content, not name', () => {
  assert.deepEqual(sniffFileType(bytes(0xff, 0xd8, 0xff, 0xe0)), { kind: 'image', format: 'jpeg' });
  assert.deepEqual(sniffFileType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)), { kind: 'image', format: 'png' });
  assert.deepEqual(sniffFileType(ascii('GIF89a')), { kind: 'image', format: 'gif' });
  assert.deepEqual(sniffFileType(ascii('RIFF\0\0\0\0WEBP')), { kind: 'image', format: 'webp' });
  assert.deepEqual(sniffFileType(ascii('\0\0\0\x18ftypheic')), { kind: 'image', format: 'heif' });
  assert.deepEqual(sniffFileType(ascii('\0\0\0\x18ftypisom')), { kind: 'video', format: 'mp4' });
  assert.deepEqual(sniffFileType(bytes(0x50, 0x4b, 3, 4)), { kind: 'archive', format: 'zip' });
  assert.deepEqual(sniffFileType(bytes(0x1f, 0x8b, 8)), { kind: 'archive', format: 'gzip' });
  assert.deepEqual(sniffFileType(bytes(0, 0, 0, 1, 0x67)), { kind: 'video', format: 'h264' });
  assert.deepEqual(sniffFileType(bytes(0, 0, 0, 1, 0x40, 0x01)), { kind: 'video', format: 'hevc' });
  assert.deepEqual(sniffFileType(ascii('hello world')), { kind: 'unknown' });
  assert.deepEqual(sniffFileType(new Uint8Array(0)), { kind: 'unknown' });
});

test('exifTime keeps the written time, adds only a written offset, rejects nonsense', () => {
  assert.equal(exifTime('2019:07:04 13:45:10', undefined), '2019-07-04T13:45:10');
  assert.equal(exifTime('2019:07:04 13:45:10', '+02:00'), '2019-07-04T13:45:10+02:00');
  assert.equal(exifTime('2019:07:04 13:45:10', '+99:99'), '2019-07-04T13:45:10', 'an impossible offset is dropped, the time kept');
  assert.equal(exifTime('0000:00:00 00:00:00', undefined), null);
  assert.equal(exifTime('2019:13:04 13:45:10', undefined), null);
  assert.equal(exifTime(12345, undefined), null);
  assert.equal(exifTime('<script>', undefined), null);
});

test('readExif reads the camera of photo after photo without keeping anything per photo', async () => {
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
    .withExif({ IFD0: { Make: 'Kestrel Test', Model: 'Probe 1' } }).jpeg().toBuffer();
  assert.equal((await readExif(jpeg)).cameraMake, 'Kestrel Test');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 200; i++) await readExif(jpeg);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 3000; i++) await readExif(jpeg);
  gc();
  const grown = (process.memoryUsage().heapUsed - before) / 1048576;
  // A per-call cache entry (about 6.6 KB each, as once happened) would be about 19 MiB here.
  assert.ok(grown < 5, `heap grew ${grown.toFixed(1)} MiB over 3,000 photos`);
});

test('EXIF reading skips, never loops on, a HEIF whose boxes do not lead to its meta box', async () => {
  const box = (size: number, kind: string, body: Uint8Array = new Uint8Array(0)): Buffer => {
    const b = Buffer.alloc(8 + body.length); b.writeUInt32BE(size, 0); b.write(kind, 4, 'latin1'); b.set(body, 8); return b;
  };
  const ftyp = (kind: string): Buffer => box(24, kind, ascii('heic\0\0\0\0mif1heic'));
  const meta = box(20, 'meta', new Uint8Array(12));
  const real = readFileSync(join(repoRoot, 'test', 'fixtures', 'astronaut.heic'));
  assert.equal(exifrCanWalk(real), true);
  assert.equal(exifrCanWalk(Buffer.concat([ftyp('ftyp'), meta])), true);
  assert.equal(exifrCanWalk(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), true, 'not HEIF to exifr: left to exifr');
  // exifr trusts the first two zero bytes, not the 'ftyp' name: a damaged name (found by the fuzz
  // test) with a zero-length box after it hung intake.
  const hung = Buffer.concat([ftyp('R\xd5v\x1d'), box(0, 'free'), meta]);
  assert.equal(exifrCanWalk(hung), false);
  assert.equal(exifrCanWalk(Buffer.concat([ftyp('ftyp'), box(0, 'free'), meta])), false, 'a zero-length box');
  assert.equal(exifrCanWalk(Buffer.concat([ftyp('ftyp'), box(4, 'free'), meta])), false, 'a box shorter than its header');
  assert.equal(exifrCanWalk(Buffer.concat([ftyp('ftyp'), box(9999, 'free'), meta])), false, 'a box past the end');
  assert.equal(exifrCanWalk(Buffer.concat([ftyp('ftyp'), box(8, 'free')])), false, 'no meta box');
  assert.equal(exifrCanWalk(Buffer.concat([ftyp('meta'), box(0, 'free'), meta])), false, 'exifr never looks at the first box');
  assert.deepEqual(await readExif(hung), NO_EXIF);
});

test('unsafeEntryName flags traversal, absolute and NUL names only', () => {
  assert.equal(unsafeEntryName('photos/a.jpg'), null);
  assert.equal(unsafeEntryName('photos/..hidden.jpg'), null);
  assert.match(unsafeEntryName('../../etc/passwd')!, /\.\./);
  assert.match(unsafeEntryName('a/../../b.jpg')!, /\.\./);
  assert.match(unsafeEntryName('/etc/passwd')!, /absolute/);
  assert.match(unsafeEntryName('C:\\Windows\\x.jpg')!, /absolute/);
  assert.match(unsafeEntryName('..\\..\\x.jpg')!, /\.\./);
  assert.match(unsafeEntryName('a\0.jpg')!, /NUL/);
});

test('assessQuality: a frontal, sharp, well-exposed face scores high; profile, tiny and flat ones warn', () => {
  const tex = new Uint8Array(112 * 112 * 3);
  for (let i = 0; i < 112 * 112; i++) { const v = ((i * 7919) % 97) + 80; tex[i * 3] = v; tex[i * 3 + 1] = v; tex[i * 3 + 2] = v; }
  const lm = TEMPLATES.arcface112.points;
  const good = assessQuality({ x: 0, y: 0, width: 112, height: 112 }, lm, 0.95, tex);
  assert.ok(good.overall > 0.8, JSON.stringify(good));
  assert.deepEqual(good.warnings, []);
  const profile = assessQuality({ x: 0, y: 0, width: 112, height: 112 }, lm.map((p, i) => (i === 2 ? { x: p.x + 30, y: p.y } : p)), 0.95, tex);
  assert.ok(profile.warnings.includes('profile') && profile.overall < good.overall);
  const flat = assessQuality({ x: 0, y: 0, width: 20, height: 20 }, lm, 0.95, new Uint8Array(112 * 112 * 3).fill(120));
  assert.ok(flat.warnings.includes('small') && flat.warnings.includes('blurred'));
  assert.ok(flat.overall < 0.1);
  assert.equal(smoothstep(0, 1, 2), 1);
});
