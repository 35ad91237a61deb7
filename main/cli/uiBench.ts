import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KestrelError } from '../contract/index.js';
import { createWorkbench, fillSyntheticCase } from '../core/index.js';
import { startCaseServer } from './caseServer.js';

export interface UiBenchOptions {
  readonly faces: number;
  readonly identities: number;
  readonly runs: number;
  readonly modelsDir: string;
  readonly rendererDir: string;
  readonly facePhoto: string;
  readonly chromium: string;
  readonly onLog?: (msg: string) => void;
}

type Page = import('playwright-core').Page;

/**
 * The page's globals, for predicates that run in Chromium (this layer is type-checked without the
 * DOM library). Predicates are passed as functions: the renderer's CSP forbids evaluating strings.
 */
type InPage = { document: { querySelector(s: string): { textContent: string | null } | null } };

/** Frame times while `drive` runs in the page (it gets one call per animation frame until it returns false). */
const FRAME_PROBE = `async (drive) => {
  const deltas = [];
  const long = [];
  const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) long.push(e.duration); });
  try { obs.observe({ type: 'longtask', buffered: false }); } catch {}
  let last = performance.now();
  await new Promise((resolve) => {
    let i = 0;
    const step = async (now) => {
      deltas.push(now - last);
      last = now;
      if (await drive(i++)) requestAnimationFrame(step); else resolve();
    };
    requestAnimationFrame(step);
  });
  await new Promise((r) => setTimeout(r, 300));
  obs.disconnect();
  return { deltas: deltas.slice(1), long };
}`;

const q = (xs: readonly number[], p: number): number => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))]!;
};
const r1 = (v: number): number => Math.round(v * 10) / 10;
const median = (xs: readonly number[]): number => q(xs, 0.5);

function frameStats(f: { deltas: number[]; long: number[] }): Record<string, number> {
  return { frames: f.deltas.length, frame_p50_ms: r1(q(f.deltas, 0.5)), frame_p95_ms: r1(q(f.deltas, 0.95)), frame_max_ms: r1(Math.max(0, ...f.deltas)), frames_over_50ms: f.deltas.filter((d) => d > 50).length, long_tasks: f.long.length, long_task_max_ms: r1(Math.max(0, ...f.long)) };
}

/** Milliseconds from clicking a tab to `selector` being in the page (polled every animation frame). */
async function paintAfterClick(page: Page, tab: string, selector: string): Promise<number> {
  const t0 = (await page.evaluate(`(() => { const s = performance.now(); document.querySelector('[data-testid=tab-${tab}]').click(); return s; })()`)) as number;
  await page.waitForFunction((sel) => !!(globalThis as unknown as InPage).document.querySelector(sel), selector, { polling: 'raf', timeout: 60_000 });
  return ((await page.evaluate('performance.now()')) as number) - t0;
}

/** Scrolls a virtualised grid down by 400 px a frame for 150 frames, then back up, measuring frames. */
async function scrollGrid(page: Page, testId: string): Promise<Record<string, number>> {
  const f = await page.evaluate(`(${FRAME_PROBE})((i) => {
    const el = document.querySelector('[data-testid=${testId}]');
    el.scrollTop += i < 150 ? 400 : -400;
    return i < 300;
  })`) as { deltas: number[]; long: number[] };
  return frameStats(f);
}

/** Zooms the timeline in 12 wheel steps at its centre, pans 6 times, zooms out again: frames and response times. */
async function driveTimeline(page: Page): Promise<Record<string, number>> {
  const range = async (): Promise<string> => (await page.evaluate("document.querySelector('[data-testid=tl-range]').textContent")) as string;
  const waits: number[] = [];
  const measured = page.evaluate(`(${FRAME_PROBE})(() => !window.__tlDone)`) as Promise<{ deltas: number[]; long: number[] }>;
  const act = async (fn: () => Promise<void>): Promise<void> => {
    const before = await range();
    const t0 = Date.now();
    await fn();
    await page.waitForFunction((b) => (globalThis as unknown as InPage).document.querySelector('[data-testid=tl-range]')?.textContent !== b, before, { polling: 'raf', timeout: 30_000 });
    waits.push(Date.now() - t0);
  };
  const box = (await page.locator('[data-testid=tl-area]').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 12; i++) await act(() => page.mouse.wheel(0, -100));
  for (let i = 0; i < 6; i++) await act(() => page.keyboard.press(i % 2 ? 'ArrowLeft' : 'ArrowRight'));
  for (let i = 0; i < 6; i++) await act(() => page.mouse.wheel(0, 100));
  await page.evaluate('window.__tlDone = true');
  const f = await measured;
  return { ...frameStats(f), actions: waits.length, response_p50_ms: r1(median(waits)), response_max_ms: r1(Math.max(...waits)) };
}

/**
 * The renderer with a large case, in Chromium against `kestrel serve`: first paint of the faces,
 * identity and timeline views and frame times while scrolling the grids and zooming the timeline
 * (Chromium's performance API: animation-frame intervals and long tasks). The case is synthetic
 * rows (no inference), built in a temporary folder and deleted afterwards.
 */
export async function benchUi(o: UiBenchOptions): Promise<Record<string, unknown>> {
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    throw new KestrelError('INVALID_INPUT', 'bench ui needs the development install (playwright-core): run it from a clone after npm ci');
  }
  if (!existsSync(o.chromium)) throw new KestrelError('INVALID_INPUT', `Chromium not found at ${o.chromium} (apt-get install chromium, or --chromium PATH)`);
  if (!existsSync(join(o.rendererDir, 'index.html'))) throw new KestrelError('IO_ERROR', `the UI is not built (${o.rendererDir}); run: npm run build`);
  const work = mkdtempSync(join(tmpdir(), 'kestrel-bench-ui-'));
  const caseDir = join(work, 'case');
  try {
    const t0 = performance.now();
    await (await createWorkbench({ caseDir, modelsDir: o.modelsDir, examiner: 'bench' })).dispose();
    const made = await fillSyntheticCase(caseDir, { faces: o.faces, identities: o.identities, facePhoto: o.facePhoto });
    o.onLog?.(`synthetic case: ${made.media} photos, ${made.faces} faces, ${made.identities} identities (${Math.round(performance.now() - t0)} ms)`);
    const wb = await createWorkbench({ caseDir, modelsDir: o.modelsDir, examiner: 'bench' });
    const server = await startCaseServer({ wb, rendererDir: o.rendererDir });
    const browser = await playwright.chromium.launch({ executablePath: o.chromium, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const runs: Record<string, unknown>[] = [];
    try {
      for (let run = 0; run < o.runs; run++) {
        const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
        await page.goto(server.url);
        await page.waitForFunction(() => !!(globalThis as unknown as InPage).document.querySelector('[data-testid=face-card] img'), undefined, { polling: 'raf', timeout: 60_000 });
        const facesPaint = (await page.evaluate('performance.now()')) as number;
        const facesScroll = await scrollGrid(page, 'face-grid');
        const identitiesPaint = await paintAfterClick(page, 'identities', '[data-testid=identity-card]');
        const identitiesScroll = await scrollGrid(page, 'identity-grid');
        const timelinePaint = await paintAfterClick(page, 'timeline', '[data-testid=tl-lane] canvas, [data-testid=tl-lane] .tl-item');
        const timeline = await driveTimeline(page);
        runs.push({ faces_first_paint_ms: r1(facesPaint), faces_scroll: facesScroll, identities_first_paint_ms: r1(identitiesPaint), identities_scroll: identitiesScroll, timeline_first_paint_ms: r1(timelinePaint), timeline });
        o.onLog?.(`run ${run + 1}/${o.runs}: faces ${r1(facesPaint)} ms, identities ${r1(identitiesPaint)} ms, timeline ${r1(timelinePaint)} ms`);
        await page.close();
      }
    } finally {
      await browser.close();
      await server.close();
      await wb.dispose();
    }
    const pick = (f: (r: Record<string, unknown>) => number): number => r1(median(runs.map(f)));
    const sub = (k: string, m: string) => (r: Record<string, unknown>): number => (r[k] as Record<string, number>)[m]!;
    return {
      task: 'ui', faces: made.faces, photos: made.media, identities: made.identities, undated_photos: made.undated, runs: o.runs,
      median: {
        faces_first_paint_ms: pick((r) => r['faces_first_paint_ms'] as number),
        identities_first_paint_ms: pick((r) => r['identities_first_paint_ms'] as number),
        timeline_first_paint_ms: pick((r) => r['timeline_first_paint_ms'] as number),
        faces_scroll_frame_max_ms: pick(sub('faces_scroll', 'frame_max_ms')),
        identities_scroll_frame_max_ms: pick(sub('identities_scroll', 'frame_max_ms')),
        identities_scroll_frames_over_50ms: pick(sub('identities_scroll', 'frames_over_50ms')),
        timeline_frame_max_ms: pick(sub('timeline', 'frame_max_ms')),
        timeline_frames_over_50ms: pick(sub('timeline', 'frames_over_50ms')),
        timeline_response_p50_ms: pick(sub('timeline', 'response_p50_ms')),
      },
      per_run: runs,
      targets: { first_paint_ms: 1500, frame_max_ms: 50 },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
