import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { KestrelError } from '../../contract/index.js';

/**
 * A derived file of an encrypted case, sealed with AES-256-GCM in chunks of 64 KiB so that a part
 * of it (a video element seeking in a clip) is read and checked without decrypting the rest.
 *
 * Layout: a 32-byte header (magic "KSEAL", version 1, 2 reserved bytes, a random 16-byte file id,
 * the plain length as a little-endian u64), then each chunk's ciphertext followed by its 16-byte
 * tag. Each file has its own key (HKDF of the case's file key and the file id), so the chunk index
 * can be the nonce. Every chunk's tag covers the header, its index, whether it is the last chunk
 * and the file's name in the case: a changed, truncated, reordered or swapped file fails to open.
 */
const MAGIC = Buffer.from('KSEAL\x01', 'latin1');
const HEADER = 32;
export const SEAL_CHUNK = 64 * 1024;
const TAG = 16;

export const isSealed = (head: Uint8Array): boolean => head.length >= MAGIC.length && MAGIC.equals(Buffer.from(head.subarray(0, MAGIC.length)));

const chunkCount = (plainLength: number): number => Math.max(1, Math.ceil(plainLength / SEAL_CHUNK));
const fileKey = (filesKey: Buffer, fileId: Buffer): Buffer => Buffer.from(hkdfSync('sha256', filesKey, fileId, 'kestrel sealed file', 32));

function nonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

function aad(header: Buffer, index: number, last: boolean, name: string): Buffer {
  const meta = Buffer.alloc(9);
  meta.writeBigUInt64BE(BigInt(index));
  meta[8] = last ? 1 : 0;
  return Buffer.concat([header, meta, Buffer.from(name, 'utf8')]);
}

export function sealBytes(plain: Uint8Array, filesKey: Buffer, name: string): Buffer {
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  const fileId = randomBytes(16);
  fileId.copy(header, 8);
  header.writeBigUInt64LE(BigInt(plain.length), 24);
  const key = fileKey(filesKey, fileId);
  const n = chunkCount(plain.length);
  const parts: Buffer[] = [header];
  for (let i = 0; i < n; i++) {
    const c = createCipheriv('aes-256-gcm', key, nonce(i));
    c.setAAD(aad(header, i, i === n - 1, name));
    parts.push(c.update(plain.subarray(i * SEAL_CHUNK, Math.min(plain.length, (i + 1) * SEAL_CHUNK))), c.final(), c.getAuthTag());
  }
  return Buffer.concat(parts);
}

const damaged = (name: string, why: string): KestrelError =>
  new KestrelError('IO_ERROR', `The case file ${name} fails its integrity check (${why}): it was changed, truncated or replaced since Kestrel wrote it`);

interface Layout { readonly header: Buffer; readonly plainLength: number; readonly chunks: number; readonly key: Buffer }

function layoutOf(header: Buffer, sealedLength: number, filesKey: Buffer, name: string): Layout {
  if (header.length < HEADER || !isSealed(header)) throw damaged(name, 'no sealed-file header');
  const plainLength = Number(header.readBigUInt64LE(24));
  const chunks = chunkCount(plainLength);
  if (sealedLength !== HEADER + plainLength + chunks * TAG) throw damaged(name, `${sealedLength} bytes where ${HEADER + plainLength + chunks * TAG} were written`);
  return { header: Buffer.from(header.subarray(0, HEADER)), plainLength, chunks, key: fileKey(filesKey, header.subarray(8, 24)) };
}

function openChunk(l: Layout, index: number, sealedChunk: Buffer, name: string): Buffer {
  const d = createDecipheriv('aes-256-gcm', l.key, nonce(index));
  d.setAAD(aad(l.header, index, index === l.chunks - 1, name));
  d.setAuthTag(sealedChunk.subarray(sealedChunk.length - TAG));
  try {
    return Buffer.concat([d.update(sealedChunk.subarray(0, sealedChunk.length - TAG)), d.final()]);
  } catch {
    throw damaged(name, `chunk ${index} does not authenticate`);
  }
}

const chunkSpan = (index: number, l: Layout): { at: number; length: number } => ({
  at: HEADER + index * (SEAL_CHUNK + TAG),
  length: Math.min(SEAL_CHUNK, l.plainLength - index * SEAL_CHUNK) + TAG,
});

export function openBytes(sealed: Buffer, filesKey: Buffer, name: string): Buffer {
  const l = layoutOf(sealed.subarray(0, HEADER), sealed.length, filesKey, name);
  const out = Buffer.allocUnsafe(l.plainLength);
  for (let i = 0; i < l.chunks; i++) {
    const s = chunkSpan(i, l);
    openChunk(l, i, sealed.subarray(s.at, s.at + s.length), name).copy(out, i * SEAL_CHUNK);
  }
  return out;
}

/** The plain length of a sealed file, from its header. */
export async function sealedPlainLength(path: string, filesKey: Buffer, name: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const header = Buffer.alloc(HEADER);
    await fh.read(header, 0, HEADER, 0);
    return layoutOf(header, (await fh.stat()).size, filesKey, name).plainLength;
  } finally {
    await fh.close();
  }
}

/** Plain bytes start..end (inclusive) of a sealed file, reading and checking only the chunks they lie in. */
export async function openRange(path: string, filesKey: Buffer, name: string, start: number, end: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const header = Buffer.alloc(HEADER);
    await fh.read(header, 0, HEADER, 0);
    const l = layoutOf(header, (await fh.stat()).size, filesKey, name);
    const last = Math.min(end, l.plainLength - 1);
    if (start > last) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (let i = Math.floor(start / SEAL_CHUNK); i <= Math.floor(last / SEAL_CHUNK); i++) {
      const s = chunkSpan(i, l);
      const sealedChunk = Buffer.alloc(s.length);
      await fh.read(sealedChunk, 0, s.length, s.at);
      const plain = openChunk(l, i, sealedChunk, name);
      const from = Math.max(0, start - i * SEAL_CHUNK);
      const to = Math.min(plain.length, last - i * SEAL_CHUNK + 1);
      parts.push(plain.subarray(from, to));
    }
    return Buffer.concat(parts);
  } finally {
    await fh.close();
  }
}
