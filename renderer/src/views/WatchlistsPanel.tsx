import { useApi, useAppState, useT } from '../appContext.js';
import { PhotoList, PhotoRunButton } from '../components/FaceChoiceInput.js';
import { numberOrNull, shortDate } from '../components/format.js';
import { uiError } from '../components/uiError.js';
import { ReviewAlarmsLink } from './ReviewAlarmsLink.js';
import { WatchlistShareForm } from './WatchlistShareForm.js';

/**
 * Watchlists (name, threshold, notes), their subjects with reference faces, enrolment from photos,
 * and their upkeep: more photos of a subject, retiring and reinstating it, a list's threshold.
 */
export function WatchlistsPanel(): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const lists = useAppState((s) => s.watchlists);
  const subjects = useAppState((s) => s.subjects);
  const error = useAppState((s) => s.watchError);
  const selected = useAppState((s) => s.selectedSubject);
  const select = useAppState((s) => s.selectSubject);
  return (
    <div className="split">
      <section className="pane scroller pad" data-testid="watchlists">
        <h2>{t('watch.lists')}</h2>
        {!lists.length ? (
          <div className="muted">{t('watch.noLists')}</div>
        ) : (
          <table className="models" data-testid="watchlist-table">
            <thead><tr><th>{t('watch.name')}</th><th>{t('watch.threshold')}</th><th>{t('watch.subjects')}</th><th>{t('watch.retiredCol')}</th><th>{t('watch.created')}</th><th>{t('watch.notes')}</th></tr></thead>
            <tbody>
              {lists.map((w) => (
                <tr key={w.id}><td>{w.name}</td><td>{w.threshold.toFixed(2)}</td><td>{w.subjects}</td><td>{w.retired}</td><td>{w.createdBy} · {shortDate(w.createdAt)}</td><td className="path" title={w.notes}>{w.notes}</td></tr>
              ))}
            </tbody>
          </table>
        )}
        <h2 className="gap">{t('watch.subjectsHead')}</h2>
        {!subjects.length && <div className="muted">{t('watch.noSubjects')}</div>}
        <div className="subjects" data-testid="subjects">
          {subjects.map((s) => (
            <button
              key={s.id} className={`probe subject-card${s.retiredAt ? ' retired' : ''}`} aria-pressed={selected === s.id}
              onClick={() => select(selected === s.id ? null : s.id)} data-testid="subject"
            >
              {s.thumbnail ? <img src={api.fileUrl(s.thumbnail)} alt="" width={96} height={96} /> : <span className="noimg" />}
              <span><strong>{s.name}</strong><br /><span className="muted">{s.watchlist} · {t('watch.refs', { n: s.refs })}</span>
                {s.retiredAt && <><br /><span className="tag" data-testid="subject-retired-tag">{t('watch.retiredTag')}</span></>}</span>
            </button>
          ))}
        </div>
        {error && <div className="warn" role="alert" data-testid="watch-error">{uiError(t, error)}</div>}
      </section>
      <aside className="details wide">
        {selected !== null ? <SubjectForm /> : subjects.length > 0 && <div className="muted small form-block">{t('watch.subjectHint')}</div>}
        <EnrolForm />
        <ThresholdForm />
        <CreateForm />
        <WatchlistShareForm />
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
          onChange={(e) => setF({ threshold: numberOrNull(e.target.value) })} data-testid="watchlist-threshold"
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
      <PhotoList photos={f.photos} size={80} onRemove={remove} onPhoto={add} dropLabel={t('watch.dropPhoto')} dropTestId="enrol-drop" testId="enrol-photos" />
      <PhotoRunButton busy={busy} label={t('watch.enrolRun')} onRun={() => void enrol()} testId="enrol-run" />
      {done && (
        <div data-testid="enrol-done">
          {t('watch.enrolled', { subject: done.subject, n: done.alarms })}{' '}
          {done.alarms > 0 && <ReviewAlarmsLink />}
        </div>
      )}
      <div className="muted small">{t('watch.enrolHint')}</div>
    </div>
  );
}


function SubjectForm(): React.JSX.Element | null {
  const t = useT();
  const id = useAppState((s) => s.selectedSubject);
  const subject = useAppState((s) => s.subjects.find((x) => x.id === id));
  const photos = useAppState((s) => s.subjectPhotos);
  const add = useAppState((s) => s.addSubjectPhoto);
  const remove = useAppState((s) => s.removeSubjectPhoto);
  const reason = useAppState((s) => s.retireReason);
  const setReason = useAppState((s) => s.setRetireReason);
  const addRun = useAppState((s) => s.addSubjectPhotos);
  const retire = useAppState((s) => s.retireSubject);
  const reinstate = useAppState((s) => s.reinstateSubject);
  const done = useAppState((s) => s.subjectDone);
  const busy = useAppState((s) => s.watchBusy);
  if (!subject) return null;
  const said = done?.kind === 'added' ? (done.retired ? t('watch.addedRetired', { n: done.photos }) : t('watch.added', { n: done.photos, m: done.alarms }))
    : done?.kind === 'retired' ? t('watch.retiredDone', { n: done.openAlarms })
      : done?.kind === 'reinstated' ? t('watch.reinstated', { n: done.alarms })
        : done?.kind === 'photoRemoved' ? t('watch.photoRemoved', { n: done.photos }) : null;
  const raised = (done?.kind === 'added' || done?.kind === 'reinstated') && done.alarms > 0;
  return (
    <div className="form-block" data-testid="subject-detail">
      <h2>{subject.name}</h2>
      <div className="muted">{subject.watchlist} · {t('watch.refs', { n: subject.refs })}</div>
      {subject.notes && <div className="small">{subject.notes}</div>}
      {subject.retiredAt && (
        <div className="warn-inline" role="note" data-testid="subject-retired">
          {t('watch.retiredOn', { at: shortDate(subject.retiredAt), by: subject.retiredBy ?? '', reason: subject.retireReason ?? '' })}
        </div>
      )}
      <ReferencePhotos />
      <PhotoList photos={photos} size={80} onRemove={remove} onPhoto={add} dropLabel={t('watch.dropMore')} dropTestId="subject-drop" testId="subject-photos" />
      <PhotoRunButton busy={busy} disabled={!photos.length} label={t('watch.addRun')} onRun={() => void addRun()} testId="subject-add-run" />
      {subject.retiredAt ? (
        <div className="subject-actions"><button disabled={busy} onClick={() => void reinstate()} data-testid="subject-reinstate">{t('watch.reinstate')}</button></div>
      ) : (
        <div className="subject-actions">
          <label className="field column">{t('watch.retireReason')}<input value={reason} onChange={(e) => setReason(e.target.value)} data-testid="subject-retire-reason" /></label>
          <button disabled={busy} onClick={() => void retire()} data-testid="subject-retire">{t('watch.retire')}</button>
        </div>
      )}
      {said && <div data-testid="subject-done">{said} {raised && <ReviewAlarmsLink />}</div>}
    </div>
  );
}

function ThresholdForm(): React.JSX.Element | null {
  const t = useT();
  const lists = useAppState((s) => s.watchlists);
  const f = useAppState((s) => s.thresholdForm);
  const setF = useAppState((s) => s.setThresholdForm);
  const run = useAppState((s) => s.changeThreshold);
  const done = useAppState((s) => s.thresholdDone);
  const busy = useAppState((s) => s.watchBusy);
  if (!lists.length) return null;
  const current = lists.find((w) => w.name === f.watchlist);
  return (
    <div className="form-block" data-testid="threshold-change">
      <h2>{t('watch.changeThreshold')}</h2>
      <label className="field column">
        {t('watch.list')}
        <select value={f.watchlist} onChange={(e) => setF({ watchlist: e.target.value })} data-testid="threshold-list">
          {lists.map((w) => <option key={w.id} value={w.name}>{w.name} ({w.threshold.toFixed(2)})</option>)}
        </select>
      </label>
      <label className="field column">
        {t('watch.newThreshold')}
        <input
          type="number" step={0.01} min={-0.99} max={1} value={f.threshold ?? ''} placeholder={current ? current.threshold.toFixed(2) : ''}
          onChange={(e) => setF({ threshold: numberOrNull(e.target.value) })} data-testid="threshold-value"
        />
      </label>
      <button disabled={busy} onClick={() => void run()} data-testid="threshold-run">{t('watch.thresholdRun')}</button>
      {done?.kind === 'threshold' && (
        <div data-testid="threshold-done">
          {t('watch.thresholdDone', { list: done.watchlist, before: done.before.toFixed(2), after: done.after.toFixed(2), n: done.alarms })}
          {done.openBelow > 0 && <> {t('watch.openBelow', { n: done.openBelow })}</>} {(done.alarms > 0 || done.openBelow > 0) && <ReviewAlarmsLink />}
        </div>
      )}
      <div className="muted small">{t('watch.thresholdChangeHint')}</div>
    </div>
  );
}

/** The selected subject's reference photos; a wrong one is removed with a reason (kept, no longer used). */
function ReferencePhotos(): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const refs = useAppState((s) => s.subjectRefs);
  const removing = useAppState((s) => s.removingPhoto);
  const start = useAppState((s) => s.startRemovePhoto);
  const reason = useAppState((s) => s.removeReason);
  const setReason = useAppState((s) => s.setRemoveReason);
  const removePhoto = useAppState((s) => s.removePhoto);
  const busy = useAppState((s) => s.watchBusy);
  const inUse = refs.filter((r) => !r.removedAt).length;
  const shown = refs.find((r) => r.id === removing);
  return (
    <div data-testid="subject-refs">
      <div className="probes">
        {refs.map((r) => (
          <figure key={r.id} className={`probe${r.removedAt ? ' removed' : ''}`} data-testid="subject-ref" title={r.removedAt ? t('watch.photoRemovedOn', { at: shortDate(r.removedAt), by: r.removedBy ?? '', reason: r.removeReason ?? '' }) : r.sha256}>
            <img src={api.fileUrl(r.thumbnail)} alt="" width={64} height={64} />
            <figcaption className="path">{r.fileName}</figcaption>
            {r.removedAt ? <span className="tag">{t('watch.photoRemovedTag')}</span>
              : inUse > 1 && <button onClick={() => start(r.id)} aria-label={t('watch.removePhoto')} data-testid="subject-ref-remove">×</button>}
          </figure>
        ))}
      </div>
      {shown && (
        <div className="subject-actions" data-testid="subject-ref-removing">
          <label className="field column">{t('watch.removeReason', { file: shown.fileName })}<input value={reason} onChange={(e) => setReason(e.target.value)} data-testid="subject-ref-reason" /></label>
          <div className="row">
            <button disabled={busy} onClick={() => void removePhoto()} data-testid="subject-ref-confirm">{t('watch.removePhoto')}</button>
            <button onClick={() => start(null)}>{t('watch.cancel')}</button>
          </div>
        </div>
      )}
    </div>
  );
}
