import type { IngestSummary, JobProgress } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

export interface IntakeSlice {
  progress: JobProgress | null;
  lastSummary: IngestSummary | null;
  intakeError: string | null;
  intakeRunning: boolean;
  /** The paths of an intake paused by the examiner: resuming takes them in again, and only what was not finished is processed. */
  intakePaused: string[] | null;
  startIntake(paths: string[]): Promise<void>;
  cancelIntake(): Promise<void>;
  pauseIntake(): Promise<void>;
  resumeIntake(): Promise<void>;
  onProgress(p: JobProgress): void;
}

export const intakeSlice: SliceCreator<IntakeSlice> = (set, get, api) => {
  let running: string[] | null = null;
  return {
  progress: null,
  lastSummary: null,
  intakeError: null,
  intakeRunning: false,
  intakePaused: null,
  async startIntake(paths) {
    running = paths;
    set({ intakeRunning: true, intakeError: null, lastSummary: null, progress: null, intakePaused: null });
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
  async pauseIntake() {
    const p = get().progress;
    if (!p || !running) return;
    // The engine stops after the files in hand; everything finished stays in the case.
    set({ intakePaused: running });
    await api.call('job.cancel', { jobId: p.jobId });
  },
  async resumeIntake() {
    const paths = get().intakePaused;
    if (paths) await get().startIntake(paths);
  },
  onProgress(p) {
    set({ progress: p });
  },
};
};
