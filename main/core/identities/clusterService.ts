import { createHash } from 'node:crypto';
import type { CaseVault } from '../vault/caseVault.js';
import type { ClusterRunDto } from '../../contract/index.js';
import type { Db } from '../db/database.js';
import type { AuditRepository } from '../repositories/auditRepository.js';
import type { CaseMetaRepository } from '../repositories/caseMetaRepository.js';
import type { IdentityRepository } from '../repositories/identityRepository.js';
import { loadCaseUnits, type CaseUnits, type IndexedModel } from './caseUnits.js';
import { clusterUnits, MIN_CLUSTER_QUALITY, type ClusterParams } from './identityClustering.js';
import { nearestUnits } from './neighbours.js';
import { RowDots } from '../util/vectorDots.js';
import { chooseCohort, keptCohortStats, type CohortStats } from './scoreNormalisation.js';

export interface ClusterDeps {
  readonly db: Db;
  readonly identities: IdentityRepository;
  readonly meta: CaseMetaRepository;
  readonly audit: AuditRepository;
  readonly models: readonly IndexedModel[];
  readonly threads: number;
  /** The clustering parameters (DEFAULT_CLUSTER_PARAMS in the product). */
  readonly params: ClusterParams;
  /**
   * Where the neighbour graph and cohort statistics of the case's units are kept between runs
   * (derived/identities/), so that an incremental run works on its new units only; none: computed
   * afresh every time.
   */
  readonly cache?: { readonly dir: string; readonly vault: CaseVault };
}

const COHORT_KEY = 'identities.cohort';

interface SavedCohort {
  readonly models: string;
  readonly keys: string[];
  /** Units in the case when the cohort was chosen. */
  readonly units?: number;
}

/** The normalisation context of a case: its units, their cohort statistics and the cohort itself. */
export interface NormalisedUnits {
  readonly units: CaseUnits;
  readonly stats: CohortStats;
  readonly cohortKeys: string[];
  readonly cohortReused: boolean;
  readonly cohortUnits: number;
  /** Per unit, a number that stays the same across runs (the key of the kept graph and statistics). */
  readonly stableKeys: Float64Array;
  /** The units' inner products (a copy of their vectors for the SIMD kernel), made on first use. */
  readonly rows: () => RowDots;
}

const modelsSignature = (models: readonly IndexedModel[]): string => models.map((m) => `${m.id}:${m.dim}`).join('+');

/** A number per unit that stays the same across runs: face id * 2, track id * 2 + 1. */
function stableUnitKeys(keys: readonly string[]): Float64Array {
  return Float64Array.from(keys, (k) => {
    const [kind, id] = k.split(':');
    return Number(id) * 2 + (kind === 'track' ? 1 : 0);
  });
}

/**
 * Loads the case's units and scores them against the case's cohort. The cohort is kept in the case
 * (so that later runs, incremental ones and suggestions, normalise exactly as the clustering did)
 * and chosen anew on a full run, when the recognizers changed, or when it no longer represents the
 * case: the case has doubled since, or a cohort chosen now would be a quarter larger. (A cohort
 * drawn from a first batch of one family's photos, kept while other people's photos arrive, rates
 * every pair of newcomers far above it and merges them all: measured on a real case.)
 */
export function normalisedUnits(deps: ClusterDeps, fresh: boolean, params: ClusterParams = deps.params): NormalisedUnits {
  const units = loadCaseUnits(deps.db, deps.models);
  const sig = modelsSignature(deps.models);
  let saved: SavedCohort | null = null;
  try {
    const raw = deps.meta.get(COHORT_KEY);
    saved = raw ? (JSON.parse(raw) as SavedCohort) : null;
  } catch {
    saved = null;
  }
  const index = new Map(units.keys.map((k, i) => [k, i]));
  let cohort: Int32Array | null = null;
  const n = units.keys.length;
  const candidate = chooseCohort(units.bands, params.cohortPerBand);
  if (!fresh && saved && saved.models === sig && n < 2 * (saved.units ?? saved.keys.length) && candidate.length <= 1.25 * saved.keys.length) {
    const idx = saved.keys.map((k) => index.get(k)).filter((i): i is number => i !== undefined);
    // A cohort that lost most of its units (faces removed) is chosen again.
    if (idx.length >= Math.min(saved.keys.length, 2) && idx.length >= saved.keys.length * 0.9) cohort = Int32Array.from(idx.sort((a, b) => a - b));
  }
  const reused = cohort !== null;
  const cohortUnits = reused ? (saved?.units ?? saved?.keys.length ?? n) : n;
  cohort ??= candidate;
  const cohortKeys = Array.from(cohort, (u) => units.keys[u]!);
  const stableKeys = stableUnitKeys(units.keys);
  const store = deps.cache
    ? { ...deps.cache, signature: createHash('sha256').update(`${sig}|${cohortKeys.join(',')}`).digest('hex'), keys: stableKeys }
    : undefined;
  let dots: RowDots | undefined;
  const rows = (): RowDots => (dots ??= new RowDots(units.matrix, units.dims));
  const stats = keptCohortStats(units.matrix, units.dims, cohort, Uint8Array.from(cohort, (u) => units.bands[u]!), store, rows);
  return { units, stats, cohortKeys, cohortReused: reused, cohortUnits, stableKeys, rows };
}

/**
 * Clusters the case into identities. Incremental (the default once a case has identities): units
 * that already have an identity keep it, new units join an existing identity or form new ones, and
 * existing identities are never merged or split. Full: everything is clustered again, except
 * confirmed identities, which never change; identity ids (and names) follow the largest overlap
 * with the previous identities. Both honour every examiner constraint and never put two faces of
 * one photo or frame in one identity. Audited.
 */
export async function runClustering(deps: ClusterDeps, o: { full: boolean; examiner: string; params?: ClusterParams }): Promise<ClusterRunDto> {
  const t0 = performance.now();
  const params = o.params ?? deps.params;
  const hasIdentities = deps.identities.all().length > 0;
  const full = o.full || !hasIdentities;
  const norm = normalisedUnits(deps, full, params);
  const { units } = norm;
  const n = units.keys.length;
  const confirmed = new Set(deps.identities.all().filter((r) => r.status === 'confirmed').map((r) => r.id));
  const locked = new Int32Array(n).fill(-1);
  const fixed = new Int32Array(n).fill(-1);
  units.identity.forEach((id, u) => {
    if (id === null) return;
    if (confirmed.has(id)) locked[u] = id;
    else if (!full) fixed[u] = id;
  });
  const must: [number, number][] = [];
  const cannot: [number, number][] = [...units.sameFrame];
  const examinerConstraints = deps.identities.constraints();
  for (const c of examinerConstraints) {
    const a = units.unitOfFace.get(c.a);
    const b = units.unitOfFace.get(c.b);
    if (a === undefined || b === undefined || a === b) continue;
    (c.kind === 'must' ? must : cannot).push([a, b]);
  }
  const from = full ? 0 : units.firstNew;
  const rows = norm.rows();
  const candidates = await nearestUnits(units.matrix, units.dims, params.candidates, deps.threads, {
    from, rows, store: deps.cache ? { ...deps.cache, signature: modelsSignature(deps.models), keys: norm.stableKeys } : undefined,
  });
  const outcome = clusterUnits({ matrix: units.matrix, dims: units.dims, bands: units.bands, stats: norm.stats, candidates, candidatesFrom: from, must, cannot, locked, fixed,
    isolated: Uint8Array.from(units.quality, (q) => Number(q < MIN_CLUSTER_QUALITY)), rows }, params);

  // Clusters -> identity ids: a locked or fixed identity keeps its id; otherwise the previous
  // identity with the largest overlap (in faces), each used once; the rest are new identities.
  const clusters = new Map<number, number[]>();
  outcome.labels.forEach((l, u) => {
    let m = clusters.get(l);
    if (!m) clusters.set(l, (m = []));
    m.push(u);
  });
  const target = new Map<number, number>();
  const used = new Set<number>();
  for (const [c, members] of clusters) {
    const keep = members.map((u) => (locked[u]! >= 0 ? locked[u]! : fixed[u]!)).find((x) => x >= 0);
    if (keep !== undefined) { target.set(c, keep); used.add(keep); }
  }
  const overlaps: [number, number, number][] = [];
  for (const [c, members] of clusters) {
    if (target.has(c)) continue;
    const count = new Map<number, number>();
    for (const u of members) {
      const id = units.identity[u];
      if (id !== null && id !== undefined && !confirmed.has(id)) count.set(id, (count.get(id) ?? 0) + units.faces[u]!.length);
    }
    for (const [id, k] of count) overlaps.push([k, c, id]);
  }
  overlaps.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
  for (const [, c, id] of overlaps) if (!target.has(c) && !used.has(id)) { target.set(c, id); used.add(id); }
  const now = new Date().toISOString();
  let created = 0;
  let removed = 0;
  let changedFaces = 0;
  deps.db.transaction(() => {
    for (const c of [...clusters.keys()].sort((a, b) => a - b)) {
      if (!target.has(c)) { target.set(c, deps.identities.create(now)); created++; }
    }
    for (const [c, members] of clusters) {
      const id = target.get(c)!;
      const moved = members.filter((u) => units.identity[u] !== id).flatMap((u) => units.faces[u]!);
      if (moved.length) { deps.identities.assign(moved, id); changedFaces += moved.length; }
    }
    removed = deps.identities.removeEmpty();
    deps.meta.set(COHORT_KEY, JSON.stringify({ models: modelsSignature(deps.models), keys: norm.cohortKeys, units: norm.cohortUnits } satisfies SavedCohort));
  })();
  const dto: ClusterRunDto = {
    mode: full ? 'full' : 'incremental', units: n, newUnits: n - units.firstNew, faces: units.faces.reduce((a, f) => a + f.length, 0),
    identities: clusters.size, identitiesWithSeveralUnits: [...clusters.values()].filter((m) => m.length > 1).length,
    created, removed, seeds: outcome.seeds, merges: outcome.merges,
    isolated: units.quality.filter((q, u) => q < MIN_CLUSTER_QUALITY && u >= from).length,
    constraints: { must: must.length, cannot: cannot.length, locked: confirmed.size, contradictions: outcome.contradictions },
    params: { ...params }, seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
  deps.audit.append(o.examiner, 'identities.cluster', dto.mode, { ...dto, changedFaces, cohort: norm.cohortKeys.length, cohortReused: norm.cohortReused });
  return dto;
}
