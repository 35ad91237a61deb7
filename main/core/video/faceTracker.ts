import type { Box } from '../../contract/index.js';
import { fusedScore, type EmbeddingSet } from '../search/similarity.js';

export interface TrackerOptions {
  /** A track whose person has not been seen for this long has ended (left the picture). */
  readonly maxGapMs: number;
  /** Appearance: fused cosine a detection needs to continue a track. */
  readonly minSimilarity: number;
  /** Position: allowed centre shift, in face sizes, per second elapsed (at least 1.5 face sizes). */
  readonly maxShiftPerSecond: number;
}

/**
 * Defaults: 1.5 s bridges short occlusions and missed detections at the default 4 fps; 0.3 sits
 * below the fused cosine of one person's consecutive frames (0.6-0.9 measured on the talking-head
 * clips) and above that of two different people (mostly under 0.25). Position only gates: a small
 * face walking across a CCTV frame moves 4-5 face sizes a second (measured on generated footage).
 */
export const DEFAULT_TRACKER: TrackerOptions = { maxGapMs: 1500, minSimilarity: 0.3, maxShiftPerSecond: 8 };

export interface TrackInput {
  readonly box: Box;
  readonly embeddings: EmbeddingSet;
  readonly quality: number;
}

export interface Track {
  /** Indexes of the faces (in the order pushed) that form this track. */
  readonly faces: number[];
  readonly startMs: number;
  endMs: number;
}

interface Active extends Track {
  lastBox: Box;
  lastEmbeddings: EmbeddingSet;
  lastMs: number;
}

const centre = (b: Box): { x: number; y: number } => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

/**
 * Links the detections of sampled frames into tracks by position and appearance. Greedy
 * assignment by best score per frame; one detection continues at most one track and one track
 * takes at most one detection per frame, so two faces of one frame never share a track.
 */
export class FaceTracker {
  private readonly active: Active[] = [];
  private readonly done: Track[] = [];
  private next = 0;

  /** `models`: the recognizers to compare (default: every model the faces carry). */
  constructor(private readonly models: readonly string[] = [], private readonly o: TrackerOptions = DEFAULT_TRACKER) {}

  /** Adds one frame's faces (frames in presentation order). Returns the indexes given to them. */
  push(ptsMs: number, faces: readonly TrackInput[]): number[] {
    this.expire(ptsMs);
    const ids = faces.map(() => this.next++);
    const pairs: { t: Active; d: number; score: number }[] = [];
    for (const t of this.active) {
      const dt = Math.max(0, ptsMs - t.lastMs) / 1000;
      const c0 = centre(t.lastBox);
      for (let d = 0; d < faces.length; d++) {
        const f = faces[d]!;
        const c1 = centre(f.box);
        const size = Math.max(t.lastBox.width, t.lastBox.height, f.box.width, f.box.height);
        const shift = Math.hypot(c1.x - c0.x, c1.y - c0.y) / size;
        if (shift > Math.max(1.5, this.o.maxShiftPerSecond * dt)) continue;
        const sim = fusedScore(t.lastEmbeddings, f.embeddings, this.models.length ? this.models : Object.keys(f.embeddings));
        if (!(sim >= this.o.minSimilarity)) continue;
        pairs.push({ t, d, score: sim - 0.1 * shift });
      }
    }
    pairs.sort((a, b) => b.score - a.score);
    const usedT = new Set<Active>();
    const usedD = new Set<number>();
    for (const p of pairs) {
      if (usedT.has(p.t) || usedD.has(p.d)) continue;
      usedT.add(p.t);
      usedD.add(p.d);
      const f = faces[p.d]!;
      p.t.faces.push(ids[p.d]!);
      p.t.endMs = ptsMs;
      p.t.lastMs = ptsMs;
      p.t.lastBox = f.box;
      p.t.lastEmbeddings = f.embeddings;
    }
    for (let d = 0; d < faces.length; d++) {
      if (usedD.has(d)) continue;
      const f = faces[d]!;
      this.active.push({ faces: [ids[d]!], startMs: ptsMs, endMs: ptsMs, lastBox: f.box, lastEmbeddings: f.embeddings, lastMs: ptsMs });
    }
    return ids;
  }

  /** Ends every track and returns all of them, in order of start. */
  finish(): Track[] {
    this.expire(Number.POSITIVE_INFINITY);
    return [...this.done].sort((a, b) => a.startMs - b.startMs || a.faces[0]! - b.faces[0]!);
  }

  private expire(nowMs: number): void {
    for (let i = this.active.length - 1; i >= 0; i--) {
      const t = this.active[i]!;
      if (nowMs - t.lastMs > this.o.maxGapMs) {
        this.done.push({ faces: t.faces, startMs: t.startMs, endMs: t.endMs });
        this.active.splice(i, 1);
      }
    }
  }
}

/**
 * A track's template: the quality-weighted mean embedding per model (L2-normalised), summed a part
 * at a time so that a long track's embeddings need not be in memory together.
 */
export class TemplateSum {
  private readonly sums: Record<string, Float32Array> = {};

  add(faces: readonly { embeddings: EmbeddingSet; quality: number }[]): void {
    for (const f of faces) {
      const w = Math.max(0.05, f.quality);
      for (const [m, v] of Object.entries(f.embeddings)) {
        const acc = (this.sums[m] ??= new Float32Array(v.length));
        for (let i = 0; i < v.length; i++) acc[i]! += w * v[i]!;
      }
    }
  }

  /** The normalised template (the sums are consumed). */
  template(): Record<string, Float32Array> {
    for (const v of Object.values(this.sums)) {
      let n = 0;
      for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
      n = Math.sqrt(n) || 1;
      for (let i = 0; i < v.length; i++) v[i]! /= n;
    }
    return this.sums;
  }
}
