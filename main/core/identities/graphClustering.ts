/**
 * Chinese whispers on a thresholded k-nearest-neighbour graph (Biemann 2006). Chosen over
 * connected components, which chain unrelated people through single weak links, and measured as
 * the best graph method on FG-NET in DATASETS.md. Deterministic: nodes are visited in a fixed
 * order and ties break towards the smaller label, so the same input gives the same clusters.
 */
export interface KnnGraph {
  /** neighbours[i] = [j, similarity] pairs, similarity above the threshold. */
  readonly neighbours: readonly (readonly [number, number])[][];
}

export function buildKnnGraph(n: number, similarity: (i: number, j: number) => number, k: number, threshold: number): KnnGraph {
  const neighbours: [number, number][][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const cand: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const s = similarity(i, j);
      if (s >= threshold) cand.push([j, s]);
    }
    cand.sort((a, b) => b[1] - a[1]);
    for (const e of cand.slice(0, k)) neighbours[i]!.push(e);
  }
  // Symmetrise: an edge kept by either end is kept by both.
  const sym: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  neighbours.forEach((list, i) => list.forEach(([j, s]) => { sym[i]!.set(j, s); sym[j]!.set(i, s); }));
  return { neighbours: sym.map((m) => [...m.entries()].sort((a, b) => a[0] - b[0])) };
}

export function chineseWhispers(graph: KnnGraph, iterations = 30): number[] {
  const n = graph.neighbours.length;
  const label = Array.from({ length: n }, (_, i) => i);
  for (let it = 0; it < iterations; it++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const weights = new Map<number, number>();
      for (const [j, s] of graph.neighbours[i]!) weights.set(label[j]!, (weights.get(label[j]!) ?? 0) + s);
      let best = label[i]!;
      let bestW = -Infinity;
      for (const [l, w] of weights) if (w > bestW || (w === bestW && l < best)) { best = l; bestW = w; }
      if (weights.size && best !== label[i]) { label[i] = best; changed++; }
    }
    if (!changed) break;
  }
  return label;
}
