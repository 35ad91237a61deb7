import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { thresholdSourceText, type MatchItemDto, type MatchViewDto } from '../../../main/contract/index.js';
import { textLang } from '../i18n/i18n.js';
import { useApi, useAppState, useT } from '../appContext.js';
import { videoTime } from '../components/format.js';
import { ChoiceField } from '../components/ChoiceField.js';
import { uiError } from '../components/uiError.js';
import type { LibraryChoice, LibraryKind } from '../store/matchSlice.js';

const KINDS: readonly LibraryKind[] = ['case', 'source', 'watchlist', 'otherCase', 'folder'];
const ROW = 64;

/**
 * M:N: every face (a video track once) or subject of library A against library B (this case, one
 * of its sources, a watchlist, another case, or a folder of photos analysed on the fly), the pairs
 * above the threshold strongest first; each run is stored and audited, and reloads from the list.
 */
export function MatchView(): React.JSX.Element {
  const t = useT();
  const form = useAppState((s) => s.matchForm);
  const setForm = useAppState((s) => s.setMatchForm);
  const run = useAppState((s) => s.runMatch);
  const running = useAppState((s) => s.matchRunning);
  const error = useAppState((s) => s.matchError);
  const result = useAppState((s) => s.matchResult);
  const saved = useAppState((s) => s.savedMatches);
  const load = useAppState((s) => s.loadMatchOptions);
  const open = useAppState((s) => s.openMatch);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div className="split">
      <section className="pane">
        <div className="pad match-form" data-testid="match-form">
          <LibraryPicker side="a" choice={form.a} onChange={(a) => setForm({ a })} />
          <LibraryPicker side="b" choice={form.b} onChange={(b) => setForm({ b })} />
          <div className="row wrap">
            <label className="field">{t('search.threshold')}
              <input value={form.threshold} onChange={(e) => setForm({ threshold: e.target.value })} placeholder={t('match.thresholdDefault')} data-testid="match-threshold" />
            </label>
            <label className="field">{t('match.maxPairs')}
              <input value={form.maxPairs} onChange={(e) => setForm({ maxPairs: e.target.value })} data-testid="match-max" />
            </label>
            <ChoiceField label={t('match.by')} value={form.by} options={[['item', t('match.byItem')], ['identity', t('match.byIdentity')]]} onChange={(by) => setForm({ by })} testId="match-by" />
            <button className="primary" disabled={running} onClick={() => void run()} data-testid="match-run">{running ? t('match.running') : t('match.run')}</button>
          </div>
          {error && <div className="warn" role="alert">{uiError(t, error)}</div>}
        </div>
        {result && <MatchResult result={result} />}
      </section>
      <aside className="details" data-testid="saved-matches">
        <h2>{t('match.saved')}</h2>
        {!saved.length && <div className="muted">{t('match.none')}</div>}
        <ul className="plain">
          {saved.map((m) => (
            <li key={m.id}>
              <button className={`linkbutton${result?.id === m.id ? ' active' : ''}`} onClick={() => void open(m.id)} data-testid="saved-match">
                #{m.id} {m.a.label} × {m.b.label}{m.by === 'identity' ? ` · ${t('match.byIdentity')}` : ''}
              </button>
              <div className="muted small">{t('match.savedLine', { pairs: m.pairCount, at: m.at.replace('T', ' ').slice(0, 16), who: m.examiner })}</div>
            </li>
          ))}
        </ul>
      </aside>
    </div>
  );
}

function LibraryPicker({ side, choice, onChange }: { side: 'a' | 'b'; choice: LibraryChoice; onChange: (c: LibraryChoice) => void }): React.JSX.Element {
  const t = useT();
  const sources = useAppState((s) => s.matchSources);
  const watchlists = useAppState((s) => s.matchWatchlists);
  return (
    <div className="row wrap library" data-testid={`library-${side}`}>
      <strong className="side">{side.toUpperCase()}</strong>
      <select value={choice.kind} onChange={(e) => onChange({ kind: e.target.value as LibraryKind, arg: '' })} data-testid={`library-${side}-kind`}>
        {KINDS.map((k) => <option key={k} value={k}>{t(`match.kind.${k}`)}</option>)}
      </select>
      {choice.kind === 'source' && (
        <select value={choice.arg} onChange={(e) => onChange({ ...choice, arg: e.target.value })} data-testid={`library-${side}-arg`}>
          <option value="">–</option>
          {sources.map((s) => <option key={s.id} value={String(s.id)}>{s.path}</option>)}
        </select>
      )}
      {choice.kind === 'watchlist' && (
        <select value={choice.arg} onChange={(e) => onChange({ ...choice, arg: e.target.value })} data-testid={`library-${side}-arg`}>
          <option value="">–</option>
          {watchlists.map((w) => <option key={w} value={w}>{w}</option>)}
        </select>
      )}
      {(choice.kind === 'otherCase' || choice.kind === 'folder') && (
        <input className="grow" value={choice.arg} onChange={(e) => onChange({ ...choice, arg: e.target.value })} placeholder={t(choice.kind === 'folder' ? 'match.folderPath' : 'match.casePath')} spellCheck={false} data-testid={`library-${side}-arg`} />
      )}
    </div>
  );
}

function MatchResult({ result }: { result: MatchViewDto }): React.JSX.Element {
  const t = useT();
  const lang = useAppState((s) => s.lang);
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: result.pairs.length, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 8 });
  return (
    <>
      <div className="pad match-summary" data-testid="match-summary">
        {t(result.by === 'identity' ? 'match.summaryIdentity' : 'match.summary', { a: result.a.label, na: result.a.items, b: result.b.label, nb: result.b.items, compared: result.pairsCompared, pairs: result.pairs.length, threshold: result.threshold.toFixed(3) })}
        <div className="muted small">{thresholdSourceText(result.thresholdSource, textLang(lang))} · {result.models.join(' + ')}{result.a.skipped + result.b.skipped ? ` · ${t('match.notCompared', { n: result.a.skipped + result.b.skipped })}` : ''}</div>
        {result.truncated && <div className="warn">{t('match.truncated', { n: result.maxPairs })}</div>}
      </div>
      {!result.pairs.length && <div className="muted pad">{t('match.noPairs')}</div>}
      <div ref={parent} className="scroller" data-testid="match-pairs">
        <div style={{ height: v.getTotalSize(), position: 'relative' }}>
          {v.getVirtualItems().map((row) => {
            const p = result.pairs[row.index]!;
            return (
              <div key={p.rank} className="match-row" style={{ transform: `translateY(${row.start}px)`, height: ROW }} data-testid="match-pair">
                <span className="rank">{p.rank}</span>
                <MatchItem item={p.a} thumb={result.thumbnails.a[p.a.key]} />
                <MatchItem item={p.b} thumb={result.thumbnails.b[p.b.key]} />
                <span className="score">{p.score.toFixed(3)}</span>
                <span className="lr muted">{p.log10Lr === null ? '–' : `LR 10^${p.log10Lr.toFixed(2)}`}{p.itemPairs !== undefined && <><br /><span data-testid="match-item-pairs">{t('match.itemPairs', { n: p.itemPairs })}</span></>}</span>
              </div>
            );
          })}
        </div>
      </div>
    </>
  );
}

function MatchItem({ item, thumb }: { item: MatchItemDto; thumb: string | undefined }): React.JSX.Element {
  const api = useApi();
  const name = item.subject ?? item.mediaPath.split(/[/\\]/).pop() ?? item.key;
  const when = item.startMs !== null && item.endMs !== null ? `${videoTime(item.startMs)}–${videoTime(item.endMs)}` : item.frameMs !== null ? videoTime(item.frameMs) : '';
  return (
    <span className="match-item" title={`${item.key}\n${item.mediaPath}`}>
      {thumb ? <img src={api.fileUrl(thumb)} alt="" width={52} height={52} loading="lazy" /> : <span className="noimg small" />}
      <span className="match-label">
        <span className="path">{name}</span>
        <span className="muted small">{item.key}{item.identityId !== undefined && item.identityId !== null ? ` · ${item.identityName ?? `#${item.identityId}`}` : ''}{when ? ` · ${when}` : ''}{item.age !== null ? ` · ~${Math.round(item.age)}` : ''}</span>
      </span>
    </span>
  );
}
