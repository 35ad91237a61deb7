import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import tarStream from 'tar-stream';
import type { MediaErrorReason } from '../../contract/index.js';
import type { ArchiveFormat } from './fileType.js';

export interface ArchiveLimits {
  /** Largest single entry read into memory. */
  readonly maxEntryBytes: number;
  /** Declared uncompressed bytes over all entries of one archive. */
  readonly maxTotalBytes: number;
  /** Compression ratio above which a large entry is treated as a bomb. */
  readonly maxRatio: number;
  readonly maxEntries: number;
  /** Archives inside archives deeper than this are not opened. */
  readonly maxDepth: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntryBytes: 512 * 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024 * 1024,
  // Real photo/video archives compress at ~1:1; text at <10:1. Zip bombs run at 1000:1 and above.
  maxRatio: 200,
  maxEntries: 1_000_000,
  maxDepth: 4,
};

export type ArchiveItem =
  | { readonly type: 'entry'; readonly name: string; readonly data: Buffer }
  | { readonly type: 'error'; readonly name: string; readonly reason: MediaErrorReason; readonly detail: string };

/** Present in yauzl 3 (documented in its README) but missing from @types/yauzl. */
interface LowLevelNames {
  getFileNameLowLevel(generalPurposeBitFlag: number, fileNameBuffer: Buffer, extraFields: unknown, strictFileNames: boolean): string;
}

export type ArchiveInput = { readonly path: string } | { readonly buffer: Buffer };

/**
 * Reads the files of a zip or tar(.gz) archive in place (nothing is extracted to disk). Entries are
 * yielded as buffers, one at a time. Hostile entries (path traversal, absolute names, bombs) become
 * error items; a corrupt archive yields what was readable and then one error item.
 */
export async function* readArchive(input: ArchiveInput, format: ArchiveFormat, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): AsyncGenerator<ArchiveItem> {
  if (format === 'zip') yield* readZip(input, limits);
  else yield* readTar(input, format === 'gzip', limits);
}

/** Names that would escape an extraction folder, are absolute, or carry NULs. */
export function unsafeEntryName(name: string): string | null {
  if (name.includes('\0')) return 'NUL byte in name';
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || /^[a-zA-Z]:/.test(n)) return 'absolute path';
  if (n.split('/').includes('..')) return "'..' path segment";
  return null;
}

function openZip(input: ArchiveInput): Promise<yauzl.ZipFile> {
  const opts: yauzl.Options = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: true };
  return new Promise((resolve, reject) => {
    const cb = (err: Error | null, zf?: yauzl.ZipFile): void => (err || !zf ? reject(err ?? new Error('zip open failed')) : resolve(zf));
    if ('path' in input) yauzl.open(input.path, opts, cb);
    else yauzl.fromBuffer(input.buffer, opts, cb);
  });
}

async function* readZip(input: ArchiveInput, limits: ArchiveLimits): AsyncGenerator<ArchiveItem> {
  let zf: yauzl.ZipFile;
  try {
    zf = await openZip(input);
  } catch (err) {
    yield { type: 'error', name: '', reason: 'archive_corrupt', detail: (err as Error).message };
    return;
  }
  // Pull entries one at a time (lazyEntries) so a million-entry archive never sits in memory.
  const nextEntry = (): Promise<yauzl.Entry | null> =>
    new Promise((resolve, reject) => {
      const onEntry = (e: yauzl.Entry): void => { cleanup(); resolve(e); };
      const onEnd = (): void => { cleanup(); resolve(null); };
      const onError = (err: Error): void => { cleanup(); reject(err); };
      const cleanup = (): void => { zf.off('entry', onEntry); zf.off('end', onEnd); zf.off('error', onError); };
      zf.on('entry', onEntry);
      zf.on('end', onEnd);
      zf.on('error', onError);
      zf.readEntry();
    });
  let totalDeclared = 0;
  let count = 0;
  try {
    for (;;) {
      let entry: yauzl.Entry | null;
      try {
        entry = await nextEntry();
      } catch (err) {
        yield { type: 'error', name: '', reason: 'archive_corrupt', detail: (err as Error).message };
        return;
      }
      if (!entry) return;
      const raw = entry.fileName as unknown as Buffer;
      const name = (yauzl as unknown as LowLevelNames).getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
      if (name.endsWith('/')) continue; // directory
      if (++count > limits.maxEntries) {
        yield { type: 'error', name, reason: 'archive_bomb', detail: `more than ${limits.maxEntries} entries` };
        return;
      }
      const unsafe = unsafeEntryName(name) ?? (yauzl.validateFileName(name.replace(/\\/g, '/')) ?? null);
      if (unsafe) {
        yield { type: 'error', name, reason: 'archive_path_traversal', detail: `unsafe entry name (${unsafe})` };
        continue;
      }
      if (isZipLink(entry)) {
        yield { type: 'error', name, reason: 'not_a_regular_file', detail: 'symbolic link entry not followed' };
        continue;
      }
      if (entry.isEncrypted()) {
        yield { type: 'error', name, reason: 'unsupported_format', detail: 'encrypted zip entry' };
        continue;
      }
      totalDeclared += entry.uncompressedSize;
      const bomb = bombReason(entry.uncompressedSize, entry.compressedSize, totalDeclared, limits);
      if (bomb) {
        yield { type: 'error', name, reason: bomb.reason, detail: bomb.detail };
        if (bomb.reason === 'archive_bomb' && totalDeclared > limits.maxTotalBytes) return;
        continue;
      }
      try {
        const stream = await new Promise<Readable>((resolve, reject) =>
          zf.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s))),
        );
        const data = await collect(stream, limits.maxEntryBytes);
        yield { type: 'entry', name, data };
      } catch (err) {
        yield { type: 'error', name, reason: 'archive_corrupt', detail: (err as Error).message };
      }
    }
  } finally {
    zf.close();
  }
}

/** A zip written on Unix keeps the file mode in the high half of the external attributes. */
function isZipLink(entry: yauzl.Entry): boolean {
  const madeOnUnix = entry.versionMadeBy >> 8 === 3;
  return madeOnUnix && ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;
}

function bombReason(size: number, compressed: number, total: number, limits: ArchiveLimits): { reason: MediaErrorReason; detail: string } | null {
  if (total > limits.maxTotalBytes) return { reason: 'archive_bomb', detail: `declared uncompressed total over ${limits.maxTotalBytes} bytes` };
  if (size > limits.maxEntryBytes) return { reason: 'too_large', detail: `entry of ${size} bytes is over the ${limits.maxEntryBytes}-byte limit` };
  if (size > 1024 * 1024 && size / Math.max(1, compressed) > limits.maxRatio)
    return { reason: 'archive_bomb', detail: `compression ratio ${Math.round(size / Math.max(1, compressed))}:1 over ${limits.maxRatio}:1` };
  return null;
}

/** Thrown while reading an entry whose stream turns out to be a bomb. */
class BombError extends Error {}

/**
 * Reads one entry into memory, at most `maxBytes`; `bomb` is asked after every chunk (a gzip
 * stream's ratio is only known while it inflates) and stops the read with its reason.
 */
async function collect(stream: AsyncIterable<unknown> & { destroy(err?: Error): void }, maxBytes: number, bomb?: () => string | null): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > maxBytes) {
      stream.destroy();
      throw new Error(`entry larger than ${maxBytes} bytes`);
    }
    const why = bomb?.();
    if (why) {
      stream.destroy();
      throw new BombError(why);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks, n);
}

async function* readTar(input: ArchiveInput, gzipped: boolean, limits: ArchiveLimits): AsyncGenerator<ArchiveItem> {
  const extract = tarStream.extract();
  const source: Readable = 'path' in input ? createReadStream(input.path, { flags: 'r' }) : Readable.from([input.buffer]);
  let inflated = 0;
  let compressedIn = 0;
  source.on('data', (c: Buffer) => { compressedIn += c.length; });
  const piped = gzipped ? source.pipe(createGunzip()) : source;
  piped.on('data', (c: Buffer) => { inflated += c.length; });
  piped.on('error', (err) => extract.destroy(err));
  source.on('error', (err) => extract.destroy(err));
  piped.pipe(extract);
  let count = 0;
  let total = 0;
  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      if (entry.header.type !== 'file') {
        entry.resume();
        if (entry.header.type === 'symlink' || entry.header.type === 'link') {
          yield { type: 'error', name, reason: 'not_a_regular_file', detail: `${entry.header.type} entry to ${entry.header.linkname ?? '?'} not followed` };
        }
        continue;
      }
      if (++count > limits.maxEntries) {
        entry.resume();
        yield { type: 'error', name, reason: 'archive_bomb', detail: `more than ${limits.maxEntries} entries` };
        break;
      }
      const size = entry.header.size ?? 0;
      total += size;
      const unsafe = unsafeEntryName(name);
      if (unsafe) {
        entry.resume();
        yield { type: 'error', name, reason: 'archive_path_traversal', detail: `unsafe entry name (${unsafe})` };
        continue;
      }
      // For gzip, the ratio is measured on the stream so far (a tar has no per-entry compressed size),
      // before the entry and again while it is read.
      const gzipBomb = (): string | null =>
        gzipped && inflated > 64 * 1024 * 1024 && inflated / Math.max(1, compressedIn) > limits.maxRatio
          ? `gzip ratio ${Math.round(inflated / Math.max(1, compressedIn))}:1 over ${limits.maxRatio}:1`
          : null;
      const ratio = gzipBomb();
      const bomb = ratio ? { reason: 'archive_bomb' as const, detail: ratio } : bombReason(size, size, total, limits);
      if (bomb) {
        entry.resume();
        yield { type: 'error', name, reason: bomb.reason, detail: bomb.detail };
        // Draining a huge gzipped entry costs as much as inflating it: stop reading this archive.
        if (bomb.reason === 'archive_bomb' || gzipped) break;
        continue;
      }
      let data: Buffer;
      try {
        data = await collect(entry, limits.maxEntryBytes, gzipBomb);
      } catch (err) {
        if (!(err instanceof BombError)) throw err;
        yield { type: 'error', name, reason: 'archive_bomb', detail: err.message };
        break;
      }
      yield { type: 'entry', name, data };
    }
  } catch (err) {
    yield { type: 'error', name: '', reason: 'archive_corrupt', detail: (err as Error).message };
  } finally {
    source.destroy();
  }
}
