import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipSpan } from '../../main/core/video/evidenceClip.js';

test('a sighting clip gets its context, is widened evenly to the minimum length, and stays inside the video', () => {
  // 4 s sighting in a long video: 2 s each side makes 8 s, widened to 10 s around it.
  assert.deepEqual(clipSpan(20_000, 24_000, 60_000, 2000, 10_000), { fromMs: 17_000, toMs: 27_000 });
  // A long sighting is only padded.
  assert.deepEqual(clipSpan(20_000, 40_000, 60_000, 2000, 10_000), { fromMs: 18_000, toMs: 42_000 });
  // Near the start, what cannot go before 0 goes after the sighting; near the end, the other way.
  assert.deepEqual(clipSpan(500, 1500, 60_000, 2000, 10_000), { fromMs: 0, toMs: 10_000 });
  assert.deepEqual(clipSpan(58_000, 59_500, 60_000, 2000, 10_000), { fromMs: 50_000, toMs: 60_000 });
  // A video shorter than the minimum gives the whole video; an unknown duration is not clamped at the end.
  assert.deepEqual(clipSpan(1000, 2000, 3000, 2000, 10_000), { fromMs: 0, toMs: 3000 });
  assert.deepEqual(clipSpan(5000, 6000, null, 0, 0), { fromMs: 5000, toMs: 6000 });
});
