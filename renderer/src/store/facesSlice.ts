import type { FaceDto, FaceId } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

export const FACE_PAGE = 500;

export interface FacesSlice {
  faces: FaceDto[];
  facesTotal: number;
  facesLoading: boolean;
  selectedFace: FaceId | null;
  /** Loads the next page (lists are paged; the grid asks for more as it scrolls). */
  loadMoreFaces(): Promise<void>;
  reloadFaces(): Promise<void>;
  selectFace(id: FaceId | null): void;
}

export const facesSlice: SliceCreator<FacesSlice> = (set, get, api) => ({
  faces: [],
  facesTotal: 0,
  facesLoading: false,
  selectedFace: null,
  async loadMoreFaces() {
    const s = get();
    if (s.facesLoading || (s.faces.length >= s.facesTotal && s.facesTotal > 0)) return;
    set({ facesLoading: true });
    try {
      const r = await api.call('faces.list', { offset: s.faces.length, limit: FACE_PAGE });
      set({ faces: [...get().faces, ...r.faces], facesTotal: r.total });
    } finally {
      set({ facesLoading: false });
    }
  },
  async reloadFaces() {
    const want = Math.max(FACE_PAGE, get().faces.length);
    const r = await api.call('faces.list', { offset: 0, limit: Math.min(5000, want) });
    set({ faces: r.faces, facesTotal: r.total });
  },
  selectFace(id) {
    set({ selectedFace: id });
  },
});
