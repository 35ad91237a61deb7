import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KestrelError } from '../contract/index.js';
import { DEFAULT_CLIP_MIN_MS, DEFAULT_CLIP_PAD_MS } from '../core/index.js';
import { intArg, numArg, type OpenCase } from './args.js';
import { examinerName } from './examiner.js';
import { printJson } from './output.js';

/** `kestrel clip`: an evidence clip of a sighting (track) or of a span of a video. */
export function registerClipCommands(program: Command, openCase: OpenCase): void {
  program
    .command('clip')
    .description('cut an evidence clip of a track (or of --media from --from to --to seconds) from the verified original; stored in the case and audited')
    .requiredOption('--case <dir>', 'case folder')
    .option('--track <id>', 'the sighting to clip', intArg)
    .option('--media <id>', 'a video of the case (with --from and --to)', intArg)
    .option('--from <seconds>', 'start of the span', numArg)
    .option('--to <seconds>', 'end of the span', numArg)
    .option('--pad <seconds>', 'context kept before and after', numArg, DEFAULT_CLIP_PAD_MS / 1000)
    .option('--length <seconds>', 'a sighting\'s clip is widened evenly to at least this long where the video allows', numArg, DEFAULT_CLIP_MIN_MS / 1000)
    .option('--reason <text>', 'why the clip is made (recorded)', 'examiner request')
    .option('--out <file>', 'also copy the clip here (never overwrites)')
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .option('--json', 'print the clip record as JSON')
    .action(async (o: { case: string; track?: number; media?: number; from?: number; to?: number; pad: number; length: number; reason: string; out?: string; examiner?: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, async (wb) => {
        if ((o.track === undefined) === (o.media === undefined)) throw new KestrelError('INVALID_INPUT', 'Give either --track or --media with --from and --to');
        const c = await wb.clip({
          ...(o.track !== undefined ? { trackId: o.track } : { mediaId: o.media!, startMs: Math.round((o.from ?? NaN) * 1000), endMs: Math.round((o.to ?? NaN) * 1000) }),
          padMs: Math.round(o.pad * 1000), ...(o.track !== undefined ? { minLengthMs: Math.round(o.length * 1000) } : {}), reason: o.reason, examiner: examinerName(o.examiner),
        });
        if (o.out) {
          try {
            await writeFile(resolve(o.out), await wb.vault.readFile(join(wb.caseDir, 'derived', c.path)), { flag: 'wx' });
          } catch (err) {
            throw new KestrelError('IO_ERROR', `Cannot write ${o.out}: ${(err as Error).message}`);
          }
          wb.repos.audit.append(examinerName(o.examiner), 'clip.exported', `clip:${c.id}`, { file: resolve(o.out), sha256: c.sha256 });
        }
        if (json) printJson(c);
        else process.stdout.write(`clip ${c.id}: derived/${c.path} (${(c.startMs / 1000).toFixed(2)}-${(c.endMs / 1000).toFixed(2)} s, ${c.encoder}, ${c.bytes} bytes, sha256 ${c.sha256})${o.out ? `; copied to ${o.out}` : ''}\n`);
      });
    });
  program
    .command('contact-sheet')
    .description('a contact sheet of a video: 12 frames at even times with the faces found outlined, drawn from the verified original (kept in the case)')
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--media <id>', 'a video of the case', intArg)
    .option('--out <file>', 'also copy the sheet here (JPEG; never overwrites)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { case: string; media: number; out?: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, async (wb) => {
        const s = await wb.invoke('media.contactSheet', { mediaId: o.media });
        if (!s.path) throw new KestrelError('NOT_FOUND', `No contact sheet: ${s.problem ?? 'the original is not available'}`);
        if (o.out) {
          try {
            await writeFile(resolve(o.out), await wb.vault.readFile(join(wb.caseDir, 'derived', s.path)), { flag: 'wx' });
          } catch (err) {
            throw new KestrelError('IO_ERROR', `Cannot write ${o.out}: ${(err as Error).message}`);
          }
        }
        if (json) printJson(s);
        else process.stdout.write(`contact sheet of media ${s.mediaId}: derived/${s.path} (frames at ${s.times.map((t) => (t / 1000).toFixed(1)).join(', ')} s)${o.out ? `; copied to ${o.out}` : ''}\n`);
      });
    });
}
