import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TimelineItemDto } from '../../main/contract/index.js';
import { binAt, binBars, itemMarks, markAt } from '../../renderer/src/components/laneMarks.js';

const item = (mediaId: number, startMs: number, endMs = startMs): TimelineItemDto => ({
  kind: endMs > startMs ? 'sighting' : 'photo', mediaId, faceId: mediaId * 10, trackId: endMs > startMs ? mediaId : null,
  startMs, endMs, thumbnail: null, mediaPath: `/evidence/${mediaId}.jpg`, identityId: null,
});

test('count bars: one per non-empty bin where the bin lies, a single photo still visible beside thousands', () => {
  const bins = [0, 1, 0, 5000, 0, 0, 0, 10];
  const bars = binBars(bins, 800, 48);
  assert.deepEqual(bars.map((b) => b.bin), [1, 3, 7]);
  assert.deepEqual(bars.map((b) => b.x), [100, 300, 700]);
  assert.equal(bars[1]!.h, 48, 'the busiest bin fills the lane');
  assert.ok(bars[0]!.h >= 0.08 * 48 && bars[0]!.h < bars[2]!.h && bars[2]!.h < 48);
  // A click lands in the bin under the pointer; an empty bin picks nothing.
  assert.equal(binAt(bins, 800, 350), 3);
  assert.equal(binAt(bins, 800, 250), null);
  assert.equal(binAt(bins, 800, 799.9), 7);
  assert.equal(binAt(bins, 800, 900), 7, 'past the edge is the last bin');
  assert.equal(binAt([], 800, 10), null);
});

test('item marks sit at their capture time; a click opens the nearest, a sighting along its whole span', () => {
  const from = Date.UTC(2021, 0, 1);
  const hour = 3_600_000;
  const items = [item(1, from + hour), item(2, from + 5 * hour, from + 7 * hour), item(3, from + 9 * hour)];
  const marks = itemMarks(items, from, from + 10 * hour, 1000, 48);
  assert.deepEqual(marks.map((m) => [m.x0, m.x1]), [[100, 100], [500, 700], [900, 900]]);
  assert.ok(marks.every((m) => m.y > 0 && m.y < 48));
  assert.equal(markAt(marks, 104, marks[0]!.y)?.item.mediaId, 1);
  assert.equal(markAt(marks, 650, 0)?.item.mediaId, 2, 'anywhere along the sighting');
  assert.equal(markAt(marks, 300, 24), null, 'nothing within reach');
  assert.equal(markAt(marks, 895, 24)?.item.mediaId, 3);
  // Two marks at one x: the one on the pointer's row wins.
  const stacked = itemMarks([item(4, from + hour), item(5, from + hour)], from, from + 10 * hour, 1000, 48);
  assert.notEqual(stacked[0]!.y, stacked[1]!.y);
  assert.equal(markAt(stacked, 100, stacked[1]!.y)?.item.mediaId, 5);
  assert.equal(markAt(stacked, 100, stacked[0]!.y)?.item.mediaId, 4);
});
