import type { CompareDto, FaceRef, SearchBy, SearchDto, SearchFilters, SourceDto } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

/** A probe or compared face as the UI holds it: what goes to the engine plus what to show. */
export interface FaceChoice {
  readonly ref: FaceRef;
  readonly label: string;
  /** A data: URL of a dropped photo, or the relative path of a case thumbnail. */
  readonly preview: { readonly kind: 'data' | 'case'; readonly src: string };
}

/** A face stored in the case, as any view has it. */
export interface CaseFace {
  readonly id: number;
  readonly mediaPath: string;
  readonly thumbnail: string;
}

export interface SearchForm {
  top: number;
  /** Fused cosine below which candidates are not listed; null lists the top k whatever their score. */
  threshold: number | null;
  ageMin: number | null;
  ageMax: number | null;
  /** Days (YYYY-MM-DD), both included; null: no limit. */
  capturedFrom: string | null;
  capturedTo: string | null;
  sourceId: number | null;
  /** One result per face or track, or one per identity of the case. */
  by: SearchBy;
}

/** The engine's filters for a form: only the limits the examiner set. */
export function searchFilters(f: SearchForm): SearchFilters {
  return {
    ...(f.ageMin !== null ? { ageMin: f.ageMin } : {}), ...(f.ageMax !== null ? { ageMax: f.ageMax } : {}),
    ...(f.capturedFrom !== null ? { capturedFrom: f.capturedFrom } : {}), ...(f.capturedTo !== null ? { capturedTo: f.capturedTo } : {}),
    ...(f.sourceId !== null ? { sourceId: f.sourceId } : {}),
  };
}

export interface SearchSlice {
  searchMode: 'search' | 'compare' | 'match';
  setSearchMode(m: 'search' | 'compare' | 'match'): void;
  probes: FaceChoice[];
  searchForm: SearchForm;
  searchResult: SearchDto | null;
  searchRunning: boolean;
  searchError: string | null;
  savedSearches: Omit<SearchDto, 'hits'>[];
  /** The case's sources, for the source filter. */
  searchSources: SourceDto[];
  compareA: FaceChoice | null;
  compareB: FaceChoice | null;
  /** Known ages (years) at the time of each photo; null uses the estimates. */
  compareAges: { a: number | null; b: number | null };
  setCompareAge(side: 'a' | 'b', age: number | null): void;
  compareResult: CompareDto | null;
  compareRunning: boolean;
  compareError: string | null;
  addProbe(p: FaceChoice): void;
  removeProbe(index: number): void;
  setSearchForm(f: Partial<SearchForm>): void;
  runSearch(): Promise<void>;
  loadSavedSearches(): Promise<void>;
  openSearch(id: number): Promise<void>;
  /** From the faces or identity views: start a 1:N search with a face of the case. */
  searchWithFace(f: CaseFace): void;
  setCompareFace(side: 'a' | 'b', f: CaseFace): void;
  setCompare(side: 'a' | 'b', c: FaceChoice | null): void;
  runCompare(): Promise<void>;
}

export const caseFace = (f: CaseFace): FaceChoice => ({
  ref: { faceId: f.id }, label: `#${f.id} ${f.mediaPath}`, preview: { kind: 'case', src: f.thumbnail },
});

export const searchSlice: SliceCreator<SearchSlice> = (set, get, api) => ({
  searchMode: 'search',
  setSearchMode: (searchMode) => set({ searchMode }),
  probes: [],
  searchForm: { top: 20, threshold: null, ageMin: null, ageMax: null, capturedFrom: null, capturedTo: null, sourceId: null, by: 'face' },
  searchResult: null,
  searchRunning: false,
  searchError: null,
  savedSearches: [],
  searchSources: [],
  compareA: null,
  compareB: null,
  compareAges: { a: null, b: null },
  setCompareAge(side, age) {
    set({ compareAges: { ...get().compareAges, [side]: age }, compareResult: null });
  },
  compareResult: null,
  compareRunning: false,
  compareError: null,
  addProbe(p) {
    set({ probes: [...get().probes, p], searchError: null });
  },
  removeProbe(index) {
    set({ probes: get().probes.filter((_, i) => i !== index) });
  },
  setSearchForm(f) {
    set({ searchForm: { ...get().searchForm, ...f } });
  },
  async runSearch() {
    const s = get();
    if (!s.examiner.trim()) return set({ searchError: 'needExaminer' });
    if (!s.probes.length) return set({ searchError: 'needProbe' });
    const f = s.searchForm;
    set({ searchRunning: true, searchError: null });
    try {
      const result = await api.call('search.run', {
        probes: s.probes.map((p) => p.ref), top: f.top, threshold: f.threshold, examiner: s.examiner.trim(),
        filters: searchFilters(f), by: f.by,
      });
      set({ searchResult: result });
      void get().loadSavedSearches();
    } catch (err) {
      set({ searchError: (err as Error).message });
    } finally {
      set({ searchRunning: false });
    }
  },
  async loadSavedSearches() {
    const [r, src] = await Promise.all([api.call('searches.list', { limit: 100 }), api.call('sources.list', {})]);
    set({ savedSearches: r.searches.filter((x) => x.kind === 'search'), searchSources: src.sources });
  },
  async openSearch(id) {
    try {
      set({ searchResult: await api.call('search.get', { id }), searchError: null });
    } catch (err) {
      set({ searchError: (err as Error).message });
    }
  },
  searchWithFace(f) {
    set({ probes: [caseFace(f)], searchResult: null, searchError: null, tab: 'search', searchMode: 'search' });
  },
  setCompareFace(side, f) {
    get().setCompare(side, caseFace(f));
    set({ tab: 'search' });
  },
  setCompare(side, c) {
    const ages = { ...get().compareAges, [side]: null };
    set(side === 'a' ? { compareA: c, compareAges: ages, compareResult: null, searchMode: 'compare' } : { compareB: c, compareAges: ages, compareResult: null, searchMode: 'compare' });
  },
  async runCompare() {
    const s = get();
    if (!s.examiner.trim()) return set({ compareError: 'needExaminer' });
    if (!s.compareA || !s.compareB) return set({ compareError: 'needBoth' });
    set({ compareRunning: true, compareError: null });
    try {
      set({ compareResult: await api.call('compare.run', { a: s.compareA.ref, b: s.compareB.ref, ageA: s.compareAges.a, ageB: s.compareAges.b, examiner: s.examiner.trim() }) });
    } catch (err) {
      set({ compareError: (err as Error).message });
    } finally {
      set({ compareRunning: false });
    }
  },
});
