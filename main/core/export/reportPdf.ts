import { existsSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { FileSink } from './exportManifest.js';
import type { ReportBlock } from './reportModel.js';
import { LABELS, type ReportLang } from './reportText.js';

/**
 * Fonts that cover Chinese as well as Latin text, looked for in this order: a configured file
 * (KESTREL_REPORT_FONT, a .ttf/.otf, or .ttc with "#PostScriptName"), then common system locations
 * (Linux Noto CJK / WenQuanYi, Windows Microsoft YaHei / SimSun, macOS PingFang / Arial Unicode).
 */
const SYSTEM_FONTS: readonly [string, string | undefined][] = [
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
  ['/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
  ['/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
  ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', 'WenQuanYiMicroHei'],
  ['C:\\Windows\\Fonts\\msyh.ttc', 'MicrosoftYaHei'],
  ['C:\\Windows\\Fonts\\simsun.ttc', 'SimSun'],
  ['/System/Library/Fonts/PingFang.ttc', 'PingFangSC-Regular'],
  ['/Library/Fonts/Arial Unicode.ttf', undefined],
];

export function reportFont(env: NodeJS.ProcessEnv = process.env): { file: string; family: string | undefined } | null {
  const configured = env['KESTREL_REPORT_FONT'];
  if (configured) {
    const [file, family] = configured.split('#');
    if (file && existsSync(file)) return { file, family };
  }
  for (const [file, family] of SYSTEM_FONTS) if (existsSync(file)) return { file, family };
  return null;
}

const HAS_CJK = /[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]/;

/**
 * Draws the report blocks into an A4 PDF streamed to `sink` (pages are buffered only for their
 * "page X of Y" footer; images go to the file as they are placed).
 */
export async function writeReportPdf(blocks: readonly ReportBlock[], o: { root: string; lang: ReportLang; title: string; sink: FileSink }): Promise<{ pages: number; font: string }> {
  const doc = new PDFDocument({ size: 'A4', margins: { top: 56, bottom: 56, left: 50, right: 50 }, bufferPages: true, info: { Title: o.title, Creator: 'Kestrel', Producer: 'Kestrel' } });
  const font = reportFont();
  const needsCjk = o.lang === 'zh' || blocks.some((b) => HAS_CJK.test(JSON.stringify(b)));
  if (font) {
    doc.registerFont('body', font.file, font.family);
    doc.font('body');
  } else if (needsCjk) {
    throw new Error('No font with Chinese characters was found for the PDF report; install one (for example fonts-noto-cjk) or set KESTREL_REPORT_FONT');
  }
  const pump = (async () => { for await (const chunk of doc as unknown as AsyncIterable<Buffer>) await o.sink.write(chunk); })();
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = (): number => doc.page.height - doc.page.margins.bottom;
  const ensure = (h: number): void => { if (doc.y + h > bottom()) doc.addPage(); };

  // A heading keeps with the start of what it heads: it goes to a new page unless the heading and
  // the first row, line or image row of the next block fit on this one.
  const heading = (text: string, size: number, before: number, after: number): number => {
    doc.fontSize(size);
    return doc.currentLineHeight(true) * (before + after) + doc.heightOfString(text, { width });
  };
  const HEADINGS = { h1: [18, 0, 0.6], h2: [14, 0.6, 0.3], h3: [11, 0.4, 0.2] } as const;
  // The height block `i` needs on the page it starts on: a heading's own height and its lead.
  const lead = (i: number): number => {
    const b = blocks[i];
    if (!b) return 0;
    switch (b.t) {
      case 'h1': case 'h2': case 'h3': { const [size, before, after] = HEADINGS[b.t]; return heading(b.text, size, before, after) + lead(i + 1); }
      case 'images': return b.items.length ? b.size + 16 : 0;
      case 'table': return 40;
      case 'kv': doc.fontSize(9); return b.rows[0] ? doc.heightOfString(b.rows[0][1], { width: width * 0.7 }) + 2 : 0;
      case 'p': case 'warn': case 'list': doc.fontSize(9.5); return 2 * doc.currentLineHeight(true);
    }
  };
  for (const [i, b] of blocks.entries()) {
    const keep = (min: number): void => ensure(Math.max(min, Math.ceil(lead(i))));
    switch (b.t) {
      case 'h1': keep(60); doc.fontSize(18).fillColor('#000').text(b.text, left, doc.y, { width }); doc.moveDown(0.6); break;
      case 'h2': keep(80); doc.moveDown(0.6).fontSize(14).fillColor('#1a3d6d').text(b.text, left, doc.y, { width }); doc.moveDown(0.3); break;
      case 'h3': keep(60); doc.moveDown(0.4).fontSize(11).fillColor('#000').text(b.text, left, doc.y, { width }); doc.moveDown(0.2); break;
      case 'p': doc.fontSize(9.5).fillColor('#000').text(b.text, left, doc.y, { width }); doc.moveDown(0.4); break;
      case 'warn': doc.fontSize(9.5).fillColor('#a00000').text(b.text, left, doc.y, { width }); doc.fillColor('#000'); doc.moveDown(0.4); break;
      case 'list': doc.fontSize(9).fillColor('#000'); for (const item of b.items) { ensure(14); doc.text(`•  ${item}`, left + 6, doc.y, { width: width - 6 }); doc.moveDown(0.15); } doc.moveDown(0.3); break;
      case 'kv': {
        doc.fontSize(9);
        for (const [k, v] of b.rows) {
          const h = Math.max(doc.heightOfString(k, { width: width * 0.28 }), doc.heightOfString(v, { width: width * 0.7 }));
          ensure(h + 2);
          const y = doc.y;
          doc.fillColor('#555').text(k, left, y, { width: width * 0.28 });
          doc.fillColor('#000').text(v, left + width * 0.3, y, { width: width * 0.7 });
          doc.y = y + h + 2;
        }
        doc.moveDown(0.4);
        break;
      }
      case 'table': drawTable(doc, b, left, width, ensure); break;
      case 'images': {
        if (!b.items.length) break;
        const gap = 6;
        const size = b.size;
        const perRow = Math.max(1, Math.floor((width + gap) / (size + gap)));
        for (let i = 0; i < b.items.length; i += perRow) {
          ensure(size + 16);
          const y = doc.y;
          b.items.slice(i, i + perRow).forEach((it, j) => {
            const x = left + j * (size + gap);
            const file = join(o.root, it.file);
            if (existsSync(file)) doc.image(file, x, y, { fit: [size, size], align: 'center', valign: 'center' });
            doc.rect(x, y, size, size).lineWidth(0.3).strokeColor('#999').stroke();
            doc.fontSize(7).fillColor('#333').text(it.caption, x, y + size + 1, { width: size, align: 'center', lineBreak: false });
          });
          doc.y = y + size + 12;
        }
        doc.x = left;
        doc.moveDown(0.3);
        break;
      }
    }
  }

  const L = LABELS[o.lang];
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const footer = o.lang === 'zh' ? `${L.page} ${i + 1} ${L.of} ${range.count} 页` : `${L.page} ${i + 1} ${L.of} ${range.count}`;
    doc.fontSize(8).fillColor('#555');
    const y = doc.page.height - doc.page.margins.bottom + 18;
    doc.text(o.title, left, y, { width: width * 0.7, lineBreak: false, height: 10 });
    doc.text(footer, left + width * 0.7, y, { width: width * 0.3, align: 'right', lineBreak: false, height: 10 });
  }
  doc.end();
  await pump;
  return { pages: range.count, font: font ? `${font.file}${font.family ? `#${font.family}` : ''}` : 'Helvetica' };
}

function drawTable(doc: PDFKit.PDFDocument, b: Extract<ReportBlock, { t: 'table' }>, left: number, width: number, ensure: (h: number) => void): void {
  const total = b.widths.reduce((s, w) => s + w, 0);
  const cols = b.widths.map((w) => (w / total) * width);
  const pad = 2;
  // A row is measured at the size it is drawn in: the header repeated on a new page sets its own
  // size, so the row is measured again after it (it used to be drawn at the header's size, and a
  // path measured on one line wrapped over the next row).
  const measure = (cells: readonly string[], header: boolean): number => {
    doc.fontSize(header ? 8 : 7.5);
    return Math.max(...cells.map((c, i) => doc.heightOfString(c || ' ', { width: cols[i]! - 2 * pad }))) + 2 * pad;
  };
  const row = (cells: readonly string[], header: boolean): void => {
    let h = measure(cells, header);
    if (doc.y + h > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      if (!header) {
        row(b.head, true);
        h = measure(cells, header);
      }
    }
    const y = doc.y;
    if (header) doc.rect(left, y, width, h).fill('#e8edf3');
    let x = left;
    cells.forEach((c, i) => {
      doc.fillColor('#000').text(c, x + pad, y + pad, { width: cols[i]! - 2 * pad });
      x += cols[i]!;
    });
    doc.moveTo(left, y + h).lineTo(left + width, y + h).lineWidth(0.3).strokeColor('#ccc').stroke();
    doc.y = y + h;
  };
  ensure(40);
  row(b.head, true);
  for (const r of b.rows) row(r, false);
  doc.x = left;
  doc.moveDown(0.5);
}
