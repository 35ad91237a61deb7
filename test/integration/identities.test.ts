import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../main/core/db/database.js';
import { vectorToBlob } from '../../main/core/repositories/faceRepository.js';
import { AuditRepository } from '../../main/core/repositories/auditRepository.js';
import { CaseMetaRepository } from '../../main/core/repositories/caseMetaRepository.js';
import { IdentityRepository } from '../../main/core/repositories/identityRepository.js';
import { runClustering, type ClusterDeps } from '../../main/core/identities/clusterService.js';
import { IdentityOperations } from '../../main/core/identities/identityOperations.js';
import { identityDetail, identitySuggestions, listIdentities } from '../../main/core/identities/identityQueries.js';
import { DEFAULT_CLUSTER_PARAMS } from '../../main/core/identities/identityClustering.js';

const made: string[] = [];
after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

const DIM = 48;

function rnd(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
}
const norm = (v: Float32Array): Float32Array => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

/**
 * A case with synthetic people: each person has a centre; each face is the centre plus noise, in
 * its own photo unless told otherwise. Ages are stored as estimates.
 */
function syntheticCase(o: { people?: number } = {}): { db: Db; deps: ClusterDeps; ops: IdentityOperations; centres: Float32Array[]; addFace: (person: number, o?: { media?: number; age?: number; exact?: boolean }) => number } {
  const dir = mkdtempSync(join(tmpdir(), 'kestrel-identities-'));
  made.push(dir);
  const db = openDatabase(join(dir, 'case.sqlite'));
  db.prepare("INSERT INTO models (id, sha256, role, dim, version) VALUES ('r', 'x', 'recognizer', ?, 'v')").run(DIM);
  const r = rnd(7);
  const centres = Array.from({ length: 30 }, () => norm(Float32Array.from({ length: DIM }, r)));
  let media = 0;
  const addMedia = db.prepare("INSERT INTO media (sha256, byte_size, kind, status, captured_at) VALUES (?, 1, 'image', 'done', ?)");
  const face = db.prepare(`INSERT INTO faces (media_id, box_x, box_y, box_w, box_h, landmarks, det_score, quality, quality_json, thumb, age)
    VALUES (?, 0, 0, 80, 80, '[]', 0.9, 0.7, '{}', 't', ?)`);
  const emb = db.prepare("INSERT INTO embeddings (face_id, model_id, vector) VALUES (?, 'r', ?)");
  const addFace = (person: number, o: { media?: number; age?: number; exact?: boolean } = {}): number => {
    const m = o.media ?? Number(addMedia.run(`h${++media}`, `2020-01-${String((media % 28) + 1).padStart(2, '0')}T00:00:00Z`).lastInsertRowid);
    const v = o.exact ? centres[person]! : norm(centres[person]!.map((x) => x + r() * 0.12));
    const id = Number(face.run(m, o.age ?? 30).lastInsertRowid);
    emb.run(id, vectorToBlob(v));
    return id;
  };
  for (let p = 0; p < (o.people ?? 20); p++) for (let k = 0; k < 5; k++) addFace(p, { age: 20 + k });
  const identities = new IdentityRepository(db);
  const audit = new AuditRepository(db);
  const deps: ClusterDeps = { db, identities, meta: new CaseMetaRepository(db), audit, models: [{ id: 'r', dim: DIM }], threads: 1, params: DEFAULT_CLUSTER_PARAMS };
  return { db, deps, ops: new IdentityOperations({ db, identities, audit }), centres, addFace };
}

const identityOf = (db: Db, face: number): number | null => (db.prepare('SELECT identity_id FROM faces WHERE id = ?').pluck().get(face) as number | null);
const facesOfPerson = (p: number): number[] => Array.from({ length: 5 }, (_, k) => p * 5 + k + 1);
const partition = (db: Db): string => JSON.stringify((db.prepare('SELECT group_concat(id) AS g FROM faces GROUP BY identity_id ORDER BY min(id)').pluck().all() as string[]));

test('clustering groups each synthetic person into one identity, reproducibly, with summaries', async () => {
  const c = syntheticCase();
  const r = await runClustering(c.deps, { full: false, examiner: 'e' });
  assert.equal(r.mode, 'full');
  for (let p = 0; p < 20; p++) {
    const ids = new Set(facesOfPerson(p).map((f) => identityOf(c.db, f)));
    assert.equal(ids.size, 1, `person ${p} split into ${ids.size}`);
  }
  assert.equal(new Set(Array.from({ length: 20 }, (_, p) => identityOf(c.db, facesOfPerson(p)[0]!))).size, 20, 'two people merged');
  const first = partition(c.db);
  await runClustering(c.deps, { full: true, examiner: 'e' });
  assert.equal(partition(c.db), first, 'a full re-run gives the same identities');
  const list = listIdentities(c.deps);
  assert.equal(list.length, 20);
  assert.deepEqual(list[0]!.ageRange, { min: 20, max: 24 });
  const d = identityDetail(c.deps, list[0]!.id);
  assert.equal(d.faces.length, 5);
  assert.deepEqual(d.ageStrip.map((f) => f.age), [20, 21, 22, 23, 24]);
  assert.ok(c.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'identities.cluster'").pluck().get() === 2);
});

test('two faces of one photo never share an identity, even the same person twice', async () => {
  const c = syntheticCase();
  const photo = Number(c.db.prepare("INSERT INTO media (sha256, byte_size, kind, status) VALUES ('group', 1, 'image', 'done')").run().lastInsertRowid);
  const a = c.addFace(3, { media: photo, exact: true });
  const b = c.addFace(3, { media: photo, exact: true });
  await runClustering(c.deps, { full: true, examiner: 'e' });
  assert.notEqual(identityOf(c.db, a), identityOf(c.db, b));
  assert.ok([a, b].some((f) => identityOf(c.db, f) === identityOf(c.db, facesOfPerson(3)[0]!)), 'one of them still joins person 3');
});

test('incremental runs add new faces to existing identities without changing the others', async () => {
  const c = syntheticCase();
  await runClustering(c.deps, { full: false, examiner: 'e' });
  const before = identityOf(c.db, facesOfPerson(4)[0]!);
  const others = partition(c.db);
  const added = [c.addFace(4), c.addFace(4), c.addFace(25), c.addFace(25)];
  const r = await runClustering(c.deps, { full: false, examiner: 'e' });
  assert.equal(r.mode, 'incremental');
  assert.equal(r.newUnits, 4);
  assert.equal(identityOf(c.db, added[0]!), before);
  assert.equal(identityOf(c.db, added[1]!), before);
  assert.equal(identityOf(c.db, added[2]!), identityOf(c.db, added[3]!), 'a new person forms a new identity');
  assert.notEqual(identityOf(c.db, added[2]!), before);
  const after = JSON.parse(partition(c.db)) as string[];
  for (const g of JSON.parse(others) as string[]) assert.ok(after.some((h) => h.startsWith(g)), `identity ${g} changed`);
});

test('examiner operations survive re-clustering, are audited and can be undone', async () => {
  const c = syntheticCase();
  await runClustering(c.deps, { full: true, examiner: 'e' });
  const id = (p: number): number => identityOf(c.db, facesOfPerson(p)[0]!)!;

  // Merge two different people: the examiner knows better; re-clustering keeps it.
  const m = c.ops.merge([id(0), id(1)], 'anna');
  await runClustering(c.deps, { full: true, examiner: 'e' });
  assert.equal(id(0), id(1));
  for (const f of [...facesOfPerson(0), ...facesOfPerson(1)]) assert.equal(identityOf(c.db, f), id(0), `face ${f} stays in the merged identity`);

  // Split person 2 into two groups; reject one face of person 5 ("not this person").
  const p2 = facesOfPerson(2);
  c.ops.split(id(2), p2.slice(0, 2), 'anna');
  const p5 = facesOfPerson(5);
  c.ops.reject(id(5), [p5[4]!], 'anna');
  await runClustering(c.deps, { full: true, examiner: 'e' });
  assert.notEqual(identityOf(c.db, p2[0]!), identityOf(c.db, p2[3]!));
  assert.equal(identityOf(c.db, p2[0]!), identityOf(c.db, p2[1]!));
  assert.notEqual(identityOf(c.db, p5[4]!), identityOf(c.db, p5[0]!));

  // Name follows the identity through a full re-run.
  c.ops.name(id(6), 'Suspect A', 'anna');
  await runClustering(c.deps, { full: true, examiner: 'e' });
  assert.equal(c.deps.identities.get(id(6))!.name, 'Suspect A');

  // Undo the name, then the rejection: the face returns and the constraint goes.
  c.ops.undo('anna');
  assert.equal(c.deps.identities.get(id(6))!.name, null);
  const cannotBefore = c.deps.identities.constraints().filter((x) => x.kind === 'cannot').length;
  c.ops.undo('anna');
  assert.equal(identityOf(c.db, p5[4]!), identityOf(c.db, p5[0]!));
  assert.ok(c.deps.identities.constraints().filter((x) => x.kind === 'cannot').length < cannotBefore);

  const audit = c.db.prepare("SELECT action, details FROM audit_log WHERE action LIKE 'identity.%' ORDER BY id").all() as { action: string; details: string }[];
  assert.deepEqual(audit.map((a) => a.action), ['identity.merge', 'identity.split', 'identity.reject', 'identity.name', 'identity.undo', 'identity.undo']);
  const merge = JSON.parse(audit[0]!.details) as { op: number; before: Record<string, number[]>; after: Record<string, number[]> };
  assert.equal(merge.op, m.op);
  assert.equal(Object.keys(merge.before).length, 2);
  assert.equal(Object.keys(merge.after).length, 1);
});

test('merging identities that share a photo is refused and changes nothing', async () => {
  const c = syntheticCase();
  const photo = Number(c.db.prepare("INSERT INTO media (sha256, byte_size, kind, status) VALUES ('pair', 1, 'image', 'done')").run().lastInsertRowid);
  const a = c.addFace(8, { media: photo });
  const b = c.addFace(9, { media: photo });
  await runClustering(c.deps, { full: true, examiner: 'e' });
  const before = partition(c.db);
  assert.throws(() => c.ops.merge([identityOf(c.db, a)!, identityOf(c.db, b)!], 'anna'), /appear in one photo/);
  assert.equal(partition(c.db), before);
  assert.equal(c.db.prepare('SELECT count(*) FROM identity_ops').pluck().get(), 0);
});

test('a confirmed identity is never changed by clustering; similar new faces become suggestions', async () => {
  const c = syntheticCase();
  await runClustering(c.deps, { full: true, examiner: 'e' });
  const locked = identityOf(c.db, facesOfPerson(7)[0]!)!;
  c.ops.confirm(locked, 'anna');
  const fresh = [c.addFace(7, { age: 8 }), c.addFace(7, { age: 9 })];
  await runClustering(c.deps, { full: false, examiner: 'e' });
  await runClustering(c.deps, { full: true, examiner: 'e' });
  assert.deepEqual(c.deps.identities.facesOf(locked), facesOfPerson(7));
  const newIdentity = identityOf(c.db, fresh[0]!)!;
  assert.notEqual(newIdentity, locked);
  const s = identitySuggestions(c.deps, locked, 5);
  assert.equal(s[0]?.identityId, newIdentity, 'the new faces are the top suggestion');
  assert.equal(s[0]!.crossAge, true);
  assert.ok(s[0]!.ageGap! > 10);
});

const identitiesOfPeople = (db: Db, people: readonly (readonly number[])[]): (number | null)[][] => people.map((fs) => [...new Set(fs.map((f) => identityOf(db, f)))]);

test('a case filled by one person (a phone owner\'s photos) keeps that person in one identity', async () => {
  const c = syntheticCase({ people: 0 });
  const owner = Array.from({ length: 40 }, (_, k) => c.addFace(0, { age: 30 + (k % 5) }));
  const others = Array.from({ length: 4 }, (_, p) => [c.addFace(p + 1), c.addFace(p + 1)]);
  await runClustering(c.deps, { full: true, examiner: 'e' });
  assert.deepEqual(identitiesOfPeople(c.db, [owner]).map((ids) => ids.length), [1], 'the owner is split');
  const ownerId = identityOf(c.db, owner[0]!);
  for (const fs of others) assert.ok(fs.every((f) => identityOf(c.db, f) !== ownerId), 'a stranger joined the owner');
  // Without the sure-pair floor the owner's own faces fill the cohort and the owner falls apart.
  await runClustering(c.deps, { full: true, examiner: 'e', params: { ...DEFAULT_CLUSTER_PARAMS, sureScore: 2 } });
  assert.ok(identitiesOfPeople(c.db, [owner])[0]!.length > 1);
});

test('once a case has doubled, new people are normalised against a new cohort, not the first batch\'s', async () => {
  const c = syntheticCase({ people: 0 });
  for (let k = 0; k < 10; k++) c.addFace(0);
  await runClustering(c.deps, { full: false, examiner: 'e' });
  const newcomers = Array.from({ length: 10 }, (_, p) => [c.addFace(p + 1), c.addFace(p + 1), c.addFace(p + 1)]);
  const run = await runClustering(c.deps, { full: false, examiner: 'e' });
  assert.equal(run.mode, 'incremental');
  const ids = identitiesOfPeople(c.db, newcomers);
  assert.ok(ids.every((x) => x.length === 1), `a newcomer is split: ${JSON.stringify(ids)}`);
  assert.equal(new Set(ids.flat()).size, 10, `newcomers merged together: ${JSON.stringify(ids)}`);
});
