import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeSyntheticPhotos } from '../../main/core/bench/syntheticPhotos.js';
import { astronautPng, repoRoot, testModelsDir } from '../helpers/fixtures.js';

/**
 * The real renderer in Debian's Chromium against `kestrel serve` (the browser transport of the same
 * contract the Electron shell uses). Screenshots land in test-results/e2e/ to be looked at.
 */
const CHROMIUM = process.env['KESTREL_CHROMIUM'] ?? '/usr/bin/chromium';
const shots = join(repoRoot, 'test-results', 'e2e');
let work: string;
let server: ChildProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set KESTREL_CHROMIUM`);
  assert.ok(existsSync(join(repoRoot, 'dist', 'renderer', 'index.html')), 'the UI is not built: run npm run build');
  mkdirSync(shots, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'kestrel-e2e-'));
  await writeSyntheticPhotos(join(work, 'evidence'), 8, astronautPng, 7);
  writeFileSync(join(work, 'evidence', 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a]));
  server = spawn(process.execPath, [join(repoRoot, 'bin', 'kestrel.js'), 'serve', '--case', join(work, 'case'), '--examiner', 'e2e'], {
    env: { ...process.env, KESTREL_MODELS: await testModelsDir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    server.once('exit', (code) => reject(new Error(`kestrel serve exited with ${code}`)));
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/#token=/);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

test('opens the case, ingests evidence with live progress, and shows the faces found', async () => {
  await page.getByTestId('case-name').waitFor();
  assert.match(await page.getByTestId('faces-count').innerText(), /No faces yet/);
  await page.getByTestId('tab-intake').click();
  // Intake refuses to start without an examiner: every action is recorded under a name.
  await page.getByTestId('intake-paths').fill(join(work, 'evidence'));
  await page.getByTestId('intake-start').click();
  await page.getByRole('alert').filter({ hasText: 'examiner' }).waitFor();
  await page.getByTestId('examiner').fill('Det. Ada Example');
  await page.getByTestId('intake-start').click();
  await page.getByTestId('intake-progress').waitFor();
  const summary = await page.getByTestId('intake-summary').innerText({ timeout: 60_000 });
  // The broken file is registered (hashed, kept in custody) and recorded as an error.
  assert.match(summary, /^9 new media, \d+ faces in 8 media, 0 duplicates, 1 errors/);
  await page.screenshot({ path: join(shots, 'intake.png') });

  await page.getByTestId('tab-faces').click();
  await page.getByTestId('face-card').first().waitFor();
  const cards = await page.getByTestId('face-card').count();
  assert.ok(cards >= 8, `${cards} face cards`);
  // Thumbnails are real images served from the case (token-protected), not broken links.
  const loaded = await page.locator('[data-testid=face-card] img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length);
  assert.ok(loaded >= 8, `${loaded} thumbnails loaded`);
  await page.getByTestId('face-card').nth(1).click();
  await page.keyboard.press('ArrowRight');
  assert.match(await page.getByTestId('face-details').innerText(), /evidence\/photo_/);
  await page.screenshot({ path: join(shots, 'faces.png') });
});

test('lists media and intake errors with their reasons', async () => {
  await page.getByTestId('tab-media').click();
  await page.getByTestId('media-list').locator('.table-row').first().waitFor();
  const errors = await page.getByTestId('intake-errors').innerText();
  assert.match(errors, /broken\.jpg/);
  assert.match(errors, /truncated_or_corrupt/);
  await page.screenshot({ path: join(shots, 'media.png') });
});

test('switches to Simplified Chinese at run time', async () => {
  await page.getByTestId('lang').selectOption('zh-CN');
  assert.equal(await page.getByTestId('tab-faces').innerText(), '人脸');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  await page.getByTestId('tab-models').click();
  await page.getByTestId('models-table').getByText('Apache-2.0').first().waitFor();
  assert.match(await page.getByTestId('models-table').innerText(), /已校验/);
  await page.screenshot({ path: join(shots, 'models-zh.png') });
  await page.getByTestId('lang').selectOption('en');
});

test('no renderer code can reach Node or the filesystem', async () => {
  const globals = await page.evaluate(() => {
    const g = globalThis as Record<string, unknown>;
    return { require: typeof g['require'], process: typeof g['process'], module: typeof g['module'], Buffer: typeof g['Buffer'], kestrel: typeof g['kestrel'] };
  });
  assert.deepEqual(globals, { require: 'undefined', process: 'undefined', module: 'undefined', Buffer: 'undefined', kestrel: 'undefined' });
  // Inline script is blocked by the CSP (an injected <script> would not run).
  const ran = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = 1';
    document.body.appendChild(s);
    await new Promise((r) => setTimeout(r, 50));
    return (window as unknown as Record<string, unknown>)['__injected'] === 1;
  });
  assert.equal(ran, false);
  assert.deepEqual(pageErrors, []);
});
