import { EXPORT_FORMATS, type ExportFormat } from '../../../main/contract/index.js';
import { useAppState, useT } from '../appContext.js';
import { uiError } from '../components/uiError.js';

/**
 * Evidence export: where to (a folder on the engine's machine, new or empty), what (the default
 * selection, everything, or item refs), which formats, the report language, redaction and working
 * copies of originals. Progress is shown and can be cancelled; the result names the manifest hash.
 */
export function ExportView(): React.JSX.Element {
  const t = useT();
  const f = useAppState((s) => s.exportForm);
  const set = useAppState((s) => s.setExportForm);
  const run = useAppState((s) => s.runExport);
  const cancel = useAppState((s) => s.cancelExport);
  const running = useAppState((s) => s.exportRunning);
  const progress = useAppState((s) => s.exportProgress);
  const result = useAppState((s) => s.exportResult);
  const error = useAppState((s) => s.exportError);
  const toggle = (x: ExportFormat): void => set({ formats: f.formats.includes(x) ? f.formats.filter((y) => y !== x) : [...f.formats, x] });
  const pct = progress && progress.total ? Math.round((progress.done / progress.total) * 100) : 0;
  return (
    <section className="pane pad export" data-testid="export">
      <label className="field wide">
        {t('export.out')}
        <input value={f.out} onChange={(e) => set({ out: e.target.value })} placeholder={t('export.outHint')} spellCheck={false} data-testid="export-out" />
      </label>
      <label className="field wide">
        {t('export.select')}
        <input value={f.select} onChange={(e) => set({ select: e.target.value })} spellCheck={false} data-testid="export-select" />
      </label>
      <div className="muted small">{t('export.selectHint')}</div>
      <fieldset className="row">
        <legend>{t('export.formats')}</legend>
        {EXPORT_FORMATS.map((x) => (
          <label key={x} className="check">
            <input type="checkbox" checked={f.formats.includes(x)} onChange={() => toggle(x)} data-testid={`export-format-${x}`} />
            {t(`export.format.${x}`)}
          </label>
        ))}
      </fieldset>
      <div className="row">
        <label className="field">
          {t('export.lang')}
          <select value={f.lang} onChange={(e) => set({ lang: e.target.value as 'en' | 'zh' })} data-testid="export-lang">
            <option value="en">English</option>
            <option value="zh">中文</option>
          </select>
        </label>
        <label className="check"><input type="checkbox" checked={f.redact} onChange={(e) => set({ redact: e.target.checked })} data-testid="export-redact" />{t('export.redact')}</label>
        <label className="check"><input type="checkbox" checked={f.allFrames} onChange={(e) => set({ allFrames: e.target.checked })} data-testid="export-all-frames" />{t('export.allFrames')}</label>
        <label className="check"><input type="checkbox" checked={f.originals} onChange={(e) => set({ originals: e.target.checked })} data-testid="export-originals" />{t('export.originals')}</label>
      </div>
      <div className="row">
        <button className="primary" disabled={running || !f.formats.length} onClick={() => void run()} data-testid="export-run">{t('export.run')}</button>
        <button disabled={!running} onClick={() => void cancel()}>{t('intake.cancel')}</button>
      </div>
      {running && progress && (
        <div className="progress" data-testid="export-progress">
          <div className="bar"><div style={{ width: `${pct}%` }} /></div>
          <span>{t('intake.progress', { done: progress.done, total: progress.total })}</span>
        </div>
      )}
      {error && <div className="warn" role="alert">{uiError(t, error)}</div>}
      {result && (
        <div className="summary" data-testid="export-summary">
          <div>{t('export.done', { files: result.files, mb: (result.bytes / 1048576).toFixed(1), seconds: result.seconds, out: result.outDir })}</div>
          <div>{t('export.contents', { faces: result.faces, identities: result.identities, searches: result.searches, alarms: result.alarms, comparisons: result.comparisons, annotations: result.annotations })}</div>
          <div className="mono small">manifest.json SHA-256 {result.manifestSha256}</div>
          <div className="muted small">{t('export.verifyHint', { out: result.outDir })}</div>
          {result.problems.length > 0 && <ul className="warnings">{result.problems.map((p, i) => <li key={i} className="warn">{p}</li>)}</ul>}
        </div>
      )}
    </section>
  );
}
