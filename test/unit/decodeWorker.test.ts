import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../../main/core/media/imageDecoder.js';
import { astronautBmp, repoRoot } from '../helpers/fixtures.js';

/** The longest pause of the event loop while `work` runs (a timer asks every 5 ms). */
async function longestPause<T>(work: () => Promise<T>): Promise<{ result: T; pauseMs: number }> {
  let pauseMs = 0;
  let last = performance.now();
  const iv = setInterval(() => { const now = performance.now(); pauseMs = Math.max(pauseMs, now - last); last = now; }, 5);
  try {
    return { result: await work(), pauseMs };
  } finally {
    clearInterval(iv);
  }
}

test('BMP and HEIC are decoded off the engine thread: a 12 MP BMP does not stop the event loop', async () => {
  const big = await astronautBmp(4000);
  await decodeImage(await astronautBmp(64), 'bmp'); // the worker is started once
  const { result, pauseMs } = await longestPause(() => decodeImage(big, 'bmp'));
  assert.ok(result.ok);
  assert.equal(result.ok && result.decoded.originalWidth, 4000);
  // On the engine thread this decode held the loop for about 800 ms (measured).
  assert.ok(pauseMs < 250, `the event loop paused ${pauseMs.toFixed(0)} ms`);
  const heic = await decodeImage(readFileSync(join(repoRoot, 'test', 'fixtures', 'astronaut.heic')), 'heif');
  assert.ok(heic.ok && heic.decoded.originalWidth === 256);
});

test('a decode past its time limit is stopped and recorded as a timeout; the next file decodes normally', async () => {
  const big = await astronautBmp(4000);
  const r = await decodeImage(big, 'bmp', { maxPixels: 200_000_000, maxSide: 4096, timeoutMs: 50 });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'timeout');
  const next = await decodeImage(await astronautBmp(300), 'bmp', { maxPixels: 200_000_000, maxSide: 4096, timeoutMs: 5000 });
  assert.ok(next.ok);
});
