/**
 * The desktop shell's security rules as plain data and functions (no Electron import), so they are
 * unit-tested on machines where the Electron binary cannot run.
 */
import { join, resolve, sep } from 'node:path';
import { CASE_FILE_SCHEME, contentSecurityPolicy } from '../contract/index.js';

/** The renderer is served from this privileged scheme, so 'self' in the CSP means the app only. */
export const APP_SCHEME = 'kestrel-app';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

export const RENDERER_CSP = contentSecurityPolicy({ caseFiles: `${CASE_FILE_SCHEME}:`, connect: "'none'" });

/** webPreferences of every window: no Node, isolated and sandboxed renderer, preload bridge only. */
export function windowWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: true,
  } as const;
}

/**
 * Air-gap: the renderer may load only the app and case files. Everything else (http, https, ws,
 * file, ftp, data documents) is cancelled before it leaves the process.
 */
export function isAllowedRequest(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`) || url.startsWith(`${CASE_FILE_SCHEME}://`) || url.startsWith('devtools://') || url.startsWith('data:image/');
}

/** Navigation away from the app's own page is never allowed (links open nothing). */
export function isAllowedNavigation(url: string): boolean {
  return url === APP_ENTRY || url.startsWith(`${APP_ENTRY}#`);
}

const APP_FILES: Record<string, string> = {
  '/index.html': 'text/html; charset=utf-8',
  '/app.js': 'text/javascript; charset=utf-8',
  '/app.css': 'text/css; charset=utf-8',
};

/** Maps an app-scheme URL to a file of the built renderer, or null (only the known bundle files). */
export function appFile(rendererDir: string, url: string): { path: string; contentType: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (`${u.protocol}//${u.host}` !== APP_ORIGIN) return null;
  const type = APP_FILES[u.pathname];
  if (!type) return null;
  const root = resolve(rendererDir);
  const path = resolve(join(root, u.pathname));
  return path.startsWith(root + sep) ? { path, contentType: type } : null;
}

/** The case a window opens: --case DIR, else KESTREL_CASE, else the default case. */
export function caseDirFromArgs(argv: readonly string[], env: Record<string, string | undefined>, defaultCase: string): string {
  const i = argv.indexOf('--case');
  if (i >= 0 && argv[i + 1]) return resolve(argv[i + 1]!);
  const eq = argv.find((a) => a.startsWith('--case='));
  if (eq) return resolve(eq.slice('--case='.length));
  return resolve(env['KESTREL_CASE'] ?? defaultCase);
}
