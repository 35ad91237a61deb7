import { useEffect, useMemo, useRef, useState } from 'react';
import type { TimelineItemDto, TimelineLaneDto } from '../../../main/contract/index.js';
import { useApi, useAppState, useT } from '../appContext.js';
import { axisTicks, formatInstant, formatSpan } from '../components/timeAxis.js';
import { binAt, binBars, itemMarks, markAt } from '../components/laneMarks.js';
import { uiError } from '../components/uiError.js';

/**
 * Media and sightings along capture time: one lane of every dated original and one per identity.
 * Wheel or +/- zoom around the pointer (years down to seconds), drag or arrow keys pan, 0 fits the
 * case; a lane with many items in view shows how many start in each slice (click one to zoom in),
 * with few it shows each face; clicking a face opens its frame.
 */
export function TimelineView(): React.JSX.Element {
  const t = useT();
  const tl = useAppState((s) => s.timeline);
  const load = useAppState((s) => s.loadTimeline);
  const zoom = useAppState((s) => s.zoomTimeline);
  const pan = useAppState((s) => s.panTimeline);
  const error = useAppState((s) => s.timelineError);
  const loading = useAppState((s) => s.timelineLoading);
  const selected = useAppState((s) => s.timelineSelected);
  const area = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(900);
  const drag = useRef<{ x: number } | null>(null);
  const dragEnded = useRef(false);
  const dragged = (): boolean => dragEnded.current;
  // The window as the wheel handler (registered once) must see it.
  const windowNow = useRef<{ fromMs: number; toMs: number } | null>(null);
  windowNow.current = tl ? { fromMs: tl.fromMs, toMs: tl.toMs } : null;
  const hasTimeline = tl !== null;

  useEffect(() => {
    if (!tl) void load(null);
  }, [tl, load]);
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(200, el.clientWidth)));
    ro.observe(el);
    // Wheel zoom needs a listener that may cancel the page's own scrolling.
    const onWheel = (e: WheelEvent): void => {
      const w = windowNow.current;
      if (!w) return;
      e.preventDefault();
      const r = el.getBoundingClientRect();
      const at = w.fromMs + ((e.clientX - r.left) / r.width) * (w.toMs - w.fromMs);
      void zoom(e.deltaY > 0 ? 1.25 : 0.8, at);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => { ro.disconnect(); el.removeEventListener('wheel', onWheel); };
  }, [zoom, hasTimeline]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.altKey || e.ctrlKey || e.metaKey) return;
      const act = { '+': () => zoom(0.5), '=': () => zoom(0.5), '-': () => zoom(2), '0': () => load(null), ArrowLeft: () => pan(-0.25), ArrowRight: () => pan(0.25) }[e.key];
      if (!act) return;
      e.preventDefault();
      void act();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [zoom, pan, load]);

  if (!tl) return <div className="pad muted">{error ? uiError(t, error) : t('app.loading')}</div>;
  const span = tl.toMs - tl.fromMs;
  const pct = (ms: number): number => ((ms - tl.fromMs) / span) * 100;
  const ticks = axisTicks(tl.fromMs, tl.toMs, Math.max(2, Math.floor(width / 110)));
  return (
    <div className="split">
      <section className="pane timeline" data-testid="timeline">
        <div className="row wrap pad tl-toolbar">
          <button onClick={() => void zoom(2)} title="-" aria-label={t('timeline.zoomOut')} data-testid="tl-zoom-out">−</button>
          <button onClick={() => void zoom(0.5)} title="+" aria-label={t('timeline.zoomIn')} data-testid="tl-zoom-in">+</button>
          <button onClick={() => void pan(-0.5)} title="←" aria-label={t('timeline.earlier')}>◀</button>
          <button onClick={() => void pan(0.5)} title="→" aria-label={t('timeline.later')}>▶</button>
          <button onClick={() => void load(null)} title="0" data-testid="tl-fit">{t('timeline.fit')}</button>
          <span data-testid="tl-range">{formatInstant(tl.fromMs)} – {formatInstant(tl.toMs)} ({formatSpan(span)})</span>
          {loading && <span className="muted">{t('app.loading')}</span>}
        </div>
        <div className="muted small tl-note" data-testid="tl-undated">
          {tl.extent ? t('timeline.dated', { dated: tl.datedMedia, undated: tl.undatedMedia }) : t('timeline.noDates', { undated: tl.undatedMedia })}
        </div>
        <div className="tl-grid">
          <div className="tl-labels">
            <div className="tl-axis-label" />
            {tl.lanes.map((l) => <LaneLabel key={l.key} lane={l} />)}
          </div>
          <div
            className="tl-area" ref={area} data-testid="tl-area"
            onPointerDown={(e) => { drag.current = { x: e.clientX }; dragEnded.current = false; }}
            onPointerUp={(e) => {
              const d = drag.current;
              drag.current = null;
              if (d && Math.abs(e.clientX - d.x) > 8) {
                dragEnded.current = true;
                void pan(-(e.clientX - d.x) / width);
              }
            }}
          >
            <div className="tl-axis">
              {ticks.map((k) => <span key={k.ms} className="tl-tick" style={{ left: `${pct(k.ms)}%` }}>{k.label}</span>)}
            </div>
            {tl.lanes.map((l) => <Lane key={l.key} lane={l} pct={pct} selected={selected} binMs={tl.binMs} fromMs={tl.fromMs} toMs={tl.toMs} width={width} dragged={dragged} />)}
            {ticks.map((k) => <span key={`g${k.ms}`} className="tl-gridline" style={{ left: `${pct(k.ms)}%` }} />)}
          </div>
        </div>
        <div className="pane-foot muted">{t('timeline.keys')}</div>
      </section>
      <TimelineDetail />
    </div>
  );
}

function LaneLabel({ lane }: { lane: TimelineLaneDto }): React.JSX.Element {
  const t = useT();
  const show = useAppState((s) => s.showIdentity);
  const setTab = useAppState((s) => s.setTab);
  const name = lane.identityId === null ? t('timeline.allMedia') : lane.label;
  return (
    <div className="tl-label" data-testid="tl-lane-label">
      {lane.identityId === null ? <strong>{name}</strong> : (
        <button className="linkbutton" onClick={() => { setTab('identities'); void show(lane.identityId!); }} title={t('timeline.openIdentity')}>{name}</button>
      )}
      <span className="muted"> {lane.count}</span>
    </div>
  );
}

/** Up to this many items in view, a lane shows each as its face; above it, as marks on a canvas (hundreds of pictures cost frames). */
const FACES_SHOWN = 40;
const LANE_HEIGHT = 48;

interface LaneProps {
  lane: TimelineLaneDto;
  pct: (ms: number) => number;
  selected: TimelineItemDto | null;
  binMs: number;
  fromMs: number;
  toMs: number;
  width: number;
  /** True when the pointer just dragged the timeline: the click that ends a drag picks nothing. */
  dragged: () => boolean;
}

const sameItem = (a: TimelineItemDto | null, b: TimelineItemDto): boolean => !!a && a.mediaId === b.mediaId && a.faceId === b.faceId && a.trackId === b.trackId;
const itemTitle = (it: TimelineItemDto): string => `${formatInstant(it.startMs)}${it.endMs > it.startMs ? ` (${formatSpan(it.endMs - it.startMs)})` : ''}\n${it.mediaPath}`;

function Lane(p: LaneProps): React.JSX.Element {
  const api = useApi();
  const select = useAppState((s) => s.selectTimelineItem);
  const { lane } = p;
  if (!lane.items || lane.items.length > FACES_SHOWN) return <LaneCanvas {...p} />;
  return (
    <div className="tl-lane" data-testid="tl-lane" data-lane={lane.key} data-mode="items">
      {lane.items.map((it) => {
        const x = p.pct(it.startMs);
        const w = p.pct(it.endMs) - x;
        return (
          <button
            // Keyed by what it is (not its position), so zooming and panning keep the items still in view and their loaded faces.
            key={`${it.mediaId}-${it.faceId ?? 'm'}-${it.trackId ?? ''}`} className={`tl-item ${it.kind}${sameItem(p.selected, it) ? ' active' : ''}`}
            style={{ left: `${x}%`, width: w > 0.5 ? `${w}%` : undefined, top: 4 + ((it.mediaId + (it.faceId ?? 0)) % 3) * 5 }}
            title={itemTitle(it)}
            onClick={() => { if (!p.dragged()) void select(it); }} data-testid="tl-item" data-face={it.faceId ?? ''}
          >
            {it.thumbnail ? <img src={api.fileUrl(it.thumbnail)} alt="" width={30} height={30} loading="lazy" /> : <span className="tl-dot" />}
          </button>
        );
      })}
    </div>
  );
}

/**
 * A dense lane on one canvas: count bars per bin (click one to zoom in on it) or, with the items
 * themselves, a dot per photo and a bar per video sighting (click the nearest to open it).
 */
function LaneCanvas(p: LaneProps): React.JSX.Element {
  const t = useT();
  const select = useAppState((s) => s.selectTimelineItem);
  const load = useAppState((s) => s.loadTimeline);
  const ref = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState('');
  const { lane, width } = p;
  const marks = useMemo(() => (lane.items ? itemMarks(lane.items, p.fromMs, p.toMs, width, LANE_HEIGHT) : null), [lane.items, p.fromMs, p.toMs, width]);
  const bars = useMemo(() => (lane.items ? null : binBars(lane.bins, width, LANE_HEIGHT)), [lane.items, lane.bins, width]);
  // The keyboard's way in: the lane is one tab stop, ← → step through its bars or dots in time order, Enter opens.
  const order = useMemo(() => (marks ? marks.map((m, i) => ({ i, x: m.x0 })).sort((a, b) => a.x - b.x).map((o) => o.i) : null), [marks]);
  const [cursor, setCursor] = useState<number | null>(null);
  const [focused, setFocused] = useState(false);
  useEffect(() => setCursor(null), [marks, bars]);
  const targets = order ?? bars ?? [];

  useEffect(() => {
    const c = ref.current;
    const g = c?.getContext('2d');
    if (!c || !g) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(LANE_HEIGHT * dpr);
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, LANE_HEIGHT);
    const accent = getComputedStyle(c).getPropertyValue('--accent').trim() || '#d9a441';
    g.fillStyle = accent;
    g.strokeStyle = accent;
    if (bars) {
      g.globalAlpha = 0.75;
      for (const b of bars) g.fillRect(b.x, LANE_HEIGHT - b.h, b.w, b.h);
      g.globalAlpha = 1;
    }
    for (const m of marks ?? []) {
      g.beginPath();
      if (m.x1 - m.x0 >= 2) g.rect(m.x0, m.y - 3, m.x1 - m.x0, 6);
      else g.arc(m.x0, m.y, 3.5, 0, 2 * Math.PI);
      g.fill();
      if (sameItem(p.selected, m.item)) {
        g.lineWidth = 2;
        g.strokeRect(m.x0 - 6, m.y - 7, m.x1 - m.x0 + 12, 14);
      }
    }
    if (focused && cursor !== null) {
      g.lineWidth = 1;
      g.setLineDash([3, 2]);
      g.strokeStyle = getComputedStyle(c).color || '#fff';
      if (marks && order) {
        const m = marks[order[cursor]!]!;
        g.strokeRect(m.x0 - 8, m.y - 9, m.x1 - m.x0 + 16, 18);
      } else if (bars) {
        const b = bars[cursor]!;
        g.strokeRect(b.x - 1, 1, b.w + 2, LANE_HEIGHT - 2);
      }
      g.setLineDash([]);
    }
  }, [bars, marks, order, width, p.selected, focused, cursor]);

  const binText = (bin: number): string => t('timeline.binTitle', { n: lane.bins[bin]!, from: formatInstant(p.fromMs + bin * p.binMs), to: formatInstant(p.fromMs + (bin + 1) * p.binMs) });
  const zoomInto = (bin: number): void => void load({ fromMs: p.fromMs + (bin - 1) * p.binMs, toMs: p.fromMs + (bin + 2) * p.binMs });
  const at = (e: React.MouseEvent<HTMLCanvasElement>): { x: number; y: number } => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const onMove = (e: React.MouseEvent<HTMLCanvasElement>): void => {
    const { x, y } = at(e);
    let title = '';
    if (marks) {
      const m = markAt(marks, x, y);
      if (m) title = itemTitle(m.item);
    } else {
      const bin = binAt(lane.bins, width, x);
      if (bin !== null) title = binText(bin);
    }
    if (title !== hover) setHover(title);
  };
  const onClick = (e: React.MouseEvent<HTMLCanvasElement>): void => {
    if (p.dragged()) return;
    const { x, y } = at(e);
    if (marks) {
      const m = markAt(marks, x, y);
      if (m) void select(m.item);
      return;
    }
    const bin = binAt(lane.bins, width, x);
    if (bin !== null) zoomInto(bin);
  };
  const describe = (k: number): string => (marks && order ? itemTitle(marks[order[k]!]!.item) : bars ? binText(bars[k]!.bin) : '');
  const onKey = (e: React.KeyboardEvent<HTMLCanvasElement>): void => {
    if (!targets.length) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const step = e.key === 'ArrowRight' ? 1 : -1;
      const next = cursor === null ? (step > 0 ? 0 : targets.length - 1) : Math.max(0, Math.min(targets.length - 1, cursor + step));
      setCursor(next);
      setHover(describe(next));
    } else if ((e.key === 'Enter' || e.key === ' ') && cursor !== null) {
      if (marks && order) void select(marks[order[cursor]!]!.item);
      else if (bars) zoomInto(bars[cursor]!.bin);
    } else {
      return;
    }
    // Handled here: the timeline's own arrow keys (panning) are for when no lane has the focus.
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div className="tl-lane" data-testid="tl-lane" data-lane={lane.key} data-mode={marks ? 'marks' : 'bins'}>
      <canvas
        ref={ref} className="tl-canvas" data-testid="tl-canvas" style={{ width, height: LANE_HEIGHT }} title={hover} tabIndex={0}
        role="group" aria-roledescription={t('timeline.laneRole')} aria-label={t('timeline.laneSummary', { n: lane.count })}
        onMouseMove={onMove} onClick={onClick} onKeyDown={onKey} onFocus={() => setFocused(true)} onBlur={() => setFocused(false)}
      />
      <span className="sr-only" aria-live="polite" data-testid="tl-lane-cursor">{focused && cursor !== null ? describe(cursor) : ''}</span>
    </div>
  );
}

function TimelineDetail(): React.JSX.Element | null {
  const t = useT();
  const api = useApi();
  const it = useAppState((s) => s.timelineSelected);
  const frame = useAppState((s) => s.frame);
  const frameLoading = useAppState((s) => s.frameLoading);
  const searchWithFace = useAppState((s) => s.searchWithFace);
  if (!it) return <aside className="details wide muted">{t('timeline.pick')}</aside>;
  return (
    <aside className="details wide" data-testid="tl-detail">
      <h2>{t(`timeline.kind.${it.kind}`)}</h2>
      <dl>
        <dt>{t('timeline.when')}</dt>
        <dd>{formatInstant(it.startMs)}{it.endMs > it.startMs ? ` – ${formatInstant(it.endMs)} (${formatSpan(it.endMs - it.startMs)})` : ''}</dd>
        <dt>{t('faces.media')}</dt>
        <dd className="path" title={it.mediaPath}>{it.mediaPath}</dd>
      </dl>
      {frameLoading && <div className="muted">{t('app.loading')}</div>}
      {frame?.path && <img className="tl-frame" src={api.fileUrl(frame.path)} alt="" data-testid="tl-frame" />}
      {frame?.problem && <div className="warn" role="alert">{frame.problem}</div>}
      {frame?.path && <div className="muted small">{t('timeline.frameNote')}</div>}
      {it.faceId !== null && it.thumbnail && (
        <button onClick={() => searchWithFace({ id: it.faceId!, mediaPath: it.mediaPath, thumbnail: it.thumbnail! })}>{t('faces.searchThis')}</button>
      )}
    </aside>
  );
}
