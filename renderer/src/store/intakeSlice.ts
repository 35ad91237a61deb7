import type { IngestSummary, JobProgress } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

export interface IntakeSlice {
  progress: JobProgress | null;
  lastSummary: IngestSummary | null;
  intakeError: string | null;
  intakeRunning: boolean;
  startIntake(paths: string[]): Promise<void>;
  cancelIntake(): Promise<void>;
  onProgress(p: JobProgress): void;
}

export const intakeSlice: SliceCreator<IntakeSlice> = (set, get, api) => ({
  progress: null,
  lastSummary: null,
  intakeError: null,
  intakeRunning: false,
  async startIntake(paths) {
    set({ intakeRunning: true, intakeError: null, lastSummary: null, progress: null });
    try {
      const summary = await api.call('ingest.start', { paths, examiner: get().examiner });
      set({ lastSummary: summary });
    } catch (err) {
      set({ intakeError: (err as Error).message });
    } finally {
      set({ intakeRunning: false });
    }
  },
  async cancelIntake() {
    const p = get().progress;
    if (p) await api.call('job.cancel', { jobId: p.jobId });
  },
  onProgress(p) {
    set({ progress: p });
  },
});
