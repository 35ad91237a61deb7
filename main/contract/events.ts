import type { JobProgress } from './dto.js';

/** Events pushed from the engine to every subscriber. */
export interface EventPayloads {
  'job.progressed': JobProgress;
  'case.changed': { what: 'media' | 'faces' | 'sources' | 'alarms' | 'identities' | 'annotations' };
  /** The app switched to another case (every view starts again from it). */
  'case.opened': { caseDir: string; name: string };
}
export type EventName = keyof EventPayloads;
export const EVENT_NAMES: readonly EventName[] = ['job.progressed', 'case.changed', 'case.opened'];
