import { KestrelError, type IdentityDetailDto, type IdentityDto, type IdentityFaceDto, type IdentitySuggestionDto } from '../../contract/index.js';
import { jsDot } from '../util/vectorDots.js';
import { normalisedUnits, type ClusterDeps } from './clusterService.js';
import { evenlySpaced } from './identityClustering.js';
import { zScore } from './scoreNormalisation.js';
import type { IdentityAggregate, IdentityRow } from '../repositories/identityRepository.js';

const STRIP = 12;
/** Years between estimated age ranges above which a suggestion is flagged as cross-age. */
export const CROSS_AGE_YEARS = 10;

const round = (v: number, d = 3): number => Math.round(v * 10 ** d) / 10 ** d;

export function listIdentities(deps: ClusterDeps, o: { includeHidden?: boolean; minFaces?: number } = {}): IdentityDto[] {
  const agg = deps.identities.aggregates();
  const rows = deps.identities.all().filter((r) => (o.includeHidden || !r.hidden) && (agg.get(r.id)?.faces ?? 0) >= (o.minFaces ?? 1));
  const best = deps.identities.faces(rows.flatMap((r) => agg.get(r.id)?.bestFace ?? []));
  return rows.map((r) => toDto(r, agg.get(r.id), best)).sort((x, y) => y.faceCount - x.faceCount || x.id - y.id);
}

function toDto(r: IdentityRow, a: (IdentityAggregate & { sources: readonly string[] }) | undefined, faces: ReadonlyMap<number, IdentityFaceDto>): IdentityDto {
  return {
    id: r.id, name: r.name, status: r.status, hidden: r.hidden === 1, faceCount: a?.faces ?? 0, unitCount: a?.units ?? 0,
    ageRange: a && a.minAge !== null && a.maxAge !== null ? { min: round(a.minAge, 1), max: round(a.maxAge, 1) } : null,
    firstSeen: a?.first ?? null, lastSeen: a?.last ?? null, sources: a?.sources ?? [],
    bestFace: a?.bestFace ? faces.get(a.bestFace) ?? null : null,
  };
}

export function identityDetail(deps: ClusterDeps, id: number): IdentityDetailDto {
  if (!deps.identities.get(id)) throw new KestrelError('NOT_FOUND', `No identity ${id} in this case`);
  const faces = deps.identities.faceDtos(id);
  const a = deps.identities.aggregates([id]).get(id);
  return { ...toDto(deps.identities.get(id)!, a, deps.identities.faces(a?.bestFace ? [a.bestFace] : [])), ageStrip: ageStrip(faces), faces };
}

/** Faces spread evenly over the identity ordered by estimated age, then capture time (unknown last). */
export function ageStrip(faces: readonly IdentityFaceDto[]): IdentityFaceDto[] {
  const sorted = [...faces].sort((a, b) => (a.age ?? Infinity) - (b.age ?? Infinity) || (a.capturedAt ?? '\uffff').localeCompare(b.capturedAt ?? '\uffff') || a.faceId - b.faceId);
  if (sorted.length <= STRIP) return sorted;
  return Array.from({ length: STRIP }, (_, x) => sorted[Math.round((x * (sorted.length - 1)) / (STRIP - 1))]!);
}

/**
 * Other identities that may be the same person as `id`, ranked by their mean age-normalised score
 * against it (sampled cross pairs), with the best single pair and the age gap as evidence. Only
 * identities with at least one pair at the merge level (z >= mergeZ) are proposed; identities that
 * share a photo or frame with it, or that an examiner separated from it, are not.
 */
export function identitySuggestions(deps: ClusterDeps, id: number, limit = 10): IdentitySuggestionDto[] {
  if (!deps.identities.get(id)) throw new KestrelError('NOT_FOUND', `No identity ${id} in this case`);
  const { units, stats } = normalisedUnits(deps, false);
  const params = deps.params;
  const mine = units.identity.map((x, u) => (x === id ? u : -1)).filter((u) => u >= 0);
  if (!mine.length) return [];
  const sample = evenlySpaced(mine, params.sample);
  const separated = new Set<number>();
  const myFaces = new Set(mine.flatMap((u) => units.faces[u]!));
  for (const [a, b] of units.sameFrame) {
    if (units.identity[a] === id && units.identity[b] !== null) separated.add(units.identity[b]!);
    if (units.identity[b] === id && units.identity[a] !== null) separated.add(units.identity[a]!);
  }
  for (const c of deps.identities.constraints()) {
    if (c.kind !== 'cannot') continue;
    const other = myFaces.has(c.a) ? c.b : myFaces.has(c.b) ? c.a : null;
    const u = other === null ? undefined : units.unitOfFace.get(other);
    if (u !== undefined && units.identity[u] !== null) separated.add(units.identity[u]!);
  }
  const per = new Map<number, { sum: number; pairs: number; bestZ: number; bestScore: number; bestUnit: number }>();
  units.identity.forEach((other, v) => {
    if (other === null || other === id || separated.has(other)) return;
    let e = per.get(other);
    if (!e) per.set(other, (e = { sum: 0, pairs: 0, bestZ: -Infinity, bestScore: -Infinity, bestUnit: v }));
    if (e.pairs >= params.sample * params.sample) return;
    for (const u of sample) {
      const s = jsDot(units.matrix, units.dims, u, v);
      const z = zScore(stats, units.bands, u, v, s);
      e.sum += z;
      e.pairs++;
      if (z > e.bestZ) { e.bestZ = z; e.bestScore = s; e.bestUnit = v; }
    }
  });
  const ranked = [...per.entries()].filter(([, e]) => e.bestZ >= params.mergeZ)
    .map(([other, e]) => ({ other, e, mean: e.sum / e.pairs }))
    .sort((a, b) => b.mean - a.mean || a.other - b.other).slice(0, limit);
  const agg = deps.identities.aggregates([id, ...ranked.map((r) => r.other)]);
  const mineAgg = agg.get(id);
  return ranked.map(({ other, e, mean }) => {
    const a = agg.get(other);
    const r = deps.identities.get(other)!;
    const gap = mineAgg?.minAge != null && mineAgg.maxAge != null && a?.minAge != null && a.maxAge != null
      ? Math.max(0, a.minAge - mineAgg.maxAge, mineAgg.minAge - a.maxAge) : null;
    return {
      identityId: other, name: r.name, faceCount: a?.faces ?? 0, meanZ: round(mean, 2), bestScore: round(e.bestScore), bestZ: round(e.bestZ, 2),
      ageRange: a && a.minAge !== null && a.maxAge !== null ? { min: round(a.minAge, 1), max: round(a.maxAge, 1) } : null,
      ageGap: gap === null ? null : round(gap, 1), crossAge: gap !== null && gap > CROSS_AGE_YEARS,
      bestFace: a?.bestFace ? deps.identities.face(a.bestFace) : null,
    };
  });
}
