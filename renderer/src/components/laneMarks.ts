import type { TimelineItemDto } from '../../../main/contract/index.js';

/**
 * Where a dense timeline lane draws its marks, in CSS pixels of a lane `width` wide and `height`
 * high: the count bars of a lane in bins mode, the dots and spans of a lane with more items than
 * are shown as faces. Pure, so the canvas that draws them and the click that picks one agree.
 */

export interface BinBar { readonly bin: number; readonly count: number; readonly x: number; readonly w: number; readonly h: number }

/** One bar per non-empty bin; heights on a log scale so one photo still shows next to thousands. */
export function binBars(bins: readonly number[], width: number, height: number): BinBar[] {
  const n = bins.length;
  if (!n) return [];
  const max = Math.max(1, ...bins);
  const step = width / n;
  const bars: BinBar[] = [];
  bins.forEach((count, bin) => {
    if (!count) return;
    const h = Math.max(0.08 * height, (Math.log1p(count) / Math.log1p(max)) * height);
    bars.push({ bin, count, x: bin * step, w: Math.max(2, step - 1), h });
  });
  return bars;
}

/** The bin under pointer position `x`, or null where that bin is empty. */
export function binAt(bins: readonly number[], width: number, x: number): number | null {
  if (!bins.length || width <= 0) return null;
  const bin = Math.min(bins.length - 1, Math.max(0, Math.floor((x / width) * bins.length)));
  return bins[bin] ? bin : null;
}

export interface ItemMark { readonly item: TimelineItemDto; readonly x0: number; readonly x1: number; readonly y: number }

/** Each item's horizontal extent (a point for a photo, a span for a video sighting) and its row (three, so neighbours stay apart). */
export function itemMarks(items: readonly TimelineItemDto[], fromMs: number, toMs: number, width: number, height: number): ItemMark[] {
  const scale = width / Math.max(1, toMs - fromMs);
  return items.map((item) => ({
    item,
    x0: (item.startMs - fromMs) * scale,
    x1: (Math.max(item.startMs, item.endMs) - fromMs) * scale,
    y: height * (0.3 + ((item.mediaId + (item.faceId ?? 0)) % 3) * 0.2),
  }));
}

/** The mark nearest pointer (`x`, `y`) within `reach` pixels, horizontally first (a span counts along its length). */
export function markAt(marks: readonly ItemMark[], x: number, y: number, reach = 8): ItemMark | null {
  let best: ItemMark | null = null;
  let bestD = Infinity;
  for (const m of marks) {
    const dx = x < m.x0 ? m.x0 - x : x > m.x1 ? x - m.x1 : 0;
    if (dx > reach) continue;
    const d = dx * 4 + Math.abs(y - m.y);
    if (d < bestD) { bestD = d; best = m; }
  }
  return best;
}
