import { z } from 'zod';
import type { CaseInfo, FaceDto, IngestSummary, MediaDto, ModelDto, SourceDto, TrackDto } from './dto.js';
export { EVENT_NAMES, type EventName, type EventPayloads } from './events.js';

/** A page of a case-wide list (faces, tracks), optionally of one media item. */
const pageOfMedia = () =>
  z
    .object({
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(5000).default(500),
      mediaId: z.number().int().positive().optional(),
    })
    .strict();

/**
 * Every call the UI (or any client) may make, declared once. The Electron shell maps these to
 * ipcMain.handle, `kestrel serve` to WebSocket messages; inputs are validated with these schemas on
 * the engine side before any handler runs.
 */
export const callInputSchemas = {
  'case.info': z.object({}).strict(),
  'sources.list': z.object({}).strict(),
  'media.list': z
    .object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200) })
    .strict(),
  'faces.list': pageOfMedia(),
  'intake.errors': z.object({}).strict(),
  'tracks.list': pageOfMedia(),
  'ingest.start': z
    .object({ paths: z.array(z.string().min(1)).min(1), examiner: z.string().min(1).max(200) })
    .strict(),
  'job.cancel': z.object({ jobId: z.number().int().positive() }).strict(),
  'models.list': z.object({}).strict(),
} as const;

export type CallName = keyof typeof callInputSchemas;
export type CallInput<C extends CallName> = z.input<(typeof callInputSchemas)[C]>;
export type CallParsedInput<C extends CallName> = z.output<(typeof callInputSchemas)[C]>;

export interface CallResults {
  'case.info': CaseInfo;
  'sources.list': { sources: SourceDto[] };
  'media.list': { media: MediaDto[]; total: number };
  'faces.list': { faces: FaceDto[]; total: number };
  'intake.errors': { errors: IngestSummary['errors'] };
  'tracks.list': { tracks: TrackDto[]; total: number };
  'ingest.start': IngestSummary;
  'job.cancel': { cancelled: boolean };
  'models.list': { models: ModelDto[] };
}
export type CallResult<C extends CallName> = CallResults[C];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(callInputSchemas, name);
}
