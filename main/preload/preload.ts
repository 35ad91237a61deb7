/**
 * The sandboxed bridge: exposes `window.kestrel` with `invoke` for the contract's calls and `on`
 * for its events, nothing else (no ipcRenderer, no Node). Unknown events are refused here; calls
 * are checked against the contract in the main process.
 */
import { contextBridge, ipcRenderer } from 'electron';
// Direct module imports keep the bundle small (the contract's schemas stay on the engine side,
// which validates every call again).
import { EVENT_NAMES, type EventName } from '../contract/events.js';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type CallOutcome, type KestrelBridge, type WireEvent } from '../contract/wire.js';

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, msg: WireEvent) => {
  for (const cb of listeners.get(msg.event) ?? []) cb(msg.payload);
});

const bridge: KestrelBridge = {
  invoke: (call, input) =>
    typeof call === 'string'
      ? (ipcRenderer.invoke(IPC_INVOKE_CHANNEL, call, input) as Promise<CallOutcome>)
      : Promise.resolve({ ok: false, error: { code: 'INVALID_INPUT', message: `unknown call ${String(call)}` } }),
  on: (event, cb) => {
    if (!EVENT_NAMES.includes(event)) throw new Error(`unknown event ${String(event)}`);
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const fn = cb as (payload: unknown) => void;
    set.add(fn);
    return () => set.delete(fn);
  },
};

contextBridge.exposeInMainWorld('kestrel', bridge);
