import { nearestUnits, type Candidates } from './neighbours.js';
import { ageBand, chooseCohort, cohortStats, zScore, type CohortStats } from './scoreNormalisation.js';
import { RowDots } from '../util/vectorDots.js';

/**
 * Clustering of a case's units (photo faces and video tracks) into identities, in two stages on
 * age-normalised scores (scoreNormalisation.ts):
 *
 * 1. Seeds: Chinese whispers (Biemann 2006) on the k-nearest-neighbour graph whose edges are far
 *    above both faces' cohorts (z >= seedZ). Strict, so seeds are almost always one person.
 * 2. Merges: average linkage between seeds, merging the pair with the highest mean z over all their
 *    cross pairs while it is at least mergeZ. A child seed joins an adult one only if the faces
 *    agree on average, not through one chance link; intermediate ages (3 -> 8 -> 14 -> 20) form
 *    cross-age identities because each merge raises the next one's average.
 *
 * Constraints are honoured in both stages: must-linked units (faces of one examiner "same person"
 * decision, members of a confirmed identity) move as one; cannot-linked units (two faces of one
 * photo or frame, examiner "not this person") never end in one cluster; locked identities are
 * never merged with anything or split; fixed units (an incremental run's existing identities) keep
 * their identity and can receive new units, but two fixed identities are never merged.
 * Deterministic: fixed visiting order, ties towards the smaller index.
 */
export interface ClusterParams {
  /** Seed edges: z at or above this (standard deviations above the cohort). */
  readonly seedZ: number;
  /** Seeds merge while their mean cross-pair z is at least this. */
  readonly mergeZ: number;
  /** Seed edges kept per unit. */
  readonly k: number;
  /** Candidate neighbours searched per unit (by raw cosine) before normalisation. */
  readonly candidates: number;
  /** Cohort units per age band. */
  readonly cohortPerBand: number;
  /**
   * Seeds weighed for a merge per unit: those of its strongest neighbours at or above mergeZ. At
   * 100,000 synthetic faces all 30 candidates of every unit reach z 2 by chance, and averaging them
   * all took 45.5 of 119 s; 10 took 9.7 s and clustered better (BCubed F1 0.903 against 0.891), with
   * FG-NET, AT&T and small_identity_sets unchanged.
   */
  readonly mergeLinks: number;
  /**
   * Cross pairs of two clusters are all averaged up to sample x sample of them; beyond that the
   * average is taken over this many evenly spaced members of each.
   */
  readonly sample: number;
  /**
   * Before averaging two large clusters (more than probe x probe cross pairs), probe x probe evenly
   * spaced pairs are averaged; where that is below mergeZ by more than probeMargin, it stands as the
   * estimate (the pair is far from merging). At 1,000,000 synthetic faces most linked cluster pairs
   * are strangers whose seeds met through a chance link: see the README for what this saved.
   */
  readonly probe: number;
  readonly probeMargin: number;
  /**
   * Fused cosine at or above which a pair counts as a seed edge (z at least seedZ) whatever the
   * cohort says; above 1 turns it off. The cohort comes from the case, so where one person fills
   * the case (a phone owner's selfies) that person's own faces raise their cohort and their z
   * falls: this floor keeps near-certain pairs together. 0.75 is the lowest value that leaves
   * FG-NET's BCubed precision where it was (0.915; the calibrated FAR 1e-3 threshold 0.58 drops it
   * to 0.72, 0.65 to 0.86): children's different-person pairs reach 0.7, adult repeats 0.85-0.95.
   */
  readonly sureScore: number;
}

/**
 * Chosen on FG-NET (fgnet_cluster.csv; README has the grid): seeds at z 4 and merges at z 2 give
 * BCubed precision 0.93 with recall 0.74. Both are in cohort standard deviations, not cosines, so they
 * do not depend on the recognizers' score scale.
 */
export const DEFAULT_CLUSTER_PARAMS: ClusterParams = { seedZ: 4, mergeZ: 2, k: 10, candidates: 30, cohortPerBand: 100, mergeLinks: 10, sample: 24, probe: 8, probeMargin: 1, sureScore: 0.75 };

export interface ClusterInput {
  /** n x dims fused vectors (inner product = fused cosine). */
  readonly matrix: Float32Array;
  readonly dims: number;
  readonly bands: Uint8Array;
  readonly stats: CohortStats;
  /** Candidate neighbours of units [candidatesFrom, n). */
  readonly candidates: Candidates;
  readonly candidatesFrom: number;
  readonly must: readonly (readonly [number, number])[];
  readonly cannot: readonly (readonly [number, number])[];
  /** Per unit: the locked identity it belongs to, or -1. */
  readonly locked: Int32Array;
  /** Per unit: the existing identity it keeps (incremental runs), or -1. */
  readonly fixed: Int32Array;
  /** Per unit: 1 where the face is too poor to group automatically (it stays alone; suggestions still list it). */
  readonly isolated?: Uint8Array;
  /**
   * Inner products of the matrix's rows, when the caller has them: an incremental run (candidatesFrom
   * above 0) averages few pairs, so it reads them there instead of copying every vector in seed order.
   */
  readonly rows?: RowDots;
}

/**
 * Overall quality below which a unit is not grouped automatically. A quality-0 video track (tiny,
 * blurred) joined a public figure's identity in a real case. Over the 11 shared videos, 110 of 123
 * tracks score exactly 0, 2 score 0.001-0.002 and none 0.01-0.02, so 0.01 keeps all of them out as
 * 0.02 did, while poor but real photos (old scans in FG-NET) between 0.01 and 0.02 are grouped:
 * FG-NET BCubed F1 0.814 at 0.02, 0.821 at 0.01 (chosen with FG-NET in view; see the README).
 */
export const MIN_CLUSTER_QUALITY = 0.01;

export interface ClusterOutcome {
  /** Per unit: its cluster, named by the smallest unit index in it. */
  readonly labels: Int32Array;
  readonly seeds: number;
  readonly merges: number;
  /** Cannot-links between units that must-links already join (the must-link wins). */
  readonly contradictions: number;
}

class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) { p[x] = p[p[x]!]!; x = p[x]!; }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

export function clusterUnits(input: ClusterInput, params: ClusterParams = DEFAULT_CLUSTER_PARAMS): ClusterOutcome {
  const n = input.bands.length;
  /** The normalised score of units i and j given their fused cosine s. */
  const zOf = (i: number, j: number, s: number): number => {
    const zz = zScore(input.stats, input.bands, i, j, s);
    return s >= params.sureScore ? Math.max(zz, params.seedZ) : zz;
  };

  // Groups: units that must stay together.
  const uf = new UnionFind(n);
  for (const [a, b] of input.must) uf.union(a, b);
  // Members of one locked (or fixed) identity stay together.
  const firstLocked = new Map<number, number>();
  const firstFixed = new Map<number, number>();
  const together = (first: Map<number, number>, id: number, i: number): void => {
    if (id < 0) return;
    const f = first.get(id);
    if (f === undefined) first.set(id, i);
    else uf.union(f, i);
  };
  for (let i = 0; i < n; i++) {
    together(firstLocked, input.locked[i]!, i);
    together(firstFixed, input.fixed[i]!, i);
  }
  const groupOf = new Int32Array(n);
  const rootToGroup = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    let g = rootToGroup.get(r);
    if (g === undefined) rootToGroup.set(r, (g = rootToGroup.size));
    groupOf[i] = g;
  }
  const G = rootToGroup.size;
  const groupLocked = new Uint8Array(G);
  const groupFixed = new Uint8Array(G);
  const groupSize = new Int32Array(G);
  for (let i = 0; i < n; i++) {
    groupSize[groupOf[i]!] = groupSize[groupOf[i]!]! + 1;
    if (input.locked[i]! >= 0) groupLocked[groupOf[i]!] = 1;
    if (input.fixed[i]! >= 0) groupFixed[groupOf[i]!] = 1;
  }
  // A poor face on its own neither moves nor receives others (an examiner's must-link still holds).
  for (let i = 0; i < n; i++) if (input.isolated?.[i] && groupSize[groupOf[i]!] === 1 && !groupFixed[groupOf[i]!]) groupLocked[groupOf[i]!] = 1;
  // Cannot-links by group (most groups have none).
  const cannotMap = new Map<number, number[]>();
  const NONE: readonly number[] = [];
  const cannotG = (g: number): readonly number[] => cannotMap.get(g) ?? NONE;
  const addCannot = (g: number, h: number): void => {
    let l = cannotMap.get(g);
    if (!l) cannotMap.set(g, (l = []));
    l.push(h);
  };
  let contradictions = 0;
  for (const [a, b] of input.cannot) {
    const ga = groupOf[a]!;
    const gb = groupOf[b]!;
    if (ga === gb) { contradictions++; continue; }
    addCannot(ga, gb);
    addCannot(gb, ga);
  }

  // Stage 1: seed graph between groups. Typed arrays throughout: a million units make tens of
  // millions of links, too many for one small object each.
  const { candidates: cand, candidatesFrom: from } = input;
  const K = cand.k;
  const searched = n - from;
  const mergeLinks = new PairList();
  // Each unit's seed edges: its best params.k candidates at or above seedZ (z descending, ties to the smaller unit).
  const sel = new Int32Array(searched * params.k).fill(-1);
  const selW = new Float64Array(searched * params.k);
  const rowJ = new Int32Array(K);
  const rowZ = new Float64Array(K);
  const linkZ = new Float64Array(K);
  const linkJ = new Int32Array(K);
  for (let q = 0; q < searched; q++) {
    const i = from + q;
    let len = 0;
    let links = 0;
    for (let x = 0; x < K; x++) {
      const j = cand.ids[q * K + x]!;
      if (j < 0) break;
      const zz = zOf(i, j, cand.scores[q * K + x]!);
      if (zz >= params.mergeZ) { linkZ[links] = zz; linkJ[links++] = j; }
      if (zz < params.seedZ) continue;
      // Insertion into the row kept sorted.
      let p = len++;
      while (p > 0 && (rowZ[p - 1]! < zz || (rowZ[p - 1] === zz && rowJ[p - 1]! > j))) { rowZ[p] = rowZ[p - 1]!; rowJ[p] = rowJ[p - 1]!; p--; }
      rowZ[p] = zz;
      rowJ[p] = j;
    }
    for (let x = 0; x < Math.min(len, params.k); x++) { sel[q * params.k + x] = rowJ[x]!; selW[q * params.k + x] = rowZ[x]!; }
    if (links > params.mergeLinks) {
      const cut = Float64Array.from(linkZ.subarray(0, links)).sort()[links - params.mergeLinks]!;
      let kept = 0;
      for (let x = 0; x < links && kept < params.mergeLinks; x++) if (linkZ[x]! >= cut) { mergeLinks.push(i, linkJ[x]!); kept++; }
    } else for (let x = 0; x < links; x++) mergeLinks.push(i, linkJ[x]!);
  }
  const selects = (j: number, i: number): boolean => {
    for (let x = 0; x < params.k; x++) {
      const v = sel[(j - from) * params.k + x]!;
      if (v === i) return true;
      if (v < 0) return false;
    }
    return false;
  };
  // Group-to-group edges, each unit pair once (from the first of its rows), weights summed per
  // neighbouring group in the order the edges come: the adjacency of each group as a compact list.
  const edges = new PairList();
  const edgeW: number[] = [];
  for (let q = 0; q < searched; q++) {
    const i = from + q;
    for (let x = 0; x < params.k; x++) {
      const j = sel[q * params.k + x]!;
      if (j < 0) break;
      if (j >= from && j < i && selects(j, i)) continue; // already taken from j's row
      const gi = groupOf[i]!;
      const gj = groupOf[j]!;
      if (gi === gj) continue;
      edges.push(gi, gj);
      edgeW.push(selW[q * params.k + x]!);
    }
  }
  const adj = groupAdjacency(G, edges, edgeW);
  const label = Int32Array.from({ length: G }, (_, g) => g);
  const acc = new Float64Array(G);
  const inAcc = new Uint8Array(G);
  const banned = new Int32Array(G).fill(-1);
  const touched: number[] = [];
  for (let it = 0; it < 30; it++) {
    let changed = 0;
    for (let g = 0; g < G; g++) {
      if (groupLocked[g] || groupFixed[g]) continue;
      touched.length = 0;
      for (let e = adj.start[g]!; e < adj.start[g + 1]!; e++) {
        const l = label[adj.to[e]!]!;
        if (groupLocked[l]) continue;
        if (!inAcc[l]) { inAcc[l] = 1; acc[l] = 0; touched.push(l); }
        acc[l] = acc[l]! + adj.weight[e]!;
      }
      for (const h of cannotG(g)) banned[label[h]!] = g;
      let best = label[g]!;
      let bestW = -Infinity;
      let eligible = 0;
      for (const l of touched) {
        inAcc[l] = 0;
        if (banned[l] === g) continue;
        eligible++;
        const w = acc[l]!;
        if (w > bestW || (w === bestW && l < best)) { best = l; bestW = w; }
      }
      if (!eligible) best = cannotG(g).some((h) => label[h] === label[g]) ? g : label[g]!;
      if (best !== label[g]) { label[g] = best; changed++; }
    }
    if (!changed) break;
  }

  // Stage 2: average linkage between seeds.
  const clusterOfGroup = Int32Array.from(label);
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = clusterOfGroup[groupOf[i]!]!;
    let m = members.get(c);
    if (!m) members.set(c, (m = []));
    m.push(i);
  }
  const seeds = members.size;
  // The units' vectors copied in seed order, so that averaging two clusters reads a few contiguous
  // blocks rather than rows scattered over the whole matrix: at 1,000,000 faces (2 GB of vectors)
  // a row read at random costs 1-2 us here, ten to twenty times the inner product itself.
  const inPlace = input.rows && from > 0 ? input.rows : null;
  const pos = inPlace ? Int32Array.from({ length: n }, (_, i) => i) : new Int32Array(n);
  const parts: Float32Array[] = [];
  if (!inPlace) for (const m of members.values()) for (const i of m) { pos[i] = parts.length; parts.push(input.matrix.subarray(i * input.dims, (i + 1) * input.dims)); }
  const local = inPlace ?? new RowDots(parts, input.dims);
  parts.length = 0;
  const z = (i: number, j: number): number => zOf(i, j, local.dot(pos[i]!, pos[j]!));
  const isLocked = (c: number): boolean => groupLocked[groupOf[members.get(c)![0]!]!] === 1;
  const fixedClusters = new Set<number>();
  for (const [c, m] of members) if (m.some((i) => groupFixed[groupOf[i]!])) fixedClusters.add(c);
  const isFixed = (c: number): boolean => fixedClusters.has(c);
  const conflicts = (a: number, b: number): boolean => {
    const [small, other] = members.get(a)!.length <= members.get(b)!.length ? [a, b] : [b, a];
    for (const i of members.get(small)!) for (const h of cannotG(groupOf[i]!)) if (clusterOfGroup[h] === other) return true;
    return false;
  };
  const eligible = (a: number, b: number): boolean => !isLocked(a) && !isLocked(b) && !(isFixed(a) && isFixed(b)) && !conflicts(a, b);
  // Average linkage keeps, for every pair of linked clusters, the sum of z over their cross pairs:
  // merging A and B into K gives sum(K, p) = sum(A, p) + sum(B, p), so a merge computes only the
  // sums its partners did not have with both sides, instead of every partner's average again. Sums
  // over more than sample x sample pairs are estimated from evenly spaced members. Measured on the
  // same 1,000,000 synthetic faces and candidates: 434 s for this stage with the sums kept, 353 s
  // with the copy in seed order as well (the earlier code: 418 s in the full bench).
  const crossSum = (ma: readonly number[], mb: readonly number[]): number => crossPairSum(ma, mb, z, params);
  /** Per cluster: its linked clusters and the z sum with each (pairs that can never merge are dropped). */
  const partners = new Map<number, Map<number, number>>();
  const linkOf = (a: number): Map<number, number> => {
    let p = partners.get(a);
    if (!p) partners.set(a, (p = new Map()));
    return p;
  };
  for (let x = 0; x < mergeLinks.length; x++) {
    const a = clusterOfGroup[groupOf[mergeLinks.a[x]!]!]!;
    const b = clusterOfGroup[groupOf[mergeLinks.b[x]!]!]!;
    if (a !== b) { linkOf(a).set(b, NaN); linkOf(b).set(a, NaN); }
  }
  const version = new Map<number, number>();
  const heap = new MaxHeap();
  const offer = (a: number, b: number, sum: number): void => {
    const avg = sum / (members.get(a)!.length * members.get(b)!.length);
    if (avg >= params.mergeZ) heap.push({ score: avg, a: Math.min(a, b), b: Math.max(a, b), va: version.get(Math.min(a, b)) ?? 0, vb: version.get(Math.max(a, b)) ?? 0 });
  };
  // Clusters that cannot merge now never can (locks and fixed identities stay, cannot-links only
  // gather as clusters grow), so such pairs are unlinked.
  const unlink = (a: number, b: number): void => { partners.get(a)?.delete(b); partners.get(b)?.delete(a); };
  for (const a of [...partners.keys()].sort((x, y) => x - y)) {
    for (const b of [...partners.get(a)!.keys()].sort((x, y) => x - y)) {
      if (a > b) continue;
      if (!eligible(a, b)) { unlink(a, b); continue; }
      const sum = crossSum(members.get(a)!, members.get(b)!);
      partners.get(a)!.set(b, sum);
      partners.get(b)!.set(a, sum);
      offer(a, b, sum);
    }
  }
  let merges = 0;
  for (let e = heap.pop(); e; e = heap.pop()) {
    if (!members.has(e.a) || !members.has(e.b) || (version.get(e.a) ?? 0) !== e.va || (version.get(e.b) ?? 0) !== e.vb) continue;
    if (!eligible(e.a, e.b)) continue;
    const keep = e.a;
    const gone = e.b;
    const before = { keep: members.get(keep)!, gone: members.get(gone)! };
    const linked = { keep: partners.get(keep) ?? new Map<number, number>(), gone: partners.get(gone) ?? new Map<number, number>() };
    const merged = [...before.keep, ...before.gone].sort((x, y) => x - y);
    for (const i of before.gone) clusterOfGroup[groupOf[i]!] = keep;
    members.set(keep, merged);
    members.delete(gone);
    if (fixedClusters.delete(gone)) fixedClusters.add(keep);
    version.set(keep, (version.get(keep) ?? 0) + 1);
    version.set(gone, (version.get(gone) ?? 0) + 1);
    merges++;
    const others = [...new Set([...linked.keep.keys(), ...linked.gone.keys()])].filter((p) => p !== keep && p !== gone).sort((x, y) => x - y);
    const now = new Map<number, number>();
    partners.set(keep, now);
    partners.delete(gone);
    for (const p of others) {
      const pp = partners.get(p)!;
      pp.delete(gone);
      pp.delete(keep);
      if (!eligible(keep, p)) continue;
      const mp = members.get(p)!;
      const sum = (linked.keep.get(p) ?? crossSum(before.keep, mp)) + (linked.gone.get(p) ?? crossSum(before.gone, mp));
      now.set(p, sum);
      pp.set(keep, sum);
      offer(keep, p, sum);
    }
  }

  const labels = new Int32Array(n);
  for (const m of members.values()) for (const i of m) labels[i] = m[0]!;
  return { labels, seeds, merges, contradictions };
}

/** count evenly spaced members (all of them when there are no more), so that the same cluster gives the same sample. */
export const evenlySpaced = (m: readonly number[], count: number): readonly number[] =>
  m.length <= count ? m : Array.from({ length: count }, (_, x) => m[Math.floor((x * m.length) / count)]!);

/**
 * The sum of z over the cross pairs of two clusters, as average linkage weighs them: every pair
 * up to sample x sample pairs, else estimated from sample evenly spaced members of each; and for
 * more than probe x probe pairs, first estimated from probe x probe, which stands when it is more
 * than probeMargin below mergeZ.
 */
export function crossPairSum(ma: readonly number[], mb: readonly number[], z: (i: number, j: number) => number,
  params: Pick<ClusterParams, 'sample' | 'probe' | 'probeMargin' | 'mergeZ'>): number {
  const sampledSum = (sa: readonly number[], sb: readonly number[]): number => {
    let s = 0;
    for (const i of sa) for (const j of sb) s += z(i, j);
    return s;
  };
  const pairs = ma.length * mb.length;
  if (pairs > params.probe * params.probe) {
    const pa = evenlySpaced(ma, params.probe);
    const pb = evenlySpaced(mb, params.probe);
    const mean = sampledSum(pa, pb) / (pa.length * pb.length);
    if (mean < params.mergeZ - params.probeMargin) return mean * pairs;
  }
  if (pairs <= params.sample * params.sample) return sampledSum(ma, mb);
  const sa = evenlySpaced(ma, params.sample);
  const sb = evenlySpaced(mb, params.sample);
  return (sampledSum(sa, sb) / (sa.length * sb.length)) * pairs;
}

/** A growing list of integer pairs in two typed arrays. */
class PairList {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  length = 0;
  push(x: number, y: number): void {
    if (this.length === this.a.length) {
      const a = new Int32Array(this.a.length * 2);
      const b = new Int32Array(this.b.length * 2);
      a.set(this.a);
      b.set(this.b);
      this.a = a;
      this.b = b;
    }
    this.a[this.length] = x;
    this.b[this.length] = y;
    this.length++;
  }
}

/**
 * Each group's neighbours as a compact list (start offsets into to / weight): both directions of
 * every edge, in edge order, a neighbour met again adding its weight to its first entry.
 */
function groupAdjacency(G: number, edges: PairList, w: readonly number[]): { start: Int32Array; to: Int32Array; weight: Float64Array } {
  const degree = new Int32Array(G);
  for (let e = 0; e < edges.length; e++) { degree[edges.a[e]!]!++; degree[edges.b[e]!]!++; }
  const start = new Int32Array(G + 1);
  for (let g = 0; g < G; g++) start[g + 1] = start[g]! + degree[g]!;
  // Every directed entry, grouped by group, in edge order within each group.
  const rawTo = new Int32Array(start[G]!);
  const rawW = new Float64Array(start[G]!);
  const fill = start.slice(0, G);
  for (let e = 0; e < edges.length; e++) {
    const a = edges.a[e]!;
    const b = edges.b[e]!;
    rawTo[fill[a]!] = b; rawW[fill[a]!] = w[e]!; fill[a]!++;
    rawTo[fill[b]!] = a; rawW[fill[b]!] = w[e]!; fill[b]!++;
  }
  // A neighbour met again adds its weight to its first entry (stamped with the group being merged).
  const owner = new Int32Array(G).fill(-1);
  const slot = new Int32Array(G);
  const to = new Int32Array(start[G]!);
  const weight = new Float64Array(start[G]!);
  const outStart = new Int32Array(G + 1);
  let o = 0;
  for (let g = 0; g < G; g++) {
    outStart[g] = o;
    for (let e = start[g]!; e < start[g + 1]!; e++) {
      const h = rawTo[e]!;
      if (owner[h] === g) { weight[slot[h]!] = weight[slot[h]!]! + rawW[e]!; continue; }
      owner[h] = g;
      slot[h] = o;
      to[o] = h;
      weight[o] = rawW[e]!;
      o++;
    }
  }
  outStart[G] = o;
  return { start: outStart, to: to.subarray(0, o), weight: weight.subarray(0, o) };
}

interface HeapEntry { score: number; a: number; b: number; va: number; vb: number }

/** Binary max-heap on score; ties towards the smaller pair, so pops are deterministic. */
class MaxHeap {
  private readonly items: HeapEntry[] = [];
  private static above(x: HeapEntry, y: HeapEntry): boolean {
    return x.score > y.score || (x.score === y.score && (x.a < y.a || (x.a === y.a && x.b < y.b)));
  }
  push(e: HeapEntry): void {
    const h = this.items;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!MaxHeap.above(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): HeapEntry | undefined {
    const h = this.items;
    if (!h.length) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && MaxHeap.above(h[l]!, h[m]!)) m = l;
        if (r < h.length && MaxHeap.above(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Clusters a plain set of fused vectors with the product's pipeline (cohort, normalisation,
 * candidates, both stages) and no constraints: for evaluation and benchmarks.
 */
export async function clusterVectors(matrix: Float32Array, dims: number, ages: readonly (number | null)[], threads: number, params: ClusterParams = DEFAULT_CLUSTER_PARAMS,
  timings?: Record<string, number>, quality?: readonly number[]): Promise<ClusterOutcome> {
  const n = ages.length;
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    if (timings) timings[name] = Math.round(now - t) / 1000;
    t = now;
  };
  const bands = Uint8Array.from(ages, (a) => ageBand(a));
  const cohort = chooseCohort(bands, params.cohortPerBand);
  const rows = new RowDots(matrix, dims);
  const stats = cohortStats(matrix, dims, cohort, Uint8Array.from(cohort, (u) => bands[u]!), rows);
  lap('cohort_s');
  const candidates = await nearestUnits(matrix, dims, params.candidates, threads, { rows });
  lap('neighbours_s');
  const none = new Int32Array(n).fill(-1);
  const isolated = Uint8Array.from(ages, (_, i) => Number((quality?.[i] ?? 1) < MIN_CLUSTER_QUALITY));
  const out = clusterUnits({ matrix, dims, bands, stats, candidates, candidatesFrom: 0, must: [], cannot: [], locked: none, fixed: none, isolated }, params);
  lap('cluster_s');
  return out;
}
