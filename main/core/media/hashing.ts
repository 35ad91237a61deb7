import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Streams a file through SHA-256 (read-only), for originals too large to hold in memory. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { flags: 'r' })) h.update(chunk as Buffer);
  return h.digest('hex');
}
