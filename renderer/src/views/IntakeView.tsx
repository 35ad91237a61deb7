import { useState } from 'react';
import { useAppState, useT } from '../appContext.js';

export function IntakeView(): React.JSX.Element {
  const t = useT();
  const [text, setText] = useState('');
  const [hint, setHint] = useState<string | null>(null);
  const examiner = useAppState((s) => s.examiner);
  const running = useAppState((s) => s.intakeRunning);
  const progress = useAppState((s) => s.progress);
  const summary = useAppState((s) => s.lastSummary);
  const error = useAppState((s) => s.intakeError);
  const start = useAppState((s) => s.startIntake);
  const cancel = useAppState((s) => s.cancelIntake);
  const pause = useAppState((s) => s.pauseIntake);
  const resume = useAppState((s) => s.resumeIntake);
  const paused = useAppState((s) => s.intakePaused);
  const setTab = useAppState((s) => s.setTab);
  const setWatchMode = useAppState((s) => s.setWatchMode);
  const setAlarmFilter = useAppState((s) => s.setAlarmFilter);
  // The alarm queue, open alarms first: what intake just raised is among them.
  const reviewAlarms = (): void => {
    setWatchMode('alarms');
    setAlarmFilter('open');
    setTab('alarms');
  };

  const onStart = (): void => {
    const paths = text.split('\n').map((p) => p.trim()).filter(Boolean);
    if (!examiner.trim()) return setHint(t('intake.needExaminer'));
    if (!paths.length) return setHint(t('intake.needPaths'));
    setHint(null);
    void start(paths);
  };
  const pct = progress && progress.total ? Math.round((progress.done / progress.total) * 100) : 0;
  return (
    <section className="pane pad intake">
      <label>
        {t('intake.paths')}
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={5} spellCheck={false} data-testid="intake-paths" />
      </label>
      <div className="row">
        <button className="primary" onClick={onStart} disabled={running} data-testid="intake-start">{t('intake.start')}</button>
        <button onClick={() => void pause()} disabled={!running || !progress} data-testid="intake-pause">{t('intake.pause')}</button>
        <button onClick={() => void cancel()} disabled={!running} data-testid="intake-cancel">{t('intake.cancel')}</button>
      </div>
      {paused && !running && (
        <div className="row paused" data-testid="intake-paused">
          <span>{t('intake.paused', { n: paused.length })}</span>
          <button className="primary" onClick={() => void resume()} data-testid="intake-resume">{t('intake.resume')}</button>
        </div>
      )}
      {hint && <div className="warn" role="alert">{hint}</div>}
      {progress && (
        <div className="progress" data-testid="intake-progress">
          <div className="bar"><div style={{ width: `${pct}%` }} /></div>
          <span>{t(`intake.phase.${progress.phase}`)} {t('intake.progress', { done: progress.done, total: progress.total })}</span>
          {progress.currentPath && <span className="path muted">{progress.currentPath}</span>}
        </div>
      )}
      {summary && (
        <div className="summary" data-testid="intake-summary">
          {t('intake.summary', { media: summary.media, faces: summary.faces, withFaces: summary.media_with_faces, duplicates: summary.duplicates, known: summary.already_in_case, errors: summary.errors.length, seconds: summary.seconds })}
          {summary.alarms > 0 && (
            <div className="warn-inline" role="status" data-testid="intake-alarms">
              {t('intake.alarms', { n: summary.alarms })}{' '}
              <button className="linkbutton" onClick={reviewAlarms} data-testid="intake-review-alarms">{t('watch.review')}</button>
            </div>
          )}
        </div>
      )}
      {error && <div className="warn" role="alert">{t('error.prefix')}: {error}</div>}
    </section>
  );
}
