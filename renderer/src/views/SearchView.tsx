import { useEffect } from 'react';
import { childSearchAdvice, hasChildProbe, onePerIdentityText, probeInCaseText, type SearchHitDto } from '../../../main/contract/index.js';
import { textLang } from '../i18n/i18n.js';
import { useApi, useAppState, useT } from '../appContext.js';
import { PhotoList, PhotoRunButton } from '../components/FaceChoiceInput.js';
import { numberOrNull, shortDate, videoTime } from '../components/format.js';
import { ChoiceField } from '../components/ChoiceField.js';
import { uiError } from '../components/uiError.js';
import { caseFace } from '../store/searchSlice.js';
import { CompareView } from './CompareView.js';
import { MatchView } from './MatchView.js';
import { AnnotationPanel } from '../components/AnnotationPanel.js';

/** 1:N search (probes, top-k, threshold, filters; stored and reloadable), 1:1 comparison and M:N. */
export function SearchView(): React.JSX.Element {
  const t = useT();
  const mode = useAppState((s) => s.searchMode);
  const setMode = useAppState((s) => s.setSearchMode);
  return (
    <div className="stack">
      <div className="subtabs" role="tablist">
        <button role="tab" aria-selected={mode === 'search'} className={mode === 'search' ? 'active' : ''} onClick={() => setMode('search')} data-testid="mode-search">{t('search.oneToMany')}</button>
        <button role="tab" aria-selected={mode === 'compare'} className={mode === 'compare' ? 'active' : ''} onClick={() => setMode('compare')} data-testid="mode-compare">{t('search.oneToOne')}</button>
        <button role="tab" aria-selected={mode === 'match'} className={mode === 'match' ? 'active' : ''} onClick={() => setMode('match')} data-testid="mode-match">{t('match.tab')}</button>
      </div>
      {mode === 'search' ? <OneToMany /> : mode === 'compare' ? <CompareView /> : <MatchView />}
    </div>
  );
}

function OneToMany(): React.JSX.Element {
  const t = useT();
  const probes = useAppState((s) => s.probes);
  const lang = useAppState((s) => s.lang);
  const addProbe = useAppState((s) => s.addProbe);
  const removeProbe = useAppState((s) => s.removeProbe);
  const form = useAppState((s) => s.searchForm);
  const setForm = useAppState((s) => s.setSearchForm);
  const run = useAppState((s) => s.runSearch);
  const running = useAppState((s) => s.searchRunning);
  const error = useAppState((s) => s.searchError);
  const result = useAppState((s) => s.searchResult);
  const saved = useAppState((s) => s.savedSearches);
  const sources = useAppState((s) => s.searchSources);
  const loadSaved = useAppState((s) => s.loadSavedSearches);
  const openSearch = useAppState((s) => s.openSearch);
  useEffect(() => {
    void loadSaved();
  }, [loadSaved]);

  return (
    <div className="split">
      <section className="pane">
        <div className="search-form pad">
          <PhotoList photos={probes} size={96} onRemove={removeProbe} onPhoto={addProbe} dropLabel={probes.length ? t('search.addProbe') : t('search.dropProbe')} dropTestId="probe-drop" testId="probes" />
          <div className="row wrap">
            <label className="field">{t('search.top')}<input type="number" min={1} max={1000} value={form.top} onChange={(e) => setForm({ top: Math.max(1, Math.min(1000, numberOrNull(e.target.value) ?? 20)) })} data-testid="search-top" /></label>
            <label className="field">{t('search.threshold')}<input type="number" step={0.05} min={-1} max={1} value={form.threshold ?? ''} placeholder={t('search.none')} onChange={(e) => setForm({ threshold: numberOrNull(e.target.value) })} /></label>
            <label className="field">{t('search.ageMin')}<input type="number" min={0} max={120} value={form.ageMin ?? ''} onChange={(e) => setForm({ ageMin: numberOrNull(e.target.value) })} /></label>
            <label className="field">{t('search.ageMax')}<input type="number" min={0} max={120} value={form.ageMax ?? ''} onChange={(e) => setForm({ ageMax: numberOrNull(e.target.value) })} /></label>
            <label className="field">{t('media.from')}<input type="date" value={form.capturedFrom ?? ''} max={form.capturedTo ?? undefined} onChange={(e) => setForm({ capturedFrom: e.target.value || null })} data-testid="search-from" /></label>
            <label className="field">{t('media.to')}<input type="date" value={form.capturedTo ?? ''} min={form.capturedFrom ?? undefined} onChange={(e) => setForm({ capturedTo: e.target.value || null })} data-testid="search-to" /></label>
            <label className="field">{t('media.source')}
              <select value={form.sourceId ?? ''} onChange={(e) => setForm({ sourceId: e.target.value ? Number(e.target.value) : null })} data-testid="search-source">
                <option value="">{t('media.all')}</option>
                {sources.map((s) => <option key={s.id} value={s.id}>{s.path}</option>)}
              </select>
            </label>
            <ChoiceField label={t('search.by')} value={form.by} options={[['face', t('search.byFace')], ['identity', t('search.byIdentity')]]} onChange={(by) => setForm({ by })} testId="search-by" />
            <PhotoRunButton busy={running} label={t('search.run')} onRun={() => void run()} testId="search-run" />
          </div>
          {error && <div className="warn" role="alert" data-testid="search-error">{uiError(t, error)}</div>}
          <div className="muted small">{t('search.hint')}</div>
        </div>
        {result && <SearchResults />}
      </section>
      <aside className="details" data-testid="saved-searches">
        <h2>{t('search.saved')}</h2>
        {!saved.length && <div className="muted">{t('search.noSaved')}</div>}
        <ul className="plain">
          {saved.map((s) => (
            <li key={s.id}>
              <button className={`linklike${result?.id === s.id ? ' active' : ''}`} onClick={() => void openSearch(s.id)}>
                #{s.id} · {shortDate(s.at)} · {s.examiner}{s.params.by === 'identity' ? ` · ${onePerIdentityText(textLang(lang))}` : ''}
                <span className="muted path">{s.probes.map((p) => p.fileName).join(' + ')}</span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
    </div>
  );
}

function SearchResults(): React.JSX.Element {
  const t = useT();
  const r = useAppState((s) => s.searchResult)!;
  const lang = useAppState((s) => s.lang);
  return (
    <div className="results" data-testid="search-results">
      <div className="pane-head muted">
        {t('search.resultHead', { id: r.id, hits: r.hits.length, searched: r.facesSearched, examiner: r.examiner, at: shortDate(r.at) })}
        {r.params.by === 'identity' && <span data-testid="search-by-identity"> ({onePerIdentityText(textLang(lang))})</span>}
        {' · '}{r.probes.map((p) => `${p.fileName} (${p.sha256.slice(0, 12)}${p.age !== null ? `, ${t('faces.age', { age: Math.round(p.age) })}` : ''}${p.inCase ? `, ${probeInCaseText(p.faceId ?? 0, textLang(lang))}` : ''})`).join(' + ')}
        {r.probes.some((p) => p.otherFaces > 0) && <span className="warn-inline"> · {t('search.otherFaces')}</span>}
        {hasChildProbe(r.probes) && <div className="warn-inline" role="note" data-testid="search-child-advice">{childSearchAdvice(textLang(lang), r.probes.length)}</div>}
      </div>
      {!r.hits.length && <div className="muted pad">{t('search.noHits')}</div>}
      <div className="hits scroller">
        {r.hits.map((h) => <Hit key={h.rank} h={h} />)}
      </div>
      <AnnotationPanel target={{ kind: 'search', id: r.id }} />
    </div>
  );
}

function Hit({ h }: { h: SearchHitDto }): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const probes = useAppState((s) => s.probes);
  const setCompare = useAppState((s) => s.setCompare);
  const show = useAppState((s) => s.showIdentity);
  const setTab = useAppState((s) => s.setTab);
  const when = h.trackId !== null && h.trackStartMs !== null && h.trackEndMs !== null ? `${videoTime(h.trackStartMs)}–${videoTime(h.trackEndMs)}` : h.frameMs !== null ? `@ ${videoTime(h.frameMs)}` : '';
  const compare = (): void => {
    if (probes[0]) setCompare('a', probes[0]);
    setCompare('b', caseFace({ id: h.faceId, mediaPath: h.mediaPath, thumbnail: h.thumbnail }));
  };
  return (
    <div className="hit" data-testid="search-hit" data-face={h.faceId}>
      <span className="rank">{h.rank}</span>
      <img src={api.fileUrl(h.thumbnail)} alt="" width={72} height={72} loading="lazy" />
      <div className="hit-text">
        <div><strong>{h.score.toFixed(3)}</strong> {h.rankScore !== null && <span className="muted">({t('search.rankScore')} {h.rankScore.toFixed(3)})</span>}</div>
        <div className="path" title={h.mediaPath}>{h.mediaPath} {when}</div>
        <div className="muted">
          {h.age !== null ? t('faces.age', { age: Math.round(h.age) }) : ''} · {shortDate(h.capturedAt)}
          {h.trackId !== null && <> · {t('search.track', { id: h.trackId })}</>}
        </div>
      </div>
      <div className="hit-actions">
        {h.identityId !== null && (
          <button onClick={() => { setTab('identities'); void show(h.identityId!); }} data-testid="hit-identity">{h.identityName ?? `#${h.identityId}`}</button>
        )}
        <button onClick={compare}>{t('search.compare')}</button>
      </div>
    </div>
  );
}
