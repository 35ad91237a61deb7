import { memo, useCallback, useEffect } from 'react';
import type { IdentityDto } from '../../../main/contract/index.js';
import { useApi, useAppState, useT } from '../appContext.js';
import type { MessageKey } from '../i18n/messages.en.js';
import { VirtualGrid } from '../components/VirtualGrid.js';
import { ageRange } from '../components/format.js';
import { uiError } from '../components/uiError.js';
import { IdentityPage } from './IdentityPage.js';

const CELL = 148;

/** The case's identities, largest first: best face, name, faces, age range. Marked identities merge in one step. */
export function IdentitiesView(): React.JSX.Element {
  const t = useT();
  const identities = useAppState((s) => s.identities);
  const loaded = useAppState((s) => s.identitiesLoaded);
  const load = useAppState((s) => s.loadIdentities);
  const open = useAppState((s) => s.openIdentity);
  const show = useAppState((s) => s.showIdentity);
  const marked = useAppState((s) => s.marked);
  const toggleMarked = useAppState((s) => s.toggleMarked);
  const cluster = useAppState((s) => s.cluster);
  const op = useAppState((s) => s.identityOp);
  const busy = useAppState((s) => s.identityBusy);
  const showHidden = useAppState((s) => s.showHidden);
  const setShowHidden = useAppState((s) => s.setShowHidden);
  const faces = useAppState((s) => s.info?.counts.faces ?? 0);

  useEffect(() => {
    void load();
  }, [load]);
  const index = open === null ? -1 : identities.findIndex((i) => i.id === open);
  const onSelect = useCallback((i: number) => void show(identities[i]!.id), [identities, show]);
  const merge = useCallback(() => {
    if (marked.length >= 2) void op({ kind: 'merge', ids: marked });
  }, [marked, op]);

  // Space marks the open identity for a merge; M merges the marked ones; Ctrl+Z undoes the last operation.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        void op({ kind: 'undo' });
      } else if (e.key === ' ' && open !== null && !e.ctrlKey) {
        e.preventDefault();
        toggleMarked(open);
      } else if (e.key.toLowerCase() === 'm' && !e.ctrlKey && !e.altKey) {
        merge();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, op, toggleMarked, merge]);

  return (
    <div className="split">
      <section className="pane">
        <div className="pane-head toolbar">
          <span className="muted" data-testid="identities-count">
            {identities.length ? t('identities.count', { n: identities.length }) : loaded ? t(faces ? 'identities.none' : 'identities.noFaces') : ''}
          </span>
          <button className="primary" disabled={busy || !faces} onClick={() => void cluster(false)} data-testid="cluster" title={t('identities.clusterHint')}>
            {t('identities.cluster')}
          </button>
          <button disabled={busy || !faces} onClick={() => void cluster(true)} title={t('identities.reclusterHint')}>{t('identities.recluster')}</button>
          <button disabled={busy || marked.length < 2} onClick={merge} data-testid="merge-marked" title="M">
            {t('identities.mergeMarked', { n: marked.length })}
          </button>
          <button disabled={busy} onClick={() => void op({ kind: 'undo' })} data-testid="identity-undo" title="Ctrl+Z">{t('identities.undo')}</button>
          <label className="check"><input type="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.target.checked)} />{t('identities.showHidden')}</label>
        </div>
        <IdentityMessage />
        <VirtualGrid
          items={identities} keyOf={(i) => i.id} cell={CELL} cellHeight={CELL + 30} testId="identity-grid" selected={index} onSelect={onSelect}
          render={(i) => <IdentityCard identity={i} active={i.id === open} marked={marked.includes(i.id)} onOpen={show} onMark={toggleMarked} />}
        />
        <div className="pane-foot muted">{t('identities.keys')}</div>
      </section>
      {open !== null && <IdentityPage />}
    </div>
  );
}

/** Memoised, as the faces grid's cards: scrolling re-renders rows, not the cards already shown. */
const IdentityCard = memo(function IdentityCard(p: { identity: IdentityDto; active: boolean; marked: boolean; onOpen: (id: number) => unknown; onMark: (id: number) => void }): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const i = p.identity;
  return (
    <div className={`identity-card${p.active ? ' active' : ''}${p.marked ? ' marked' : ''}`} data-testid="identity-card" data-identity={i.id}>
      <button className="thumb" onClick={(e) => { if (e.ctrlKey || e.metaKey || e.shiftKey) p.onMark(i.id); else void p.onOpen(i.id); }} title={t('identities.cardHint')}>
        {i.bestFace ? <img src={api.fileUrl(i.bestFace.thumbnail)} alt="" width={112} height={112} loading="lazy" /> : <span className="noimg" />}
      </button>
      <label className="identity-name">
        <input type="checkbox" checked={p.marked} onChange={() => p.onMark(i.id)} aria-label={t('identities.mark')} data-testid="identity-mark" />
        <span className={i.name ? '' : 'muted'}>{i.name ?? `#${i.id}`}</span>
        {i.status === 'confirmed' && <span className="badge ok" title={t('identities.confirmed')}>✓</span>}
        {i.hidden && <span className="badge">{t('identities.hidden')}</span>}
      </label>
      <span className="face-meta">{t('identities.faces', { n: i.faceCount })} · {ageRange(i.ageRange)}</span>
    </div>
  );
});

/** The last operation's outcome, or why it was refused. */
export function IdentityMessage(): React.JSX.Element | null {
  const t = useT();
  const m = useAppState((s) => s.identityMessage);
  if (!m) return null;
  if (m.kind === 'error') return <div className="warn pad-x" role="alert" data-testid="identity-message">{uiError(t, m.text)}</div>;
  const text = m.run
    ? t('identities.clusterDone', { identities: m.run.identities, units: m.run.units, created: m.run.created, seconds: m.run.seconds })
    : m.op?.kind === 'undo'
      ? t('identities.undone', { op: m.op.op, ids: m.op.identities.map((x) => `#${x}`).join(', ') })
      : t('identities.opDone', { kind: t(`identities.op.${m.op?.kind ?? 'undo'}` as MessageKey), op: m.op?.op ?? 0, ids: (m.op?.identities ?? []).map((x) => `#${x}`).join(', ') });
  return <div className="summary pad-x" role="status" data-testid="identity-message">{text}</div>;
}
