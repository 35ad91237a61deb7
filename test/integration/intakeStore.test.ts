import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkbench, type Workbench } from '../../main/core/index.js';
import { writeSyntheticPhotos } from '../../main/core/bench/syntheticPhotos.js';
import type { ApiClient } from '../../renderer/src/api/apiClient.js';
import { createAppStore } from '../../renderer/src/store/appStore.js';
import { astronautPng, testModelsDir } from '../helpers/fixtures.js';

// The renderer's intake state driven against the real engine: pause, then resume where it stopped.
let work: string;
let wb: Workbench;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kestrel-intakestore-'));
  await writeSyntheticPhotos(join(work, 'evidence'), 24, astronautPng, 11);
  wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir() });
});

after(async () => {
  await wb?.dispose();
  rmSync(work, { recursive: true, force: true });
});

test('a paused intake keeps what it finished, and resuming processes only the rest', async () => {
  const api: ApiClient = { call: (c, i) => wb.invoke(c, i), on: (e, cb) => wb.on(e, cb), fileUrl: (r) => r, transport: 'browser' };
  const store = createAppStore(api, { lang: 'en', examiner: 'Det. Pause' });
  const s = store.getState();
  const started = s.startIntake([join(work, 'evidence')]);
  await new Promise<void>((resolve) => {
    const off = store.subscribe((st) => {
      if (st.progress?.phase === 'processing' && st.progress.done >= 3) { off(); resolve(); }
    });
  });
  await store.getState().pauseIntake();
  await started;
  const paused = store.getState();
  assert.equal(paused.intakeRunning, false);
  assert.deepEqual(paused.intakePaused, [join(work, 'evidence')]);
  const kept = wb.repos.media.count();
  assert.ok(kept >= 3 && kept < 24, `${kept} photos finished before the pause`);
  const facesBefore = wb.repos.faces.list(0, 1000).map((f) => f.id);

  await paused.resumeIntake();
  const done = store.getState();
  assert.equal(done.intakePaused, null);
  assert.equal(done.intakeError, null);
  assert.equal(wb.repos.media.count(), 24, 'every photo is in the case after resuming');
  // Photos taken in before the pause (finished, or hashed and waiting) are not new; the finished ones keep their faces as they were.
  assert.equal(done.lastSummary!.already_in_case + done.lastSummary!.media, 24);
  assert.ok(done.lastSummary!.already_in_case >= kept);
  const facesAfter = new Set(wb.repos.faces.list(0, 1000).map((f) => f.id));
  assert.ok(facesBefore.every((id) => facesAfter.has(id)), 'what was finished is not processed again');
  assert.equal(facesAfter.size, new Set(wb.repos.faces.list(0, 1000).map((f) => `${f.mediaId}:${f.box.x}:${f.box.y}`)).size, 'no face twice');
  const actions = wb.repos.audit.list(10_000).map((e) => e.action).filter((a) => a.startsWith('intake.'));
  assert.deepEqual(actions, ['intake.started', 'intake.cancelled', 'intake.started', 'intake.finished']);
});
