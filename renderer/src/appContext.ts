import { createContext, useContext } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { ApiClient } from './api/apiClient.js';
import { translator, type Translate } from './i18n/i18n.js';
import type { AppState } from './store/appStore.js';

export const AppContext = createContext<{ store: StoreApi<AppState>; api: ApiClient } | null>(null);

function useApp(): { store: StoreApi<AppState>; api: ApiClient } {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('AppContext missing');
  return ctx;
}

export function useAppState<T>(select: (s: AppState) => T): T {
  return useStore(useApp().store, select);
}

export function useApi(): ApiClient {
  return useApp().api;
}

export function useT(): Translate {
  const lang = useAppState((s) => s.lang);
  return translator(lang);
}
