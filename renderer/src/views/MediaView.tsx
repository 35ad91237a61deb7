import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useAppState, useT } from '../appContext.js';

const ROW = 30;

export function MediaView(): React.JSX.Element {
  const t = useT();
  const media = useAppState((s) => s.media);
  const total = useAppState((s) => s.mediaTotal);
  const errors = useAppState((s) => s.intakeErrors);
  const reload = useAppState((s) => s.reloadMedia);
  const loadMore = useAppState((s) => s.loadMoreMedia);
  const parent = useRef<HTMLDivElement>(null);
  useEffect(() => {
    void reload();
  }, [reload]);
  const v = useVirtualizer({ count: media.length, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 10 });
  const items = v.getVirtualItems();
  const last = items.length ? items[items.length - 1]!.index : 0;
  useEffect(() => {
    if (last >= media.length - 10 && media.length < total) void loadMore();
  }, [last, media.length, total, loadMore]);

  return (
    <div className="stack">
      <section className="pane grow">
        <div className="table-head media-cols">
          <span>{t('media.path')}</span><span>{t('media.format')}</span><span>{t('media.size')}</span><span>{t('media.faces')}</span><span>{t('media.captured')}</span>
        </div>
        {!media.length && <div className="muted pad">{t('media.empty')}</div>}
        <div ref={parent} className="scroller" data-testid="media-list">
          <div style={{ height: v.getTotalSize(), position: 'relative' }}>
            {items.map((it) => {
              const m = media[it.index]!;
              return (
                <div key={m.id} className="table-row media-cols" style={{ transform: `translateY(${it.start}px)`, height: ROW }}>
                  <span className="path" title={m.paths.join('\n')}>{m.paths[0]}</span>
                  <span>{m.format}</span>
                  <span>{m.width && m.height ? `${m.width}×${m.height}` : '–'}</span>
                  <span>{m.faceCount}</span>
                  <span>{m.capturedAt ?? '–'}</span>
                </div>
              );
            })}
          </div>
        </div>
      </section>
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
