import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CASE_FILE_HTTP_PREFIX, EVENT_NAMES, KestrelError, MAX_PROBE_UPLOAD_BYTES, contentSecurityPolicy, isCallName, toErrorPayload, type WireEvent, type WireReply,
} from '../contract/index.js';
import { readDerivedFile, type Workbench } from '../core/index.js';

/** What the server talks to: a CaseHost (which can switch cases) or one Workbench. */
export type CaseEngine = Pick<Workbench, 'caseDir' | 'vault' | 'invoke' | 'on'>;

export interface CaseServerOptions {
  readonly wb: CaseEngine;
  /** The built renderer (index.html, app.js, app.css). */
  readonly rendererDir: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly log?: (msg: string) => void;
}

export interface CaseServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const STATIC: Record<string, string> = {
  '/': 'index.html', '/index.html': 'index.html', '/app.js': 'app.js', '/app.css': 'app.css',
};
const STATIC_TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
/** Room for a 1:1 comparison of two uploaded photos (base64) and the JSON around them. */
const MAX_MESSAGE_BYTES = 2 * Math.ceil(MAX_PROBE_UPLOAD_BYTES / 3) * 4 + (1 << 16);

/**
 * Browser mode: the built renderer and the contract over a WebSocket, on 127.0.0.1 only. Every
 * WebSocket connection and every case-file request must carry the per-run token, the WebSocket's
 * Origin must be this server's own, and the Host header must name the loopback address (which
 * defeats DNS rebinding). The renderer is the same bundle the Electron shell loads.
 */
export async function startCaseServer(o: CaseServerOptions): Promise<CaseServer> {
  const token = randomBytes(24).toString('base64url');
  const log = o.log ?? (() => undefined);
  let origin = '';
  let hostOk = '';
  const tokenOk = (t: string | null): boolean => {
    if (!t) return false;
    const a = Buffer.from(t);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const http = createServer((req, res) => {
    void handleHttp(req, res).catch((err: unknown) => {
      log(`http ${req.url}: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.host !== hostOk) return void res.writeHead(421).end('wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    const url = new URL(req.url ?? '/', origin);
    const headers = securityHeaders(origin);
    if (url.pathname.startsWith(CASE_FILE_HTTP_PREFIX)) {
      if (!tokenOk(url.searchParams.get('token'))) return void res.writeHead(401, headers).end('token required');
      let rel: string;
      try {
        rel = decodeURIComponent(url.pathname.slice(CASE_FILE_HTTP_PREFIX.length));
      } catch {
        return void res.writeHead(404, headers).end();
      }
      // Video elements seek in clips with Range requests; an encrypted case's files are decrypted here.
      const file = await readDerivedFile(o.wb.caseDir, o.wb.vault, rel, req.headers.range, req.method === 'HEAD');
      if (file.status === 404) return void res.writeHead(404, headers).end();
      const fileHeaders = { ...headers, 'Content-Type': file.contentType, 'Cache-Control': 'private, max-age=3600', 'Accept-Ranges': 'bytes' };
      if (file.status === 416) return void res.writeHead(416, { ...fileHeaders, 'Content-Range': `bytes */${file.size}` }).end();
      const { range } = file;
      if (range) res.writeHead(206, { ...fileHeaders, 'Content-Range': `bytes ${range.start}-${range.end}/${file.size}`, 'Content-Length': range.end - range.start + 1 });
      else res.writeHead(200, { ...fileHeaders, 'Content-Length': file.size });
      res.end(file.body ?? undefined);
      return;
    }
    const name = STATIC[url.pathname];
    if (!name) return void res.writeHead(404, headers).end();
    const body = await readFile(join(o.rendererDir, name));
    res.writeHead(200, { ...headers, 'Content-Type': STATIC_TYPES[name.split('.').pop()!]!, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    };
    if (req.headers.host !== hostOk) return refuse('421 Misdirected Request');
    if (url.pathname !== '/ws') return refuse('404 Not Found');
    if (req.headers.origin !== origin) return refuse('403 Forbidden');
    if (!tokenOk(url.searchParams.get('token'))) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const clients = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      void answer(ws, data.toString());
    });
  });

  async function answer(ws: WebSocket, text: string): Promise<void> {
    let id = -1;
    let reply: WireReply;
    try {
      const msg = JSON.parse(text) as { id?: unknown; call?: unknown; input?: unknown };
      if (typeof msg.id !== 'number' || !Number.isInteger(msg.id)) throw new KestrelError('INVALID_INPUT', 'request without an integer id');
      id = msg.id;
      if (!isCallName(msg.call)) throw new KestrelError('INVALID_INPUT', `unknown call ${JSON.stringify(msg.call)}`);
      reply = { id, ok: true, result: await o.wb.invoke(msg.call, msg.input) };
    } catch (err) {
      reply = { id, ok: false, error: err instanceof SyntaxError ? { code: 'INVALID_INPUT', message: 'not JSON' } : toErrorPayload(err) };
    }
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
  }

  const unsubscribe = EVENT_NAMES.map((event) =>
    o.wb.on(event, (payload) => {
      const msg = JSON.stringify({ event, payload } satisfies WireEvent);
      for (const c of clients) if (c.readyState === c.OPEN) c.send(msg);
    }),
  );

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  hostOk = `127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    port,
    token,
    close: async () => {
      for (const u of unsubscribe) u();
      for (const c of clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** The Electron shell's policy, with this server's origin for case files and its WebSocket. */
function securityHeaders(origin: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy({ caseFiles: "'self'", connect: origin.replace(/^http/, 'ws') }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
