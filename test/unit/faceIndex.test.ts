import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../main/core/db/database.js';
import { DEFAULT_INDEX_TUNING, FaceIndex, exactTopK } from '../../main/core/search/faceIndex.js';
import { fusedVector } from '../../main/core/search/fusedVector.js';
import { vectorToBlob } from '../../main/core/repositories/faceRepository.js';
import { PlainVault, SealedVault } from '../../main/core/vault/caseVault.js';
import { randomBytes } from 'node:crypto';

const made: string[] = [];
after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

const MODELS = [{ id: 'r1', dim: 16 }, { id: 'r2', dim: 8 }];

function rnd(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
}
function unitVec(dim: number, r: () => number): Float32Array {
  const v = Float32Array.from({ length: dim }, r);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** A case database with n synthetic faces (one media row), embeddings for both models. */
function caseWith(n: number, seed = 1): { db: Db; dir: string; add: (k: number) => void; vectors: Map<number, Record<string, Float32Array>> } {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-index-'));
  made.push(dir);
  const db = openDatabase(join(dir, 'case.sqlite'));
  db.prepare("INSERT INTO models (id, sha256, role, dim, version) VALUES ('r1', 'x', 'recognizer', 16, 'v'), ('r2', 'y', 'recognizer', 8, 'v')").run();
  db.prepare("INSERT INTO media (id, sha256, byte_size, kind, status) VALUES (1, 'h', 1, 'image', 'done')").run();
  const r = rnd(seed);
  const vectors = new Map<number, Record<string, Float32Array>>();
  const face = db.prepare(`INSERT INTO faces (media_id, box_x, box_y, box_w, box_h, landmarks, det_score, quality, quality_json, thumb) VALUES (1, 0, 0, 10, 10, '[]', 0.9, 0.5, '{}', 't')`);
  const emb = db.prepare('INSERT INTO embeddings (face_id, model_id, vector) VALUES (?, ?, ?)');
  const add = (k: number): void => {
    db.transaction(() => {
      for (let i = 0; i < k; i++) {
        const id = Number(face.run().lastInsertRowid);
        const e = { r1: unitVec(16, r), r2: unitVec(8, r) };
        vectors.set(id, e);
        emb.run(id, 'r1', vectorToBlob(e.r1));
        emb.run(id, 'r2', vectorToBlob(e.r2));
      }
    })();
  };
  add(n);
  return { db, dir, add, vectors };
}

function bruteForce(vectors: Map<number, Record<string, Float32Array>>, q: Float32Array, k: number): number[] {
  const ids = [...vectors.keys()];
  const score = (id: number): number => fusedVector(vectors.get(id)!, ['r1', 'r2'], [16, 8]).reduce((s, v, i) => s + v * q[i]!, 0);
  return ids.sort((a, b) => score(b) - score(a)).slice(0, k);
}

test('exact mode finds the true nearest faces and picks up new faces incrementally', () => {
  const c = caseWith(300);
  const idx = new FaceIndex(c.db, join(c.dir, 'index'), new PlainVault(), MODELS);
  idx.refresh();
  assert.equal(idx.mode, 'exact');
  assert.equal(idx.size, 300);
  const q = fusedVector(c.vectors.get(17)!, ['r1', 'r2'], [16, 8]);
  const hits = idx.search(q, 5);
  assert.equal(hits[0]!.faceId, 17);
  assert.ok(Math.abs(hits[0]!.score - 1) < 1e-4);
  assert.deepEqual(hits.map((h) => h.faceId), bruteForce(c.vectors, q, 5));
  c.add(20);
  const q2 = fusedVector(c.vectors.get(310)!, ['r1', 'r2'], [16, 8]);
  assert.equal(idx.search(q2, 1)[0]!.faceId, 310);
  assert.equal(idx.size, 320);
  c.db.close();
});

const fused = (v: Record<string, Float32Array>): Float32Array => fusedVector(v, ['r1', 'r2'], [16, 8]);
const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

// The fused vectors here are 24 wide: the first tuning searches the graph over the full vectors,
// the second over 8 principal directions (as the product does over 128 of 512).
for (const [label, tuning] of [
  ['full vectors', { ...DEFAULT_INDEX_TUNING, exactLimit: 500, connectivity: 16, expansionAdd: 64, candidates: 64 }],
  ['8 principal directions', { ...DEFAULT_INDEX_TUNING, exactLimit: 500, rank: 8, connectivity: 16, expansionAdd: 64, candidates: 200 }],
] as const) {
  test(`graph mode over ${label}: exact scores, high recall, saved, reopened from disk, appended, rebuilt after a mismatch`, () => {
    const c = caseWith(1500, 2);
    const idx = new FaceIndex(c.db, join(c.dir, 'index'), new PlainVault(), MODELS, tuning);
    idx.refresh();
    assert.equal(idx.mode, 'hnsw');
    for (const f of ['faces.usearch', 'faces.ids', 'faces-0.vectors', 'faces.json']) assert.ok(existsSync(join(c.dir, 'index', f)), f);
    let found = 0;
    for (const id of [3, 99, 500, 777, 1200]) {
      const q = fused(c.vectors.get(id)!);
      const truth = bruteForce(c.vectors, q, 10);
      const hits = idx.search(q, 10);
      assert.equal(hits[0]!.faceId, id);
      // Every score is the full vectors' inner product, not the graph's approximation.
      for (const h of hits) assert.ok(Math.abs(h.score - dot(fused(c.vectors.get(h.faceId)!), q)) < 1e-5);
      found += hits.filter((h) => truth.includes(h.faceId)).length;
    }
    assert.ok(found / 50 >= 0.9, `recall@10 ${found / 50}`);
    // A second index object opens the saved graph and vectors and appends what intake added since.
    c.add(10);
    const again = new FaceIndex(c.db, join(c.dir, 'index'), new PlainVault(), MODELS, tuning);
    const q = fused(c.vectors.get(1505)!);
    assert.equal(again.search(q, 1)[0]!.faceId, 1505);
    assert.equal(again.size, 1510);
    assert.equal(again.search(fused(c.vectors.get(777)!), 1)[0]!.faceId, 777, 'the saved rows still match their faces');
    // Faces removed behind the index's back: it no longer vouches for the database and is rebuilt.
    c.db.prepare('DELETE FROM embeddings WHERE face_id <= 5').run();
    c.db.prepare('DELETE FROM faces WHERE id <= 5').run();
    const rebuilt = new FaceIndex(c.db, join(c.dir, 'index'), new PlainVault(), MODELS, tuning);
    rebuilt.refresh();
    assert.equal(rebuilt.size, 1505);
    assert.ok(rebuilt.search(fused(c.vectors.get(3)!), 10).every((h) => h.faceId > 5));
    c.db.close();
  });
}

test('a saved index of an earlier layout or with a damaged vectors file is rebuilt, not trusted', () => {
  const c = caseWith(700, 4);
  const tuning = { ...DEFAULT_INDEX_TUNING, exactLimit: 500, connectivity: 16, expansionAdd: 64, candidates: 64 };
  const dir = join(c.dir, 'index');
  new FaceIndex(c.db, dir, new PlainVault(), MODELS, tuning).refresh();
  const meta = JSON.parse(readFileSync(join(dir, 'faces.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'faces.json'), JSON.stringify({ ...meta, format: 1 }));
  const q = fused(c.vectors.get(650)!);
  assert.equal(new FaceIndex(c.db, dir, new PlainVault(), MODELS, tuning).search(q, 1)[0]!.faceId, 650);
  assert.equal((JSON.parse(readFileSync(join(dir, 'faces.json'), 'utf8')) as { format: number }).format, 2, 'rebuilt in the current layout');
  // A vectors file cut short: the rows it should hold cannot be trusted.
  const block = join(dir, 'faces-0.vectors');
  writeFileSync(block, readFileSync(block).subarray(0, 1000));
  const idx = new FaceIndex(c.db, dir, new PlainVault(), MODELS, tuning);
  const hit = idx.search(q, 1)[0]!;
  assert.equal(hit.faceId, 650);
  assert.ok(Math.abs(hit.score - 1) < 1e-5);
  assert.equal(readFileSync(block).length, 700 * 24 * 4);
  c.db.close();
});

test('in an encrypted case the graph and its metadata are sealed on disk and reopened from the sealed files', () => {
  const c = caseWith(700, 3);
  const tuning = { ...DEFAULT_INDEX_TUNING, exactLimit: 500, rank: 8, connectivity: 16, expansionAdd: 64, candidates: 200 };
  const vault = new SealedVault(c.dir, randomBytes(32));
  new FaceIndex(c.db, join(c.dir, 'index'), vault, MODELS, tuning).refresh();
  for (const f of ['faces.usearch', 'faces.ids', 'faces-0.vectors', 'faces.json']) assert.equal(readFileSync(join(c.dir, 'index', f)).subarray(0, 5).toString('latin1'), 'KSEAL', f);
  const sealedBefore = readFileSync(join(c.dir, 'index', 'faces.usearch'));
  const again = new FaceIndex(c.db, join(c.dir, 'index'), vault, MODELS, tuning);
  assert.equal(again.search(fusedVector(c.vectors.get(321)!, ['r1', 'r2'], [16, 8]), 1)[0]!.faceId, 321);
  assert.equal(again.mode, 'hnsw');
  assert.ok(readFileSync(join(c.dir, 'index', 'faces.usearch')).equals(sealedBefore), 'opened from the sealed file, not rebuilt');
  c.db.close();
});

test('exactTopK returns ids from the given id list', () => {
  const m = new Float32Array([1, 0, 0, 1, 0.6, 0.8]);
  const hits = exactTopK(m, Int32Array.from([10, 20, 30]), 2, new Float32Array([0, 1]), 2);
  assert.deepEqual(hits.map((h) => h.faceId), [20, 30]);
});

test('a filtered search scans exactly the faces that pass the filter, from memory, over several slices', () => {
  const c = caseWith(40_000, 6);
  const idx = new FaceIndex(c.db, join(c.dir, 'index'), new PlainVault(), MODELS);
  // Every face but each seventh, in runs and gaps (34,286 faces: three slices of the scan), and ids the case does not hold.
  const pass = [...c.vectors.keys()].filter((id) => id % 7 !== 0);
  const q = fused(c.vectors.get(14)!);
  const hits = idx.searchAmong(q, 8, [...pass, 999_999]);
  const truth = pass.map((id) => ({ id, s: dot(fused(c.vectors.get(id)!), q) })).sort((a, b) => b.s - a.s).slice(0, 8);
  assert.deepEqual(hits.map((h) => h.faceId), truth.map((t) => t.id));
  hits.forEach((h, i) => assert.ok(Math.abs(h.score - truth[i]!.s) < 1e-5));
  assert.ok(!hits.some((h) => h.faceId === 14), 'face 14 itself did not pass');
  assert.deepEqual(idx.searchAmong(q, 8, []), []);
  c.db.close();
});

test('the index gives back each face\'s own embeddings per model, and leaves out a model a face has none for', () => {
  const c = caseWith(50, 7);
  c.db.prepare("DELETE FROM embeddings WHERE face_id = 9 AND model_id = 'r2'").run();
  const idx = new FaceIndex(c.db, join(c.dir, 'index'), new PlainVault(), MODELS);
  const got = idx.embeddingsOf([3, 9, 3, 4242]);
  assert.deepEqual([...got.keys()], [3, 9], 'each face once; an unknown face left out');
  for (const m of ['r1', 'r2']) {
    const want = c.vectors.get(3)![m]!;
    got.get(3)![m]!.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-6, `${m}[${i}]`));
  }
  assert.deepEqual(Object.keys(got.get(9)!), ['r1']);
  c.db.close();
});
