import { useEffect } from 'react';
import { useAppState, useT } from '../appContext.js';
import { LANGS, type Lang } from '../i18n/i18n.js';
import type { Tab } from '../store/uiSlice.js';
import { FacesView } from './FacesView.js';
import { IntakeView } from './IntakeView.js';
import { MediaView } from './MediaView.js';
import { ModelsView } from './ModelsView.js';
import { IdentitiesView } from './IdentitiesView.js';
import { SearchView } from './SearchView.js';
import { ExportView } from './ExportView.js';
import { WatchView } from './WatchView.js';
import { TimelineView } from './TimelineView.js';
import { CaseView } from './CaseView.js';

const TABS: readonly Tab[] = ['case', 'faces', 'identities', 'timeline', 'search', 'alarms', 'media', 'intake', 'export', 'models'];

export function App(): React.JSX.Element {
  const t = useT();
  const info = useAppState((s) => s.info);
  const loadError = useAppState((s) => s.loadError);
  const tab = useAppState((s) => s.tab);
  const lang = useAppState((s) => s.lang);
  const examiner = useAppState((s) => s.examiner);
  const setTab = useAppState((s) => s.setTab);
  const setLang = useAppState((s) => s.setLang);
  const setExaminer = useAppState((s) => s.setExaminer);
  const loadInfo = useAppState((s) => s.loadInfo);

  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);

  // Alt+1..9 and Alt+0 switch views, so review never needs the mouse.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const i = e.key === '0' ? 9 : Number(e.key) - 1;
      if (e.altKey && i >= 0 && i < TABS.length) {
        e.preventDefault();
        setTab(TABS[i]!);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setTab]);

  if (loadError) return <div className="fatal" role="alert">{t('app.connectFailed')}: {loadError}</div>;
  if (!info) return <div className="loading">{t('app.connecting')}</div>;
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">{t('app.title')}</div>
        <div className="case" data-testid="case-name">
          <strong>{info.name}</strong>
          <span className="muted">
            {t('case.profile')}: {info.profile} · {t('case.counts', { media: info.counts.media, faces: info.counts.faces, errors: info.counts.errors })}
          </span>
        </div>
        <label className="field">
          {t('examiner.label')}
          <input value={examiner} placeholder={t('examiner.placeholder')} onChange={(e) => setExaminer(e.target.value)} data-testid="examiner" />
        </label>
        <label className="field">
          {t('lang.label')}
          <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} data-testid="lang">
            {LANGS.map((l) => <option key={l.id} value={l.id}>{l.label}</option>)}
          </select>
        </label>
      </header>
      <nav className="tabs" role="tablist">
        {TABS.map((id, i) => (
          <button key={id} role="tab" aria-selected={tab === id} className={tab === id ? 'active' : ''} onClick={() => setTab(id)} title={`Alt+${(i + 1) % 10}`} data-testid={`tab-${id}`}>
            {t(`nav.${id}`)}
            {id === 'alarms' && info.counts.openAlarms > 0 && (
              <span className="badge warn-badge" title={t('nav.openAlarms', { n: info.counts.openAlarms })} data-testid="open-alarms">{info.counts.openAlarms}</span>
            )}
          </button>
        ))}
      </nav>
      <main className="view">
        {tab === 'case' && <CaseView />}
        {tab === 'faces' && <FacesView />}
        {tab === 'identities' && <IdentitiesView />}
        {tab === 'timeline' && <TimelineView />}
        {tab === 'search' && <SearchView />}
        {tab === 'alarms' && <WatchView />}
        {tab === 'media' && <MediaView />}
        {tab === 'intake' && <IntakeView />}
        {tab === 'export' && <ExportView />}
        {tab === 'models' && <ModelsView />}
      </main>
    </div>
  );
}
