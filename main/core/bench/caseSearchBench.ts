import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KestrelError, type SearchFilters } from '../../contract/index.js';
import { createWorkbench, type Workbench } from '../workbench.js';
import { fillSyntheticCase } from './syntheticCase.js';
import type { FaceGenerator } from './syntheticFaces.js';

export interface BenchCaseSearchOptions {
  /** Synthetic faces added to the case (besides the one real photo's faces). */
  readonly faces: number;
  /** Unfiltered `face:ID` searches timed (the first is reported apart). */
  readonly queries: number;
  /** Searches timed per filter. */
  readonly filteredQueries: number;
  /** Photo-probe searches timed (detection and embedding included). */
  readonly photoQueries: number;
  readonly top: number;
  readonly modelsDir?: string;
  /** A real face photo: ingested first (so the case records its models) and used as the photo probe. */
  readonly facePhoto: string;
  readonly generator?: FaceGenerator;
  /** Keep the case in this folder instead of a temporary one deleted afterwards. */
  readonly keepDir?: string;
  readonly onLog?: (line: string) => void;
}

const pctl = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const r1 = (v: number): number => Math.round(v * 10) / 10;
const mib = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);

/**
 * Search through a whole case, as the examiner's search runs it: a case of synthetic faces (rows and
 * embeddings, no inference) beside one real photo, opened by the workbench; the index built from the
 * database on first open, loaded from its saved files on the next; then `wb.search` timed end to end
 * (the index, the filters, re-ranking, tracks and identities, the stored search and its audit entry)
 * with `face:ID` probes unfiltered and under each filter, and with the real photo as probe.
 */
export async function benchCaseSearch(o: BenchCaseSearchOptions): Promise<Record<string, unknown>> {
  // Synthetic rows are never written into a case that already exists (it might hold evidence).
  if (o.keepDir && existsSync(join(o.keepDir, 'case'))) throw new KestrelError('INVALID_INPUT', `${join(o.keepDir, 'case')} already exists; --keep needs a folder without a case in it`);
  const work = o.keepDir ?? mkdtempSync(join(tmpdir(), 'kestrel-bench-case-search-'));
  const caseDir = join(work, 'case');
  const open = (): Promise<Workbench> => createWorkbench({ caseDir, ...(o.modelsDir ? { modelsDir: o.modelsDir } : {}), examiner: 'bench' });
  try {
    const photos = join(work, 'photo');
    mkdirSync(photos, { recursive: true });
    const probePhoto = join(photos, 'probe' + (o.facePhoto.match(/\.[a-z0-9]+$/i)?.[0] ?? '.jpg'));
    copyFileSync(o.facePhoto, probePhoto);
    const t0 = performance.now();
    let wb = await open();
    try {
      const ingested = await wb.ingest([photos], { examiner: 'bench' });
      if (ingested.faces < 1) throw new Error(`no face found in ${o.facePhoto}`);
    } finally {
      await wb.dispose();
    }
    wb = await open();
    const models = wb.db.prepare("SELECT id, dim FROM models WHERE role = 'recognizer' ORDER BY id").all() as { id: string; dim: number }[];
    await wb.dispose();
    await fillSyntheticCase(caseDir, { faces: o.faces, identities: Math.max(1, Math.round(o.faces / 8)), facePhoto: o.facePhoto, embeddings: { models, ...(o.generator ? { generator: o.generator } : {}) } });
    const fillSeconds = (performance.now() - t0) / 1000;
    o.onLog?.(`case of ${o.faces} synthetic faces and one photo in ${r1(fillSeconds)} s`);

    wb = await open();
    let t = performance.now();
    wb.faceIndex();
    const buildSeconds = (performance.now() - t) / 1000;
    await wb.dispose();
    o.onLog?.(`index built in ${r1(buildSeconds)} s`);

    wb = await open();
    try {
      t = performance.now();
      const status = wb.faceIndex().status();
      const loadSeconds = (performance.now() - t) / 1000;
      const rssLoaded = mib();
      o.onLog?.(`index loaded in ${r1(loadSeconds)} s (${status.mode}, ${status.faces} faces)`);
      const [minId, maxId] = wb.db.prepare('SELECT min(id), max(id) FROM faces').raw().get() as [number, number];
      const source = wb.db.prepare("SELECT id FROM sources WHERE path = '(synthetic)'").pluck().get() as number;
      const dated = wb.db.prepare('SELECT min(captured_at), max(captured_at) FROM media WHERE captured_at IS NOT NULL').raw().get() as [string, string];
      // Probe faces spread over the case, the same on every run.
      const probe = (q: number): string => `face:${minId + Math.floor((((q + 1) * 7919) % 9973) / 9973 * (maxId - minId))}`;
      const timed = async (runs: number, req: (q: number) => { probes: string[]; filters: SearchFilters }): Promise<{ ms: number[]; hits: number; searched: number }> => {
        const ms: number[] = [];
        let hits = 0;
        let searched = 0;
        for (let q = 0; q < runs; q++) {
          const r = req(q);
          const s0 = performance.now();
          const res = await wb.search({ probes: r.probes, top: o.top, threshold: null, filters: r.filters, examiner: 'bench' });
          ms.push(performance.now() - s0);
          hits += res.hits.length;
          searched = res.facesSearched;
        }
        return { ms, hits: hits / Math.max(1, runs), searched };
      };
      const row = (what: string, r: { ms: number[]; hits: number; searched: number }, skipFirst: boolean): Record<string, unknown> => {
        const steady = skipFirst && r.ms.length > 1 ? r.ms.slice(1) : r.ms;
        return { what, runs: steady.length, first_ms: r1(r.ms[0]!), p50_ms: r1(pctl(steady, 0.5)), p99_ms: r1(pctl(steady, 0.99)), faces_searched: r.searched, hits: r1(r.hits) };
      };
      const rows: Record<string, unknown>[] = [];
      rows.push(row('face:ID probe, no filter', await timed(o.queries + 1, (q) => ({ probes: [probe(q)], filters: {} })), true));
      o.onLog?.(`unfiltered: p50 ${String(rows[0]!['p50_ms'])} ms`);
      const filters: [string, SearchFilters][] = [
        ['filter: source (every synthetic face passes)', { sourceId: source }],
        [`filter: captured ${dated[0].slice(0, 4)} (about a fifth pass)`, { capturedFrom: `${dated[0].slice(0, 4)}-01-01`, capturedTo: `${dated[0].slice(0, 4)}-12-31` }],
        ['filter: estimated age 20-30 (about a sixth pass)', { ageMin: 20, ageMax: 30 }],
      ];
      for (const [what, f] of filters) {
        rows.push(row(what, await timed(o.filteredQueries + 1, (q) => ({ probes: [probe(q + 1000)], filters: f })), true));
        o.onLog?.(`${what}: p50 ${String(rows.at(-1)!['p50_ms'])} ms`);
      }
      rows.push(row('photo probe (detection and embedding included)', await timed(o.photoQueries + 1, () => ({ probes: [probePhoto], filters: {} })), true));
      const index = wb.faceIndex();
      const v = new Float32Array(index.dims);
      const alone: number[] = [];
      for (let q = 0; q < 50; q++) {
        v.fill(0);
        v[q % index.dims] = 1;
        const s0 = performance.now();
        index.search(v, 600);
        alone.push(performance.now() - s0);
      }
      return {
        faces: status.faces, index_mode: status.mode, dims: status.dims, models: status.models, top: o.top, generator: o.generator ?? 'spectrum',
        fill_seconds: r1(fillSeconds), build_seconds: r1(buildSeconds), load_seconds: Math.round(loadSeconds * 100) / 100, index_mib_on_disk: r1(status.bytes / 2 ** 20),
        index_alone_p50_ms: r1(pctl(alone.slice(5), 0.5)), rss_after_load_mib: rssLoaded, rss_end_mib: mib(), searches: rows,
      };
    } finally {
      await wb.dispose();
    }
  } finally {
    if (!o.keepDir) rmSync(work, { recursive: true, force: true });
  }
}
