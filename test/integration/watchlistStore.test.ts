import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { StoreApi } from 'zustand/vanilla';
import { createWorkbench, type Workbench } from '../../main/core/index.js';
import type { ApiClient } from '../../renderer/src/api/apiClient.js';
import { createAppStore, type AppState } from '../../renderer/src/store/appStore.js';
import { visibleAlarms } from '../../renderer/src/store/watchlistSlice.js';
import { astronautJpeg, astronautPng, testModelsDir } from '../helpers/fixtures.js';

// The renderer's store driven against the real engine (the same calls the UI's transports carry).
let work: string;
let wb: Workbench;
let store: StoreApi<AppState>;

const direct = (w: Workbench): ApiClient => ({
  call: (call, input) => w.invoke(call, input),
  on: (event, cb) => w.on(event, cb),
  fileUrl: (rel) => `case-file/${rel}`,
  transport: 'browser',
});

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-wstore-'));
  mkdirSync(join(work, 'evidence'));
  for (const [i, w] of [300, 360, 420, 480].entries()) writeFileSync(join(work, 'evidence', `a${i}.jpg`), await astronautJpeg(w));
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir() });
  await wb.ingest([join(work, 'evidence')], { examiner: 'tester' });
  store = createAppStore(direct(wb), { lang: 'en', examiner: '' });
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

const upload = async () => ({
  ref: { upload: { name: 'ref.png', base64: (await sharp(astronautPng).resize(256).png().toBuffer()).toString('base64') } }, label: 'ref.png', preview: { kind: 'data' as const, src: '' },
});

test('nothing reaches the engine without an examiner, a list name, a subject name and a photo', async () => {
  const s = store.getState();
  assert.equal(await s.createWatchlist(), false);
  assert.equal(store.getState().watchError, 'needExaminer');
  s.setExaminer('Det. Store');
  assert.equal(await s.createWatchlist(), false);
  assert.equal(store.getState().watchError, 'needListName');
  s.setWatchlistForm({ name: 'wanted', threshold: 0.5 });
  assert.equal(await store.getState().createWatchlist(), true);
  assert.equal(store.getState().enrolForm.watchlist, 'wanted', 'the enrol form moves to the new list');
  assert.deepEqual(store.getState().watchlistForm, { name: '', threshold: null, notes: '' });
  assert.equal(await store.getState().enrol(), false);
  assert.equal(store.getState().watchError, 'needSubjectName');
  store.getState().setEnrolForm({ name: 'Astronaut' });
  assert.equal(await store.getState().enrol(), false);
  assert.equal(store.getState().watchError, 'needPhoto');
  assert.equal(wb.repos.watchlists.subjects().length, 0);
});

test('enrolment raises the alarms, and review works down the open queue: each decision moves to the next', async () => {
  store.getState().addEnrolPhoto(await upload());
  assert.equal(await store.getState().enrol(), true);
  assert.deepEqual(store.getState().enrolled, { subject: 'Astronaut', alarms: 4 });
  assert.equal(store.getState().enrolForm.photos.length, 0);
  let s = store.getState();
  const open = visibleAlarms(s.alarms, 'open');
  assert.equal(open.length, 4);
  assert.equal(s.selectedAlarm, open[0]!.id, 'the queue opens on its first alarm');
  s.stepAlarm(1);
  assert.equal(store.getState().selectedAlarm, open[1]!.id);
  store.getState().stepAlarm(10);
  assert.equal(store.getState().selectedAlarm, open[3]!.id, 'stepping stops at the end');
  store.getState().selectAlarm(open[1]!.id);
  assert.equal(await store.getState().decideAlarm(open[1]!.id, 'confirmed', 'same person'), true);
  s = store.getState();
  assert.equal(s.selectedAlarm, open[2]!.id, 'the next open alarm takes the decided one\'s place');
  assert.equal(visibleAlarms(s.alarms, 'open').length, 3);
  assert.equal(wb.repos.watchlists.alarms(undefined, open[1]!.id)[0]!.status, 'confirmed');
  // The last one decided: the selection falls back to the new last.
  store.getState().selectAlarm(open[3]!.id);
  await store.getState().decideAlarm(open[3]!.id, 'dismissed', '');
  assert.equal(store.getState().selectedAlarm, open[2]!.id);
  store.getState().setAlarmFilter('confirmed');
  assert.equal(store.getState().selectedAlarm, open[1]!.id, 'a filter selects its first alarm');
  store.getState().setAlarmFilter('all');
  assert.equal(store.getState().selectedAlarm, open[1]!.id, 'the selection stays where the filter still shows it');
});

test('an engine refusal is shown, not swallowed, and the queue is left as it was', async () => {
  const before = store.getState().alarms;
  assert.equal(await store.getState().decideAlarm(99_999, 'confirmed', ''), false);
  assert.match(store.getState().watchError ?? '', /No alarm 99999/);
  assert.deepEqual(store.getState().alarms, before);
});
