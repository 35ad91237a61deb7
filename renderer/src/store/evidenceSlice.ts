import type { AnnotationDto, AnnotationKind, AnnotationTarget, ConclusionScale, ExportFormat, ExportSummaryDto, JobProgress, TagDto } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

export const targetKey = (t: AnnotationTarget): string => `${t.kind}:${t.id}`;

export interface ExportForm {
  out: string;
  /** 'default', 'all', or refs separated by spaces or commas (identity:3 search:2 tag:suspect). */
  select: string;
  formats: ExportFormat[];
  lang: 'en' | 'zh';
  redact: boolean;
  originals: boolean;
  allFrames: boolean;
}

export interface NewAnnotationInput { kind: AnnotationKind; tag?: string; body?: string; scale?: ConclusionScale }

export interface EvidenceSlice {
  /** Annotations by target key, loaded when a panel shows that target. */
  annotations: Record<string, AnnotationDto[]>;
  tags: TagDto[];
  annotationError: string | null;
  loadAnnotations(target: AnnotationTarget): Promise<void>;
  addAnnotation(target: AnnotationTarget, a: NewAnnotationInput): Promise<boolean>;
  withdrawAnnotation(target: AnnotationTarget, id: number, reason: string): Promise<boolean>;
  loadTags(): Promise<void>;
  defineTag(name: string, description: string): Promise<boolean>;

  exportForm: ExportForm;
  exportRunning: boolean;
  exportProgress: JobProgress | null;
  exportResult: ExportSummaryDto | null;
  exportError: string | null;
  setExportForm(patch: Partial<ExportForm>): void;
  runExport(): Promise<void>;
  cancelExport(): Promise<void>;
  onExportProgress(p: JobProgress): void;
}

/** Splits the selection field into the engine's refs ('default' is the engine's default selection). */
export function selectionRefs(select: string): string[] {
  const refs = select.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
  return refs.length === 1 && refs[0] === 'default' ? [] : refs;
}

export const evidenceSlice: SliceCreator<EvidenceSlice> = (set, get, api) => {
  const withExaminer = (): string | null => {
    const examiner = get().examiner.trim();
    if (!examiner) set({ annotationError: 'needExaminer' });
    return examiner || null;
  };
  const guard = async (work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
      set({ annotationError: null });
      return true;
    } catch (err) {
      set({ annotationError: (err as Error).message });
      return false;
    }
  };
  return {
    annotations: {},
    tags: [],
    annotationError: null,
    async loadAnnotations(target) {
      await guard(async () => {
        const r = await api.call('annotations.list', { target, includeWithdrawn: true });
        set({ annotations: { ...get().annotations, [targetKey(target)]: r.annotations } });
      });
    },
    async addAnnotation(target, a) {
      const examiner = withExaminer();
      if (!examiner) return false;
      return guard(async () => {
        await api.call('annotation.add', { target, kind: a.kind, examiner, ...(a.tag ? { tag: a.tag } : {}), ...(a.body ? { body: a.body } : {}), ...(a.scale ? { scale: a.scale } : {}) });
        await get().loadAnnotations(target);
        if (a.kind === 'tag') await get().loadTags();
      });
    },
    async withdrawAnnotation(target, id, reason) {
      const examiner = withExaminer();
      if (!examiner) return false;
      return guard(async () => {
        await api.call('annotation.withdraw', { id, reason, examiner });
        await get().loadAnnotations(target);
      });
    },
    async loadTags() {
      await guard(async () => set({ tags: (await api.call('tags.list', {})).tags }));
    },
    async defineTag(name, description) {
      const examiner = withExaminer();
      if (!examiner) return false;
      return guard(async () => {
        await api.call('tag.define', { name, description, examiner });
        await get().loadTags();
      });
    },

    exportForm: { out: '', select: 'default', formats: ['pdf', 'html', 'csv', 'json', 'case'], lang: 'en', redact: false, originals: false, allFrames: false },
    exportRunning: false,
    exportProgress: null,
    exportResult: null,
    exportError: null,
    setExportForm: (patch) => set({ exportForm: { ...get().exportForm, ...patch } }),
    async runExport() {
      const f = get().exportForm;
      const examiner = get().examiner.trim();
      if (!examiner) return set({ exportError: 'needExaminer' });
      if (!f.out.trim()) return set({ exportError: 'needOut' });
      set({ exportRunning: true, exportError: null, exportResult: null, exportProgress: null });
      try {
        const r = await api.call('export.run', {
          out: f.out.trim(), select: selectionRefs(f.select), formats: f.formats, lang: f.lang, redact: f.redact, originals: f.originals, clips: !f.redact, frames: f.allFrames ? 'all' : 'report', examiner,
        });
        set({ exportResult: r });
      } catch (err) {
        set({ exportError: (err as Error).message });
      } finally {
        set({ exportRunning: false });
      }
    },
    async cancelExport() {
      const p = get().exportProgress;
      if (p) await api.call('job.cancel', { jobId: p.jobId });
    },
    onExportProgress: (p) => set({ exportProgress: p }),
  };
};
