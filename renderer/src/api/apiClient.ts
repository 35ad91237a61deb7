import {
  CASE_FILE_HTTP_PREFIX, CASE_FILE_SCHEME, isErrorCode, type CallInput, type CallName, type CallOutcome, type CallResult,
  type ErrorPayload, type EventName, type EventPayloads, type KestrelBridge,
} from '../../../main/contract/index.js';

/** The renderer's one way to the engine, whichever shell it runs in. */
export interface ApiClient {
  call<C extends CallName>(call: C, input: CallInput<C>): Promise<CallResult<C>>;
  on<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): () => void;
  /** URL of a derived case file (thumbnail, crop, frame) by its relative path. */
  fileUrl(rel: string): string;
  readonly transport: 'electron' | 'browser';
}

export class ApiError extends Error {
  constructor(readonly payload: ErrorPayload) {
    super(payload.message);
  }
}

function unwrap<C extends CallName>(o: CallOutcome): CallResult<C> {
  if (o.ok) return o.result as CallResult<C>;
  throw new ApiError({ code: isErrorCode(o.error.code) ? o.error.code : 'INTERNAL', message: o.error.message });
}

const encodeRel = (rel: string): string => rel.split('/').map(encodeURIComponent).join('/');

/** Electron: the sandboxed preload's bridge. */
export function ipcClient(bridge: KestrelBridge): ApiClient {
  return {
    transport: 'electron',
    call: async (call, input) => unwrap(await bridge.invoke(call, input)),
    on: (event, cb) => bridge.on(event, cb),
    fileUrl: (rel) => `${CASE_FILE_SCHEME}://case/${encodeRel(rel)}`,
  };
}

/** Browser mode (`kestrel serve`): the loopback WebSocket, authenticated by the URL's token. */
export function wsClient(location: { host: string; protocol: string }, token: string): ApiClient {
  const pending = new Map<number, { resolve: (o: CallOutcome) => void }>();
  const listeners = new Map<EventName, Set<(p: never) => void>>();
  let nextId = 1;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  const open = new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new ApiError({ code: 'IO_ERROR', message: 'cannot connect to the Kestrel server (wrong or expired link?)' })), { once: true });
  });
  ws.addEventListener('close', () => {
    for (const p of pending.values()) p.resolve({ ok: false, error: { code: 'IO_ERROR', message: 'connection to the Kestrel server closed' } });
    pending.clear();
  });
  ws.addEventListener('message', (e) => {
    const msg = JSON.parse(String(e.data)) as { id?: number; event?: EventName; payload?: unknown } & CallOutcome;
    if (msg.event) {
      for (const cb of listeners.get(msg.event) ?? []) (cb as (p: unknown) => void)(msg.payload);
      return;
    }
    const p = pending.get(msg.id ?? -1);
    if (p) {
      pending.delete(msg.id!);
      p.resolve(msg);
    }
  });
  return {
    transport: 'browser',
    call: async (call, input) => {
      await open;
      const id = nextId++;
      const outcome = await new Promise<CallOutcome>((resolve) => {
        pending.set(id, { resolve });
        ws.send(JSON.stringify({ id, call, input }));
      });
      return unwrap(outcome);
    },
    on: (event, cb) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(cb as (p: never) => void);
      return () => set.delete(cb as (p: never) => void);
    },
    fileUrl: (rel) => `${CASE_FILE_HTTP_PREFIX}${encodeRel(rel)}?token=${encodeURIComponent(token)}`,
  };
}

/** Picks the transport at start: the Electron bridge when present, else the token in the URL. */
export function connect(win: { kestrel?: KestrelBridge; location: Location }): ApiClient {
  if (win.kestrel) return ipcClient(win.kestrel);
  const token = new URLSearchParams(win.location.hash.slice(1)).get('token');
  if (!token) throw new ApiError({ code: 'INVALID_INPUT', message: 'This page must be opened with the link printed by `kestrel serve` (it carries the access token).' });
  return wsClient(win.location, token);
}
