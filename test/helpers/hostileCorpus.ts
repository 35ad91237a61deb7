// The hostile-evidence corpus: damaged, malicious and odd files of every kind seized media holds,
// generated here (nothing downloaded), each with the outcomes intake may end in. Tests build it in a
// temporary folder; run it directly to get a copy to inspect:
//   node --import tsx test/helpers/hostileCorpus.ts /tmp/hostile
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import type { MediaErrorReason } from '../../main/contract/index.js';
import { astronautBmp, astronautJpeg, astronautPng, pngDeclaring, repoRoot } from './fixtures.js';
import { makeZip } from './zipWriter.js';
import { heifWithZeroLengthBox, hostileExifSegment, jpegDeclaring, mp4WithBrokenIndex, tarOf, tiffWithHugeIfd } from './hostileBytes.js';

/** 'faces': processed with at least one face; 'no_faces': processed, none found. */
export type Outcome = MediaErrorReason | 'faces' | 'no_faces';

export interface CorpusItem {
  /** Path relative to the corpus folder; an archive entry as `archive.zip!/entry`. */
  readonly name: string;
  readonly group: 'image' | 'video' | 'archive' | 'filesystem';
  /** True for hostile or damaged inputs (the kinds the issue counts); false for good files. */
  readonly hostile: boolean;
  /** The outcomes that are correct; more than one where the platform decides (e.g. running as root). */
  readonly expect: readonly Outcome[];
}

/**
 * Writes the corpus into `dir` and returns what each item must become. `ffmpeg` (a path) adds the
 * video kinds. Good files are mixed in so a run proves they are still processed.
 */
export async function buildHostileCorpus(dir: string, opts: { ffmpeg?: string } = {}): Promise<CorpusItem[]> {
  const items: CorpusItem[] = [];
  const add = (name: string, group: CorpusItem['group'], hostile: boolean, ...expect: Outcome[]): void => {
    items.push({ name, group, hostile, expect });
  };
  const w = (name: string, data: Buffer | string): void => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  };
  const jpg = await astronautJpeg(512);
  const png = (width: number): Promise<Buffer> => sharp(astronautPng).resize(width).png().toBuffer();

  // Good images, one per format (the same face; each a distinct file).
  const good: [string, Buffer][] = [
    ['good/astronaut.jpg', jpg],
    ['good/astronaut.png', await png(480)],
    ['good/astronaut.webp', await sharp(astronautPng).resize(470).webp().toBuffer()],
    ['good/astronaut.tiff', await sharp(astronautPng).resize(460).tiff().toBuffer()],
    ['good/astronaut.gif', await sharp(astronautPng).resize(450).gif().toBuffer()],
    ['good/astronaut.bmp', await astronautBmp(440)],
    ['good/iphone.heic', readFileSync(join(repoRoot, 'test', 'fixtures', 'astronaut.heic'))],
    ['good/tight_crop.jpg', await sharp(astronautPng).extract({ left: 170, top: 50, width: 110, height: 140 }).resize(64, 80).jpeg().toBuffer()],
  ];
  for (const [name, data] of good) { w(name, data); add(name, 'image', false, 'faces'); }
  w('good/no_face.png', await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3a6' } }).png().toBuffer());
  add('good/no_face.png', 'image', false, 'no_faces');
  w('dupes/copy_of_astronaut.jpg', jpg); // identical bytes: linked, not processed twice

  // Odd but valid images: each must be decoded correctly.
  // Stored sideways (portrait pixels) with EXIF orientation 6: upright it is landscape, 430 x 302.
  const landscape = await sharp(astronautPng).extract({ left: 0, top: 0, width: 512, height: 360 }).resize(430).toBuffer();
  const odd: [string, Buffer][] = [
    ['good/rotated_exif6.jpg', await sharp(landscape).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toBuffer()],
    ['good/cmyk.jpg', await sharp(astronautPng).resize(420).toColourspace('cmyk').jpeg().toBuffer()],
    ['good/sixteen_bit.png', await sharp(astronautPng).resize(410).toColourspace('rgb16').png().toBuffer()],
    ['good/alpha.png', await sharp(astronautPng).resize(400).ensureAlpha(0.5).png().toBuffer()],
    ['good/renamed_png.jpg', await png(390)], // wrong extension, real image
    // A JPEG with a zip appended (a polyglot): it is the image that its first bytes say it is.
    ['good/polyglot_jpeg_zip.jpg', Buffer.concat([await astronautJpeg(385), makeZip([{ name: 'hidden.txt', data: Buffer.from('x') }])])],
    // EXIF with values no camera writes: orientation 99, month 99, zero-denominator GPS, a 30 KB
    // maker string and an IFD chain that points back to itself.
    ['good/hostile_exif.jpg', insertAfterSoi(await astronautJpeg(380), hostileExifSegment())],
  ];
  for (const [name, data] of odd) { w(name, data); add(name, 'image', true, 'faces'); }

  // Broken and malicious images.
  w('bad/zero.jpg', Buffer.alloc(0)); add('bad/zero.jpg', 'image', true, 'empty_file');
  w('bad/truncated.jpg', jpg.subarray(0, Math.floor(jpg.length / 3))); add('bad/truncated.jpg', 'image', true, 'truncated_or_corrupt');
  w('bad/corrupt_header.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]));
  add('bad/corrupt_header.png', 'image', true, 'truncated_or_corrupt');
  w('bad/text_named.jpg', 'this is not an image\n'); add('bad/text_named.jpg', 'image', true, 'unsupported_format');
  w('bad/bomb.png', await pngDeclaring(100_000, 100_000)); add('bad/bomb.png', 'image', true, 'decompression_bomb');
  w('bad/bomb.jpg', jpegDeclaring(await astronautJpeg(64), 65_000, 65_000)); add('bad/bomb.jpg', 'image', true, 'decompression_bomb');
  w('bad/zero_dims.png', await pngDeclaring(0, 0)); add('bad/zero_dims.png', 'image', true, 'truncated_or_corrupt');
  const webp = await sharp(astronautPng).resize(300).webp().toBuffer();
  w('bad/truncated.webp', webp.subarray(0, Math.floor(webp.length / 2))); add('bad/truncated.webp', 'image', true, 'truncated_or_corrupt', 'decode_failed');
  const heic = readFileSync(join(repoRoot, 'test', 'fixtures', 'astronaut.heic'));
  w('bad/truncated.heic', heic.subarray(0, Math.floor(heic.length / 2))); add('bad/truncated.heic', 'image', true, 'truncated_or_corrupt', 'decode_failed');
  w('bad/zero_length_box.heic', heifWithZeroLengthBox(heic)); add('bad/zero_length_box.heic', 'image', true, 'truncated_or_corrupt', 'decode_failed');
  w('bad/huge_ifd.tif', tiffWithHugeIfd()); add('bad/huge_ifd.tif', 'image', true, 'truncated_or_corrupt', 'decode_failed', 'unsupported_format');
  const bmp = await astronautBmp(200);
  w('bad/truncated.bmp', bmp.subarray(0, Math.floor(bmp.length / 2))); add('bad/truncated.bmp', 'image', true, 'truncated_or_corrupt', 'decode_failed');
  // A 300 MiB sparse file that starts like a JPEG: refused by size before it is read.
  w('bad/huge_sparse.jpg', jpg.subarray(0, 4096));
  truncateSync(join(dir, 'bad/huge_sparse.jpg'), 300 * 1024 * 1024);
  add('bad/huge_sparse.jpg', 'image', true, 'too_large');

  // Archives.
  w('bad/bomb.zip', makeZip([{ name: 'zeros.jpg', data: Buffer.alloc(300 * 1024 * 1024) }])); add('bad/bomb.zip!/zeros.jpg', 'archive', true, 'archive_bomb');
  w('bad/bomb.tar.gz', gzipSync(await tarOf([{ name: 'zeros.jpg', data: Buffer.alloc(300 * 1024 * 1024) }])));
  add('bad/bomb.tar.gz!/zeros.jpg', 'archive', true, 'archive_bomb');
  w('bad/traversal.zip', makeZip([
    { name: '../../outside.jpg', data: jpg },
    { name: '/etc/absolute.jpg', data: jpg },
    { name: 'inside/ok.png', data: await png(300) },
  ]));
  add('bad/traversal.zip!/../../outside.jpg', 'archive', true, 'archive_path_traversal');
  add('bad/traversal.zip!//etc/absolute.jpg', 'archive', true, 'archive_path_traversal');
  add('bad/traversal.zip!/inside/ok.png', 'archive', false, 'faces');
  w('bad/traversal.tar', await tarOf([{ name: '../escape.jpg', data: jpg }, { name: 'fine.jpg', data: await astronautJpeg(380) }]));
  add('bad/traversal.tar!/../escape.jpg', 'archive', true, 'archive_path_traversal');
  add('bad/traversal.tar!/fine.jpg', 'archive', false, 'faces');
  w('bad/links.tar', await tarOf([{ name: 'passwd.jpg', type: 'symlink', linkname: '/etc/passwd' }, { name: 'hard.jpg', type: 'link', linkname: '../../etc/shadow' }]));
  add('bad/links.tar!/passwd.jpg', 'archive', true, 'not_a_regular_file');
  add('bad/links.tar!/hard.jpg', 'archive', true, 'not_a_regular_file');
  w('bad/symlink_entry.zip', makeZip([{ name: 'link.jpg', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 }]));
  add('bad/symlink_entry.zip!/link.jpg', 'archive', true, 'not_a_regular_file');
  w('bad/encrypted.zip', makeZip([{ name: 'secret.jpg', data: jpg, encrypted: true }])); add('bad/encrypted.zip!/secret.jpg', 'archive', true, 'unsupported_format');
  w('bad/lying_size.zip', makeZip([{ name: 'liar.jpg', data: jpg, declaredSize: 100 }])); add('bad/lying_size.zip!/liar.jpg', 'archive', true, 'archive_corrupt');
  w('bad/corrupt.zip', Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(100, 1)])); add('bad/corrupt.zip', 'archive', true, 'archive_corrupt');
  w('bad/corrupt.tar.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(300, 0xab)])); add('bad/corrupt.tar.gz', 'archive', true, 'archive_corrupt');
  w('bad/empty_entry.zip', makeZip([{ name: 'empty.jpg', data: Buffer.alloc(0) }])); add('bad/empty_entry.zip!/empty.jpg', 'archive', true, 'empty_file');
  // Nested archives: zip in tar.gz in zip (read), and an archive nested beyond the depth limit.
  const inner = makeZip([{ name: 'deep/astronaut_small.jpg', data: await astronautJpeg(360) }]);
  w('archives/nested.zip', makeZip([{ name: 'level1.tar.gz', data: gzipSync(await tarOf([{ name: 'level2.zip', data: inner }])) }]));
  add('archives/nested.zip!/level1.tar.gz!/level2.zip!/deep/astronaut_small.jpg', 'archive', false, 'faces');
  let deep = makeZip([{ name: 'never.jpg', data: await astronautJpeg(350) }]);
  for (let i = 0; i < 5; i++) deep = makeZip([{ name: `layer${i}.zip`, data: deep }]);
  w('archives/too_deep.zip', deep); add('archives/too_deep.zip!/layer4.zip!/layer3.zip!/layer2.zip!/layer1.zip', 'archive', true, 'archive_too_deep');
  w('archives/photos.tar.gz', gzipSync(await tarOf([{ name: 'a/astronaut_340.jpg', data: await astronautJpeg(340) }])));
  add('archives/photos.tar.gz!/a/astronaut_340.jpg', 'archive', false, 'faces');

  // File-system oddities: a loop, an escape, a dangling link, a FIFO, unreadable and odd names.
  mkdirSync(join(dir, 'links'), { recursive: true });
  symlinkSync('..', join(dir, 'links', 'loop')); add('links/loop', 'filesystem', true, 'symlink_loop');
  symlinkSync('/etc', join(dir, 'links', 'outside')); add('links/outside', 'filesystem', true, 'symlink_outside_source');
  symlinkSync(join(dir, 'links', 'missing.jpg'), join(dir, 'links', 'dangling.jpg')); add('links/dangling.jpg', 'filesystem', true, 'unreadable');
  execFileSync('mkfifo', [join(dir, 'links', 'fifo.jpg')]); add('links/fifo.jpg', 'filesystem', true, 'not_a_regular_file');
  w('names/no_permission.jpg', await astronautJpeg(335));
  chmodSync(join(dir, 'names/no_permission.jpg'), 0);
  add('names/no_permission.jpg', 'filesystem', true, 'unreadable', 'faces'); // root reads it anyway
  w('names/证据照片_é.jpg', await astronautJpeg(330)); add('names/证据照片_é.jpg', 'filesystem', true, 'faces');
  w(`names/${'x'.repeat(200)}.jpg`, await astronautJpeg(320)); add(`names/${'x'.repeat(200)}.jpg`, 'filesystem', true, 'faces');
  w('names/new\nline\ttab.jpg', await astronautJpeg(325)); add('names/new\nline\ttab.jpg', 'filesystem', true, 'faces');
  const deepDir = Array.from({ length: 40 }, (_, i) => `d${i}`).join('/');
  w(`names/${deepDir}/deep.jpg`, await astronautJpeg(315)); add(`names/${deepDir}/deep.jpg`, 'filesystem', true, 'faces');
  // A name that is not valid UTF-8 (Latin-1 from an old camera card): 'caf\xe9.jpg'.
  mkdirSync(join(dir, 'latin1'), { recursive: true });
  writeFileSync(Buffer.concat([Buffer.from(join(dir, 'latin1') + '/caf'), Buffer.from([0xe9]), Buffer.from('.jpg')]), await astronautJpeg(310));
  add('latin1/caf\ufffd.jpg', 'filesystem', true, 'unreadable');

  if (opts.ffmpeg) await addVideos(dir, opts.ffmpeg, w, add);
  return items;
}

async function addVideos(
  dir: string, ffmpeg: string, w: (name: string, data: Buffer) => void, add: (name: string, group: CorpusItem['group'], hostile: boolean, ...expect: Outcome[]) => void,
): Promise<void> {
  const ff = (...args: string[]): void => { execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]); };
  mkdirSync(join(dir, 'video'), { recursive: true });
  const walkPath = join(dir, 'video', 'walk.mp4');
  // The astronaut crossing a grey field for 2 s, a key frame every 0.5 s.
  ff('-loop', '1', '-i', astronautPng, '-f', 'lavfi', '-i', 'color=gray:s=480x270:d=2:r=25', '-filter_complex',
    "[0]scale=130:-2[f];[1][f]overlay=x='20+t*100':y=50:shortest=1", '-t', '2', '-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', walkPath);
  add('video/walk.mp4', 'video', false, 'faces');
  const walk = readFileSync(walkPath);
  w('video/zero.mp4', Buffer.alloc(0)); add('video/zero.mp4', 'video', true, 'empty_file');
  w('video/truncated.mp4', walk.subarray(0, Math.floor(walk.length * 0.6))); add('video/truncated.mp4', 'video', true, 'truncated_or_corrupt');
  w('video/header_only.mp4', Buffer.concat([walk.subarray(0, 32), Buffer.alloc(2000)])); add('video/header_only.mp4', 'video', true, 'truncated_or_corrupt');
  w('video/broken_index.mp4', mp4WithBrokenIndex(walk)); add('video/broken_index.mp4', 'video', true, 'truncated_or_corrupt', 'decode_failed');
  ff('-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', join(dir, 'video', 'audio_only.mp4'));
  add('video/audio_only.mp4', 'video', true, 'truncated_or_corrupt');
  const riff = Buffer.alloc(4096, 0x5a);
  riff.write('RIFF', 0, 'ascii'); riff.writeUInt32LE(4088, 4); riff.write('AVI LIST', 8, 'ascii');
  w('video/garbage.avi', riff); add('video/garbage.avi', 'video', true, 'truncated_or_corrupt', 'unsupported_format');
  // Videos inside archives are footage like any other: a sound one, a truncated one, and an animated GIF one archive deeper.
  const packed = join(dir, 'video', 'packed.mp4');
  const gif = join(dir, 'video', 'walk.gif');
  ff('-i', walkPath, '-c:v', 'libx264', '-crf', '30', '-g', '12', '-pix_fmt', 'yuv420p', packed);
  ff('-i', walkPath, '-vf', 'fps=4', gif);
  const inner = makeZip([{ name: 'walk.gif', data: readFileSync(gif) }]);
  const clip = readFileSync(packed);
  rmSync(packed);
  rmSync(gif);
  w('video/in_archive.zip', makeZip([{ name: 'clip.mp4', data: clip }, { name: 'cut.mp4', data: clip.subarray(0, Math.floor(clip.length * 0.5)) }, { name: 'inner.zip', data: inner }]));
  add('video/in_archive.zip!/clip.mp4', 'video', false, 'faces');
  add('video/in_archive.zip!/cut.mp4', 'video', true, 'truncated_or_corrupt');
  add('video/in_archive.zip!/inner.zip!/walk.gif', 'video', false, 'faces');
}

function insertAfterSoi(jpeg: Buffer, segment: Buffer): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node --import tsx test/helpers/hostileCorpus.ts OUTPUT_FOLDER [FFMPEG]\n');
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  const items = await buildHostileCorpus(out, { ffmpeg: process.argv[3] ?? 'ffmpeg' });
  for (const i of items) process.stdout.write(`${i.hostile ? 'hostile' : 'good   '}  ${i.group.padEnd(10)}  ${i.expect.join('|').padEnd(40)}  ${JSON.stringify(i.name)}\n`);
  process.stdout.write(`${items.filter((i) => i.hostile).length} hostile kinds, ${items.filter((i) => !i.hostile).length} good files\n`);
}
