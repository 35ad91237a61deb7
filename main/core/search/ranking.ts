import { cosine, fusedScore, type EmbeddingSet } from './similarity.js';

/** One candidate of a search: a stored face or track template with its embeddings. */
export interface Candidate<K> {
  readonly key: K;
  readonly embeddings: EmbeddingSet;
}

export interface RankedCandidate<K> {
  readonly key: K;
  /** Fused cosine (mean of the recognizers' cosines), averaged over the probes: the calibrated score. */
  readonly score: number;
  /**
   * The score the order is made by: the fused cosine less the candidate's similarity to the probe's
   * neighbourhood. Null below the shortlist, where candidates keep the order of their raw score.
   */
  readonly rankScore: number | null;
}

export interface RankingParams {
  /** Candidates re-ranked; the rest keep the order of their raw score, below every re-ranked one. */
  readonly shortlist: number;
  /** The probe's neighbourhood: this many best raw candidates form the cohort each candidate is compared with. */
  readonly cohort: number;
}

/**
 * Chosen on fgnet_child_search_kin and confirmed on fgnet_child_search (see README, "Search accuracy"):
 * subtracting the mean similarity of each candidate to the probe's 100 nearest candidates removes
 * what a candidate shares with everyone who looks like the probe (being a child, the same scan
 * quality, a hub face), and leaves what it shares with the probe alone.
 */
export const DEFAULT_RANKING: RankingParams = { shortlist: 200, cohort: 100 };

/**
 * Ranks candidates for one or several probes of one person. The raw score of a candidate is the
 * fused cosine averaged over the probes. The best `shortlist` candidates are then re-ranked by
 * neighbourhood normalisation: for each recognizer, the candidate's cosine to the probe less its
 * mean cosine to the other members of the probe's neighbourhood (the `cohort` best raw candidates).
 * Deterministic: ties break by the order the candidates were given in.
 */
export function rankCandidates<K>(probes: readonly EmbeddingSet[], candidates: readonly Candidate<K>[], models: readonly string[], params: RankingParams = DEFAULT_RANKING): RankedCandidate<K>[] {
  if (!probes.length) return [];
  const raw = candidates.map((c, i) => {
    let s = 0;
    for (const p of probes) s += fusedScore(p, c.embeddings, models);
    return { i, score: s / probes.length };
  });
  raw.sort((a, b) => b.score - a.score || a.i - b.i);
  const short = raw.slice(0, params.shortlist);
  const cohortSize = Math.min(params.cohort, short.length);
  // Cosines are inner products of unit vectors, so a candidate's mean cosine to the cohort is its
  // inner product with the sum of the cohort's vectors (less itself when it is a member), divided by
  // how many were summed: one pass per candidate instead of one per cohort member (the whole
  // ranking of a search, 600 candidates, 200 re-ranked, a cohort of 100, three recognizers: 40 -> 3 ms).
  const cohortSum = new Map<string, { sum: Float64Array; n: number }>();
  for (const m of models) {
    let sum: Float64Array | null = null;
    let n = 0;
    for (let k = 0; k < cohortSize; k++) {
      const v = candidates[short[k]!.i]!.embeddings[m];
      if (!v) continue;
      sum ??= new Float64Array(v.length);
      for (let d = 0; d < v.length; d++) sum[d]! += v[d]!;
      n++;
    }
    if (sum) cohortSum.set(m, { sum, n });
  }
  const reranked = short.map((r, pos) => {
    const c = candidates[r.i]!;
    let adj = 0;
    let used = 0;
    for (const m of models) {
      const v = c.embeddings[m];
      if (!v) continue;
      let probeSim = 0, np = 0;
      for (const p of probes) {
        const pv = p[m];
        if (pv) { probeSim += cosine(pv, v); np++; }
      }
      if (!np) continue;
      let cohortSim = 0, nc = 0;
      const co = cohortSum.get(m);
      if (co && co.sum.length === v.length) {
        for (let d = 0; d < v.length; d++) cohortSim += co.sum[d]! * v[d]!;
        nc = co.n;
        if (pos < cohortSize) { cohortSim -= cosine(v, v); nc--; }
      }
      adj += probeSim / np - (nc ? cohortSim / nc : 0);
      used++;
    }
    return { key: c.key, score: r.score, rankScore: used ? adj / used : Number.NEGATIVE_INFINITY, i: r.i };
  });
  reranked.sort((a, b) => b.rankScore - a.rankScore || a.i - b.i);
  const rest = raw.slice(params.shortlist).map((r) => ({ key: candidates[r.i]!.key, score: r.score, rankScore: null }));
  return [...reranked.map(({ key, score, rankScore }) => ({ key, score, rankScore })), ...rest];
}

/**
 * One result per identity: each identity keeps its best-ranked candidate and its other candidates
 * are dropped; a candidate without an identity stands alone. The product's search by identity and
 * `kestrel eval search` (over the product's clustering of the gallery) share it.
 */
export function onePerIdentity<T>(ranked: readonly T[], identityOf: (x: T) => number | string | null): T[] {
  const seen = new Set<number | string>();
  return ranked.filter((x) => {
    const id = identityOf(x);
    if (id === null) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
