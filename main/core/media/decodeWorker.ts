/**
 * A worker thread for the image decoders that run in JavaScript or WebAssembly (BMP with bmp-ts,
 * HEIC with libheif): they are synchronous, so on the engine's thread a large or hostile file would
 * stop everything else; here it can be stopped after its time limit (the worker is terminated).
 */
import { parentPort } from 'node:worker_threads';
import heicDecode from 'heic-decode';
import { decode as decodeBmp } from 'bmp-ts';

// libheif logs failed decodes with console.log: in a worker that would land on the engine's stdout
// (which carries `--json` output and the serve URL), so the worker's logs go to stderr.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

export interface DecodeJob { readonly id: number; readonly kind: 'bmp' | 'heif'; readonly bytes: Uint8Array }
export type DecodeReply =
  | { readonly id: number; readonly ok: true; readonly width: number; readonly height: number; readonly channels: 3 | 4; readonly data: Uint8Array }
  | { readonly id: number; readonly ok: false; readonly error: string };

async function decode(job: DecodeJob): Promise<DecodeReply> {
  if (job.kind === 'bmp') {
    const bmp = decodeBmp(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), { toRGBA: true });
    // bmp-ts reports alpha 0 for 24-bit files (which have none): keep the colour channels only.
    const rgb = new Uint8Array(bmp.width * bmp.height * 3);
    for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
      rgb[j] = bmp.data[i]!;
      rgb[j + 1] = bmp.data[i + 1]!;
      rgb[j + 2] = bmp.data[i + 2]!;
    }
    return { id: job.id, ok: true, width: bmp.width, height: bmp.height, channels: 3, data: rgb };
  }
  const img = await heicDecode({ buffer: Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength) });
  return { id: job.id, ok: true, width: img.width, height: img.height, channels: 4, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
}

parentPort?.on('message', (job: DecodeJob) => {
  decode(job).then(
    (r) => parentPort!.postMessage(r, r.ok ? [r.data.buffer as ArrayBuffer] : []),
    (err: unknown) => parentPort!.postMessage({ id: job.id, ok: false, error: (err as Error).message ?? String(err) } satisfies DecodeReply),
  );
});
