import { useAppState, useT } from '../appContext.js';

/** Review link to the open alarms, shown when a change raised some. */
export function ReviewAlarmsLink(): React.JSX.Element {
  const t = useT();
  const setMode = useAppState((s) => s.setWatchMode);
  const setFilter = useAppState((s) => s.setAlarmFilter);
  return <button className="linkbutton" onClick={() => { setFilter('open'); setMode('alarms'); }}>{t('watch.review')}</button>;
}
