import { ARCHIVE_SEP } from '../repositories/locationPath.js';
import { readArchive, DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './archiveReader.js';
import { readFileHead, sniffFileType, SNIFF_BYTES } from './fileType.js';

/**
 * The bytes of one member of an archive on disk, following nested archives (an `entry` of
 * `inner.tar!/DCIM/photo.jpg` opens inner.tar inside the archive, then the photo inside it). Each
 * level is recognised by its bytes, as at intake. Null when a member is no longer there.
 */
export async function readArchiveMember(path: string, entry: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<Buffer | null> {
  let input: { path: string } | { buffer: Buffer } = { path };
  for (const part of entry.split(ARCHIVE_SEP)) {
    const head = 'path' in input ? await readFileHead(input.path) : input.buffer.subarray(0, SNIFF_BYTES);
    const t = sniffFileType(head);
    if (t.kind !== 'archive') throw new Error(`${part}: what should hold it is not an archive`);
    let found: Buffer | null = null;
    for await (const it of readArchive(input, t.format, limits)) {
      if (it.type === 'entry' && it.name === part) { found = it.data; break; }
    }
    if (!found) return null;
    input = { buffer: found };
  }
  return 'buffer' in input ? input.buffer : null;
}
