import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { KestrelError } from '../../contract/index.js';
import { createWorkbench, CASE_DB_FILE } from '../workbench.js';

export interface BenchExportOptions {
  readonly caseDir: string;
  readonly modelsDir?: string;
  readonly runs: number;
  readonly select: readonly string[];
  readonly allFrames: boolean;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Times full evidence exports of a real case. Each run works on a fresh copy of the case database
 * (the originals are read in place, the derived files linked), so benchmarking never adds export
 * rows to the case's own audit log; every run's output is deleted afterwards.
 */
export async function benchExport(o: BenchExportOptions): Promise<Record<string, unknown>> {
  if (!existsSync(join(o.caseDir, CASE_DB_FILE))) throw new KestrelError('CASE_NOT_FOUND', `No Kestrel case at ${o.caseDir} (no ${CASE_DB_FILE})`);
  const seconds: number[] = [];
  let last: Record<string, unknown> = {};
  let peakRss = 0;
  for (let i = 0; i < o.runs; i++) {
    const work = mkdtempSync(join(tmpdir(), 'kestrel-bench-export-'));
    try {
      const copy = join(work, 'case');
      const src = new Database(join(o.caseDir, CASE_DB_FILE), { readonly: true, fileMustExist: true });
      mkdirSync(copy, { mode: 0o700 });
      try {
        await src.backup(join(copy, CASE_DB_FILE));
      } finally {
        src.close();
      }
      symlinkSync(join(o.caseDir, 'derived'), join(copy, 'derived'));
      const wb = await createWorkbench({ caseDir: copy, mustExist: true, ...(o.modelsDir ? { modelsDir: o.modelsDir } : {}) });
      try {
        const timer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 200);
        const r = await wb.exportCase({ out: join(work, 'out'), select: o.select, formats: ['pdf', 'html', 'csv', 'json', 'case'], lang: 'en', redact: false, originals: false, clips: true, frames: o.allFrames ? 'all' : 'report', examiner: 'benchmark' });
        clearInterval(timer);
        seconds.push(r.seconds);
        last = { files: r.files, bytes: r.bytes, faces: r.faces, identities: r.identities, searches: r.searches, alarms: r.alarms, problems: r.problems.length };
      } finally {
        await wb.dispose();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const med = median(seconds);
  return {
    case: o.caseDir, select: o.select.length ? o.select : ['default'], frames: o.allFrames ? 'all' : 'report', runs: seconds.length, ...last,
    seconds_median: med, seconds_runs: seconds, faces_per_s: Math.round((Number(last['faces']) / med) * 10) / 10, peak_rss_mb: Math.round(peakRss / 1048576),
  };
}
