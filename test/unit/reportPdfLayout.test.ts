import { test } from 'node:test';
import assert from 'node:assert/strict';
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
