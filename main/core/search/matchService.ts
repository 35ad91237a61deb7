import Database from 'better-sqlite3-multiple-ciphers';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { MetricKind, exactSearch } from 'usearch';
import { KestrelError, type MatchBy, type MatchDto, type MatchItemDto, type MatchLibraryDto, type MatchPairDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import { LATEST_SCHEMA_VERSION } from '../db/migrations.js';
import type { FacePool } from '../faces/facePool.js';
import { analyzeImage } from '../faces/imageAnalyzer.js';
import { sniffFileType, SNIFF_BYTES } from '../media/fileType.js';
import { sha256 } from '../media/hashing.js';
import { walkSource } from '../media/sourceWalker.js';
import type { AuditRepository } from '../repositories/auditRepository.js';
import { caseLibraryItems, type LibraryItem, type MatchRepository } from '../repositories/matchRepository.js';
import type { WatchlistRepository } from '../repositories/watchlistRepository.js';
import { evidenceFor, type Calibration } from './calibration.js';
import { fusedVector } from './fusedVector.js';
import { rowDot } from './similarity.js';
import type { FaceIndex } from './faceIndex.js';
import { isEncryptedCase } from '../vault/caseKey.js';

export interface MatchRequest {
  /** Library specs: case, case:DIR, source:ID, watchlist:NAME, folder:DIR. */
  readonly a: string;
  readonly b: string;
  readonly threshold?: number;
  /** Pairs kept at most (the strongest); default DEFAULT_MAX_PAIRS. */
  readonly maxPairs?: number;
  /** One pair per item pair (default), or one per identity pair. */
  readonly by?: MatchBy;
  readonly examiner: string;
}

export interface MatchDeps {
  readonly caseDb: Db;
  readonly caseName: string;
  readonly pool: () => Promise<FacePool>;
  readonly watchlists: WatchlistRepository;
  readonly matches: MatchRepository;
  readonly audit: AuditRepository;
  /** The case's recognizers (id, embedding size, weights' SHA-256), in fusion order. */
  readonly models: readonly { readonly id: string; readonly dim: number; readonly sha256: string }[];
  readonly calibration: Calibration | null;
  /** The case's face index when it is a graph (too many faces to scan), else null: M:N against this case then shortlists through it. */
  readonly graphIndex?: () => FaceIndex | null;
}

export const DEFAULT_MAX_PAIRS = 100_000;
/** Candidates fetched per item of A before the threshold (an item with more hits is reported). */
export const MATCH_CANDIDATES_PER_ITEM = 500;

interface Library { readonly dto: MatchLibraryDto; readonly items: readonly LibraryItem[] }

/**
 * M:N match: every item of library A against every item of library B (exact inner products on the
 * fused vectors), pairs at or above the threshold, one pair per item pair (a subject with several
 * reference photos, a track with many faces count once, at their best score), sorted by strength of
 * evidence, stored and audited. Matching a library against itself gives each unordered pair once.
 */
export async function runMatch(d: MatchDeps, req: MatchRequest): Promise<MatchDto> {
  const threshold = req.threshold ?? d.calibration?.thresholds['far_1e-3'];
  if (threshold === undefined) throw new KestrelError('INVALID_INPUT', 'No calibration exists for these recognizers: give --threshold');
  if (!(threshold > -1 && threshold < 1)) throw new KestrelError('INVALID_INPUT', `--threshold must be a cosine between -1 and 1 (got ${threshold})`);
  const maxPairs = req.maxPairs ?? DEFAULT_MAX_PAIRS;
  const a = await loadLibrary(d, req.a);
  const same = normaliseSpec(req.a) === normaliseSpec(req.b);
  const b = same ? a : await loadLibrary(d, req.b);
  const ids = d.models.map((m) => m.id);
  const dims = d.models.map((m) => m.dim);
  const total = dims.reduce((x, y) => x + y, 0);

  // B as one row per embedding set (a subject contributes one row per reference photo).
  const rowsB: number[] = [];
  b.items.forEach((it, i) => it.embeddings.forEach(() => rowsB.push(i)));
  const matrix = new Float32Array(rowsB.length * total);
  let r = 0;
  for (const it of b.items) for (const e of it.embeddings) matrix.set(fusedVector(e, ids, dims), total * r++);

  const best = new Map<string, { ia: number; ib: number; score: number }>();
  // A library against itself: each unordered pair once, whichever side's search found it (a graph
  // search may find a pair from one side only).
  const note = (i: number, j: number, score: number): void => {
    if (same && i === j) return;
    const [ia, ib] = same && j < i ? [j, i] : [i, j];
    const key = `${ia}:${ib}`;
    const cur = best.get(key);
    if (!cur || score > cur.score) best.set(key, { ia, ib, score });
  };
  let overflow = false;
  const index = normaliseSpec(req.b) === 'case' && rowsB.length ? d.graphIndex?.() : null;
  const k = Math.min(MATCH_CANDIDATES_PER_ITEM, rowsB.length);
  const viaGraph = index ? matchThroughGraph(d.caseDb, index, a, b, matrix, total, k, threshold, note, ids, dims) : null;
  if (viaGraph) overflow = viaGraph.overflow;
  else if (rowsB.length) {
    a.items.forEach((it, ia) => {
      for (const e of it.embeddings) {
        const res = exactSearch(matrix, fusedVector(e, ids, dims), total, k, MetricKind.IP, 0) as { keys: BigUint64Array; distances: Float32Array };
        let above = 0;
        for (let j = 0; j < res.keys.length; j++) {
          const score = 1 - res.distances[j]!;
          if (score < threshold) continue;
          above++;
          note(ia, rowsB[Number(res.keys[j])]!, score);
        }
        if (above === k && k < rowsB.length) overflow = true;
      }
    });
  }
  const bDto = viaGraph ? { ...b.dto, label: `${b.dto.label}, shortlisted by the case's index graph (${k} nearest faces per item of ${a.dto.label}, then scored exactly)` } : b.dto;
  const by = req.by ?? 'item';
  const kept = by === 'identity' ? perIdentityPair([...best.values()], a, b, same) : [...best.values()].map((p) => ({ ...p, n: 1 }));
  const scored = kept.map((p) => {
    const ia = a.items[p.ia]!.item;
    const ib = b.items[p.ib]!.item;
    const sizes = [ia.faceSizePx, ib.faceSizePx].filter((x): x is number => x !== null);
    const lr = d.calibration ? evidenceFor(d.calibration, p.score, ia.age, ib.age, sizes.length ? Math.min(...sizes) : null).log10Lr : null;
    return { p, ia, ib, lr };
  });
  scored.sort((x, y) => (y.lr ?? 0) - (x.lr ?? 0) || y.p.score - x.p.score);
  const pairs: MatchPairDto[] = scored.slice(0, maxPairs).map((s, i) => ({
    rank: i + 1, score: round4(s.p.score), log10Lr: s.lr === null ? null : round4(s.lr), a: s.ia, b: s.ib, ...(by === 'identity' ? { itemPairs: s.p.n } : {}),
  }));
  const pairsCompared = same ? (a.items.length * (a.items.length - 1)) / 2 : a.items.length * b.items.length;
  const m = {
    examiner: req.examiner, a: a.dto, b: bDto, threshold,
    thresholdSource: req.threshold !== undefined ? 'given by the examiner' : `false-accept rate 1e-3 on the calibration data (${d.calibration!.data.protocol})`,
    models: ids, pairsCompared, truncated: overflow || scored.length > maxPairs, maxPairs, ...(by === 'identity' ? { by } : {}), pairs,
  };
  const id = d.matches.insert(m);
  d.audit.append(req.examiner, 'match.run', `match:${id}`, {
    a: a.dto, b: bDto, threshold, models: ids, pairs_compared: pairsCompared, pairs: pairs.length, truncated: m.truncated, by,
  });
  return d.matches.get(id)!;
}

/** The unit an item counts as in a run by identity: its identity in its case, else the item itself. */
const unitOf = (it: MatchItemDto): string => (it.identityId !== undefined && it.identityId !== null ? `identity:${it.identityId}` : it.key);

/**
 * One pair per identity pair: the strongest of the item pairs whose sides belong to the same two
 * units (an identity, or an item in none), with how many item pairs it stands for. Within one library
 * the pairs inside one identity are dropped: they are that identity, not a match.
 */
function perIdentityPair(pairs: readonly { ia: number; ib: number; score: number }[], a: Library, b: Library, same: boolean): { ia: number; ib: number; score: number; n: number }[] {
  const groups = new Map<string, { ia: number; ib: number; score: number; n: number }>();
  for (const p of pairs) {
    const ua = unitOf(a.items[p.ia]!.item);
    const ub = unitOf(b.items[p.ib]!.item);
    if (same && ua === ub) continue;
    const key = same && ub < ua ? `${ub}|${ua}` : `${ua}|${ub}`;
    const g = groups.get(key);
    if (!g) groups.set(key, { ...p, n: 1 });
    else {
      g.n++;
      if (p.score > g.score) { g.ia = p.ia; g.ib = p.ib; g.score = p.score; }
    }
  }
  return [...groups.values()];
}

/**
 * M:N against this case when its index is a graph (cases above the exact-search limit; a scan of
 * 1M faces takes 286 ms, so 10,000 items of A would take about 24 min on 2 cores): each item of A
 * takes the graph's k nearest faces, which name B's items (a photo face, or the video track it
 * belongs to), and those items are then scored exactly, as the scan scores them. Null when the
 * index is exact: the scan is used.
 */
function matchThroughGraph(db: Db, index: FaceIndex, a: Library, b: Library, matrix: Float32Array, total: number, k: number, threshold: number,
  note: (ia: number, ib: number, score: number) => void, ids: readonly string[], dims: readonly number[]): { overflow: boolean } | null {
  const owners: number[] = [];
  a.items.forEach((it, ia) => it.embeddings.forEach(() => owners.push(ia)));
  const queries = new Float32Array(owners.length * total);
  let r = 0;
  for (const it of a.items) for (const e of it.embeddings) queries.set(fusedVector(e, ids, dims), total * r++);
  const firstRow = new Int32Array(b.items.length + 1);
  b.items.forEach((it, i) => { firstRow[i + 1] = firstRow[i]! + it.embeddings.length; });
  const itemOfFace = new Map<number, number>();
  const itemOfTrack = new Map<number, number>();
  b.items.forEach((it, i) => {
    if (it.item.kind === 'track' && it.item.trackId !== null) itemOfTrack.set(it.item.trackId, i);
    else if (it.item.faceId !== null) itemOfFace.set(it.item.faceId, i);
  });
  if (itemOfTrack.size) {
    for (const f of db.prepare('SELECT id, track_id FROM faces WHERE track_id IS NOT NULL').iterate() as Iterable<{ id: number; track_id: number }>) {
      const i = itemOfTrack.get(f.track_id);
      if (i !== undefined) itemOfFace.set(f.id, i);
    }
  }
  let overflow = false;
  const batch = 1024;
  for (let s = 0; s < owners.length; s += batch) {
    const e = Math.min(owners.length, s + batch);
    const hits = index.searchGraph(queries.subarray(s * total, e * total), k);
    if (!hits) return null;
    hits.forEach((list, x) => {
      const q = s + x;
      const seen = new Set<number>();
      for (const h of list) {
        const ib = itemOfFace.get(h.faceId);
        if (ib === undefined || seen.has(ib)) continue;
        seen.add(ib);
        let score = -Infinity;
        for (let row = firstRow[ib]!; row < firstRow[ib + 1]!; row++) score = Math.max(score, rowDot(queries, q, matrix, row, total));
        if (score >= threshold) note(owners[q]!, ib, score);
      }
      if (list.length === k && k < index.size && list[k - 1]!.score >= threshold) overflow = true;
    });
  }
  return { overflow };
}

/** A library spec as recorded: folder and case paths made absolute, so a stored match names exactly what was read. */
const normaliseSpec = (s: string): string => {
  const [kind, ...rest] = s.split(':');
  const arg = rest.join(':');
  return (kind === 'case' || kind === 'folder') && arg ? `${kind}:${resolve(arg)}` : s;
};

async function loadLibrary(d: MatchDeps, spec: string): Promise<Library> {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? '' : spec.slice(colon + 1);
  const lib = (label: string, items: readonly LibraryItem[], skipped = 0): Library => ({ dto: { spec: normaliseSpec(spec), label, items: items.length, skipped }, items });
  switch (kind) {
    case 'case':
      if (!arg) return lib(`this case (${d.caseName})`, caseLibraryItems(d.caseDb, null));
      return otherCase(d, resolve(arg), lib);
    case 'source': {
      const id = Number(arg);
      if (!Number.isInteger(id) || !d.caseDb.prepare('SELECT 1 FROM sources WHERE id = ?').get(id)) throw new KestrelError('NOT_FOUND', `No source ${arg} in this case (kestrel open lists them)`);
      return lib(`source ${id} of this case`, caseLibraryItems(d.caseDb, id));
    }
    case 'watchlist': {
      const list = d.watchlists.byName(arg);
      if (!list) throw new KestrelError('NOT_FOUND', `No watchlist '${arg}' in this case`);
      const items = d.watchlists.subjectRefs().filter((s) => s.watchlist === arg).map((s): LibraryItem => ({
        item: { kind: 'subject', key: `subject:${s.subjectId}`, faceId: null, trackId: null, subjectId: s.subjectId, subject: s.name, mediaPath: '', mediaSha256: null, frameMs: null, startMs: null, endMs: null, age: null, faceSizePx: null },
        embeddings: s.refs,
      }));
      // Retired subjects (found, or no longer wanted) are not matched; the label says how many.
      return lib(`watchlist ${arg}${list.retired ? ` (${list.retired} retired subject(s) left out)` : ''}`, items);
    }
    case 'folder':
      return folderLibrary(d, resolve(arg), lib);
    default:
      throw new KestrelError('INVALID_INPUT', `Unknown library '${spec}': use case, case:DIR, source:ID, watchlist:NAME or folder:DIR`);
  }
}

/** Another case, read-only: it must have been made with the same recognizer weights. */
function otherCase(d: MatchDeps, dir: string, lib: (label: string, items: readonly LibraryItem[]) => Library): Library {
  const file = join(dir, 'case.sqlite');
  if (!existsSync(file)) throw new KestrelError('CASE_NOT_FOUND', `No Kestrel case at ${dir}`);
  if (isEncryptedCase(dir)) {
    throw new KestrelError('INVALID_INPUT', `Case ${dir} is encrypted: its faces are read only inside it. Match from that case instead (its library 'case' against this one's), or against a folder of the photos`);
  }
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== LATEST_SCHEMA_VERSION) throw new KestrelError('INVALID_INPUT', `Case ${dir} has schema ${version}; open it once with this Kestrel (kestrel open --case) before matching`);
    const theirs = new Map((db.prepare("SELECT id, sha256 FROM models WHERE role = 'recognizer'").all() as { id: string; sha256: string }[]).map((m) => [m.id, m.sha256]));
    const differ = d.models.filter((m) => theirs.get(m.id) !== m.sha256).map((m) => m.id);
    if (differ.length) throw new KestrelError('PROFILE_MISMATCH', `Case ${dir} was not embedded with the same recognizer weights (${differ.join(', ')}): its faces cannot be compared with this case's`);
    return lib(`case ${dir}`, caseLibraryItems(db, null));
  } finally {
    db.close();
  }
}

/** Every face of every photo under a folder, analysed now with the case's pipeline (the folder is only read). */
async function folderLibrary(d: MatchDeps, dir: string, lib: (label: string, items: readonly LibraryItem[], skipped: number) => Library): Promise<Library> {
  if (!existsSync(dir)) throw new KestrelError('INVALID_INPUT', `Folder ${dir} does not exist`);
  const pool = await d.pool();
  const files: string[] = [];
  let skipped = 0;
  for await (const w of walkSource(dir)) {
    if (w.type === 'file') files.push(w.path);
    else skipped++;
  }
  const perFile: LibraryItem[][] = new Array(files.length);
  let next = 0;
  // A few photos in flight keep every face worker busy while the next file is read and decoded.
  const runner = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      perFile[i] = await photoItems(pool, dir, files[i]!);
      if (!perFile[i]!.length) skipped++;
    }
  };
  await Promise.all(Array.from({ length: 4 }, runner));
  const items = perFile.flat();
  return lib(`folder ${dir}`, items, skipped);
}

async function photoItems(pool: FacePool, dir: string, path: string): Promise<LibraryItem[]> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch {
    return [];
  }
  const t = sniffFileType(buf.subarray(0, SNIFF_BYTES));
  if (t.kind !== 'image') return [];
  const an = await analyzeImage(pool, buf, t.format);
  if (!an.ok) return [];
  const sha = sha256(buf);
  return an.result.faces.map((f, i) => ({
    item: {
      kind: 'photo', key: `photo:${sha}#${i + 1}`, faceId: null, trackId: null, subjectId: null, subject: null,
      mediaPath: relative(dir, path), mediaSha256: sha, frameMs: null, startMs: null, endMs: null, age: f.age, faceSizePx: Math.min(f.box.width, f.box.height),
    },
    embeddings: [f.embeddings],
  }));
}

const round4 = (v: number): number => Math.round(v * 10000) / 10000;
