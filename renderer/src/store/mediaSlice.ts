import type { ContactSheetDto, IntakeError, MediaDto, MediaFilter, MediaPreviewDto, SourceDto } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

/** Previews asked of the engine at once: each decodes an original, and scrolling asks for many. */
const PREVIEWS_IN_FLIGHT = 4;

export interface MediaSlice {
  media: MediaDto[];
  mediaTotal: number;
  mediaFilter: MediaFilter;
  mediaSources: SourceDto[];
  intakeErrors: IntakeError[];
  /** Previews by media id; null while one is being drawn. */
  previews: Record<number, MediaPreviewDto | null>;
  selectedMedia: number | null;
  showBoxes: boolean;
  /** Contact sheets of videos by media id; null while one is being drawn. */
  contactSheets: Record<number, ContactSheetDto | null>;
  loadContactSheet(mediaId: number): Promise<void>;
  loadMoreMedia(): Promise<void>;
  reloadMedia(): Promise<void>;
  setMediaFilter(filter: MediaFilter): Promise<void>;
  loadPreview(mediaId: number): void;
  selectMedia(mediaId: number | null): void;
  toggleBoxes(): void;
}

export const mediaSlice: SliceCreator<MediaSlice> = (set, get, api) => {
  // Newest requests first: after a fast scroll, what is on screen now matters, not what flew past.
  const queue: number[] = [];
  let inFlight = 0;
  const pump = (): void => {
    while (inFlight < PREVIEWS_IN_FLIGHT && queue.length) {
      const id = queue.pop()!;
      inFlight++;
      void api.call('media.preview', { mediaId: id })
        .then((p) => set({ previews: { ...get().previews, [id]: p } }))
        .catch((err: Error) => set({ previews: { ...get().previews, [id]: { mediaId: id, path: null, problem: err.message, frameMs: null, boxes: [] } } }))
        .finally(() => { inFlight--; pump(); });
    }
  };
  let seq = 0;
  return {
    media: [],
    mediaTotal: 0,
    mediaFilter: {},
    mediaSources: [],
    intakeErrors: [],
    previews: {},
    selectedMedia: null,
    showBoxes: true,
    contactSheets: {},
    async loadContactSheet(mediaId) {
      if (mediaId in get().contactSheets) return;
      set({ contactSheets: { ...get().contactSheets, [mediaId]: null } });
      try {
        const s = await api.call('media.contactSheet', { mediaId });
        set({ contactSheets: { ...get().contactSheets, [mediaId]: s } });
      } catch (err) {
        set({ contactSheets: { ...get().contactSheets, [mediaId]: { mediaId, path: null, problem: (err as Error).message, times: [] } } });
      }
    },
    async loadMoreMedia() {
      const s = get();
      if (s.media.length >= s.mediaTotal && s.mediaTotal > 0) return;
      const mine = seq;
      const r = await api.call('media.list', { offset: s.media.length, limit: 200, filter: s.mediaFilter });
      if (mine === seq) set({ media: [...get().media, ...r.media], mediaTotal: r.total });
    },
    async reloadMedia() {
      const mine = ++seq;
      const [m, e, src] = await Promise.all([
        api.call('media.list', { offset: 0, limit: Math.min(1000, Math.max(200, get().media.length)), filter: get().mediaFilter }),
        api.call('intake.errors', {}),
        api.call('sources.list', {}),
      ]);
      if (mine === seq) set({ media: m.media, mediaTotal: m.total, intakeErrors: [...e.errors], mediaSources: src.sources });
    },
    async setMediaFilter(filter) {
      set({ mediaFilter: filter, media: [], mediaTotal: 0 });
      await get().reloadMedia();
    },
    loadPreview(mediaId) {
      if (mediaId in get().previews) return;
      set({ previews: { ...get().previews, [mediaId]: null } });
      queue.push(mediaId);
      pump();
    },
    selectMedia(mediaId) {
      set({ selectedMedia: mediaId });
      if (mediaId !== null) get().loadPreview(mediaId);
    },
    toggleBoxes() {
      set({ showBoxes: !get().showBoxes });
    },
  };
};
