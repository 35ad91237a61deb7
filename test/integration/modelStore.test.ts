import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelStore } from '../../models/modelStore.js';
import { engineConfigFor } from '../../main/core/faces/engineConfig.js';
import { KestrelError } from '../../main/contract/index.js';
import { testModelsDir } from '../helpers/fixtures.js';

const made: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'kestrel-models-'));
  made.push(d);
  return d;
};
after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

test('install from a bundle verifies every file; truncated, corrupted and missing files are named and not installed', async () => {
  const good = await testModelsDir();
  const bundle = fresh();
  const store0 = await ModelStore.open(good);
  for (const m of store0.manifest.models) copyFileSync(join(good, m.file), join(bundle, m.file));
  const yunet = readFileSync(join(bundle, 'yunet_n_dynamic.onnx'));
  writeFileSync(join(bundle, 'yunet_n_dynamic.onnx'), yunet.subarray(0, 1000)); // truncated
  const reid = Buffer.from(readFileSync(join(bundle, 'face-reidentification-retail-0095.onnx')));
  reid[reid.length - 10] = reid[reid.length - 10]! ^ 0xff; // one flipped byte
  writeFileSync(join(bundle, 'face-reidentification-retail-0095.onnx'), reid);
  writeFileSync(join(bundle, 'mobilefacenet.onnx'), ''); // emptied
  const target = fresh();
  const store = await ModelStore.open(target);
  const r = await store.installFrom(bundle);
  const failed = Object.fromEntries(r.failed.map((f) => [f.file, f.reason]));
  assert.match(failed['yunet_n_dynamic.onnx']!, /1000 bytes, expected 322906/);
  assert.match(failed['face-reidentification-retail-0095.onnx']!, /SHA-256 [0-9a-f]{64}, expected c713ae52/);
  assert.match(failed['mobilefacenet.onnx']!, /0 bytes/);
  assert.equal(r.installed.length, store.manifest.models.length - 3);
  await assert.rejects(store.verifyProfile('permissive'), (e: unknown) => e instanceof KestrelError && e.code === 'MODEL_MISSING' && /yunet_n_dynamic\.onnx/.test(e.message));
  const listed = await store.list();
  assert.ok(listed.every((m) => m.licence.length > 0));
  assert.equal(listed.find((m) => m.id === 'yunet_n')!.installed, false);
});

test('a model damaged after install is refused when a case loads it', async () => {
  const good = await testModelsDir();
  const dir = fresh();
  const store = await ModelStore.open(dir);
  await store.installFrom(good);
  const f = join(dir, 'yunet_n_dynamic.onnx');
  const b = Buffer.from(readFileSync(f));
  b[500] = b[500]! ^ 1;
  writeFileSync(f, b);
  await assert.rejects(engineConfigFor(store, 'permissive', 1), (e: unknown) => e instanceof KestrelError && e.code === 'MODEL_HASH_MISMATCH');
});

test('a user-registered recognizer joins its profile without code changes; a wrong hash is refused', async () => {
  const good = await testModelsDir();
  const dir = fresh();
  const store = await ModelStore.open(dir);
  await store.installFrom(good);
  const base = store.spec('mfn_foamliu');
  const { bytes: _bytes, ...rest } = base;
  const spec = { ...rest, id: 'my_recognizer', file: 'my_recognizer.onnx', version: 'user-registered' };
  await assert.rejects(store.register({ ...spec, sha256: '0'.repeat(64) }, join(good, base.file), ['accurate']), /SHA-256/);
  await store.register(spec, join(good, base.file), ['accurate']);
  const reopened = await ModelStore.open(dir);
  assert.ok(reopened.profile('accurate').recognizers.includes('my_recognizer'));
  assert.ok(!reopened.profile('permissive').recognizers.includes('my_recognizer'));
  const cfg = await engineConfigFor(reopened, 'accurate', 1);
  assert.ok(cfg.recognizers.some((r) => r.spec.id === 'my_recognizer'));
  assert.ok((await reopened.list()).find((m) => m.id === 'my_recognizer')!.custom);
});
