import type { Lang } from '../i18n/i18n.js';
import type { SliceCreator } from './appStore.js';

export type Tab = 'case' | 'faces' | 'identities' | 'timeline' | 'search' | 'alarms' | 'media' | 'intake' | 'export' | 'models';

export interface UiSlice {
  lang: Lang;
  tab: Tab;
  examiner: string;
  setLang(lang: Lang): void;
  setTab(tab: Tab): void;
  setExaminer(name: string): void;
}

export const uiSlice: SliceCreator<UiSlice> = (set) => ({
  lang: 'en',
  tab: 'faces',
  examiner: '',
  setLang: (lang) => set({ lang }),
  setTab: (tab) => set({ tab }),
  setExaminer: (examiner) => set({ examiner }),
});
