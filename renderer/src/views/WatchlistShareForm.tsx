import { useAppState, useT } from '../appContext.js';
import { ReviewAlarmsLink } from './ReviewAlarmsLink.js';

/**
 * A list shared between cases: exported with its subjects' reference photos into a folder, imported
 * from one into this case (which is then checked for its subjects at once).
 */
export function WatchlistShareForm(): React.JSX.Element | null {
  const t = useT();
  const lists = useAppState((s) => s.watchlists);
  const f = useAppState((s) => s.shareForm);
  const setF = useAppState((s) => s.setShareForm);
  const exportList = useAppState((s) => s.exportList);
  const importList = useAppState((s) => s.importList);
  const done = useAppState((s) => s.shareDone);
  const busy = useAppState((s) => s.watchBusy);
  return (
    <div className="form-block" data-testid="watchlist-share">
      <h2>{t('watch.share')}</h2>
      {lists.length > 0 && (
        <>
          <label className="field column">
            {t('watch.list')}
            <select value={f.watchlist} onChange={(e) => setF({ watchlist: e.target.value })} data-testid="share-list">
              {lists.map((w) => <option key={w.id} value={w.name}>{w.name}</option>)}
            </select>
          </label>
          <label className="field column">{t('watch.exportOut')}<input value={f.out} onChange={(e) => setF({ out: e.target.value })} spellCheck={false} data-testid="share-out" /></label>
          <button disabled={busy} onClick={() => void exportList()} data-testid="share-export">{t('watch.exportRun')}</button>
        </>
      )}
      <label className="field column">{t('watch.importFrom')}<input value={f.from} onChange={(e) => setF({ from: e.target.value })} spellCheck={false} data-testid="share-from" /></label>
      <label className="field column">{t('watch.importName')}<input value={f.name} onChange={(e) => setF({ name: e.target.value })} data-testid="share-name" /></label>
      <button disabled={busy} onClick={() => void importList()} data-testid="share-import">{t('watch.importRun')}</button>
      {done && (
        <div className="mono-wrap" data-testid="share-done">
          {done.kind === 'exported'
            ? t('watch.exported', { list: done.watchlist, n: done.subjects, m: done.photos, out: done.out, sha: done.manifestSha256 })
            : t('watch.imported', { list: done.watchlist, n: done.subjects, m: done.photos, a: done.alarms })}
          {done.kind === 'imported' && done.alarms > 0 && (
            <> <ReviewAlarmsLink /></>
          )}
        </div>
      )}
      <div className="muted small">{t('watch.shareHint')}</div>
    </div>
  );
}
