import type { FaceFrameDto, TimelineDto, TimelineItemDto } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

/** Bins per lane: about one per 6 px of a 1,000 px lane. */
export const TIMELINE_BINS = 160;
/** Up to this many items per lane are drawn one by one; above it, the bins. */
export const TIMELINE_MAX_ITEMS = 250;
/** The finest window: one second. */
const MIN_SPAN_MS = 1000;

export interface TimelineSlice {
  timeline: TimelineDto | null;
  timelineLoading: boolean;
  timelineError: string | null;
  /** The identity lanes the examiner chose; null shows the default ones. */
  timelineLanes: number[] | null;
  timelineSelected: TimelineItemDto | null;
  frame: FaceFrameDto | null;
  frameLoading: boolean;
  /** Loads a window (default: the whole case). */
  loadTimeline(window?: { fromMs: number; toMs: number } | null): Promise<void>;
  /** Zooms by `factor` (< 1 in, > 1 out) keeping the instant `atMs` where it is on screen. */
  zoomTimeline(factor: number, atMs?: number): Promise<void>;
  /** Moves the window by a fraction of its width (negative: earlier). */
  panTimeline(fraction: number): Promise<void>;
  showOnTimeline(identityId: number): Promise<void>;
  selectTimelineItem(item: TimelineItemDto | null): Promise<void>;
}

const shownLanes = (t: TimelineDto | null): number[] | null => t?.lanes.flatMap((l) => (l.identityId === null ? [] : [l.identityId])) ?? null;

export const timelineSlice: SliceCreator<TimelineSlice> = (set, get, api) => {
  // Only the newest request's answer is shown (zooming fast sends several).
  let seq = 0;
  const current = (): { fromMs: number; toMs: number } | null => {
    const t = get().timeline;
    return t ? { fromMs: t.fromMs, toMs: t.toMs } : null;
  };
  return {
    timeline: null,
    timelineLoading: false,
    timelineError: null,
    timelineLanes: null,
    timelineSelected: null,
    frame: null,
    frameLoading: false,
    async loadTimeline(window) {
      const mine = ++seq;
      set({ timelineLoading: true });
      try {
        // Zooming and panning keep the lanes on screen (the engine's default choice costs a scan of every face).
        const lanes = get().timelineLanes ?? (window ? shownLanes(get().timeline) : null);
        const t = await api.call('timeline.get', {
          bins: TIMELINE_BINS, maxItems: TIMELINE_MAX_ITEMS, ...(window ? { fromMs: window.fromMs, toMs: window.toMs } : {}), ...(lanes ? { identities: lanes } : {}),
        });
        if (mine === seq) set({ timeline: t, timelineError: null });
      } catch (err) {
        if (mine === seq) set({ timelineError: (err as Error).message });
      } finally {
        if (mine === seq) set({ timelineLoading: false });
      }
    },
    async zoomTimeline(factor, atMs) {
      const w = current();
      if (!w) return;
      const at = atMs ?? (w.fromMs + w.toMs) / 2;
      const span = Math.max(MIN_SPAN_MS, (w.toMs - w.fromMs) * factor);
      const left = (at - w.fromMs) / (w.toMs - w.fromMs);
      const fromMs = at - span * left;
      await get().loadTimeline({ fromMs, toMs: fromMs + span });
    },
    async panTimeline(fraction) {
      const w = current();
      if (!w) return;
      const d = (w.toMs - w.fromMs) * fraction;
      await get().loadTimeline({ fromMs: w.fromMs + d, toMs: w.toMs + d });
    },
    async showOnTimeline(identityId) {
      const lanes = get().timelineLanes ?? shownLanes(get().timeline) ?? [];
      set({ timelineLanes: [identityId, ...lanes.filter((l) => l !== identityId)].slice(0, 12), tab: 'timeline' });
      await get().loadTimeline(null);
    },
    async selectTimelineItem(item) {
      set({ timelineSelected: item, frame: null, frameLoading: !!item?.faceId });
      if (!item?.faceId) return;
      try {
        const frame = await api.call('face.frame', { faceId: item.faceId });
        if (get().timelineSelected === item) set({ frame });
      } catch (err) {
        if (get().timelineSelected === item) set({ frame: { faceId: item.faceId, path: null, problem: (err as Error).message, width: null, height: null } });
      } finally {
        if (get().timelineSelected === item) set({ frameLoading: false });
      }
    },
  };
};
