import { orderAlarms, type AlarmDto, type AlarmOrder, type AlarmStatus, type PhotoRef, type WatchlistDto, type WatchlistSubjectDto } from '../../../main/contract/index.js';
import type { SliceCreator } from './appStore.js';
import type { FaceChoice } from './searchSlice.js';

export type AlarmFilter = AlarmStatus | 'all';

export interface EnrolForm {
  watchlist: string;
  name: string;
  notes: string;
  photos: FaceChoice[];
}

export interface WatchlistForm {
  name: string;
  /** Fused score at or above which a face alarms; null takes the engine's default. */
  threshold: number | null;
  notes: string;
}

export interface WatchlistSlice {
  watchMode: 'alarms' | 'watchlists';
  setWatchMode(m: 'alarms' | 'watchlists'): void;
  watchlists: WatchlistDto[];
  subjects: WatchlistSubjectDto[];
  /** Every alarm of the case (filtered in the view, so the filter's counts are exact). */
  alarms: AlarmDto[];
  alarmsLoaded: boolean;
  alarmFilter: AlarmFilter;
  alarmOrder: AlarmOrder;
  selectedAlarm: number | null;
  watchError: string | null;
  watchBusy: boolean;
  /** What the last enrolment did, for the examiner to read. */
  enrolled: { subject: string; alarms: number } | null;
  watchlistForm: WatchlistForm;
  enrolForm: EnrolForm;
  loadWatch(): Promise<void>;
  setAlarmFilter(f: AlarmFilter): void;
  setAlarmOrder(o: AlarmOrder): void;
  selectAlarm(id: number | null): void;
  /** Moves the selection by `step` within the filtered queue (keyboard review). */
  stepAlarm(step: number): void;
  decideAlarm(id: number, status: 'confirmed' | 'dismissed', note: string): Promise<boolean>;
  setWatchlistForm(patch: Partial<WatchlistForm>): void;
  createWatchlist(): Promise<boolean>;
  setEnrolForm(patch: Partial<EnrolForm>): void;
  addEnrolPhoto(c: FaceChoice): void;
  removeEnrolPhoto(index: number): void;
  enrol(): Promise<boolean>;
}

export const visibleAlarms = (alarms: readonly AlarmDto[], f: AlarmFilter, order: AlarmOrder = 'raised'): AlarmDto[] =>
  orderAlarms(f === 'all' ? alarms : alarms.filter((a) => a.status === f), order);

export const watchlistSlice: SliceCreator<WatchlistSlice> = (set, get, api) => {
  const examinerOrError = (): string | null => {
    const examiner = get().examiner.trim();
    if (!examiner) set({ watchError: 'needExaminer' });
    return examiner || null;
  };
  const busy = async (work: () => Promise<void>): Promise<boolean> => {
    set({ watchBusy: true, watchError: null });
    try {
      await work();
      return true;
    } catch (err) {
      set({ watchError: (err as Error).message });
      return false;
    } finally {
      set({ watchBusy: false });
    }
  };
  return {
    watchMode: 'alarms',
    setWatchMode: (watchMode) => set({ watchMode }),
    watchlists: [],
    subjects: [],
    alarms: [],
    alarmsLoaded: false,
    alarmFilter: 'open',
    alarmOrder: 'raised',
    selectedAlarm: null,
    watchError: null,
    watchBusy: false,
    enrolled: null,
    watchlistForm: { name: '', threshold: null, notes: '' },
    enrolForm: { watchlist: '', name: '', notes: '', photos: [] },
    async loadWatch() {
      try {
        const [w, a] = await Promise.all([api.call('watchlists.list', {}), api.call('alarms.list', {})]);
        const form = get().enrolForm;
        set({
          watchlists: w.watchlists, subjects: w.subjects, alarms: a.alarms, alarmsLoaded: true,
          // The enrol form starts on the first list, and keeps its list while that list exists.
          enrolForm: w.watchlists.some((l) => l.name === form.watchlist) ? form : { ...form, watchlist: w.watchlists[0]?.name ?? '' },
        });
        const shown = visibleAlarms(a.alarms, get().alarmFilter, get().alarmOrder);
        if (!shown.some((x) => x.id === get().selectedAlarm)) set({ selectedAlarm: shown[0]?.id ?? null });
      } catch (err) {
        set({ watchError: (err as Error).message });
      }
    },
    setAlarmFilter(alarmFilter) {
      const shown = visibleAlarms(get().alarms, alarmFilter, get().alarmOrder);
      set({ alarmFilter, selectedAlarm: shown.some((a) => a.id === get().selectedAlarm) ? get().selectedAlarm : (shown[0]?.id ?? null) });
    },
    // The selection stays on its alarm; the queue around it is reordered.
    setAlarmOrder: (alarmOrder) => set({ alarmOrder }),
    selectAlarm: (selectedAlarm) => set({ selectedAlarm }),
    stepAlarm(step) {
      const shown = visibleAlarms(get().alarms, get().alarmFilter, get().alarmOrder);
      if (!shown.length) return;
      const at = shown.findIndex((a) => a.id === get().selectedAlarm);
      const next = at < 0 ? 0 : Math.max(0, Math.min(shown.length - 1, at + step));
      set({ selectedAlarm: shown[next]!.id });
    },
    async decideAlarm(id, status, note) {
      const examiner = examinerOrError();
      if (!examiner) return false;
      return busy(async () => {
        // The queue moves on to the next alarm of the filter, as a reviewer works down it.
        const before = visibleAlarms(get().alarms, get().alarmFilter, get().alarmOrder);
        const at = before.findIndex((a) => a.id === id);
        const decided = await api.call('alarm.decide', { id, status, note, examiner });
        const alarms = get().alarms.map((a) => (a.id === id ? decided : a));
        const after = visibleAlarms(alarms, get().alarmFilter, get().alarmOrder);
        const stays = after.some((a) => a.id === id);
        set({ alarms, selectedAlarm: stays ? id : (after[Math.min(Math.max(at, 0), after.length - 1)]?.id ?? null) });
      });
    },
    setWatchlistForm: (patch) => set({ watchlistForm: { ...get().watchlistForm, ...patch } }),
    async createWatchlist() {
      const examiner = examinerOrError();
      if (!examiner) return false;
      const f = get().watchlistForm;
      if (!f.name.trim()) return (set({ watchError: 'needListName' }), false);
      return busy(async () => {
        const w = await api.call('watchlist.create', { name: f.name.trim(), notes: f.notes, examiner, ...(f.threshold !== null ? { threshold: f.threshold } : {}) });
        set({ watchlistForm: { name: '', threshold: null, notes: '' }, enrolForm: { ...get().enrolForm, watchlist: w.name } });
        await get().loadWatch();
      });
    },
    setEnrolForm: (patch) => set({ enrolForm: { ...get().enrolForm, ...patch } }),
    addEnrolPhoto: (c) => set({ enrolForm: { ...get().enrolForm, photos: [...get().enrolForm.photos, c] }, watchError: null }),
    removeEnrolPhoto: (i) => set({ enrolForm: { ...get().enrolForm, photos: get().enrolForm.photos.filter((_, k) => k !== i) } }),
    async enrol() {
      const examiner = examinerOrError();
      if (!examiner) return false;
      const f = get().enrolForm;
      if (!f.watchlist) return (set({ watchError: 'needListName' }), false);
      if (!f.name.trim()) return (set({ watchError: 'needSubjectName' }), false);
      if (!f.photos.length) return (set({ watchError: 'needPhoto' }), false);
      set({ enrolled: null });
      return busy(async () => {
        const photos = f.photos.map((p) => p.ref as PhotoRef);
        const r = await api.call('watchlist.enrol', { watchlist: f.watchlist, name: f.name.trim(), notes: f.notes, photos, examiner });
        set({ enrolForm: { ...f, name: '', notes: '', photos: [] } });
        // Said once the subject list shows the new subject, not before.
        await get().loadWatch();
        set({ enrolled: { subject: f.name.trim(), alarms: r.alarms.length } });
      });
    },
  };
};
