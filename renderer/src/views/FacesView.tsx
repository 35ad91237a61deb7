import { memo, useCallback, useEffect } from 'react';
import type { FaceDto, FaceId } from '../../../main/contract/index.js';
import { useApi, useAppState, useT } from '../appContext.js';
import { VirtualGrid } from '../components/VirtualGrid.js';

const CELL = 132;

/** Every face of the case in a virtualised grid (only visible rows are in the DOM), paged from the engine. */
export function FacesView(): React.JSX.Element {
  const t = useT();
  const faces = useAppState((s) => s.faces);
  const total = useAppState((s) => s.facesTotal);
  const loadMore = useAppState((s) => s.loadMoreFaces);
  const selected = useAppState((s) => s.selectedFace);
  const select = useAppState((s) => s.selectFace);
  useEffect(() => {
    void loadMore();
  }, [loadMore]);
  const index = selected === null ? -1 : faces.findIndex((f) => f.id === selected);
  const onNearEnd = useCallback(() => {
    if (faces.length < total) void loadMore();
  }, [faces.length, total, loadMore]);
  const onSelect = useCallback((i: number) => select(faces[i]!.id), [faces, select]);

  const current = index < 0 ? null : faces[index]!;
  return (
    <div className="split">
      <section className="pane">
        <div className="pane-head muted" data-testid="faces-count">{total ? t('faces.count', { shown: faces.length, total }) : t('faces.empty')}</div>
        <VirtualGrid
          items={faces} keyOf={(f) => f.id} cell={CELL} testId="face-grid" selected={index} onSelect={onSelect} onNearEnd={onNearEnd}
          render={(f) => <FaceCard face={f} active={f.id === selected} onPick={select} />}
        />
      </section>
      {current && <FaceDetails face={current} />}
    </div>
  );
}

/** Memoised: scrolling re-renders the grid's rows every frame, but a card only when its face or selection changes. */
const FaceCard = memo(function FaceCard({ face, active, onPick }: { face: FaceDto; active: boolean; onPick: (id: FaceId) => void }): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const warn = face.quality.overall < 0.3;
  return (
    <button className={`face-card${active ? ' active' : ''}`} onClick={() => onPick(face.id)} data-testid="face-card" title={face.mediaPath}>
      <img src={api.fileUrl(face.thumbnail)} alt="" width={112} height={112} loading="lazy" decoding="async" />
      <span className="face-meta">
        {face.age !== null ? t('faces.age', { age: face.age }) : '–'}
        <span className={warn ? 'q low' : 'q'}>{Math.round(face.quality.overall * 100)}</span>
      </span>
    </button>
  );
});

function FaceDetails({ face }: { face: FaceDto }): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const probeFace = useAppState((s) => s.searchWithFace);
  const compareSide = useAppState((s) => s.setCompareFace);
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
      <div className="row">
        <button onClick={() => probeFace(face)} data-testid="face-search">{t('faces.searchThis')}</button>
        <button onClick={() => compareSide('a', face)} title={t('compare.asA')}>{t('compare.asA')}</button>
        <button onClick={() => compareSide('b', face)} title={t('compare.asB')}>{t('compare.asB')}</button>
      </div>
    </aside>
  );
}
