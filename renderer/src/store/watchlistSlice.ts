import { orderAlarms, type AlarmDto, type AlarmOrder, type AlarmStatus, type PhotoRef, type WatchlistDto, type WatchlistPhotoDto, type WatchlistSubjectDto } from '../../../main/contract/index.js';
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

/** What the last change to a subject or a list did, for the examiner to read. */
export type WatchDone =
  | { kind: 'added'; photos: number; alarms: number; retired: boolean }
  | { kind: 'retired'; openAlarms: number }
  | { kind: 'reinstated'; alarms: number }
  | { kind: 'photoRemoved'; photos: number }
  | { kind: 'threshold'; watchlist: string; before: number; after: number; alarms: number; openBelow: number };

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
  /** The subject whose details, photos and status the panel shows. */
  selectedSubject: number | null;
  selectSubject(id: number | null): void;
  /** The selected subject's reference photos (removed ones too). */
  subjectRefs: WatchlistPhotoDto[];
  /** The reference photo whose removal the examiner is giving a reason for. */
  removingPhoto: number | null;
  removeReason: string;
  startRemovePhoto(id: number | null): void;
  setRemoveReason(reason: string): void;
  removePhoto(): Promise<boolean>;
  /** Photos waiting to be added to the selected subject. */
  subjectPhotos: FaceChoice[];
  addSubjectPhoto(c: FaceChoice): void;
  removeSubjectPhoto(index: number): void;
  retireReason: string;
  setRetireReason(reason: string): void;
  subjectDone: WatchDone | null;
  addSubjectPhotos(): Promise<boolean>;
  retireSubject(): Promise<boolean>;
  reinstateSubject(): Promise<boolean>;
  thresholdForm: { watchlist: string; threshold: number | null };
  setThresholdForm(patch: Partial<{ watchlist: string; threshold: number | null }>): void;
  thresholdDone: WatchDone | null;
  changeThreshold(): Promise<boolean>;
  /** Sharing a list between cases: the list and folder to export into, the folder to import from and its name here. */
  shareForm: ShareForm;
  setShareForm(patch: Partial<ShareForm>): void;
  shareDone: ShareDone | null;
  exportList(): Promise<boolean>;
  importList(): Promise<boolean>;
}

export interface ShareForm {
  watchlist: string;
  out: string;
  from: string;
  name: string;
}

export type ShareDone =
  | { kind: 'exported'; watchlist: string; out: string; subjects: number; photos: number; manifestSha256: string }
  | { kind: 'imported'; watchlist: string; subjects: number; photos: number; alarms: number };

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
  const loadRefs = async (subjectId: number): Promise<void> => {
    try {
      const r = await api.call('watchlist.photos', { subjectId });
      if (get().selectedSubject === subjectId) set({ subjectRefs: r.photos });
    } catch (err) {
      set({ watchError: (err as Error).message });
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
    selectedSubject: null,
    subjectRefs: [],
    removingPhoto: null,
    removeReason: '',
    subjectPhotos: [],
    retireReason: '',
    subjectDone: null,
    thresholdForm: { watchlist: '', threshold: null },
    thresholdDone: null,
    shareForm: { watchlist: '', out: '', from: '', name: '' },
    shareDone: null,
    async loadWatch() {
      try {
        const [w, a] = await Promise.all([api.call('watchlists.list', {}), api.call('alarms.list', {})]);
        const form = get().enrolForm;
        const tf = get().thresholdForm;
        const sf = get().shareForm;
        // The forms start on the first list, and keep their list while that list exists.
        const keep = (name: string): string => (w.watchlists.some((l) => l.name === name) ? name : (w.watchlists[0]?.name ?? ''));
        set({
          watchlists: w.watchlists, subjects: w.subjects, alarms: a.alarms, alarmsLoaded: true,
          enrolForm: { ...form, watchlist: keep(form.watchlist) },
          thresholdForm: { ...tf, watchlist: keep(tf.watchlist) },
          shareForm: { ...sf, watchlist: keep(sf.watchlist) },
          selectedSubject: w.subjects.some((x) => x.id === get().selectedSubject) ? get().selectedSubject : null,
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
    selectSubject(selectedSubject) {
      set({ selectedSubject, subjectRefs: [], removingPhoto: null, removeReason: '', subjectPhotos: [], retireReason: '', subjectDone: null, watchError: null });
      if (selectedSubject !== null) void loadRefs(selectedSubject);
    },
    startRemovePhoto: (removingPhoto) => set({ removingPhoto, removeReason: '', watchError: null }),
    setRemoveReason: (removeReason) => set({ removeReason }),
    async removePhoto() {
      const examiner = examinerOrError();
      const subjectId = get().selectedSubject;
      const photoId = get().removingPhoto;
      if (!examiner || subjectId === null || photoId === null) return false;
      const reason = get().removeReason.trim();
      if (!reason) return (set({ watchError: 'needReason' }), false);
      set({ subjectDone: null });
      return busy(async () => {
        const r = await api.call('watchlist.removePhoto', { subjectId, photoId, reason, examiner });
        set({ removingPhoto: null, removeReason: '' });
        await get().loadWatch();
        await loadRefs(subjectId);
        set({ subjectDone: { kind: 'photoRemoved', photos: r.photos } });
      });
    },
    addSubjectPhoto: (c) => set({ subjectPhotos: [...get().subjectPhotos, c], watchError: null }),
    removeSubjectPhoto: (i) => set({ subjectPhotos: get().subjectPhotos.filter((_, k) => k !== i) }),
    setRetireReason: (retireReason) => set({ retireReason }),
    async addSubjectPhotos() {
      const examiner = examinerOrError();
      const subjectId = get().selectedSubject;
      if (!examiner || subjectId === null) return false;
      const photos = get().subjectPhotos;
      if (!photos.length) return (set({ watchError: 'needPhoto' }), false);
      set({ subjectDone: null });
      return busy(async () => {
        const r = await api.call('watchlist.addPhotos', { subjectId, photos: photos.map((p) => p.ref as PhotoRef), examiner });
        set({ subjectPhotos: [] });
        await get().loadWatch();
        await loadRefs(subjectId);
        const retired = !!get().subjects.find((x) => x.id === subjectId)?.retiredAt;
        set({ subjectDone: { kind: 'added', photos: photos.length, alarms: r.alarms.length, retired } });
      });
    },
    async retireSubject() {
      const examiner = examinerOrError();
      const subjectId = get().selectedSubject;
      if (!examiner || subjectId === null) return false;
      const reason = get().retireReason.trim();
      if (!reason) return (set({ watchError: 'needReason' }), false);
      set({ subjectDone: null });
      return busy(async () => {
        const r = await api.call('watchlist.retire', { subjectId, reason, examiner });
        set({ retireReason: '' });
        await get().loadWatch();
        set({ subjectDone: { kind: 'retired', openAlarms: r.openAlarms } });
      });
    },
    async reinstateSubject() {
      const examiner = examinerOrError();
      const subjectId = get().selectedSubject;
      if (!examiner || subjectId === null) return false;
      set({ subjectDone: null });
      return busy(async () => {
        const r = await api.call('watchlist.reinstate', { subjectId, examiner });
        await get().loadWatch();
        set({ subjectDone: { kind: 'reinstated', alarms: r.alarms.length } });
      });
    },
    setThresholdForm: (patch) => set({ thresholdForm: { ...get().thresholdForm, ...patch } }),
    async changeThreshold() {
      const examiner = examinerOrError();
      if (!examiner) return false;
      const f = get().thresholdForm;
      const list = get().watchlists.find((w) => w.name === f.watchlist);
      if (!list) return (set({ watchError: 'needListName' }), false);
      if (f.threshold === null || !(f.threshold > -1 && f.threshold <= 1)) return (set({ watchError: 'needThreshold' }), false);
      const after = f.threshold;
      set({ thresholdDone: null });
      return busy(async () => {
        const r = await api.call('watchlist.threshold', { watchlist: list.name, threshold: after, examiner });
        set({ thresholdForm: { ...f, threshold: null } });
        await get().loadWatch();
        set({ thresholdDone: { kind: 'threshold', watchlist: list.name, before: list.threshold, after, alarms: r.alarms.length, openBelow: r.openBelow } });
      });
    },
    setShareForm: (patch) => set({ shareForm: { ...get().shareForm, ...patch } }),
    async exportList() {
      const examiner = examinerOrError();
      if (!examiner) return false;
      const f = get().shareForm;
      if (!f.watchlist) return (set({ watchError: 'needListName' }), false);
      if (!f.out.trim()) return (set({ watchError: 'needFolder' }), false);
      set({ shareDone: null });
      return busy(async () => {
        const r = await api.call('watchlist.export', { watchlist: f.watchlist, out: f.out.trim(), examiner });
        set({ shareForm: { ...f, out: '' }, shareDone: { kind: 'exported', watchlist: f.watchlist, out: f.out.trim(), ...r } });
      });
    },
    async importList() {
      const examiner = examinerOrError();
      if (!examiner) return false;
      const f = get().shareForm;
      if (!f.from.trim()) return (set({ watchError: 'needFolder' }), false);
      set({ shareDone: null });
      return busy(async () => {
        const r = await api.call('watchlist.import', { from: f.from.trim(), examiner, ...(f.name.trim() ? { name: f.name.trim() } : {}) });
        set({ shareForm: { ...f, from: '', name: '' } });
        // Said once the lists show the new one, not before.
        await get().loadWatch();
        set({ shareDone: { kind: 'imported', watchlist: r.name, subjects: r.subjects, photos: r.photos, alarms: r.alarms.length } });
      });
    },
  };
};
