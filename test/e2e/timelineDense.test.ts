import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createWorkbench, fillSyntheticCase, type Workbench } from '../../main/core/index.js';
import { startCaseServer, type CaseServer } from '../../main/cli/caseServer.js';
import { astronautPng, repoRoot, testModelsDir } from '../helpers/fixtures.js';

/**
 * The timeline of a case too large to draw face by face (20,000 faces as direct rows): dense lanes
 * are drawn on a canvas, and its bars and dots answer the pointer as the buttons did.
 */
const CHROMIUM = process.env['KESTREL_CHROMIUM'] ?? '/usr/bin/chromium';
const shots = join(repoRoot, 'test-results', 'e2e');
let work: string;
let wb: Workbench;
let server: CaseServer;
let browser: Browser;
let page: Page;

before(async () => {
  assert.ok(existsSync(join(repoRoot, 'dist', 'renderer', 'index.html')), 'the UI is not built: run npm run build');
  mkdirSync(shots, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'kestrel-e2e-dense-'));
  const caseDir = join(work, 'case');
  const modelsDir = await testModelsDir();
  await (await createWorkbench({ caseDir, modelsDir, examiner: 'e2e' })).dispose();
  await fillSyntheticCase(caseDir, { faces: 20_000, identities: 3_000, facePhoto: astronautPng });
  wb = await createWorkbench({ caseDir, modelsDir, examiner: 'e2e' });
  server = await startCaseServer({ wb, rendererDir: join(repoRoot, 'dist', 'renderer') });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(server.url);
});

after(async () => {
  await browser?.close();
  await server?.close();
  await wb?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('dense lanes: a count bar zooms into its slice, a dot opens its photo, and the pointer is told what is under it', async () => {
  await page.getByTestId('tab-timeline').click();
  const media = page.locator('[data-testid=tl-lane][data-lane=media]');
  await media.locator('canvas').waitFor();
  assert.equal(await media.getAttribute('data-mode'), 'bins');
  await page.screenshot({ path: join(shots, 'timeline-dense.png') });

  // Hovering the busiest region names the slice; clicking its bar narrows the window to about three slices.
  const box = (await media.locator('canvas').boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height - 3;
  await page.mouse.move(x, y);
  await page.waitForFunction(() => /^\d+ from \d{4}-\d\d-\d\d .* click to zoom in$/.test(document.querySelector('[data-testid=tl-lane][data-lane=media] canvas')?.getAttribute('title') ?? ''));
  // The keyboard reaches the bars too: the lane is a tab stop, → goes to the first bar and says what it holds.
  await media.locator('canvas').focus();
  await page.keyboard.press('ArrowRight');
  assert.match(await media.getByTestId('tl-lane-cursor').innerText(), /^\d+ from \d{4}-\d\d-\d\d .* click to zoom in$/);
  const before = await page.getByTestId('tl-range').innerText();
  await page.mouse.click(x, y);
  await page.getByTestId('tl-range').filter({ hasNotText: before }).waitFor();
  const days = (s: string): number => Number(/\((\d+(?:\.\d+)?) (d|y)\)$/.exec(s)?.[1] ?? NaN) * (/ y\)$/.test(s) ? 365 : 1);
  const after = await page.getByTestId('tl-range').innerText();
  assert.ok(days(after) < days(before) / 20, `${before} -> ${after}`);

  // Zoomed in until the lane holds items but too many to show as faces: dots on the canvas.
  const rangeNow = async (): Promise<string> => page.getByTestId('tl-range').innerText();
  for (let i = 0; i < 12 && (await media.getAttribute('data-mode')) === 'bins'; i++) {
    const r = await rangeNow();
    await page.keyboard.press('+');
    await page.getByTestId('tl-range').filter({ hasNotText: r }).waitFor();
  }
  assert.equal(await media.getAttribute('data-mode'), 'marks', 'between 41 and 250 items the lane draws dots');
  // Sweep along a dot row until the canvas names a photo under the pointer, then click it.
  const canvas = media.locator('canvas');
  const c = (await canvas.boundingBox())!;
  let title = '';
  for (let dx = 2; dx < c.width && !title; dx += 3) {
    for (const row of [0.3, 0.5, 0.7]) {
      await page.mouse.move(c.x + dx, c.y + c.height * row);
      title = (await canvas.getAttribute('title')) ?? '';
      if (title) {
        await page.mouse.click(c.x + dx, c.y + c.height * row);
        break;
      }
    }
  }
  assert.match(title, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n\/synthetic\/DCIM\/IMG_\d+\.jpg$/);
  const detail = page.getByTestId('tl-detail');
  await detail.waitFor();
  assert.ok((await detail.innerText()).includes(title.split('\n')[1]!), 'the clicked dot is the photo opened');
  await page.screenshot({ path: join(shots, 'timeline-dense-marks.png') });

  // And the dots: → → steps to the second photo in time order, Enter opens it.
  await canvas.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const second = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(\/synthetic\/DCIM\/IMG_\d+\.jpg)$/.exec(await media.getByTestId('tl-lane-cursor').innerText());
  assert.ok(second, 'the lane says which photo has the keyboard');
  const range = await page.getByTestId('tl-range').innerText();
  await page.keyboard.press('Enter');
  await detail.filter({ hasText: second[1]! }).waitFor();
  assert.equal(await page.getByTestId('tl-range').innerText(), range, 'the arrows stepped through the lane; they did not pan it');
  await page.screenshot({ path: join(shots, 'timeline-dense-keyboard.png') });
});
