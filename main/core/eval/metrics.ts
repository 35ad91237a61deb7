/** Area under the ROC curve (probability a random positive outscores a random negative; ties count half). */
export function auc(pos: readonly number[], neg: readonly number[]): number {
  if (!pos.length || !neg.length) return Number.NaN;
  const all = [...pos.map((s) => ({ s, p: 1 })), ...neg.map((s) => ({ s, p: 0 }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.p) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

/** The score threshold at which the false accept rate is at most `far` (scores strictly above accept). */
export function thresholdAtFar(neg: readonly number[], far: number): number {
  const sorted = [...neg].sort((a, b) => b - a);
  const allowed = Math.floor(far * sorted.length);
  return allowed >= sorted.length ? -Infinity : sorted[allowed]!;
}

export function tarAtFar(pos: readonly number[], neg: readonly number[], far: number): { tar: number; threshold: number } {
  const threshold = thresholdAtFar(neg, far);
  return { tar: pos.length ? pos.filter((s) => s > threshold).length / pos.length : Number.NaN, threshold };
}

/** Best-accuracy threshold on (score, label) pairs. */
export function bestThreshold(items: readonly { s: number; same: boolean }[]): number {
  const sorted = [...items].sort((a, b) => a.s - b.s);
  const totalPos = sorted.filter((x) => x.same).length;
  // threshold t accepts s > t; start below everything (all accepted)
  let correct = totalPos;
  let best = correct;
  let bestT = sorted.length ? sorted[0]!.s - 1e-6 : 0;
  for (let i = 0; i < sorted.length; i++) {
    correct += sorted[i]!.same ? -1 : 1;
    const next = sorted[i + 1];
    if (next && next.s === sorted[i]!.s) continue;
    if (correct > best) {
      best = correct;
      bestT = next ? (sorted[i]!.s + next.s) / 2 : sorted[i]!.s;
    }
  }
  return bestT;
}

/** k-fold accuracy: each fold is scored at the threshold chosen on the other folds (LFW protocol). */
export function kFoldAccuracy(items: readonly { s: number; same: boolean; fold: number }[]): { mean: number; std: number; folds: number } {
  const folds = [...new Set(items.map((i) => i.fold))].sort((a, b) => a - b);
  const accs: number[] = [];
  for (const f of folds) {
    const train = items.filter((i) => i.fold !== f);
    const test = items.filter((i) => i.fold === f);
    const t = bestThreshold(train);
    accs.push(test.filter((i) => (i.s > t) === i.same).length / test.length);
  }
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / accs.length);
  return { mean, std, folds: folds.length };
}

export interface ClusterScores {
  readonly pairwise_precision: number;
  readonly pairwise_recall: number;
  readonly pairwise_f1: number;
  readonly bcubed_precision: number;
  readonly bcubed_recall: number;
  readonly bcubed_f1: number;
  readonly clusters: number;
  readonly identities: number;
}

const f1 = (p: number, r: number): number => (p + r > 0 ? (2 * p * r) / (p + r) : 0);

/** Pairwise and BCubed precision/recall/F1 of predicted cluster labels against true identities. */
export function clusterScores(truth: readonly string[], pred: readonly (string | number)[]): ClusterScores {
  const n = truth.length;
  const joint = new Map<string, number>();
  const byTruth = new Map<string, number>();
  const byPred = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const t = truth[i]!;
    const p = String(pred[i]);
    joint.set(`${t}\u0000${p}`, (joint.get(`${t}\u0000${p}`) ?? 0) + 1);
    byTruth.set(t, (byTruth.get(t) ?? 0) + 1);
    byPred.set(p, (byPred.get(p) ?? 0) + 1);
  }
  const pairs = (c: number): number => (c * (c - 1)) / 2;
  let tp = 0;
  for (const c of joint.values()) tp += pairs(c);
  let predPairs = 0;
  for (const c of byPred.values()) predPairs += pairs(c);
  let truePairs = 0;
  for (const c of byTruth.values()) truePairs += pairs(c);
  const pp = predPairs ? tp / predPairs : 1;
  const pr = truePairs ? tp / truePairs : 1;
  // BCubed: for item i, precision = |same pred & same truth| / |same pred|; recall likewise over truth.
  let bp = 0;
  let br = 0;
  for (let i = 0; i < n; i++) {
    const c = joint.get(`${truth[i]}\u0000${String(pred[i])}`)!;
    bp += c / byPred.get(String(pred[i]))!;
    br += c / byTruth.get(truth[i]!)!;
  }
  bp /= n;
  br /= n;
  return {
    pairwise_precision: pp, pairwise_recall: pr, pairwise_f1: f1(pp, pr),
    bcubed_precision: bp, bcubed_recall: br, bcubed_f1: f1(bp, br),
    clusters: byPred.size, identities: byTruth.size,
  };
}

export const AGE_BINS: readonly { label: string; lo: number; hi: number }[] = [
  { label: '0-2', lo: 0, hi: 2 }, { label: '3-4', lo: 3, hi: 4 }, { label: '5-6', lo: 5, hi: 6 },
  { label: '7-12', lo: 7, hi: 12 }, { label: '13-17', lo: 13, hi: 17 }, { label: '18+', lo: 18, hi: 200 },
];
export const ageBin = (age: number | null): string | null => (age === null ? null : AGE_BINS.find((b) => age >= b.lo && age <= b.hi)?.label ?? null);

export const GAP_BINS: readonly { label: string; lo: number; hi: number }[] = [
  { label: '0-5', lo: 0, hi: 5 }, { label: '6-10', lo: 6, hi: 10 }, { label: '11-20', lo: 11, hi: 20 }, { label: '21+', lo: 21, hi: 1000 },
];
