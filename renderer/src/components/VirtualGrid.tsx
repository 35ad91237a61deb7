import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';

export interface VirtualGridProps<T> {
  readonly items: readonly T[];
  readonly keyOf: (item: T) => number | string;
  /** Cell width and height in pixels (cells are square slots; content may be smaller). */
  readonly cell: number;
  readonly cellHeight?: number;
  readonly render: (item: T, index: number) => React.ReactNode;
  /** Index of the keyboard-selected item: the arrow keys move it and keep it in view. */
  readonly selected?: number;
  readonly onSelect?: (index: number) => void;
  /** Called when the last rows come into view (lists are paged from the engine). */
  readonly onNearEnd?: () => void;
  readonly testId?: string;
  readonly className?: string;
}

/** A grid that keeps only its visible rows in the DOM, so 100k faces or identities scroll smoothly. */
export function VirtualGrid<T>(p: VirtualGridProps<T>): React.JSX.Element {
  const parent = useRef<HTMLDivElement>(null);
  const [cols, setCols] = useState(6);
  const height = p.cellHeight ?? p.cell;
  useEffect(() => {
    const el = parent.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setCols(Math.max(1, Math.floor((el.clientWidth - 16) / p.cell))));
    ro.observe(el);
    return () => ro.disconnect();
  }, [p.cell]);

  const rows = Math.ceil(p.items.length / cols);
  const v = useVirtualizer({ count: rows, getScrollElement: () => parent.current, estimateSize: () => height, overscan: 4 });
  const visible = v.getVirtualItems();
  const lastRow = visible.length ? visible[visible.length - 1]!.index : 0;
  const { onNearEnd, onSelect, selected, items } = p;
  useEffect(() => {
    if (onNearEnd && lastRow >= rows - 3) onNearEnd();
  }, [lastRow, rows, onNearEnd]);

  useEffect(() => {
    if (!onSelect) return;
    const onKey = (e: KeyboardEvent): void => {
      const tag = (e.target as HTMLElement).tagName;
      if (!items.length || tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.altKey || e.ctrlKey || e.metaKey) return;
      const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols }[e.key];
      if (step === undefined) return;
      e.preventDefault();
      const next = Math.max(0, Math.min(items.length - 1, (selected ?? -1) + step));
      onSelect(next);
      v.scrollToIndex(Math.floor(next / cols));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, selected, cols, onSelect, v]);

  return (
    <div ref={parent} className={`scroller ${p.className ?? ''}`} data-testid={p.testId}>
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {visible.map((row) => (
          <div key={row.key} className="grid-row" style={{ transform: `translateY(${row.start}px)`, height }}>
            {p.items.slice(row.index * cols, row.index * cols + cols).map((it, i) => (
              <div key={p.keyOf(it)} className="grid-cell" style={{ width: p.cell - 8 }}>{p.render(it, row.index * cols + i)}</div>
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
