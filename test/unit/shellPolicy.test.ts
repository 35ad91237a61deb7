import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import {
  APP_ENTRY, RENDERER_CSP, appFile, caseDirFromArgs, isAllowedNavigation, isAllowedRequest, windowWebPreferences,
} from '../../main/electron/shellPolicy.js';
import { isSafeDerivedPath } from '../../main/contract/index.js';

test('every window is isolated and sandboxed with no Node in the renderer', () => {
  const p = windowWebPreferences('/app/dist/preload.cjs');
  assert.equal(p.contextIsolation, true);
  assert.equal(p.sandbox, true);
  assert.equal(p.nodeIntegration, false);
  assert.equal(p.nodeIntegrationInWorker, false);
  assert.equal(p.nodeIntegrationInSubFrames, false);
  assert.equal(p.webSecurity, true);
  assert.equal(p.webviewTag, false);
  assert.equal(p.preload, '/app/dist/preload.cjs');
});

test('the shell cancels every request that is not the app or a case file (air-gap)', () => {
  for (const ok of [`${APP_ENTRY}`, 'kestrel-app://app/app.js', 'kestrel-case://case/thumbs/ab/x.jpg']) assert.ok(isAllowedRequest(ok), ok);
  for (const bad of ['https://example.com/', 'http://127.0.0.1:80/', 'ws://127.0.0.1/ws', 'file:///etc/passwd', 'ftp://x/', 'kestrel-app://evil/app.js', 'data:text/html,<script>'])
    assert.ok(!isAllowedRequest(bad), bad);
});

test('navigation never leaves the app page; the CSP allows no inline or remote code', () => {
  assert.ok(isAllowedNavigation(APP_ENTRY));
  assert.ok(isAllowedNavigation(`${APP_ENTRY}#faces`));
  assert.ok(!isAllowedNavigation('https://example.com/'));
  assert.ok(!isAllowedNavigation('kestrel-app://app/other.html'));
  assert.match(RENDERER_CSP, /default-src 'none'/);
  assert.match(RENDERER_CSP, /script-src 'self'(;|$)/);
  assert.match(RENDERER_CSP, /connect-src 'none'/);
  assert.doesNotMatch(RENDERER_CSP, /unsafe-inline|unsafe-eval|https?:/);
});

test('the app scheme maps only the renderer bundle files, never paths outside it', () => {
  const dir = '/opt/kestrel/dist/renderer';
  assert.deepEqual(appFile(dir, 'kestrel-app://app/index.html'), { path: resolve(dir, 'index.html'), contentType: 'text/html; charset=utf-8' });
  assert.equal(appFile(dir, 'kestrel-app://app/../../etc/passwd'), null);
  assert.equal(appFile(dir, 'kestrel-app://app/%2e%2e/secret.js'), null);
  assert.equal(appFile(dir, 'kestrel-app://other/index.html'), null);
  assert.equal(appFile(dir, 'kestrel-app://app/app.js.map'), null);
  assert.equal(appFile(dir, 'not a url'), null);
});

test('derived-file paths: relative, inside the folder, nothing else', () => {
  for (const ok of ['thumbs/ab/abc_0.jpg', 'clips/1.mp4']) assert.ok(isSafeDerivedPath(ok), ok);
  for (const bad of ['', '/etc/passwd', '../case.sqlite', 'thumbs/../../x.jpg', 'thumbs//x.jpg', 'C:/x.jpg', 'thumbs\\x.jpg', 'a/./b.jpg', 'x\0.jpg'])
    assert.ok(!isSafeDerivedPath(bad), bad);
});

test('the desktop app opens the case named on its command line, else KESTREL_CASE, else the default case', () => {
  assert.equal(caseDirFromArgs(['electron', '.', '--case', '/cases/a'], {}, '/d'), '/cases/a');
  assert.equal(caseDirFromArgs(['electron', '.', '--case=/cases/b'], {}, '/d'), '/cases/b');
  assert.equal(caseDirFromArgs(['electron', '.'], { KESTREL_CASE: '/cases/c' }, '/d'), '/cases/c');
  assert.equal(caseDirFromArgs(['electron', '.'], {}, '/d'), '/d');
});
