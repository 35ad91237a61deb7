import { useEffect } from 'react';
import { useAppState, useT } from '../appContext.js';
import { AlarmQueue } from './AlarmQueue.js';
import { WatchlistsPanel } from './WatchlistsPanel.js';

/** Watchlists and alarms: the alarm queue to review, and the lists with their enrolled subjects. */
export function WatchView(): React.JSX.Element {
  const t = useT();
  const mode = useAppState((s) => s.watchMode);
  const setMode = useAppState((s) => s.setWatchMode);
  const load = useAppState((s) => s.loadWatch);
  const open = useAppState((s) => s.alarms.filter((a) => a.status === 'open').length);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div className="stack">
      <div className="subtabs" role="tablist">
        <button role="tab" aria-selected={mode === 'alarms'} className={mode === 'alarms' ? 'active' : ''} onClick={() => setMode('alarms')} data-testid="mode-alarms">
          {t('alarms.queue')}{open ? ` (${open})` : ''}
        </button>
        <button role="tab" aria-selected={mode === 'watchlists'} className={mode === 'watchlists' ? 'active' : ''} onClick={() => setMode('watchlists')} data-testid="mode-watchlists">
          {t('watch.lists')}
        </button>
      </div>
      {mode === 'alarms' ? <AlarmQueue /> : <WatchlistsPanel />}
    </div>
  );
}
