import { useCallback, useEffect, useState } from 'react';
import type { AlarmDto, AlarmOrder } from '../../../main/contract/index.js';
import { useApi, useAppState, useT } from '../appContext.js';
import { shortDate, videoTime } from '../components/format.js';
import { uiError } from '../components/uiError.js';
import { VirtualGrid } from '../components/VirtualGrid.js';
import { AnnotationPanel } from '../components/AnnotationPanel.js';
import { visibleAlarms, type AlarmFilter } from '../store/watchlistSlice.js';

const FILTERS: readonly AlarmFilter[] = ['open', 'confirmed', 'dismissed', 'all'];
const CARD_W = 250;
const CARD_H = 112;

const alarmWhen = (a: AlarmDto): string =>
  a.trackStartMs !== null && a.trackEndMs !== null ? `${videoTime(a.trackStartMs)}–${videoTime(a.trackEndMs)}` : a.frameMs !== null ? `@ ${videoTime(a.frameMs)}` : '';

/**
 * The alarm queue: alarms of the chosen state as cards (reference face beside the alarming face),
 * the selected one in detail with its evidence clip, and the examiner's decision. Keyboard: arrows
 * move, C confirms, D dismisses (the note typed in the detail goes with it).
 */
export function AlarmQueue(): React.JSX.Element {
  const t = useT();
  const alarms = useAppState((s) => s.alarms);
  const filter = useAppState((s) => s.alarmFilter);
  const setFilter = useAppState((s) => s.setAlarmFilter);
  const order = useAppState((s) => s.alarmOrder);
  const setOrder = useAppState((s) => s.setAlarmOrder);
  const selected = useAppState((s) => s.selectedAlarm);
  const select = useAppState((s) => s.selectAlarm);
  const decide = useAppState((s) => s.decideAlarm);
  const busy = useAppState((s) => s.watchBusy);
  const [note, setNote] = useState('');
  const shown = visibleAlarms(alarms, filter, order);
  const index = shown.findIndex((a) => a.id === selected);
  const current = index >= 0 ? shown[index]! : null;
  const onSelect = useCallback((i: number) => select(shown[i]?.id ?? null), [select, shown]);

  useEffect(() => setNote(''), [selected]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const tag = (e.target as HTMLElement).tagName;
      if (!current || busy || tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.altKey || e.ctrlKey || e.metaKey) return;
      const status = { c: 'confirmed', d: 'dismissed' }[e.key.toLowerCase()] as 'confirmed' | 'dismissed' | undefined;
      if (!status || current.status === status) return;
      e.preventDefault();
      void decide(current.id, status, note);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [current, busy, decide, note]);

  return (
    <div className="split">
      <section className="pane">
        <div className="subtabs" role="tablist" data-testid="alarm-filters">
          {FILTERS.map((f) => (
            <button key={f} role="tab" aria-selected={filter === f} className={filter === f ? 'active' : ''} onClick={() => setFilter(f)} data-testid={`alarm-filter-${f}`}>
              {t(`alarms.filter.${f}`)} ({visibleAlarms(alarms, f).length})
            </button>
          ))}
          <select className="subtabs-end" value={order} onChange={(e) => setOrder(e.target.value as AlarmOrder)} aria-label={t('alarms.order')} data-testid="alarm-order">
            <option value="raised">{t('alarms.order.raised')}</option>
            <option value="score">{t('alarms.order.score')}</option>
          </select>
        </div>
        {!shown.length ? (
          <div className="muted pad" data-testid="alarms-empty">{alarms.length ? t('alarms.noneHere') : t('alarms.none')}</div>
        ) : (
          <VirtualGrid
            items={shown} keyOf={(a) => a.id} cell={CARD_W} cellHeight={CARD_H} selected={index} onSelect={onSelect} testId="alarm-grid"
            render={(a) => <AlarmCard a={a} active={a.id === selected} onClick={() => select(a.id)} />}
          />
        )}
        <div className="pane-foot muted">{t('alarms.keys')}</div>
      </section>
      {current && <AlarmDetail a={current} note={note} setNote={setNote} />}
    </div>
  );
}

function AlarmCard({ a, active, onClick }: { a: AlarmDto; active: boolean; onClick: () => void }): React.JSX.Element {
  const api = useApi();
  const t = useT();
  return (
    <button className={`alarm-card${active ? ' active' : ''}`} onClick={onClick} data-testid="alarm-card" data-alarm={a.id} data-status={a.status}>
      <div className="alarm-faces">
        {a.subjectThumbnail ? <img src={api.fileUrl(a.subjectThumbnail)} alt="" width={56} height={56} loading="lazy" /> : <span className="noimg" />}
        <img src={api.fileUrl(a.thumbnail)} alt="" width={56} height={56} loading="lazy" />
      </div>
      <div className="alarm-text">
        <strong title={a.subject}>{a.subject}</strong>
        <span className="muted">{a.watchlist}</span>
        <span>{a.score.toFixed(3)} <span className="muted">≥ {a.threshold.toFixed(2)}</span></span>
        <span className={`status status-${a.status}`}>{t(`alarms.status.${a.status}`)}{a.clipPath ? ` · ${t('alarms.clip')}` : ''}</span>
      </div>
    </button>
  );
}

function AlarmDetail({ a, note, setNote }: { a: AlarmDto; note: string; setNote: (n: string) => void }): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const decide = useAppState((s) => s.decideAlarm);
  const busy = useAppState((s) => s.watchBusy);
  const error = useAppState((s) => s.watchError);
  const searchWithFace = useAppState((s) => s.searchWithFace);
  return (
    <aside className="details wide" data-testid="alarm-detail">
      <h2>{t('alarms.head', { id: a.id })}</h2>
      <div className="alarm-pair">
        <figure>
          {a.subjectThumbnail ? <img src={api.fileUrl(a.subjectThumbnail)} alt="" width={140} height={140} /> : <span className="noimg big" />}
          <figcaption>{t('alarms.reference', { subject: a.subject })}</figcaption>
        </figure>
        <figure>
          <img src={api.fileUrl(a.thumbnail)} alt="" width={140} height={140} />
          <figcaption>{t('alarms.sighting', { face: a.faceId })}</figcaption>
        </figure>
      </div>
      <dl>
        <dt>{t('alarms.score')}</dt>
        <dd data-testid="alarm-score">{t('alarms.scoreLine', { score: a.score.toFixed(3), threshold: a.threshold.toFixed(2), list: a.watchlist })}</dd>
        <dt>{t('faces.media')}</dt>
        <dd className="path" title={a.mediaPath}>{a.mediaPath}</dd>
        {alarmWhen(a) && (
          <>
            <dt>{t('alarms.when')}</dt>
            <dd data-testid="alarm-when">{alarmWhen(a)}</dd>
          </>
        )}
        <dt>{t('alarms.raised')}</dt>
        <dd>{shortDate(a.raisedAt)}</dd>
        {a.subjectRetiredAt && (
          <>
            <dt>{t('watch.subjectsHead')}</dt>
            <dd className="warn-inline" data-testid="alarm-subject-retired">{t('alarms.subjectRetired', { at: shortDate(a.subjectRetiredAt), reason: a.subjectRetireReason ?? '' })}</dd>
          </>
        )}
        {a.status !== 'open' && (
          <>
            <dt>{t('alarms.decision')}</dt>
            <dd data-testid="alarm-decision">
              {t('alarms.decidedBy', { status: t(`alarms.status.${a.status}`), examiner: a.decidedBy ?? '', at: shortDate(a.decidedAt) })}
              {a.decisionNote ? <div className="note">“{a.decisionNote}”</div> : null}
            </dd>
          </>
        )}
      </dl>
      {a.clipPath ? (
        <div className="clip">
          <video key={a.clipPath} src={api.fileUrl(a.clipPath)} controls preload="metadata" width={340} data-testid="alarm-clip" />
          <div className="muted small" title={a.clipSha256 ?? ''}>{t('alarms.clipHash', { sha: (a.clipSha256 ?? '').slice(0, 16) })}</div>
        </div>
      ) : a.trackId !== null ? (
        <div className="muted small">{t('alarms.noClip')}</div>
      ) : null}
      <label className="field column">
        {t('alarms.note')}
        <textarea value={note} rows={2} onChange={(e) => setNote(e.target.value)} placeholder={t('alarms.notePlaceholder')} data-testid="alarm-note" />
      </label>
      <div className="row">
        <button className="primary" disabled={busy || a.status === 'confirmed'} onClick={() => void decide(a.id, 'confirmed', note)} data-testid="alarm-confirm" title="C">{t('alarms.confirm')}</button>
        <button disabled={busy || a.status === 'dismissed'} onClick={() => void decide(a.id, 'dismissed', note)} data-testid="alarm-dismiss" title="D">{t('alarms.dismiss')}</button>
        <button onClick={() => searchWithFace({ id: a.faceId, mediaPath: a.mediaPath, thumbnail: a.thumbnail })}>{t('faces.searchThis')}</button>
      </div>
      {error && <div className="warn" role="alert">{uiError(t, error)}</div>}
      <div className="muted small">{t('alarms.hint')}</div>
      <AnnotationPanel target={{ kind: 'alarm', id: a.id }} />
    </aside>
  );
}
