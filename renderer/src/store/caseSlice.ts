import type { CaseInfo, ModelDto } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

export interface CaseSlice {
  info: CaseInfo | null;
  models: ModelDto[];
  loadError: string | null;
  loadInfo(): Promise<void>;
  loadModels(): Promise<void>;
}

export const caseSlice: SliceCreator<CaseSlice> = (set, _get, api) => ({
  info: null,
  models: [],
  loadError: null,
  async loadInfo() {
    try {
      set({ info: await api.call('case.info', {}), loadError: null });
    } catch (err) {
      set({ loadError: (err as Error).message });
    }
  },
  async loadModels() {
    set({ models: (await api.call('models.list', {})).models });
  },
});
