import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiClient } from '../api/apiClient.js';
import { caseSlice, type CaseSlice } from './caseSlice.js';
import { facesSlice, type FacesSlice } from './facesSlice.js';
import { intakeSlice, type IntakeSlice } from './intakeSlice.js';
import { mediaSlice, type MediaSlice } from './mediaSlice.js';
import { uiSlice, type UiSlice } from './uiSlice.js';
import { identitiesSlice, type IdentitiesSlice } from './identitiesSlice.js';
import { searchSlice, type SearchSlice } from './searchSlice.js';
import { evidenceSlice, type EvidenceSlice } from './evidenceSlice.js';
import { watchlistSlice, type WatchlistSlice } from './watchlistSlice.js';
import { timelineSlice, type TimelineSlice } from './timelineSlice.js';
import { matchSlice, type MatchSlice } from './matchSlice.js';

export type AppState = CaseSlice & FacesSlice & MediaSlice & IntakeSlice & UiSlice & IdentitiesSlice & SearchSlice & EvidenceSlice & WatchlistSlice & TimelineSlice & MatchSlice;
export type SliceCreator<T> = (set: StoreApi<AppState>['setState'], get: StoreApi<AppState>['getState'], api: ApiClient) => T;

/** One store, one slice per domain; engine events update the slices they concern. */
export function createAppStore(api: ApiClient, init: { lang: UiSlice['lang']; examiner: string }): StoreApi<AppState> {
  const store = createStore<AppState>()((set, get) => ({
    ...caseSlice(set, get, api),
    ...facesSlice(set, get, api),
    ...mediaSlice(set, get, api),
    ...intakeSlice(set, get, api),
    ...uiSlice(set, get, api),
    ...identitiesSlice(set, get, api),
    ...searchSlice(set, get, api),
    ...evidenceSlice(set, get, api),
    ...watchlistSlice(set, get, api),
    ...timelineSlice(set, get, api),
    ...matchSlice(set, get, api),
    lang: init.lang,
    examiner: init.examiner,
  }));
  // Each job's progress goes to the view that started that kind of job.
  api.on('job.progressed', (p) => (p.kind === 'export' ? store.getState().onExportProgress(p) : store.getState().onProgress(p)));
  api.on('case.changed', ({ what }) => {
    const s = store.getState();
    if (what === 'annotations') {
      if (s.tab === 'case') void s.loadCasePage();
      return;
    }
    if (what === 'alarms') {
      // The alarms tab shows how many are open.
      void s.loadInfo();
      if (s.alarmsLoaded) void s.loadWatch();
      return;
    }
    if (what === 'identities') {
      // An operation from this window reloads what it changed itself; others (intake's clustering,
      // another window) reload the list and the open identity page.
      if (s.identitiesLoaded && !s.identityBusy) {
        void s.loadIdentities().then(async () => {
          const open = store.getState().openIdentity;
          if (open !== null) await store.getState().showIdentity(store.getState().identities.some((i) => i.id === open) ? open : null);
        });
      }
      return;
    }
    void s.loadInfo();
    void s.reloadFaces();
    void s.reloadMedia();
    if (s.timeline) void s.loadTimeline({ fromMs: s.timeline.fromMs, toMs: s.timeline.toMs });
  });
  return store;
}
