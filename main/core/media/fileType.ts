import { open } from 'node:fs/promises';

/**
 * Decides what a file is from its first bytes, never from its extension: seized media is often
 * renamed, and a wrong extension must neither hide an image nor let a non-image reach a decoder.
 */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'bmp' | 'gif' | 'heif';
export type ArchiveFormat = 'zip' | 'tar' | 'gzip';
/** 'gif' is an animated GIF, taken in as a video (a single-frame GIF is a photo). */
export type VideoFormat = 'mp4' | 'matroska' | 'avi' | 'mpegts' | 'h264' | 'hevc' | 'gif';
export type SniffedType =
  | { readonly kind: 'image'; readonly format: ImageFormat }
  | { readonly kind: 'archive'; readonly format: ArchiveFormat }
  | { readonly kind: 'video'; readonly format: VideoFormat }
  | { readonly kind: 'unknown' };

const ascii = (b: Uint8Array, start: number, end: number): string => String.fromCharCode(...b.subarray(start, end));

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis']);

export function sniffFileType(head: Uint8Array): SniffedType {
  const b = head;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { kind: 'image', format: 'jpeg' };
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 4) === 'PNG') return { kind: 'image', format: 'png' };
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return { kind: 'image', format: 'webp' };
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'AVI ') return { kind: 'video', format: 'avi' };
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a)))
    return { kind: 'image', format: 'tiff' };
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return { kind: 'image', format: 'bmp' };
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return { kind: 'image', format: 'gif' };
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    if (HEIF_BRANDS.has(brand)) return { kind: 'image', format: 'heif' };
    return { kind: 'video', format: 'mp4' };
  }
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6)) return { kind: 'archive', format: 'zip' };
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return { kind: 'archive', format: 'gzip' };
  if (b.length >= 262 && ascii(b, 257, 262) === 'ustar') return { kind: 'archive', format: 'tar' };
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return { kind: 'video', format: 'matroska' };
  if (b.length >= 189 && b[0] === 0x47 && b[188] === 0x47) return { kind: 'video', format: 'mpegts' };
  if (b.length >= 5 && b[0] === 0 && b[1] === 0 && ((b[2] === 0 && b[3] === 1) || b[2] === 1)) {
    const nal = b[2] === 1 ? b[3]! : b[4]!;
    // H.265 NAL header: type in bits 1..6 (VPS=32, SPS=33); H.264: type in the low 5 bits (SPS=7, AUD=9).
    const hevcType = (nal >> 1) & 0x3f;
    if (hevcType === 32 || hevcType === 33 || hevcType === 35) return { kind: 'video', format: 'hevc' };
    const avcType = nal & 0x1f;
    if (avcType === 7 || avcType === 9) return { kind: 'video', format: 'h264' };
  }
  return { kind: 'unknown' };
}

export const SNIFF_BYTES = 512;

/** The first SNIFF_BYTES of a file (fewer for a shorter file), read without loading the rest. */
export async function readFileHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(b, 0, SNIFF_BYTES, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
