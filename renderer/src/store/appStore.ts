import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiClient } from '../api/apiClient.js';
import { caseSlice, type CaseSlice } from './caseSlice.js';
import { facesSlice, type FacesSlice } from './facesSlice.js';
import { intakeSlice, type IntakeSlice } from './intakeSlice.js';
import { mediaSlice, type MediaSlice } from './mediaSlice.js';
import { uiSlice, type UiSlice } from './uiSlice.js';

export type AppState = CaseSlice & FacesSlice & MediaSlice & IntakeSlice & UiSlice;
export type SliceCreator<T> = (set: StoreApi<AppState>['setState'], get: StoreApi<AppState>['getState'], api: ApiClient) => T;

/** One store, one slice per domain; engine events update the slices they concern. */
export function createAppStore(api: ApiClient, init: { lang: UiSlice['lang']; examiner: string }): StoreApi<AppState> {
  const store = createStore<AppState>()((set, get) => ({
    ...caseSlice(set, get, api),
    ...facesSlice(set, get, api),
    ...mediaSlice(set, get, api),
    ...intakeSlice(set, get, api),
    ...uiSlice(set, get, api),
    lang: init.lang,
    examiner: init.examiner,
  }));
  api.on('job.progressed', (p) => store.getState().onProgress(p));
  api.on('case.changed', () => {
    const s = store.getState();
    void s.loadInfo();
    void s.reloadFaces();
    void s.reloadMedia();
  });
  return store;
}
