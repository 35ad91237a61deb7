import { useEffect, useState } from 'react';
import type { IdentityFaceDto, IdentitySuggestionDto } from '../../../main/contract/index.js';
import { useApi, useAppState, useT } from '../appContext.js';
import { VirtualGrid } from '../components/VirtualGrid.js';
import { ageRange, shortDate, videoTime } from '../components/format.js';
import { AnnotationPanel } from '../components/AnnotationPanel.js';

const CELL = 104;

/**
 * One identity: its faces ordered by estimated age (then capture time), an age strip, the examiner
 * operations with keyboard shortcuts, and other identities that may be the same person.
 */
export function IdentityPage(): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const d = useAppState((s) => s.identityDetail);
  const suggestions = useAppState((s) => s.suggestions);
  const selected = useAppState((s) => s.selectedFaces);
  const toggleFace = useAppState((s) => s.toggleFace);
  const clear = useAppState((s) => s.clearFaceSelection);
  const op = useAppState((s) => s.identityOp);
  const showOnTimeline = useAppState((s) => s.showOnTimeline);
  const busy = useAppState((s) => s.identityBusy);
  const identities = useAppState((s) => s.identities);
  const searchWithFace = useAppState((s) => s.searchWithFace);
  const [name, setName] = useState('');
  const [moveTo, setMoveTo] = useState('');
  useEffect(() => setName(d?.name ?? ''), [d?.id, d?.name]);

  // C confirm, S split, R reject ("not this person"), H hide, Esc clear, 1-9 merge that suggestion.
  useEffect(() => {
    if (!d) return;
    const onKey = (e: KeyboardEvent): void => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.ctrlKey || e.metaKey || e.altKey) return;
      const k = e.key.toLowerCase();
      if (k === 'c' && d.status !== 'confirmed') void op({ kind: 'confirm', id: d.id });
      else if (k === 's' && selected.length) void op({ kind: 'split', id: d.id, faces: selected });
      else if (k === 'r' && selected.length) void op({ kind: 'reject', id: d.id, faces: selected });
      else if (k === 'h') void op({ kind: 'hide', id: d.id, hidden: !d.hidden });
      else if (k === 'escape') clear();
      else if (/^[1-9]$/.test(k) && suggestions[Number(k) - 1]) void op({ kind: 'merge', ids: [d.id, suggestions[Number(k) - 1]!.identityId] });
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [d, selected, suggestions, op, clear]);

  if (!d) return <aside className="identity-page muted pad">{t('app.loading')}</aside>;
  const one = selected.length === 1 ? d.faces.find((f) => f.faceId === selected[0]) : undefined;
  const saveName = (): void => {
    const v = name.trim();
    if (v !== (d.name ?? '')) void op({ kind: 'name', id: d.id, name: v || null });
  };
  return (
    <aside className="identity-page" data-testid="identity-page">
      <div className="identity-head">
        <input
          className="name-input" value={name} placeholder={t('identities.namePlaceholder', { id: d.id })} onChange={(e) => setName(e.target.value)}
          onBlur={saveName} onKeyDown={(e) => e.key === 'Enter' && (e.currentTarget as HTMLInputElement).blur()} data-testid="identity-name"
        />
        <button disabled={busy || d.status === 'confirmed'} onClick={() => void op({ kind: 'confirm', id: d.id })} title="C" data-testid="identity-confirm">
          {d.status === 'confirmed' ? t('identities.confirmed') : t('identities.confirm')}
        </button>
        <button disabled={busy} onClick={() => void op({ kind: 'hide', id: d.id, hidden: !d.hidden })} title="H">{d.hidden ? t('identities.unhide') : t('identities.hide')}</button>
        <button onClick={() => void showOnTimeline(d.id)} data-testid="identity-timeline">{t('timeline.show')}</button>
      </div>
      <div className="muted identity-facts" data-testid="identity-facts">
        #{d.id} · {t('identities.faces', { n: d.faceCount })} · {t('identities.sightings', { n: d.unitCount })} · {t('identities.ages', { range: ageRange(d.ageRange) })}
        {' · '}{t('identities.seen', { first: shortDate(d.firstSeen), last: shortDate(d.lastSeen) })} · {t('identities.sources', { n: d.sources.length })}
      </div>
      <h2>{t('identities.ageStrip')}</h2>
      <div className="age-strip" data-testid="age-strip">
        {d.ageStrip.map((f) => (
          <figure key={f.faceId}>
            <img src={api.fileUrl(f.thumbnail)} alt="" width={64} height={64} />
            <figcaption>{f.age !== null ? Math.round(f.age) : '?'}</figcaption>
          </figure>
        ))}
      </div>
      <div className="toolbar">
        <span className="muted">{t('identities.selected', { n: selected.length })}</span>
        <button disabled={busy || !selected.length || selected.length === d.faceCount} onClick={() => void op({ kind: 'split', id: d.id, faces: selected })} title="S" data-testid="identity-split">
          {t('identities.split')}
        </button>
        <button disabled={busy || !selected.length} onClick={() => void op({ kind: 'reject', id: d.id, faces: selected })} title="R" data-testid="identity-reject">
          {t('identities.reject')}
        </button>
        <select value={moveTo} onChange={(e) => setMoveTo(e.target.value)} aria-label={t('identities.moveTo')}>
          <option value="">{t('identities.moveTo')}</option>
          {identities.filter((i) => i.id !== d.id).slice(0, 500).map((i) => <option key={i.id} value={i.id}>{i.name ?? `#${i.id}`} ({i.faceCount})</option>)}
        </select>
        <button disabled={busy || !selected.length || !moveTo} onClick={() => void op({ kind: 'move', faces: selected, to: Number(moveTo) })}>{t('identities.move')}</button>
        <button disabled={!one} onClick={() => one && searchWithFace({ id: one.faceId, mediaPath: one.mediaPath, thumbnail: one.thumbnail })} title={t('faces.searchThis')}>
          {t('faces.searchThis')}
        </button>
      </div>
      <VirtualGrid
        items={d.faces} keyOf={(f) => f.faceId} cell={CELL} cellHeight={CELL + 18} testId="identity-faces" className="identity-faces"
        render={(f) => <IdentityFace face={f} selected={selected.includes(f.faceId)} onClick={(extend) => toggleFace(f.faceId, extend)} />}
      />
      <h2>{t('identities.suggestions')}</h2>
      <div className="suggestions" data-testid="suggestions">
        {!suggestions.length && <div className="muted">{t('identities.noSuggestions')}</div>}
        {suggestions.map((s, i) => <Suggestion key={s.identityId} s={s} n={i + 1} onMerge={() => void op({ kind: 'merge', ids: [d.id, s.identityId] })} disabled={busy} />)}
      </div>
      <AnnotationPanel target={{ kind: 'identity', id: d.id }} />
    </aside>
  );
}

function IdentityFace(p: { face: IdentityFaceDto; selected: boolean; onClick: (extend: boolean) => void }): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const f = p.face;
  const where = `${f.mediaPath}${f.frameMs !== null ? ` @ ${videoTime(f.frameMs)}` : ''}${f.capturedAt ? ` · ${shortDate(f.capturedAt)}` : ''}`;
  return (
    <button className={`face-card small${p.selected ? ' active' : ''}`} onClick={(e) => p.onClick(e.shiftKey)} title={where} data-testid="identity-face" data-face={f.faceId}>
      <img src={api.fileUrl(f.thumbnail)} alt="" width={88} height={88} loading="lazy" />
      <span className="face-meta">
        {f.age !== null ? t('faces.age', { age: Math.round(f.age) }) : '–'}
        {f.trackId !== null && <span title={t('identities.track')}>▶</span>}
        <span className={f.quality < 0.3 ? 'q low' : 'q'}>{Math.round(f.quality * 100)}</span>
      </span>
    </button>
  );
}

function Suggestion(p: { s: IdentitySuggestionDto; n: number; onMerge: () => void; disabled: boolean }): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const show = useAppState((s) => s.showIdentity);
  const s = p.s;
  return (
    <div className="suggestion" data-testid="suggestion">
      <button className="thumb" onClick={() => void show(s.identityId)} title={t('identities.open')}>
        {s.bestFace ? <img src={api.fileUrl(s.bestFace.thumbnail)} alt="" width={56} height={56} /> : <span className="noimg small" />}
      </button>
      <div className="suggestion-text">
        <div>{p.n}. {s.name ?? `#${s.identityId}`} · {t('identities.faces', { n: s.faceCount })} · {ageRange(s.ageRange)}</div>
        <div className="muted">
          {t('identities.evidence', { mean: s.meanZ.toFixed(1), best: s.bestZ.toFixed(1), score: s.bestScore.toFixed(2) })}
          {s.crossAge && <span className="badge warn-badge" title={t('identities.crossAgeHint')}>{t('identities.crossAge', { gap: Math.round(s.ageGap ?? 0) })}</span>}
        </div>
      </div>
      <button disabled={p.disabled} onClick={p.onMerge} title={`${p.n}`} data-testid="suggestion-merge">{t('identities.merge')}</button>
    </div>
  );
}
