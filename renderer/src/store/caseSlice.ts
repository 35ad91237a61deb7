import type { AuditCheckDto, AuditEntryDto, CaseInfo, ModelDto, ProfileName, RecentCaseDto, SourceDto } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

const AUDIT_PAGE = 200;

export interface CaseSlice {
  info: CaseInfo | null;
  models: ModelDto[];
  loadError: string | null;
  caseSources: SourceDto[];
  audit: AuditEntryDto[];
  auditTotal: number;
  auditCheck: AuditCheckDto | null;
  auditChecking: boolean;
  recentCases: RecentCaseDto[];
  /** Why the last open/create was refused (shown on the case page). */
  caseSwitchError: string | null;
  caseSwitching: boolean;
  loadInfo(): Promise<void>;
  loadRecentCases(): Promise<void>;
  /** Opens another case (or creates one); every view then starts again from it (the case.opened event). */
  openCase(dir: string, password?: string): Promise<boolean>;
  createCase(o: { dir: string; name?: string; profile: ProfileName; password?: string }): Promise<boolean>;
  loadModels(): Promise<void>;
  /** The case page: sources and the newest audit entries. */
  loadCasePage(): Promise<void>;
  loadMoreAudit(): Promise<void>;
  verifyAudit(): Promise<void>;
}

export const caseSlice: SliceCreator<CaseSlice> = (set, get, api) => {
  const switchCase = async (call: () => Promise<CaseInfo>): Promise<boolean> => {
    if (!get().examiner.trim()) {
      set({ caseSwitchError: 'needExaminer' });
      return false;
    }
    set({ caseSwitching: true, caseSwitchError: null });
    try {
      set({ info: await call() });
      return true;
    } catch (err) {
      set({ caseSwitchError: (err as Error).message });
      return false;
    } finally {
      set({ caseSwitching: false });
    }
  };
  return {
  info: null,
  models: [],
  loadError: null,
  caseSources: [],
  audit: [],
  auditTotal: 0,
  auditCheck: null,
  auditChecking: false,
  recentCases: [],
  caseSwitchError: null,
  caseSwitching: false,
  async loadRecentCases() {
    set({ recentCases: (await api.call('cases.recent', {})).cases });
  },
  async openCase(dir, password) {
    return switchCase(() => api.call('case.open', { dir, examiner: get().examiner, ...(password ? { password } : {}) }));
  },
  async createCase(o) {
    return switchCase(() => api.call('case.create', { dir: o.dir, profile: o.profile, ...(o.name ? { name: o.name } : {}), ...(o.password ? { password: o.password } : {}), examiner: get().examiner }));
  },
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
  async loadCasePage() {
    const [src, a] = await Promise.all([api.call('sources.list', {}), api.call('audit.list', { limit: Math.max(AUDIT_PAGE, get().audit.length) })]);
    set({ caseSources: src.sources, audit: a.entries, auditTotal: a.total });
  },
  async loadMoreAudit() {
    const s = get();
    if (s.audit.length >= s.auditTotal) return;
    const a = await api.call('audit.list', { offset: s.audit.length, limit: AUDIT_PAGE });
    set({ audit: [...get().audit, ...a.entries], auditTotal: a.total });
  },
  async verifyAudit() {
    set({ auditChecking: true });
    try {
      set({ auditCheck: await api.call('audit.verify', {}) });
    } finally {
      set({ auditChecking: false });
    }
  },
};
};
