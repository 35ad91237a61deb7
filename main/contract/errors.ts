/**
 * The closed set of error codes that may cross any boundary (IPC, WebSocket, CLI JSON).
 * Expected per-file failures are *statuses* on media rows, not errors; these codes are for
 * failures of a whole call.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CASE_NOT_FOUND',
  'CASE_TOO_NEW',
  'CASE_LOCKED',
  'CASE_PASSWORD_REQUIRED',
  'CASE_PASSWORD_WRONG',
  'CASE_READ_ONLY',
  'MODEL_MISSING',
  'MODEL_HASH_MISMATCH',
  'MODEL_INVALID',
  'PROFILE_UNKNOWN',
  'PROFILE_MISMATCH',
  'IO_ERROR',
  'DISK_FULL',
  'CANCELLED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorPayload {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Thrown inside the engine; converted to an ErrorPayload at every boundary. */
export class KestrelError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KestrelError';
    this.code = code;
  }
}

export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof KestrelError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
