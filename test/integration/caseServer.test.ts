import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createWorkbench, type Workbench } from '../../main/core/index.js';
import { startCaseServer, type CaseServer } from '../../main/cli/caseServer.js';
import { astronautJpeg, repoRoot, testModelsDir } from '../helpers/fixtures.js';

let work: string;
let wb: Workbench;
let server: CaseServer;
let origin: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-server-'));
  mkdirSync(join(work, 'photos'));
  writeFileSync(join(work, 'photos', 'a.jpg'), await astronautJpeg(400));
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir(), examiner: 'tester' });
  await wb.ingest([join(work, 'photos')], { examiner: 'tester' });
  server = await startCaseServer({ wb, rendererDir: join(repoRoot, 'dist', 'renderer') });
  origin = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server?.close();
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** Opens a WebSocket; resolves with the socket, or with the HTTP status of a refused upgrade. */
function connect(token: string, headers: Record<string, string> = { Origin: origin }): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(token)}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

function call(ws: WebSocket, msg: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>));
    ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });
}

test('the URL is loopback with a random token; the page is served with a strict CSP', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/);
  const res = await fetch(`${origin}/`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<div id="root">/);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, new RegExp(`connect-src ws://127\\.0\\.0\\.1:${server.port}`));
  assert.equal((await fetch(`${origin}/../case/case.sqlite`)).status, 404);
});

test('a WebSocket needs the exact token and the server\'s own Origin', async () => {
  assert.equal(await connect('wrong-token'), 401);
  assert.equal(await connect(''), 401);
  const last = server.token.slice(-1);
  assert.equal(await connect(server.token.slice(0, -1) + (last === 'x' ? 'y' : 'x')), 401);
  assert.equal(await connect(server.token, { Origin: 'http://evil.example' }), 403);
  assert.equal(await connect(server.token, {}), 403);
  assert.equal(await connect(server.token, { Origin: origin, Host: 'evil.example' }), 421);
  const ws = await connect(server.token);
  assert.ok(ws instanceof WebSocket);
  ws.close();
});

test('contract calls round-trip; bad calls and inputs come back as coded errors', async () => {
  const ws = (await connect(server.token)) as WebSocket;
  try {
    const info = await call(ws, { id: 1, call: 'case.info', input: {} });
    assert.equal(info['ok'], true);
    assert.equal((info['result'] as { counts: { faces: number } }).counts.faces, 1);
    const faces = await call(ws, { id: 2, call: 'faces.list', input: { limit: 10 } });
    assert.equal((faces['result'] as { total: number }).total, 1);
    assert.deepEqual(await call(ws, { id: 3, call: 'fs.readFile', input: {} }), { id: 3, ok: false, error: { code: 'INVALID_INPUT', message: 'unknown call "fs.readFile"' } });
    const bad = await call(ws, { id: 4, call: 'faces.list', input: { limit: -5 } });
    assert.equal((bad['error'] as { code: string }).code, 'INVALID_INPUT');
    const notJson = await call(ws, '{nope');
    assert.equal((notJson['error'] as { code: string }).code, 'INVALID_INPUT');
  } finally {
    ws.close();
  }
});

test('case files need the token and never leave the derived folder', async () => {
  const ws = (await connect(server.token)) as WebSocket;
  const faces = await call(ws, { id: 1, call: 'faces.list', input: {} });
  ws.close();
  const thumb = (faces['result'] as { faces: { thumbnail: string }[] }).faces[0]!.thumbnail;
  assert.equal((await fetch(`${origin}/case-file/${thumb}`)).status, 401);
  assert.equal((await fetch(`${origin}/case-file/${thumb}?token=nope`)).status, 401);
  const ok = await fetch(`${origin}/case-file/${thumb}?token=${server.token}`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type'), 'image/jpeg');
  assert.equal((await ok.arrayBuffer()).byteLength > 1000, true);
  // Ranges, as the clip player seeks: a part of the file, 206, with its place in the whole.
  const whole = Buffer.from(await (await fetch(`${origin}/case-file/${thumb}?token=${server.token}`)).arrayBuffer());
  const part = await fetch(`${origin}/case-file/${thumb}?token=${server.token}`, { headers: { Range: 'bytes=10-19' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 10-19/${whole.length}`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), whole.subarray(10, 20));
  assert.equal((await fetch(`${origin}/case-file/${thumb}?token=${server.token}`, { headers: { Range: `bytes=${whole.length}-` } })).status, 416);
  for (const evil of ['%E0%A4%A', '..%2Fcase.sqlite', '%2E%2E/case.sqlite', '..%2F..%2Fetc%2Fpasswd', 'thumbs/..%2F..%2Fcase.sqlite'])
    assert.equal((await fetch(`${origin}/case-file/${evil}?token=${server.token}`)).status, 404, evil);
});
