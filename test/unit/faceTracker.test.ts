import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaceTracker, TemplateSum, type TrackInput } from '../../main/core/video/faceTracker.js';
import { rng } from '../../main/core/util/rng.js';

/** Synthetic identities: random unit vectors (near-orthogonal in 128-D), with per-frame noise. */
function identity(seed: number): Float32Array {
  const r = rng(seed);
  const v = Float32Array.from({ length: 128 }, () => r() - 0.5);
  return normalise(v);
}
function normalise(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
function noisy(v: Float32Array, seed: number, amount = 0.35): Float32Array {
  const r = rng(seed);
  return normalise(v.map((x) => x + (r() - 0.5) * amount * 0.18));
}
const face = (x: number, y: number, id: Float32Array, seed: number, q = 0.8): TrackInput => ({
  box: { x, y, width: 60, height: 60 }, embeddings: { m: noisy(id, seed) }, quality: q,
});

test('two people crossing paths keep their own tracks (appearance decides where positions meet)', () => {
  const a = identity(1);
  const b = identity(2);
  const t = new FaceTracker(['m']);
  const owner = new Map<number, string>();
  for (let i = 0; i <= 20; i++) {
    // A walks left to right, B right to left; they overlap around frame 10.
    const ids = t.push(i * 250, [face(20 + i * 30, 100, a, 100 + i), face(620 - i * 30, 110, b, 200 + i)]);
    owner.set(ids[0]!, 'a');
    owner.set(ids[1]!, 'b');
  }
  const tracks = t.finish();
  assert.equal(tracks.length, 2);
  for (const tr of tracks) {
    assert.equal(tr.faces.length, 21);
    assert.equal(new Set(tr.faces.map((f) => owner.get(f))).size, 1, 'a track mixes two people');
  }
});

test('a short occlusion is bridged; leaving and re-entering later starts a new track', () => {
  const a = identity(3);
  const t = new FaceTracker(['m']);
  let ms = 0;
  for (let i = 0; i < 8; i++, ms += 250) t.push(ms, [face(100 + i * 5, 100, a, i)]);
  ms += 1000; // 1 s occluded (< 1.5 s gap)
  for (let i = 0; i < 8; i++, ms += 250) t.push(ms, [face(160 + i * 5, 100, a, 50 + i)]);
  ms += 5000; // gone 5 s, then back
  for (let i = 0; i < 4; i++, ms += 250) t.push(ms, [face(100, 100, a, 90 + i)]);
  const tracks = t.finish();
  assert.deepEqual(tracks.map((x) => x.faces.length), [16, 4]);
  assert.equal(tracks[0]!.startMs, 0);
  assert.equal(tracks[0]!.endMs, 250 * 7 + 1000 + 250 * 8);
});

test('two faces of one frame are never in one track, even when they look alike', () => {
  const twin = identity(4);
  const t = new FaceTracker(['m']);
  for (let i = 0; i < 5; i++) t.push(i * 250, [face(100, 100, twin, i), face(180, 100, twin, 10 + i)]);
  const tracks = t.finish();
  assert.equal(tracks.length, 2);
  const frameOf = (f: number): number => Math.floor(f / 2);
  for (const tr of tracks) assert.equal(new Set(tr.faces.map(frameOf)).size, tr.faces.length);
});

test('a different person at the same place does not continue the track', () => {
  const t = new FaceTracker(['m']);
  t.push(0, [face(100, 100, identity(5), 1)]);
  t.push(250, [face(102, 100, identity(6), 2)]);
  assert.equal(t.finish().length, 2);
});

test('the template is the quality-weighted mean, normalised', () => {
  const a = Float32Array.from([1, 0]);
  const b = Float32Array.from([0, 1]);
  const whole = new TemplateSum();
  whole.add([{ embeddings: { m: a }, quality: 0.9 }, { embeddings: { m: b }, quality: 0.1 }]);
  const tpl = whole.template().m!;
  assert.ok(Math.abs(Math.hypot(tpl[0]!, tpl[1]!) - 1) < 1e-6);
  assert.ok(tpl[0]! > 0.99 && tpl[1]! < 0.12);
  // Summed in parts (as a long track is, a batch at a time) it is the same template.
  const parts = new TemplateSum();
  parts.add([{ embeddings: { m: a }, quality: 0.9 }]);
  parts.add([{ embeddings: { m: b }, quality: 0.1 }]);
  assert.deepEqual(parts.template().m, tpl);
});
