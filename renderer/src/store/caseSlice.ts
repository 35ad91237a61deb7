import type { AuditCheckDto, AuditEntryDto, CaseInfo, ModelDto, SourceDto } from '../../../main/contract/index.js';
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
  loadInfo(): Promise<void>;
  loadModels(): Promise<void>;
  /** The case page: sources and the newest audit entries. */
  loadCasePage(): Promise<void>;
  loadMoreAudit(): Promise<void>;
  verifyAudit(): Promise<void>;
}

export const caseSlice: SliceCreator<CaseSlice> = (set, get, api) => ({
  info: null,
  models: [],
  loadError: null,
  caseSources: [],
  audit: [],
  auditTotal: 0,
  auditCheck: null,
  auditChecking: false,
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
});
