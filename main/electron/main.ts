/**
 * The desktop shell. The engine (Workbench) lives in this main process with its inference on
 * worker threads; the renderer is sandboxed and isolated and reaches the engine only through the
 * preload's contract channels. No network: every request that is not the app or a case file is
 * cancelled, and nothing is fetched at run time.
 */
import { app, BrowserWindow, ipcMain, protocol, session, type WebContents } from 'electron';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CASE_FILE_SCHEME, EVENT_NAMES, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, KestrelError, isCallName, toErrorPayload, type CallOutcome,
} from '../contract/index.js';
import { CaseHost, createWorkbench, readDerivedFile, recentCasesFile, workbenchOpening } from '../core/index.js';
import {
  APP_ENTRY, APP_ORIGIN, APP_SCHEME, RENDERER_CSP, appFile, caseDirFromArgs, isAllowedNavigation, isAllowedRequest, windowWebPreferences,
} from './shellPolicy.js';

const distDir = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(distDir, 'renderer');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true } },
  { scheme: CASE_FILE_SCHEME, privileges: { standard: true, secure: true, stream: true } },
]);

// One window per process, one case per window: a second launch focuses the first.
if (!app.requestSingleInstanceLock()) app.quit();

let host: CaseHost | null = null;
let win: BrowserWindow | null = null;

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

const fileHeaders = (contentType: string): Record<string, string> => ({ 'Content-Type': contentType, 'Content-Security-Policy': RENDERER_CSP, 'X-Content-Type-Options': 'nosniff', 'Accept-Ranges': 'bytes' });

async function serveFile(path: string, contentType: string): Promise<Response> {
  return new Response(await readFile(path), { headers: fileHeaders(contentType) });
}

/** A case file (decrypted in an encrypted case); the clip player seeks with Range requests. */
async function serveCaseFile(host: CaseHost, rel: string, rangeHeader: string | null): Promise<Response> {
  const f = await readDerivedFile(host.caseDir, host.vault, rel, rangeHeader);
  if (f.status === 404) return new Response(null, { status: 404 });
  const headers = fileHeaders(f.contentType);
  if (f.status === 416) return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${f.size}` } });
  const body = f.body ? Uint8Array.from(f.body) : null;
  if (!f.range) return new Response(body, { headers });
  return new Response(body, { status: 206, headers: { ...headers, 'Content-Range': `bytes ${f.range.start}-${f.range.end}/${f.size}` } });
}

async function start(): Promise<void> {
  const caseDir = caseDirFromArgs(process.argv, process.env, join(homedir(), 'Kestrel', 'Default Case'));
  // The case opened at start may be encrypted (its password from KESTREL_CASE_PASSWORD); others are opened from the case page.
  const password = process.env['KESTREL_CASE_PASSWORD'];
  const initial = await createWorkbench({ caseDir, examiner: process.env['KESTREL_EXAMINER'] ?? 'unknown', ...(password ? { password } : {}) });
  // The UI may open or create other cases through the host; it keeps the one open case.
  const bench = await CaseHost.start({
    initial, recentFile: recentCasesFile(),
    open: (c) => createWorkbench(workbenchOpening(c)),
  });
  host = bench;

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url) }));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });

  protocol.handle(APP_SCHEME, async (req) => {
    const f = appFile(rendererDir, req.url);
    return f ? serveFile(f.path, f.contentType) : new Response(null, { status: 404 });
  });
  protocol.handle(CASE_FILE_SCHEME, async (req) => {
    const u = new URL(req.url);
    const rel = u.pathname.split('/').filter(Boolean).map(decodeURIComponent).join('/');
    return serveCaseFile(bench, rel, req.headers.get('range'));
  });

  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, call: unknown, input: unknown): Promise<CallOutcome> => {
    try {
      // Only the app's own page may call the engine.
      if (!event.senderFrame || !event.senderFrame.url.startsWith(`${APP_ORIGIN}/`)) throw new KestrelError('INVALID_INPUT', 'call from an unexpected frame');
      if (!isCallName(call)) throw new KestrelError('INVALID_INPUT', `unknown call ${JSON.stringify(call)}`);
      return { ok: true, result: await bench.invoke(call, input) };
    } catch (err) {
      return { ok: false, error: toErrorPayload(err) };
    }
  });
  for (const name of EVENT_NAMES) {
    bench.on(name, (payload) => win?.webContents.send(IPC_EVENT_CHANNEL, { event: name, payload }));
  }

  // Every web contents (this window's included) gets the navigation rules as it is created.
  app.on('web-contents-created', (_e, contents) => hardenContents(contents));
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: `Kestrel - ${bench.wb.info().name}`,
    backgroundColor: '#16191d',
    webPreferences: windowWebPreferences(join(distDir, 'preload.cjs')),
  });
  bench.on('case.opened', (c) => win?.setTitle(`Kestrel - ${c.name}`));
  await win.loadURL(APP_ENTRY);
}

app.on('second-instance', () => {
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});
app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => {
  void host?.dispose();
});
app.whenReady().then(start).catch((err: unknown) => {
  process.stderr.write(`kestrel: ${(err as Error).message}\n`);
  app.exit(1);
});
