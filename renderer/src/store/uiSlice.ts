import type { Lang } from '../i18n/i18n.js';
import type { SliceCreator } from './appStore.js';

export type Tab = 'case' | 'faces' | 'identities' | 'timeline' | 'search' | 'alarms' | 'media' | 'intake' | 'export' | 'models';

export interface UiSlice {
  lang: Lang;
  tab: Tab;
  examiner: string;
  /** Dropped or chosen photos the page is still reading: what would send them waits until they are read. */
  readingPhotos: number;
  photoReading(delta: 1 | -1): void;
  setLang(lang: Lang): void;
  setTab(tab: Tab): void;
  setExaminer(name: string): void;
}

export const uiSlice: SliceCreator<UiSlice> = (set, get) => ({
  lang: 'en',
  tab: 'faces',
  examiner: '',
  readingPhotos: 0,
  photoReading: (delta) => set({ readingPhotos: Math.max(0, get().readingPhotos + delta) }),
  setLang: (lang) => set({ lang }),
  setTab: (tab) => set({ tab }),
  setExaminer: (examiner) => set({ examiner }),
});
