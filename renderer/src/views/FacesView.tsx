import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { FaceDto } from '../../../main/contract/index.js';
import { useApi, useAppState, useT } from '../appContext.js';

const CELL = 132;

/** Every face of the case in a virtualised grid (only visible rows are in the DOM), paged from the engine. */
export function FacesView(): React.JSX.Element {
  const t = useT();
  const faces = useAppState((s) => s.faces);
  const total = useAppState((s) => s.facesTotal);
  const loadMore = useAppState((s) => s.loadMoreFaces);
  const selected = useAppState((s) => s.selectedFace);
  const select = useAppState((s) => s.selectFace);
  const parent = useRef<HTMLDivElement>(null);
  const [cols, setCols] = useState(6);

  useEffect(() => {
    void loadMore();
  }, [loadMore]);
  useEffect(() => {
    const el = parent.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setCols(Math.max(1, Math.floor(el.clientWidth / CELL))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const rows = Math.ceil(faces.length / cols);
  const v = useVirtualizer({ count: rows, getScrollElement: () => parent.current, estimateSize: () => CELL, overscan: 4 });
  const items = v.getVirtualItems();
  const lastRow = items.length ? items[items.length - 1]!.index : 0;
  useEffect(() => {
    if (lastRow >= rows - 3 && faces.length < total) void loadMore();
  }, [lastRow, rows, faces.length, total, loadMore]);

  // Arrow keys move the selection through the grid.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!faces.length || (e.target as HTMLElement).tagName === 'INPUT') return;
      const i = selected === null ? -1 : faces.findIndex((f) => f.id === selected);
      const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols }[e.key];
      if (step === undefined) return;
      e.preventDefault();
      const next = Math.max(0, Math.min(faces.length - 1, i + step));
      select(faces[next]!.id);
      v.scrollToIndex(Math.floor(next / cols));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [faces, selected, cols, select, v]);

  const current = selected === null ? null : faces.find((f) => f.id === selected) ?? null;
  return (
    <div className="split">
      <section className="pane">
        <div className="pane-head muted" data-testid="faces-count">{total ? t('faces.count', { shown: faces.length, total }) : t('faces.empty')}</div>
        <div ref={parent} className="scroller" data-testid="face-grid">
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {items.map((row) => (
              <div key={row.key} className="grid-row" style={{ transform: `translateY(${row.start}px)`, height: CELL }}>
                {faces.slice(row.index * cols, row.index * cols + cols).map((f) => (
                  <FaceCard key={f.id} face={f} active={f.id === selected} onClick={() => select(f.id)} />
                ))}
              </div>
            ))}
          </div>
        </div>
      </section>
      {current && <FaceDetails face={current} />}
    </div>
  );
}

function FaceCard({ face, active, onClick }: { face: FaceDto; active: boolean; onClick: () => void }): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const warn = face.quality.overall < 0.3;
  return (
    <button className={`face-card${active ? ' active' : ''}`} onClick={onClick} data-testid="face-card" title={face.mediaPath}>
      <img src={api.fileUrl(face.thumbnail)} alt="" width={112} height={112} loading="lazy" />
      <span className="face-meta">
        {face.age !== null ? t('faces.age', { age: face.age }) : '–'}
        <span className={warn ? 'q low' : 'q'}>{Math.round(face.quality.overall * 100)}</span>
      </span>
    </button>
  );
}

function FaceDetails({ face }: { face: FaceDto }): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const b = face.box;
  return (
    <aside className="details" data-testid="face-details">
      <h2>{t('faces.details')} #{face.id}</h2>
      <img src={api.fileUrl(face.thumbnail)} alt="" width={160} height={160} />
      <dl>
        <dt>{t('faces.media')}</dt><dd className="path">{face.mediaPath}</dd>
        <dt>{t('faces.box')}</dt><dd>{Math.round(b.x)}, {Math.round(b.y)} · {Math.round(b.width)}×{Math.round(b.height)}</dd>
        <dt>{t('faces.age', { age: face.age ?? '–' })}</dt><dd>{face.gender ? t(`gender.${face.gender}`) : '–'}</dd>
        <dt>{t('faces.quality', { q: face.quality.overall.toFixed(2) })}</dt>
        <dd>{t('faces.warnings')}: {face.quality.warnings.length ? face.quality.warnings.join(', ') : t('faces.none')}</dd>
      </dl>
    </aside>
  );
}
