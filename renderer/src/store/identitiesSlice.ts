import type { ClusterRunDto, IdentityDetailDto, IdentityDto, IdentityOpDto, IdentityOpInput, IdentitySuggestionDto } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';

type OpWithoutExaminer = IdentityOpInput extends infer U ? (U extends unknown ? Omit<U, 'examiner'> : never) : never;

export interface IdentitiesSlice {
  identities: IdentityDto[];
  identitiesLoaded: boolean;
  showHidden: boolean;
  /** The identity open on the identity page. */
  openIdentity: number | null;
  identityDetail: IdentityDetailDto | null;
  suggestions: IdentitySuggestionDto[];
  /** Identities marked in the grid for a merge. */
  marked: number[];
  /** Faces selected on the identity page (for split, move, reject). */
  selectedFaces: number[];
  identityBusy: boolean;
  /** The last operation or clustering, as a line for the examiner; errors are shown the same way. */
  identityMessage: { kind: 'ok' | 'error'; text: string; op?: IdentityOpDto; run?: ClusterRunDto } | null;
  loadIdentities(): Promise<void>;
  setShowHidden(v: boolean): void;
  showIdentity(id: number | null): Promise<void>;
  toggleMarked(id: number): void;
  toggleFace(faceId: number, extend?: boolean): void;
  clearFaceSelection(): void;
  cluster(full: boolean): Promise<void>;
  /** Runs an examiner operation under the current examiner name; refuses without one. */
  identityOp(op: OpWithoutExaminer): Promise<IdentityOpDto | null>;
}

export const identitiesSlice: SliceCreator<IdentitiesSlice> = (set, get, api) => {
  /** Runs an engine call that needs the examiner's name, reporting failures on the page instead of throwing. */
  async function withExaminer<T>(run: (examiner: string) => Promise<T>): Promise<T | null> {
    const examiner = get().examiner.trim();
    if (!examiner) {
      set({ identityMessage: { kind: 'error', text: 'needExaminer' } });
      return null;
    }
    set({ identityBusy: true });
    try {
      return await run(examiner);
    } catch (err) {
      set({ identityMessage: { kind: 'error', text: (err as Error).message } });
      return null;
    } finally {
      set({ identityBusy: false });
    }
  }

  async function refresh(): Promise<void> {
    await get().loadIdentities();
    const open = get().openIdentity;
    const stillThere = open !== null && get().identities.some((i) => i.id === open);
    await get().showIdentity(stillThere ? open : null);
  }

  return {
    identities: [],
    identitiesLoaded: false,
    showHidden: false,
    openIdentity: null,
    identityDetail: null,
    suggestions: [],
    marked: [],
    selectedFaces: [],
    identityBusy: false,
    identityMessage: null,
    async loadIdentities() {
      const r = await api.call('identities.list', { includeHidden: get().showHidden });
      const ids = new Set(r.identities.map((i) => i.id));
      set({ identities: r.identities, identitiesLoaded: true, marked: get().marked.filter((m) => ids.has(m)) });
    },
    setShowHidden(v) {
      set({ showHidden: v });
      void get().loadIdentities();
    },
    async showIdentity(id) {
      if (id === null) return set({ openIdentity: null, identityDetail: null, suggestions: [], selectedFaces: [] });
      const changed = id !== get().openIdentity;
      set({ openIdentity: id, ...(changed ? { selectedFaces: [], identityDetail: null, suggestions: [] } : {}) });
      try {
        const [detail, sugg] = await Promise.all([api.call('identity.get', { id }), api.call('identity.suggestions', { id, limit: 12 })]);
        if (get().openIdentity !== id) return;
        const present = new Set(detail.faces.map((f) => f.faceId));
        set({ identityDetail: detail, suggestions: sugg.suggestions, selectedFaces: get().selectedFaces.filter((f) => present.has(f)) });
      } catch (err) {
        set({ identityMessage: { kind: 'error', text: (err as Error).message } });
      }
    },
    toggleMarked(id) {
      const m = get().marked;
      set({ marked: m.includes(id) ? m.filter((x) => x !== id) : [...m, id] });
    },
    toggleFace(faceId, extend = false) {
      const sel = get().selectedFaces;
      const faces = get().identityDetail?.faces ?? [];
      if (extend && sel.length) {
        // Shift-click selects the range from the last selected face, as in a file manager.
        const from = faces.findIndex((f) => f.faceId === sel[sel.length - 1]);
        const to = faces.findIndex((f) => f.faceId === faceId);
        const [lo, hi] = from < to ? [from, to] : [to, from];
        return set({ selectedFaces: [...new Set([...sel, ...faces.slice(lo, hi + 1).map((f) => f.faceId)])] });
      }
      set({ selectedFaces: sel.includes(faceId) ? sel.filter((x) => x !== faceId) : [...sel, faceId] });
    },
    clearFaceSelection() {
      set({ selectedFaces: [] });
    },
    async cluster(full) {
      const run = await withExaminer((examiner) => api.call('identities.cluster', { full, examiner }));
      if (!run) return;
      await refresh();
      set({ identityMessage: { kind: 'ok', text: 'clustered', run } });
    },
    async identityOp(op) {
      const r = await withExaminer((examiner) => api.call('identity.op', { ...op, examiner } as IdentityOpInput));
      if (!r) return null;
      set({ ...(op.kind === 'merge' ? { marked: [] } : {}), selectedFaces: [] });
      // A merge, split or move may have removed the identity that was open: follow its faces.
      if (op.kind === 'merge') set({ openIdentity: r.identities[0] ?? null });
      await refresh();
      // Said once the list shows the result, so what the examiner reads next is already current.
      set({ identityMessage: { kind: 'ok', text: r.kind, op: r } });
      return r;
    },
  };
};
