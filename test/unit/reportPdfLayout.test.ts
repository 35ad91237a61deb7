import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReportPdf } from '../../main/core/export/reportPdf.js';
import type { ReportBlock } from '../../main/core/export/reportModel.js';
import { overlappingWords, pdfWords } from '../helpers/pdfWords.js';

test('report tables that run onto a new page never draw a row over the next one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-pdf-layout-'));
  try {
    // Paths of every length in steps of one character: some wrap at the body's size only after the
    // page's repeated header has changed the size, which is where rows were measured wrongly.
    const blocks: ReportBlock[] = [{ t: 'h1', text: 'Layout' }];
    for (let n = 40; n <= 110; n += 1) {
      const path = `/evidence/${'ab/'.repeat(Math.floor((n - 20) / 3))}${'c'.repeat(n % 3)}photo.jpg`;
      blocks.push({ t: 'table', head: ['Path', 'Kind', 'Added by', 'Added'], widths: [5, 1, 1.6, 2.6], rows: Array.from({ length: 70 }, () => [path, 'file', 'Det. Test', '2026-11-24T16:19:29.385Z']) });
    }
    const pdf = join(dir, 'report.pdf');
    const chunks: Buffer[] = [];
    const r = await writeReportPdf(blocks, { root: dir, lang: 'en', title: 'layout', sink: { write: async (c) => { chunks.push(Buffer.from(c)); }, done: async () => undefined } });
    writeFileSync(pdf, Buffer.concat(chunks));
    assert.ok(r.pages > 70, `${r.pages} pages`);
    const bad = overlappingWords(pdfWords(pdf));
    assert.deepEqual(bad.slice(0, 3).map(([a, b]) => `page ${a.page}: "${a.text}" over "${b.text}"`), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a heading is never left alone at the foot of a page: it moves to the next page with what it heads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-pdf-headings-'));
  try {
    // Paragraphs of 1 to 13 lines put the next heading at every height of a page; each heading
    // leads image rows, a table, key-value rows or a paragraph.
    const blocks: ReportBlock[] = [{ t: 'h1', text: 'Layout' }];
    for (let k = 1; k <= 160; k++) {
      blocks.push({ t: 'p', text: Array.from({ length: (k % 13) + 1 }, (_, i) => `Line ${i}.`).join('\n') });
      blocks.push({ t: k % 9 === 0 ? 'h2' : 'h3', text: `Heading ${k}` });
      const next = k % 4;
      if (next === 0) blocks.push({ t: 'images', size: 64, items: Array.from({ length: (k % 7) + 1 }, (_, i) => ({ file: `none-${i}.jpg`, caption: `#${i}` })) });
      else if (next === 1) blocks.push({ t: 'table', head: ['When', 'Where'], widths: [1, 3], rows: Array.from({ length: (k % 5) + 1 }, (_, i) => [`row ${i}`, 'place']) });
      else if (next === 2) blocks.push({ t: 'kv', rows: Array.from({ length: (k % 3) + 1 }, (_, i) => [`key ${i}`, 'value'] as const) });
      else blocks.push({ t: 'p', text: 'Words of a paragraph. '.repeat((k % 6) * 8 + 3) });
    }
    const pdf = join(dir, 'report.pdf');
    const chunks: Buffer[] = [];
    await writeReportPdf(blocks, { root: dir, lang: 'en', title: 'layout', sink: { write: async (c) => { chunks.push(Buffer.from(c)); }, done: async () => undefined } });
    writeFileSync(pdf, Buffer.concat(chunks));
    const pages = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim());
    assert.ok(pages.length > 10, `${pages.length} pages`);
    const orphans = pages.flatMap((text, i) => {
      const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/Page \d+ of \d+$/.test(l));
      return /^Heading \d+$/.test(lines.at(-1) ?? '') ? [`page ${i + 1}: ${lines.at(-1)}`] : [];
    });
    assert.deepEqual(orphans, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
