import type { Db } from '../db/database.js';
import { caseLibraryItems } from '../repositories/matchRepository.js';
import { fusedVector } from '../search/fusedVector.js';
import type { IndexedModel } from '../search/faceIndex.js';
import { ageBand } from './scoreNormalisation.js';

export type { IndexedModel } from '../search/faceIndex.js';

/**
 * The units the clusterer works on: each photo face, and each video track once (its
 * quality-weighted template; all its faces share its identity). Units with an identity come first
 * (in key order), then the new ones, so that an incremental run can search only the new rows.
 */
export interface CaseUnits {
  readonly keys: string[];
  readonly faces: number[][];
  readonly matrix: Float32Array;
  readonly dims: number;
  readonly ages: (number | null)[];
  /** Overall face quality (a track's: its quality-weighted template's). */
  readonly quality: number[];
  readonly bands: Uint8Array;
  /** Current identity of each unit (null: not clustered yet). */
  readonly identity: (number | null)[];
  /** Index of the first unit without an identity. */
  readonly firstNew: number;
  readonly unitOfFace: Map<number, number>;
  /** Pairs of units seen in one photo or one video frame: never one person. */
  readonly sameFrame: [number, number][];
}

export function loadCaseUnits(db: Db, models: readonly IndexedModel[]): CaseUnits {
  const items = caseLibraryItems(db, null);
  const faceRows = db.prepare('SELECT id, track_id, media_id, frame_ms, identity_id, quality FROM faces ORDER BY id').all() as
    { id: number; track_id: number | null; media_id: number; frame_ms: number | null; identity_id: number | null; quality: number }[];
  const faceQuality = new Map(faceRows.map((f) => [f.id, f.quality]));
  const trackQuality = new Map((db.prepare('SELECT id, quality FROM tracks').all() as { id: number; quality: number }[]).map((t) => [t.id, t.quality]));
  const trackFaces = new Map<number, number[]>();
  const identityOfFace = new Map<number, number | null>();
  for (const f of faceRows) {
    identityOfFace.set(f.id, f.identity_id);
    if (f.track_id !== null) {
      let l = trackFaces.get(f.track_id);
      if (!l) trackFaces.set(f.track_id, (l = []));
      l.push(f.id);
    }
  }
  const raw = items.map((it) => {
    const faces = it.item.kind === 'track' ? trackFaces.get(it.item.trackId!) ?? [it.item.faceId!] : [it.item.faceId!];
    const identity = faces.map((f) => identityOfFace.get(f) ?? null).find((x) => x !== null) ?? null;
    const quality = it.item.kind === 'track' ? trackQuality.get(it.item.trackId!) ?? 0 : faceQuality.get(it.item.faceId!) ?? 0;
    return { key: it.item.key, faces, age: it.item.age, quality, identity, embeddings: it.embeddings[0]! };
  });
  const ordered = [...raw.filter((u) => u.identity !== null), ...raw.filter((u) => u.identity === null)];
  const ids = models.map((m) => m.id);
  const dimsList = models.map((m) => m.dim);
  const dims = dimsList.reduce((a, d) => a + d, 0);
  const matrix = new Float32Array(ordered.length * dims);
  ordered.forEach((u, i) => matrix.set(fusedVector(u.embeddings, ids, dimsList), i * dims));
  const unitOfFace = new Map<number, number>();
  ordered.forEach((u, i) => u.faces.forEach((f) => unitOfFace.set(f, i)));
  const byFrame = new Map<string, Set<number>>();
  for (const f of faceRows) {
    const u = unitOfFace.get(f.id);
    if (u === undefined) continue;
    const key = `${f.media_id}:${f.frame_ms ?? ''}`;
    let s = byFrame.get(key);
    if (!s) byFrame.set(key, (s = new Set()));
    s.add(u);
  }
  const pairs = new Set<string>();
  const sameFrame: [number, number][] = [];
  for (const s of byFrame.values()) {
    const us = [...s].sort((a, b) => a - b);
    for (let x = 0; x < us.length; x++) for (let y = x + 1; y < us.length; y++) {
      const k = `${us[x]}:${us[y]}`;
      if (!pairs.has(k)) { pairs.add(k); sameFrame.push([us[x]!, us[y]!]); }
    }
  }
  return {
    keys: ordered.map((u) => u.key), faces: ordered.map((u) => u.faces), matrix, dims,
    ages: ordered.map((u) => u.age), quality: ordered.map((u) => u.quality), bands: Uint8Array.from(ordered.map((u) => ageBand(u.age))),
    identity: ordered.map((u) => u.identity), firstNew: ordered.filter((u) => u.identity !== null).length, unitOfFace, sameFrame,
  };
}
