import type { ErrorPayload } from './errors.js';
import type { CallName } from './api.js';
import type { EventName, EventPayloads } from './events.js';

/**
 * The messages of the contract's second transport (`kestrel serve`, a loopback WebSocket). The
 * Electron shell carries the same calls over IPC; both end in Workbench.invoke on the engine side.
 */
export interface WireRequest {
  readonly id: number;
  readonly call: CallName;
  readonly input: unknown;
}

export type WireReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: ErrorPayload };

export interface WireEvent<E extends EventName = EventName> {
  readonly event: E;
  readonly payload: EventPayloads[E];
}

/** Channel names of the Electron transport (preload <-> main). */
export const IPC_INVOKE_CHANNEL = 'kestrel:invoke';
export const IPC_EVENT_CHANNEL = 'kestrel:event';

/**
 * Files of the case folder the UI may show (thumbnails, crops, frames): always relative paths under
 * the case's derived/ folder. Electron serves them on this scheme; the server under /case-file/.
 */
export const CASE_FILE_SCHEME = 'kestrel-case';
export const CASE_FILE_HTTP_PREFIX = '/case-file/';

/** A relative derived-file path is safe to serve: no absolute path, no parent segment, no backslash or NUL. */
export function isSafeDerivedPath(rel: string): boolean {
  if (!rel || rel.length > 512 || rel.startsWith('/') || /[\\\0]/.test(rel) || /^[a-zA-Z]:/.test(rel)) return false;
  return rel.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** A call's outcome as it crosses IPC (exceptions would lose their code there). */
export type CallOutcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: ErrorPayload };

/** What the Electron preload exposes to the renderer as `window.kestrel`: contract channels only. */
export interface KestrelBridge {
  invoke(call: CallName, input: unknown): Promise<CallOutcome>;
  on<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): () => void;
}
