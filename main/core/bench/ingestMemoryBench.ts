import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProfileName } from '../../contract/index.js';
import { createWorkbench } from '../workbench.js';
import { writeSyntheticPhotos } from './syntheticPhotos.js';
import { withRssSamples } from './rssSampler.js';

export interface BenchIngestMemoryOptions {
  readonly photos: number;
  /** Photos drawn from scratch; the rest are byte-distinct copies of them (see writeJpegVariants). */
  readonly distinct: number;
  readonly profile: ProfileName;
  readonly facePhoto: string;
  readonly modelsDir?: string;
  /** A line for each tenth of the photos done, with the resident memory then (a long run shows its trend as it goes). */
  readonly onLog?: (line: string) => void;
}

/**
 * Writes `count` files, each a copy of one of `jpegs` (in turn) with its own JPEG comment segment:
 * every file has its own SHA-256, so intake hashes, decodes, analyses and stores each one, while
 * writing them costs no encoding (drawing 100,000 photos from scratch takes two hours here).
 */
export async function writeJpegVariants(jpegs: readonly string[], count: number, outDir: string): Promise<void> {
  const originals = await Promise.all(jpegs.map((f) => readFile(f)));
  const perDir = 1000;
  for (let i = 0; i < count; i++) {
    const src = originals[i % originals.length]!;
    const text = Buffer.from(`kestrel bench variant ${i}`, 'latin1');
    const com = Buffer.alloc(4 + text.length);
    com.writeUInt16BE(0xfffe, 0);
    com.writeUInt16BE(2 + text.length, 2);
    text.copy(com, 4);
    const dir = join(outDir, String(Math.floor(i / perDir)).padStart(4, '0'));
    if (i % perDir === 0) await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `v_${String(i).padStart(6, '0')}.jpg`), Buffer.concat([src.subarray(0, 2), com, src.subarray(2)]));
  }
}

/**
 * One intake of many photos into a new case, with the process's resident memory sampled every
 * second: whether memory stays bounded as the case grows (the inference-bound side of bench ingest
 * holds every decoded image, so its RSS says nothing about intake).
 */
export async function benchIngestMemory(o: BenchIngestMemoryOptions): Promise<Record<string, unknown>> {
  const work = await mkdtemp(join(tmpdir(), 'kestrel-bench-mem-'));
  try {
    const distinct = await writeSyntheticPhotos(join(work, 'drawn'), Math.min(o.distinct, o.photos), o.facePhoto, 3);
    await writeJpegVariants(distinct, o.photos, join(work, 'photos'));
    await rm(join(work, 'drawn'), { recursive: true, force: true });
    const caseDir = join(work, 'case');
    const wb = await createWorkbench({ caseDir, profile: o.profile, ...(o.modelsDir ? { modelsDir: o.modelsDir } : {}) });
    try {
      await wb.prepare();
      const t0 = performance.now();
      const step = Math.max(1, Math.floor(o.photos / 10));
      const byPhotos: { photos: number; rss_mib: number }[] = [];
      const onProgress = (p: { done: number }): void => {
        if (p.done < step * (byPhotos.length + 1)) return;
        byPhotos.push({ photos: p.done, rss_mib: Math.round(process.memoryUsage().rss / 1048576) });
        o.onLog?.(`${p.done} of ${o.photos} photos done, RSS ${byPhotos.at(-1)!.rss_mib} MiB, ${Math.round((performance.now() - t0) / 1000)} s`);
      };
      const m = await withRssSamples(() => wb.ingest([join(work, 'photos')], { examiner: 'bench', onProgress }));
      const seconds = (performance.now() - t0) / 1000;
      const s = m.result;
      return {
        profile: o.profile, photos: o.photos, distinct_drawn: distinct.length,
        media: s.media, faces: s.faces, errors: s.errors.length, seconds: Math.round(seconds * 10) / 10,
        photos_per_s: Math.round((o.photos / seconds) * 100) / 100,
        start_rss_mib: m.startMib, peak_rss_mib: m.peakMib, rss_by_tenth_mib: m.byTenthMib, rss_by_photos: byPhotos,
        database_mib: Math.round((await stat(join(caseDir, 'case.sqlite'))).size / 1048576),
      };
    } finally {
      await wb.dispose();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
