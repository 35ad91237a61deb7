import type { MatchBy, MatchSummaryDto, MatchViewDto } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

export type LibraryKind = 'case' | 'source' | 'watchlist' | 'otherCase' | 'folder';
export interface LibraryChoice { readonly kind: LibraryKind; readonly arg: string }

/** The engine's library spec for a choice, or null when the choice still needs its argument. */
export function librarySpecOf(c: LibraryChoice): string | null {
  if (c.kind === 'case') return 'case';
  const arg = c.arg.trim();
  if (!arg) return null;
  return { source: `source:${arg}`, watchlist: `watchlist:${arg}`, otherCase: `case:${arg}`, folder: `folder:${arg}` }[c.kind];
}

export interface MatchForm { readonly a: LibraryChoice; readonly b: LibraryChoice; readonly threshold: string; readonly maxPairs: string; readonly by: MatchBy }

export interface MatchSlice {
  matchForm: MatchForm;
  matchRunning: boolean;
  matchError: string | null;
  matchResult: MatchViewDto | null;
  savedMatches: MatchSummaryDto[];
  matchSources: { id: number; path: string }[];
  matchWatchlists: string[];
  setMatchForm(patch: Partial<MatchForm>): void;
  loadMatchOptions(): Promise<void>;
  runMatch(): Promise<void>;
  openMatch(id: number): Promise<void>;
}

export const matchSlice: SliceCreator<MatchSlice> = (set, get, api) => ({
  matchForm: { a: { kind: 'watchlist', arg: '' }, b: { kind: 'case', arg: '' }, threshold: '', maxPairs: '1000', by: 'item' },
  matchRunning: false,
  matchError: null,
  matchResult: null,
  savedMatches: [],
  matchSources: [],
  matchWatchlists: [],
  setMatchForm(patch) {
    set({ matchForm: { ...get().matchForm, ...patch } });
  },
  async loadMatchOptions() {
    const [src, wl, saved] = await Promise.all([api.call('sources.list', {}), api.call('watchlists.list', {}), api.call('matches.list', {})]);
    set({ matchSources: src.sources.map((s) => ({ id: s.id, path: s.path })), matchWatchlists: wl.watchlists.map((w) => w.name), savedMatches: saved.matches });
  },
  async runMatch() {
    const s = get();
    const f = s.matchForm;
    const a = librarySpecOf(f.a);
    const b = librarySpecOf(f.b);
    if (!s.examiner.trim()) return set({ matchError: 'needExaminer' });
    if (!a || !b) return set({ matchError: 'needLibrary' });
    const threshold = f.threshold.trim() === '' ? undefined : Number(f.threshold);
    const maxPairs = Number(f.maxPairs);
    if (threshold !== undefined && !Number.isFinite(threshold)) return set({ matchError: 'badThreshold' });
    set({ matchRunning: true, matchError: null });
    try {
      const r = await api.call('match.run', { a, b, by: f.by, examiner: s.examiner, ...(threshold === undefined ? {} : { threshold }), ...(Number.isInteger(maxPairs) && maxPairs > 0 ? { maxPairs } : {}) });
      set({ matchResult: r, savedMatches: (await api.call('matches.list', {})).matches });
    } catch (err) {
      set({ matchError: (err as Error).message });
    } finally {
      set({ matchRunning: false });
    }
  },
  async openMatch(id) {
    try {
      set({ matchResult: await api.call('match.get', { id }), matchError: null });
    } catch (err) {
      set({ matchError: (err as Error).message });
    }
  },
});
