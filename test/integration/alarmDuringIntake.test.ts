import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createWorkbench } from '../../main/core/index.js';
import { astronautJpeg, astronautPng, sharedDir, testModelsDir } from '../helpers/fixtures.js';

// A long intake (100,000 photos take hours) must not keep a watchlist hit until its end: the alarm
// is raised, audited and announced as soon as the photo is stored, and raised once.
test('a watchlist alarm is raised while intake is still running, before it finishes, and only once', async () => {
  const work = mkdtempSync(join(tmpdir(), 'kestrel-alarm-intake-'));
  const wb = await createWorkbench({ caseDir: join(work, 'case'), modelsDir: await testModelsDir(), alarmCheckMs: 0 });
  try {
    const evidence = join(work, 'evidence');
    mkdirSync(evidence);
    writeFileSync(join(evidence, 'astronaut.jpg'), await astronautJpeg(420));
    for (const f of ['faceonnx_brad_1.jpg', 'faceonnx_brad_2.jpg', 'faceonnx_nicole_1.jpg', 'faceonnx_sarah_1.jpg', 'insightface_Rob_Lowe_0001.jpg', 'insightface_Rob_Lowe_0002.jpg']) {
      copyFileSync(join(sharedDir, 'datasets', 'test-photos', f), join(evidence, f));
    }
    const reference = join(work, 'reference.png');
    writeFileSync(reference, await sharp(astronautPng).resize(512).png().toBuffer());
    wb.createWatchlist({ name: 'wanted', threshold: 0.5, examiner: 'tester' });
    await wb.enrol({ watchlist: 'wanted', name: 'Astronaut', photos: [reference], examiner: 'tester' });

    // Whether intake had finished each time the UI was told of alarms.
    let finished = false;
    const heard: boolean[] = [];
    wb.on('job.progressed', (p) => { if (p.phase === 'done') finished = true; });
    wb.on('case.changed', (e) => { if (e.what === 'alarms') heard.push(finished); });
    const summary = await wb.ingest([evidence], { examiner: 'tester' });

    assert.equal(summary.alarms, 1, 'one photo of her');
    const alarms = wb.repos.watchlists.alarms();
    assert.equal(alarms.length, 1);
    assert.match(alarms[0]!.mediaPath, /astronaut\.jpg$/);
    assert.ok(heard.includes(false), 'the UI heard of the alarm while intake was running');
    const audit = wb.repos.audit.list();
    const raisedAt = audit.findIndex((e) => e.action === 'alarm.raised');
    const finishedAt = audit.findIndex((e) => e.action === 'intake.finished');
    assert.ok(raisedAt >= 0 && raisedAt < finishedAt, `alarm.raised (row ${raisedAt}) comes before intake.finished (row ${finishedAt})`);
    assert.equal(audit.filter((e) => e.action === 'alarm.raised').length, 1, 'raised once: the end check finds it raised');
  } finally {
    await wb.dispose();
    rmSync(work, { recursive: true, force: true });
  }
});
