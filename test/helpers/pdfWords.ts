import { execFileSync } from 'node:child_process';

export interface Word { page: number; text: string; x0: number; y0: number; x1: number; y1: number }

/** Every word of a PDF with its box, as poppler lays them out. */
export function pdfWords(pdf: string): Word[] {
  const html = execFileSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const out: Word[] = [];
  let page = 0;
  for (const line of html.split('\n')) {
    if (line.includes('<page ')) page++;
    const m = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/.exec(line);
    if (m) out.push({ page, text: m[5]!, x0: Number(m[1]), y0: Number(m[2]), x1: Number(m[3]), y1: Number(m[4]) });
  }
  return out;
}

/** Pairs of words on one page whose boxes overlap by more than a sliver (text drawn over text). */
export function overlappingWords(ws: readonly Word[]): [Word, Word][] {
  const bad: [Word, Word][] = [];
  const byPage = new Map<number, Word[]>();
  for (const w of ws) byPage.set(w.page, [...(byPage.get(w.page) ?? []), w]);
  for (const list of byPage.values()) {
    list.sort((a, b) => a.y0 - b.y0);
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length && list[j]!.y0 < list[i]!.y1; j++) {
        const a = list[i]!, b = list[j]!;
        const dx = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
        const dy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
        if (dx > 1 && dy > 1) bad.push([a, b]);
      }
    }
  }
  return bad;
}
