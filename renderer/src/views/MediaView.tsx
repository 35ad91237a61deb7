import { useCallback, useEffect } from 'react';
import type { MediaDto, MediaFilter } from '../../../main/contract/index.js';
import { useApi, useAppState, useT } from '../appContext.js';
import { AnnotationPanel } from '../components/AnnotationPanel.js';
import { MediaPicture } from '../components/MediaPicture.js';
import { VirtualGrid } from '../components/VirtualGrid.js';

const CELL = 200;
const PIC_W = 184;
const PIC_H = 138;
const aspectOf = (m: MediaDto): number => (m.width && m.height ? m.width / m.height : 4 / 3);

/**
 * The media browser: every processed original as a picture with its faces outlined (B toggles
 * the boxes), narrowed by kind, faces, source and capture day; the selected one in detail with
 * its locations, facts and annotations; the intake errors below.
 */
export function MediaView(): React.JSX.Element {
  const t = useT();
  const media = useAppState((s) => s.media);
  const total = useAppState((s) => s.mediaTotal);
  const errors = useAppState((s) => s.intakeErrors);
  const reload = useAppState((s) => s.reloadMedia);
  const loadMore = useAppState((s) => s.loadMoreMedia);
  const selected = useAppState((s) => s.selectedMedia);
  const select = useAppState((s) => s.selectMedia);
  const toggleBoxes = useAppState((s) => s.toggleBoxes);
  const filtered = useAppState((s) => Object.keys(s.mediaFilter).length > 0);
  useEffect(() => {
    void reload();
  }, [reload]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === 'b' || e.key === 'B') toggleBoxes();
      if (e.key === 'Escape') select(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggleBoxes, select]);
  const index = selected === null ? -1 : media.findIndex((m) => m.id === selected);
  const onNearEnd = useCallback(() => {
    if (media.length < total) void loadMore();
  }, [media.length, total, loadMore]);
  const onSelect = useCallback((i: number) => select(media[i]!.id), [media, select]);
  const current = index < 0 ? null : media[index]!;

  return (
    <div className="stack">
      <MediaFilters />
      <div className="split">
        <section className="pane">
          <div className="pane-head muted" data-testid="media-count">{total ? t('media.count', { shown: media.length, total }) : t(filtered ? 'media.noMatch' : 'media.empty')}</div>
          <VirtualGrid
            items={media} keyOf={(m) => m.id} cell={CELL} cellHeight={CELL} testId="media-grid" selected={index} onSelect={onSelect} onNearEnd={onNearEnd}
            render={(m) => <MediaCard media={m} active={m.id === selected} onClick={() => select(m.id)} />}
          />
        </section>
        {current && <MediaDetails media={current} />}
      </div>
      <section className="pane errors" data-testid="intake-errors">
        <h2>{t('media.errors')} ({errors.length})</h2>
        {!errors.length && <div className="muted">{t('media.noErrors')}</div>}
        <ul>
          {errors.slice(0, 500).map((e, i) => (
            <li key={i}><span className="path">{e.path}</span> <span className="reason">{e.reason}</span> <span className="muted">{e.detail}</span></li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function MediaFilters(): React.JSX.Element {
  const t = useT();
  const f = useAppState((s) => s.mediaFilter);
  const sources = useAppState((s) => s.mediaSources);
  const setFilter = useAppState((s) => s.setMediaFilter);
  const boxes = useAppState((s) => s.showBoxes);
  const toggleBoxes = useAppState((s) => s.toggleBoxes);
  const change = (patch: Partial<MediaFilter>): void => {
    const next: Record<string, unknown> = { ...f, ...patch };
    for (const k of Object.keys(next)) if (next[k] === undefined || next[k] === '' || next[k] === false) delete next[k];
    // A day range and "undated only" exclude each other: the last one chosen wins.
    if (patch.undated) { delete next['capturedFrom']; delete next['capturedTo']; }
    if (patch.capturedFrom || patch.capturedTo) delete next['undated'];
    void setFilter(next as MediaFilter);
  };
  return (
    <div className="filters" data-testid="media-filters">
      <label className="field">{t('media.kind')}
        <select value={f.kind ?? ''} onChange={(e) => change({ kind: (e.target.value || undefined) as MediaFilter['kind'] })} data-testid="filter-kind">
          <option value="">{t('media.all')}</option><option value="image">{t('media.photos')}</option><option value="video">{t('media.videos')}</option>
        </select>
      </label>
      <label className="field">{t('media.faces')}
        <select value={f.faces ?? ''} onChange={(e) => change({ faces: (e.target.value || undefined) as MediaFilter['faces'] })} data-testid="filter-faces">
          <option value="">{t('media.all')}</option><option value="with">{t('media.withFaces')}</option><option value="without">{t('media.withoutFaces')}</option>
        </select>
      </label>
      <label className="field">{t('media.source')}
        <select value={f.sourceId ?? ''} onChange={(e) => change({ sourceId: e.target.value ? Number(e.target.value) : undefined })} data-testid="filter-source">
          <option value="">{t('media.all')}</option>
          {sources.map((s) => <option key={s.id} value={s.id}>{s.path}</option>)}
        </select>
      </label>
      <label className="field">{t('media.from')}
        <input type="date" value={f.capturedFrom ?? ''} max={f.capturedTo} onChange={(e) => change({ capturedFrom: e.target.value || undefined })} data-testid="filter-from" />
      </label>
      <label className="field">{t('media.to')}
        <input type="date" value={f.capturedTo ?? ''} min={f.capturedFrom} onChange={(e) => change({ capturedTo: e.target.value || undefined })} data-testid="filter-to" />
      </label>
      <label className="check"><input type="checkbox" checked={!!f.undated} onChange={(e) => change({ undated: e.target.checked })} data-testid="filter-undated" /> {t('media.undatedOnly')}</label>
      <label className="check" title="B"><input type="checkbox" checked={boxes} onChange={toggleBoxes} data-testid="toggle-boxes" /> {t('media.boxes')}</label>
    </div>
  );
}

function MediaCard({ media, active, onClick }: { media: MediaDto; active: boolean; onClick: () => void }): React.JSX.Element {
  const t = useT();
  const preview = useAppState((s) => s.previews[media.id]);
  const load = useAppState((s) => s.loadPreview);
  const boxes = useAppState((s) => s.showBoxes);
  useEffect(() => load(media.id), [media.id, load]);
  const name = media.paths[0]?.split(/[/\\]/).pop() ?? '';
  return (
    <button className={`media-card${active ? ' active' : ''}`} onClick={onClick} data-testid="media-card" title={media.paths.join('\n')}>
      <span className="media-slot" style={{ width: PIC_W, height: PIC_H }}>
        <MediaPicture preview={preview} aspect={aspectOf(media)} width={PIC_W} height={PIC_H} boxes={boxes} />
        {media.kind === 'video' && <span className="media-badge">▶</span>}
      </span>
      <span className="media-meta">
        <span className="path">{name}</span>
        <span className="muted">{t('media.faceCount', { n: media.faceCount })}{media.capturedAt ? ` · ${media.capturedAt.slice(0, 10)}` : ''}</span>
      </span>
    </button>
  );
}

function MediaDetails({ media }: { media: MediaDto }): React.JSX.Element {
  const t = useT();
  const preview = useAppState((s) => s.previews[media.id]);
  const boxes = useAppState((s) => s.showBoxes);
  const setTab = useAppState((s) => s.setTab);
  const show = useAppState((s) => s.showIdentity);
  const openFace = (_face: number, identityId: number | null): void => {
    if (identityId === null) return;
    setTab('identities');
    void show(identityId);
  };
  return (
    <aside className="details wide" data-testid="media-details">
      <h2>{t('media.details')} #{media.id}</h2>
      <MediaPicture preview={preview} aspect={aspectOf(media)} width={396} height={400} boxes={boxes} onFace={openFace} />
      {preview?.problem && <div className="warn" role="alert">{preview.problem}</div>}
      {preview?.frameMs != null && <div className="muted small">{t('media.videoFrame', { s: (preview.frameMs / 1000).toFixed(1) })}</div>}
      {preview?.boxes.some((b) => b.identityId !== null) && <div className="muted small">{t('media.boxHint')}</div>}
      <dl>
        <dt>{t('media.path')}</dt>{media.paths.map((p) => <dd key={p} className="path">{p}</dd>)}
        <dt>SHA-256</dt><dd className="mono">{media.sha256}</dd>
        <dt>{t('media.format')}</dt><dd>{media.format} · {media.width && media.height ? `${media.width}×${media.height}` : '–'}</dd>
        <dt>{t('media.captured')}</dt><dd>{media.capturedAt ?? t('media.noCaptureTime')}</dd>
        {(media.cameraMake || media.cameraModel) && <><dt>{t('media.camera')}</dt><dd>{[media.cameraMake, media.cameraModel].filter(Boolean).join(' ')}</dd></>}
        {media.gps && <><dt>GPS</dt><dd>{media.gps.lat.toFixed(6)}, {media.gps.lon.toFixed(6)}</dd></>}
        <dt>{t('media.faces')}</dt><dd>{media.faceCount}</dd>
      </dl>
      {media.kind === 'video' && <ContactSheet mediaId={media.id} />}
      <AnnotationPanel target={{ kind: 'media', id: media.id }} />
    </aside>
  );
}

/** A video's contact sheet on request (it is drawn from the verified original, once). */
function ContactSheet({ mediaId }: { mediaId: number }): React.JSX.Element {
  const t = useT();
  const api = useApi();
  const sheet = useAppState((s) => s.contactSheets[mediaId]);
  const load = useAppState((s) => s.loadContactSheet);
  return (
    <div className="contact-sheet" data-testid="contact-sheet">
      {sheet === undefined && <button onClick={() => void load(mediaId)} data-testid="contact-sheet-show">{t('media.contactSheet')}</button>}
      {sheet === null && <div className="muted">{t('app.loading')}</div>}
      {sheet?.path && <img src={api.fileUrl(sheet.path)} alt={t('media.contactSheet')} width={396} data-testid="contact-sheet-img" />}
      {sheet?.problem && <div className="warn" role="alert">{sheet.problem}</div>}
    </div>
  );
}

