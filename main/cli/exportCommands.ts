import type { Command } from 'commander';
import { EXPORT_FORMATS, KestrelError, type ExportFormat } from '../contract/index.js';
import { verifyExport } from '../core/index.js';
import type { OpenCase } from './args.js';
import { collect } from './args.js';
import { examinerName } from './examiner.js';
import { fail, printJson } from './output.js';
import { progressBar } from './progress.js';

function formats(v: string): ExportFormat[] {
  const list = v.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = list.filter((x) => !(EXPORT_FORMATS as readonly string[]).includes(x));
  if (!list.length || bad.length) throw new KestrelError('INVALID_INPUT', `--format takes ${EXPORT_FORMATS.join(',')} (comma-separated), not '${v}'`);
  return list as ExportFormat[];
}

/** `kestrel export` and `kestrel export verify`. */
export function registerExportCommands(program: Command, openCase: OpenCase): void {
  const exp = program
    .command('export')
    .description('write an evidence export: report (PDF + HTML), CSV, JSON, CASE/UCO JSON-LD, face crops and frames from the verified originals, clips, and manifest.json with the SHA-256 of every file and original; audited')
    .option('--case <dir>', 'case folder')
    .option('--out <dir>', 'new (or empty) folder for the export, outside the case folder')
    .option('--select <ref>', 'what to export (repeatable): all, identity:ID, search:ID, alarm:ID, comparison:ID, media:ID, track:ID, face:ID, tag:NAME; default: named or confirmed identities, every search, alarm, comparison and annotated item', collect, [])
    .option('--format <list>', `comma-separated: ${EXPORT_FORMATS.join(',')}`, EXPORT_FORMATS.join(','))
    .option('--lang <lang>', 'report language: en or zh', 'en')
    .option('--redact', 'blur every face that is not a subject of the export in exported frames and pixelate it in every frame of the exported clips')
    .option('--originals', 'also copy working copies of the originals the exported faces come from')
    .option('--no-clips', 'no video clips of the exported sightings')
    .option('--all-frames', 'a full annotated frame for every exported face (default: for the faces the report shows; every face gets a crop either way)')
    .option('--examiner <name>', 'examiner named in the report and the audit log')
    .option('--json', 'print the summary as JSON')
    .action(async (o: { case?: string; out?: string; select: string[]; format: string; lang: string; redact?: boolean; originals?: boolean; clips: boolean; allFrames?: boolean; examiner?: string; json?: boolean }) => {
      const json = !!o.json;
      if (!o.case || !o.out) fail(new KestrelError('INVALID_INPUT', 'kestrel export needs --case <dir> and --out <dir> (or: kestrel export verify <dir>)'), json);
      await openCase(o.case, json, async (wb) => {
        const bar = progressBar(!json, 'export');
        const r = await wb.invoke('export.run', {
          out: o.out, select: o.select, formats: formats(o.format), lang: o.lang, redact: !!o.redact, originals: !!o.originals, clips: o.clips, frames: o.allFrames ? 'all' : 'report', examiner: examinerName(o.examiner),
        });
        bar.stop();
        if (json) return printJson(r);
        process.stdout.write(`exported to ${r.outDir}: ${r.files} files, ${(r.bytes / 1048576).toFixed(1)} MiB in ${r.seconds} s\n`);
        process.stdout.write(`${r.faces} faces, ${r.identities} identities, ${r.searches} searches, ${r.alarms} alarms, ${r.comparisons} comparisons, ${r.annotations} annotations\n`);
        process.stdout.write(`manifest.json SHA-256 ${r.manifestSha256} (recorded in the case audit log); check it with: kestrel export verify "${r.outDir}"\n`);
        for (const p of r.problems) process.stdout.write(`problem: ${p}\n`);
      });
    });

  exp
    .command('verify <dir>')
    .description('re-check an export folder against its manifest.json: every file\'s SHA-256 and size, nothing missing or added; with --case, also that the case audited this very manifest (exit 3 when it fails)')
    .option('--case <dir>', 'the case it was exported from: check that its audit log records this manifest')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, o: { case?: string; json?: boolean }) => {
      const json = !!o.json;
      try {
        let audited: Set<string> | undefined;
        if (o.case) await openCase(o.case, json, (wb) => { audited = wb.repos.exports.auditedManifests(); });
        const r = await verifyExport(dir, audited ? { auditedManifests: audited } : {});
        if (json) printJson(r);
        else {
          process.stdout.write(r.ok ? `export ok: ${r.files} files match manifest.json (SHA-256 ${r.manifestSha256})\n` : `export FAILED verification (manifest SHA-256 ${r.manifestSha256})\n`);
          for (const f of r.changed) process.stdout.write(`changed: ${f}\n`);
          for (const f of r.missing) process.stdout.write(`missing: ${f}\n`);
          for (const f of r.unlisted) process.stdout.write(`not in the manifest: ${f}\n`);
          if (r.recordedInCase === true) process.stdout.write('the case audit log records this manifest\n');
          if (r.recordedInCase === false) process.stdout.write('the case audit log does NOT record this manifest: it was not written by this case, or it was rewritten\n');
        }
        process.exitCode = r.ok ? 0 : 3;
      } catch (err) {
        fail(err, json);
      }
    });
}
