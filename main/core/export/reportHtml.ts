import type { ReportBlock } from './reportModel.js';
import type { ReportLang } from './reportText.js';

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** An export-relative file as a URL (each path segment encoded; nothing can leave the export folder). */
const fileUrl = (rel: string): string => rel.split('/').map(encodeURIComponent).join('/');

/**
 * The report as one self-contained HTML page that opens from the export folder: no scripts, no
 * network (a Content-Security-Policy forbids both), images referenced relatively; prints paginated.
 */
export function reportHtml(blocks: readonly ReportBlock[], o: { lang: ReportLang; title: string }): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.t) {
      case 'h1': case 'h2': case 'h3': out.push(`<${b.t}>${escapeHtml(b.text)}</${b.t}>`); break;
      case 'p': out.push(`<p>${escapeHtml(b.text)}</p>`); break;
      case 'warn': out.push(`<p class="warn">${escapeHtml(b.text)}</p>`); break;
      case 'list': out.push(`<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`); break;
      case 'kv': out.push(`<dl>${b.rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`); break;
      case 'table': {
        const total = b.widths.reduce((s, w) => s + w, 0);
        out.push(`<table><colgroup>${b.widths.map((w) => `<col style="width:${((w / total) * 100).toFixed(1)}%">`).join('')}</colgroup>`
          + `<thead><tr>${b.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`
          + `<tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
        break;
      }
      case 'images':
        if (b.items.length) out.push(`<div class="grid">${b.items.map((i) => `<figure style="width:${b.size * 1.4}px"><img src="${fileUrl(i.file)}" alt="${escapeHtml(i.caption)}" style="max-width:${b.size * 1.4}px;max-height:${b.size * 1.4}px"><figcaption>${escapeHtml(i.caption)}</figcaption></figure>`).join('')}</div>`);
        break;
    }
  }
  return `<!doctype html>
<html lang="${o.lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'">
<title>${escapeHtml(o.title)}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", system-ui, sans-serif; font-size: 13px; margin: 24px auto; max-width: 960px; color: #111; }
h1 { font-size: 22px; } h2 { font-size: 17px; color: #1a3d6d; border-bottom: 1px solid #ccd; margin-top: 28px; } h3 { font-size: 14px; margin-bottom: 4px; }
.warn { color: #a00000; font-weight: 600; }
dl { display: grid; grid-template-columns: 28% 1fr; gap: 2px 12px; } dt { color: #555; } dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 12px; } th { background: #e8edf3; text-align: left; }
th, td { border-bottom: 1px solid #ddd; padding: 2px 4px; vertical-align: top; overflow-wrap: anywhere; }
.grid { display: flex; flex-wrap: wrap; gap: 6px; } figure { margin: 0; text-align: center; } figcaption { font-size: 11px; color: #333; }
img { border: 1px solid #999; object-fit: contain; }
@page { size: A4; margin: 18mm 14mm; @bottom-right { content: counter(page) " / " counter(pages); } }
@media print { h2 { break-after: avoid; } tr, figure { break-inside: avoid; } }
</style>
</head>
<body>
${out.join('\n')}
</body>
</html>
`;
}
