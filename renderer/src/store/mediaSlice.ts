import type { IntakeError, MediaDto } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

export interface MediaSlice {
  media: MediaDto[];
  mediaTotal: number;
  intakeErrors: IntakeError[];
  loadMoreMedia(): Promise<void>;
  reloadMedia(): Promise<void>;
}

export const mediaSlice: SliceCreator<MediaSlice> = (set, get, api) => ({
  media: [],
  mediaTotal: 0,
  intakeErrors: [],
  async loadMoreMedia() {
    const s = get();
    if (s.media.length >= s.mediaTotal && s.mediaTotal > 0) return;
    const r = await api.call('media.list', { offset: s.media.length, limit: 200 });
    set({ media: [...get().media, ...r.media], mediaTotal: r.total });
  },
  async reloadMedia() {
    const [m, e] = await Promise.all([
      api.call('media.list', { offset: 0, limit: Math.min(1000, Math.max(200, get().media.length)) }),
      api.call('intake.errors', {}),
    ]);
    set({ media: m.media, mediaTotal: m.total, intakeErrors: [...e.errors] });
  },
});
