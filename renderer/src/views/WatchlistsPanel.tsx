import { useApi, useAppState, useT } from '../appContext.js';
import { FaceChoiceView, PhotoDrop } from '../components/FaceChoiceInput.js';
import { shortDate } from '../components/format.js';
import { uiError } from '../components/uiError.js';

/** Watchlists (name, threshold, notes), their subjects with reference faces, and enrolment from photos. */
export function WatchlistsPanel(): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const lists = useAppState((s) => s.watchlists);
  const subjects = useAppState((s) => s.subjects);
  const error = useAppState((s) => s.watchError);
  return (
    <div className="split">
      <section className="pane scroller pad" data-testid="watchlists">
        <h2>{t('watch.lists')}</h2>
        {!lists.length ? (
          <div className="muted">{t('watch.noLists')}</div>
        ) : (
          <table className="models" data-testid="watchlist-table">
            <thead><tr><th>{t('watch.name')}</th><th>{t('watch.threshold')}</th><th>{t('watch.subjects')}</th><th>{t('watch.created')}</th><th>{t('watch.notes')}</th></tr></thead>
            <tbody>
              {lists.map((w) => (
                <tr key={w.id}><td>{w.name}</td><td>{w.threshold.toFixed(2)}</td><td>{w.subjects}</td><td>{w.createdBy} · {shortDate(w.createdAt)}</td><td className="path" title={w.notes}>{w.notes}</td></tr>
              ))}
            </tbody>
          </table>
        )}
        <h2 className="gap">{t('watch.subjectsHead')}</h2>
        {!subjects.length && <div className="muted">{t('watch.noSubjects')}</div>}
        <div className="subjects" data-testid="subjects">
          {subjects.map((s) => (
            <figure key={s.id} className="probe" data-testid="subject">
              {s.thumbnail ? <img src={api.fileUrl(s.thumbnail)} alt="" width={96} height={96} /> : <span className="noimg" />}
              <figcaption><strong>{s.name}</strong><br /><span className="muted">{s.watchlist} · {t('watch.refs', { n: s.refs })}</span></figcaption>
            </figure>
          ))}
        </div>
        {error && <div className="warn" role="alert" data-testid="watch-error">{uiError(t, error)}</div>}
      </section>
      <aside className="details wide">
        <EnrolForm />
        <CreateForm />
      </aside>
    </div>
  );
}

function CreateForm(): React.JSX.Element {
  const t = useT();
  const f = useAppState((s) => s.watchlistForm);
  const setF = useAppState((s) => s.setWatchlistForm);
  const create = useAppState((s) => s.createWatchlist);
  const busy = useAppState((s) => s.watchBusy);
  return (
    <div className="form-block" data-testid="watchlist-create">
      <h2>{t('watch.create')}</h2>
      <label className="field column">{t('watch.name')}<input value={f.name} onChange={(e) => setF({ name: e.target.value })} data-testid="watchlist-name" /></label>
      <label className="field column">
        {t('watch.threshold')}
        <input
          type="number" step={0.01} min={-0.99} max={1} value={f.threshold ?? ''} placeholder={t('watch.thresholdDefault')}
          onChange={(e) => setF({ threshold: e.target.value.trim() === '' || !Number.isFinite(Number(e.target.value)) ? null : Number(e.target.value) })} data-testid="watchlist-threshold"
        />
      </label>
      <label className="field column">{t('watch.notes')}<textarea rows={2} value={f.notes} onChange={(e) => setF({ notes: e.target.value })} /></label>
      <button disabled={busy} onClick={() => void create()} data-testid="watchlist-create-run">{t('watch.createRun')}</button>
      <div className="muted small">{t('watch.thresholdHint')}</div>
    </div>
  );
}

function EnrolForm(): React.JSX.Element {
  const t = useT();
  const lists = useAppState((s) => s.watchlists);
  const f = useAppState((s) => s.enrolForm);
  const setF = useAppState((s) => s.setEnrolForm);
  const add = useAppState((s) => s.addEnrolPhoto);
  const remove = useAppState((s) => s.removeEnrolPhoto);
  const enrol = useAppState((s) => s.enrol);
  const busy = useAppState((s) => s.watchBusy);
  const done = useAppState((s) => s.enrolled);
  const setMode = useAppState((s) => s.setWatchMode);
  const setFilter = useAppState((s) => s.setAlarmFilter);
  if (!lists.length) return <div className="muted form-block">{t('watch.createFirst')}</div>;
  return (
    <div className="form-block" data-testid="enrol">
      <h2>{t('watch.enrol')}</h2>
      <label className="field column">
        {t('watch.list')}
        <select value={f.watchlist} onChange={(e) => setF({ watchlist: e.target.value })} data-testid="enrol-list">
          {lists.map((w) => <option key={w.id} value={w.name}>{w.name}</option>)}
        </select>
      </label>
      <label className="field column">{t('watch.subjectName')}<input value={f.name} onChange={(e) => setF({ name: e.target.value })} data-testid="enrol-name" /></label>
      <label className="field column">{t('watch.notes')}<textarea rows={2} value={f.notes} onChange={(e) => setF({ notes: e.target.value })} /></label>
      <div className="probes">
        {f.photos.map((p, i) => (
          <figure key={i} className="probe">
            <FaceChoiceView choice={p} size={80} />
            <figcaption className="path" title={p.label}>{p.label}</figcaption>
            <button onClick={() => remove(i)} aria-label={t('search.removeProbe')}>×</button>
          </figure>
        ))}
        <PhotoDrop onPhoto={add} label={t('watch.dropPhoto')} testId="enrol-drop" />
      </div>
      <button className="primary" disabled={busy} onClick={() => void enrol()} data-testid="enrol-run">{busy ? t('search.running') : t('watch.enrolRun')}</button>
      {done && (
        <div data-testid="enrol-done">
          {t('watch.enrolled', { subject: done.subject, n: done.alarms })}{' '}
          {done.alarms > 0 && <button className="linkbutton" onClick={() => { setFilter('open'); setMode('alarms'); }}>{t('watch.review')}</button>}
        </div>
      )}
      <div className="muted small">{t('watch.enrolHint')}</div>
    </div>
  );
}
