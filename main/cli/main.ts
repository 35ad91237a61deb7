#!/usr/bin/env node
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KestrelError, PROFILE_NAMES, type ProfileName } from '../contract/index.js';
import {
  CaseHost, KESTREL_VERSION, changeCasePassword, workbenchOpening, ModelStore, benchCluster, benchExport, benchIngest, benchIngestMemory, benchSearch, benchCaseSearch, benchVideo, FACE_GENERATORS, type FaceGenerator, createWorkbench, defaultModelsDir, modelSpecSchema, recentCasesFile, runEval, runRobustnessEval, type EvalTask, type Workbench,
} from '../core/index.js';
import { examinerName } from './examiner.js';
import { casePassword } from './casePassword.js';
import { fail, pct, printJson, printTable } from './output.js';
import { progressBar } from './progress.js';
import { collect, intArg, numArg, positiveArg } from './args.js';
import { startCaseServer } from './caseServer.js';
import { benchUi } from './uiBench.js';
import { registerSearchCommands } from './searchCommands.js';
import { registerWatchlistCommands } from './watchlistCommands.js';
import { registerCompareCommands } from './compareCommands.js';
import { registerMatchCommands } from './matchCommands.js';
import { registerClipCommands } from './clipCommands.js';
import { registerIdentityCommands } from './identityCommands.js';
import { registerAnnotationCommands } from './annotationCommands.js';
import { registerExportCommands } from './exportCommands.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository / install root (this file lives in main/cli/ in sources and in dist/ when built). */
const appRoot = existsSync(join(here, '..', 'resources')) ? resolve(here, '..') : resolve(here, '..', '..');

const profileOption = (): Option =>
  new Option('--profile <name>', 'model profile: accurate (all models that help) or permissive (Apache/MIT weights only)').choices([...PROFILE_NAMES]);
const modelsDirOf = (o: { modelsDir?: string }): string => o.modelsDir ?? defaultModelsDir();

// A reader that stops early (kestrel ... | head) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// stdout carries only the command's own output (one JSON document with --json): libraries that
// print (libheif logs failed decodes with console.log) are sent to stderr.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const program = new Command('kestrel')
  .description('Kestrel: offline face investigation. Every command works on a case folder; nothing leaves this machine.')
  .version(KESTREL_VERSION)
  .showHelpAfterError()
  .option('--models-dir <dir>', 'models folder (default: KESTREL_MODELS or the per-user folder)')
  .option('--password-file <file>', "an encrypted case's password: the first line of this file (default: KESTREL_CASE_PASSWORD)");

const globalModels = (): { modelsDir?: string } => program.opts<{ modelsDir?: string }>();
/** The case password for every case a command opens (an encrypted case needs it; a plain one ignores it). */
const access = (): { password?: string } => casePassword(program.opts<{ passwordFile?: string }>().passwordFile, process.env);
const generatorOption = (): Option =>
  new Option('--generator <kind>', 'synthetic faces: spectrum (shaped like real fused embeddings) or uniform (the worst case, every direction equally spread)').choices([...FACE_GENERATORS]).default('spectrum');
const encryptOption = (): Option => new Option('--encrypt', 'make a new case encrypted at rest under the case password (--password-file or KESTREL_CASE_PASSWORD)');

/** Opens an existing case, runs a read-only command on it, closes it; errors end the process (as JSON under --json). */
async function withExistingCase(caseDir: string, json: boolean, run: (wb: Workbench) => Promise<void> | void, opts: { create?: boolean; examiner?: string } = {}): Promise<void> {
  try {
    const wb = await createWorkbench({ caseDir, modelsDir: modelsDirOf(globalModels()), mustExist: !opts.create, ...(opts.examiner ? { examiner: opts.examiner } : {}), ...access() });
    try {
      await run(wb);
    } finally {
      await wb.dispose();
    }
  } catch (err) {
    fail(err, json);
  }
}

/** How a measurement command ends: the result to --out as JSON, then to stdout as JSON or as the command's table; an error ends the process. */
async function report<R>(o: { json?: boolean; out?: string }, measure: (json: boolean) => Promise<R> | R, print: (r: R) => void): Promise<void> {
  const json = !!o.json;
  try {
    const r = await measure(json);
    if (o.out) await writeFile(o.out, JSON.stringify(r, null, 2));
    if (json) printJson(r);
    else print(r);
  } catch (err) {
    fail(err, json);
  }
}

program
  .command('ingest')
  .description('add photos, videos, folders and zip/tar archives to a case (created if new), find every face, and link video faces into tracks')
  .requiredOption('--case <dir>', 'case folder')
  .addOption(profileOption())
  .option('--examiner <name>', 'examiner recorded in the audit log (default: KESTREL_EXAMINER or the OS user)')
  .option('--json', 'print one JSON summary on stdout')
  .option('--min-free-mb <n>', "stop cleanly (resumable) when the case's disk has less free space than this", intArg, 200)
  .option('--decode-timeout <s>', 'give up on an image whose decoding takes longer (recorded as timeout)', positiveArg, 120)
  .addOption(encryptOption())
  .argument('<paths...>', 'files, folders or archives')
  .action(async (paths: string[], o: { case: string; profile?: ProfileName; examiner?: string; json?: boolean; minFreeMb: number; decodeTimeout: number; encrypt?: boolean }) => {
    const json = !!o.json;
    try {
      const examiner = examinerName(o.examiner);
      const wb = await createWorkbench({
        caseDir: o.case, modelsDir: modelsDirOf(globalModels()), examiner, minFreeBytes: o.minFreeMb * 1024 * 1024, decodeTimeoutMs: Math.round(o.decodeTimeout * 1000),
        ...(o.profile ? { profile: o.profile } : {}), ...access(), encrypt: !!o.encrypt,
      });
      const bar = progressBar(!json, 'ingest');
      const ac = new AbortController();
      const onSigint = (): void => {
        process.stderr.write('\nkestrel: cancelling after the files in flight (run ingest again to resume)\n');
        ac.abort();
      };
      process.once('SIGINT', onSigint);
      try {
        const s = await wb.ingest(paths, { examiner, signal: ac.signal, onProgress: (p) => bar.update(p.done, p.total, p.currentPath ?? '') });
        bar.stop();
        const { jobId, ...summary } = s;
        if (json) printJson({ ...summary, job: jobId, case: wb.caseDir, profile: wb.profile });
        else {
          process.stdout.write(
            `case ${wb.caseDir} (profile ${wb.profile})\n` +
              `${s.media} new media, ${s.media_with_faces} with faces, ${s.faces} faces, ${s.duplicates} duplicates linked, ` +
              (s.already_in_case ? `${s.already_in_case} already in the case, ` : '') +
              `${s.errors.length} errors, ${s.seconds} s\n` +
              (s.rescued_by_padding ? `${s.rescued_by_padding} images needed the padded detector pass\n` : '') +
              (s.media_without_faces ? `${s.media_without_faces} images with no face found\n` : '') +
              (s.alarms ? `${s.alarms} watchlist alarm(s) raised: kestrel alarms --case "${wb.caseDir}" --status open\n` : ''),
          );
          if (s.errors.length) printTable(s.errors.map((e) => [e.reason, e.path, e.detail]), ['reason', 'path', 'detail']);
        }
      } finally {
        process.off('SIGINT', onSigint);
        await wb.dispose();
      }
    } catch (err) {
      fail(err, json);
    }
  });

program
  .command('open')
  .description('create or open a case and show what it holds (the default case for `npm start`)')
  .requiredOption('--case <dir>', 'case folder')
  .addOption(profileOption())
  .option('--examiner <name>', 'examiner recorded if the case is created')
  .addOption(encryptOption())
  .option('--json', 'print the case info as JSON')
  .action(async (o: { case: string; profile?: ProfileName; examiner?: string; json?: boolean; encrypt?: boolean }) => {
    const json = !!o.json;
    try {
      const wb = await createWorkbench({ caseDir: o.case, modelsDir: modelsDirOf(globalModels()), examiner: examinerName(o.examiner), ...(o.profile ? { profile: o.profile } : {}), ...access(), encrypt: !!o.encrypt });
      try {
        const info = wb.info();
        const models = await wb.models.list();
        const ready = models.filter((m) => m.profiles.includes(wb.profile)).every((m) => m.verified);
        if (json) printJson({ ...info, modelsReady: ready });
        else {
          process.stdout.write(
            `Kestrel ${KESTREL_VERSION}: case '${info.name}' at ${info.caseDir}\n` +
              `profile ${info.profile}; ${info.counts.sources} sources, ${info.counts.media} media, ${info.counts.faces} faces, ${info.counts.errors} intake errors\n` +
              `${info.encrypted ? 'encrypted at rest (database and every derived file)' : 'not encrypted'}\n` +
              `models for this profile: ${ready ? 'installed and verified' : 'MISSING - run: npx kestrel models install --from <bundle folder>'}\n\n` +
              'Open the workstation UI in a browser with `npx kestrel serve --case <dir>` (or `npm start`); from the command line:\n' +
              `  npx kestrel ingest --case "${info.caseDir}" <photos, folders or archives>\n` +
              `  npx kestrel faces --case "${info.caseDir}"\n` +
              `  npx kestrel audit verify --case "${info.caseDir}"\n` +
              '  npx kestrel --help\n',
          );
        }
      } finally {
        await wb.dispose();
      }
    } catch (err) {
      fail(err, json);
    }
  });

program
  .command('case-password')
  .description("change an encrypted case's password (the case key is re-wrapped; the data stays as it is); audited")
  .requiredOption('--case <dir>', 'case folder')
  .requiredOption('--new-password-file <file>', 'the new password: the first line of this file')
  .option('--examiner <name>', 'examiner recorded in the audit log')
  .option('--json', 'print the result as JSON')
  .action(async (o: { case: string; newPasswordFile: string; examiner?: string; json?: boolean }) => {
    const json = !!o.json;
    try {
      const { password } = access();
      const next = casePassword(o.newPasswordFile, {}).password!;
      // Opened first: the old password is proven and the change is recorded in the case.
      const wb = await createWorkbench({ caseDir: o.case, modelsDir: modelsDirOf(globalModels()), mustExist: true, ...(password ? { password } : {}) });
      try {
        if (!wb.vault.encrypted) throw new KestrelError('INVALID_INPUT', `The case at ${wb.caseDir} is not encrypted; a case is encrypted when it is made (--encrypt)`);
        await changeCasePassword(wb.caseDir, password!, next);
        wb.repos.audit.append(examinerName(o.examiner), 'case.password_changed', `case:${wb.info().name}`, {});
      } finally {
        await wb.dispose();
      }
      if (json) printJson({ case: resolve(o.case), passwordChanged: true });
      else process.stdout.write(`the password of ${resolve(o.case)} is changed\n`);
    } catch (err) {
      fail(err, json);
    }
  });

program
  .command('serve')
  .description('serve the workstation UI for a case on 127.0.0.1 (browser mode); the first line printed is its URL with the access token')
  .requiredOption('--case <dir>', 'case folder (created if new)')
  .addOption(profileOption())
  .option('--port <n>', 'port (default: a free one)', intArg, 0)
  .option('--examiner <name>', 'examiner recorded if the case is created')
  .addOption(encryptOption())
  .action(async (o: { case: string; profile?: ProfileName; port: number; examiner?: string; encrypt?: boolean }) => {
    try {
      const modelsDir = modelsDirOf(globalModels());
      const rendererDir = join(appRoot, 'dist', 'renderer');
      if (!existsSync(join(rendererDir, 'index.html'))) throw new KestrelError('IO_ERROR', `the UI is not built (${rendererDir}); run: npm run build`);
      const wb = await createWorkbench({ caseDir: o.case, modelsDir, examiner: examinerName(o.examiner), ...(o.profile ? { profile: o.profile } : {}), ...access(), encrypt: !!o.encrypt });
      // The UI may open or create other cases; each is opened like this one (with the password typed in the UI).
      const host = await CaseHost.start({ initial: wb, recentFile: recentCasesFile(), open: (c) => createWorkbench({ modelsDir, ...workbenchOpening(c) }) });
      const server = await startCaseServer({ wb: host, rendererDir, port: o.port, log: (m) => process.stderr.write(`kestrel serve: ${m}\n`) });
      process.stdout.write(`${server.url}\n`);
      process.stderr.write(`kestrel serve: case '${wb.info().name}' on ${server.url.split('#')[0]} (loopback only; the URL's token is required). Ctrl-C stops.\n`);
      const stop = (): void => {
        void server.close().then(() => host.dispose()).then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    } catch (err) {
      fail(err, false);
    }
  });

program
  .command('faces')
  .description('list the faces of a case')
  .requiredOption('--case <dir>', 'case folder')
  .option('--offset <n>', 'skip this many faces', intArg, 0)
  .option('--limit <n>', 'at most this many faces (default: all)', intArg)
  .option('--json', 'print {"faces": [...]} on stdout')
  .action(async (o: { case: string; offset: number; limit?: number; json?: boolean }) => {
    const json = !!o.json;
    await withExistingCase(o.case, json, (wb) => {
      const total = wb.repos.faces.count();
      const faces = wb.repos.faces.list(o.offset, o.limit ?? total);
      if (json) printJson({ faces, total });
      else {
        printTable(
          faces.map((f) => [f.id, f.mediaPath, `${Math.round(f.box.x)},${Math.round(f.box.y)} ${Math.round(f.box.width)}x${Math.round(f.box.height)}`,
            f.detectorScore.toFixed(2), f.quality.overall.toFixed(2), f.age ?? '', f.gender ?? '', f.quality.warnings.join(' ')]),
          ['id', 'media', 'box', 'score', 'quality', 'age', 'gender', 'warnings'],
        );
        process.stdout.write(`${faces.length} of ${total} faces\n`);
      }
    });
  });

program
  .command('tracks')
  .description('list the face tracks (sightings) found in the videos of a case')
  .requiredOption('--case <dir>', 'case folder')
  .option('--offset <n>', 'skip this many tracks', intArg, 0)
  .option('--limit <n>', 'at most this many tracks (default: all)', intArg)
  .option('--json', 'print {"tracks": [...]} on stdout')
  .action(async (o: { case: string; offset: number; limit?: number; json?: boolean }) => {
    const json = !!o.json;
    await withExistingCase(o.case, json, (wb) => {
      const total = wb.repos.tracks.count();
      const tracks = wb.repos.tracks.list(o.offset, o.limit ?? total).map((t) => ({
        id: t.id, media: t.mediaId, media_path: t.mediaPath, start_ms: t.startMs, end_ms: t.endMs, faces: t.faces,
        best_face: t.bestFace, quality: t.quality, thumbnail: t.bestThumbnail,
      }));
      if (json) printJson({ tracks, total });
      else {
        printTable(tracks.map((t) => [t.id, t.media_path, (t.start_ms / 1000).toFixed(2), (t.end_ms / 1000).toFixed(2), t.faces, t.best_face, t.quality.toFixed(2)]),
          ['id', 'video', 'start s', 'end s', 'faces', 'best face', 'quality']);
        process.stdout.write(`${tracks.length} of ${total} tracks\n`);
      }
    });
  });

const audit = program.command('audit').description('the case audit trail');
audit
  .command('verify')
  .description('check the hash chain of the audit log and its anchored end; names the first bad row (exit 3 when broken)')
  .requiredOption('--case <dir>', 'case folder')
  .option('--json', 'print the result as JSON')
  .action(async (o: { case: string; json?: boolean }) => {
    const json = !!o.json;
    await withExistingCase(o.case, json, (wb) => {
      const r = wb.repos.audit.verify();
      if (json) printJson(r);
      else process.stdout.write(r.ok ? `audit chain ok (${r.rows} rows, head ${r.headHash})\n` : `audit chain BROKEN at row ${r.firstBadId}: ${r.problem}\n`);
      process.exitCode = r.ok ? 0 : 3;
    });
  });

const models = program.command('models').description('install, verify and list face models');
models
  .command('list')
  .description('list known models with licence, role, profiles and whether they are installed and verified')
  .option('--json', 'print {"models": [...]}')
  .action(async (o: { json?: boolean }) => {
    const json = !!o.json;
    try {
      const store = await ModelStore.open(modelsDirOf(globalModels()));
      const list = await store.list();
      if (json) printJson({ modelsDir: store.dir, models: list });
      else {
        process.stdout.write(`models folder: ${store.dir}\n`);
        printTable(
          list.map((m) => [m.id, m.landmarksIn.length ? `${m.role} (landmarks in ${m.landmarksIn.join(',')})` : m.role, m.installed ? (m.verified ? 'verified' : 'BAD HASH') : 'missing', m.profiles.join(','), m.licence]),
          ['id', 'role', 'state', 'profiles', 'licence'],
        );
      }
    } catch (err) {
      fail(err, json);
    }
  });
models
  .command('install')
  .description('install the pinned models: from a bundle folder (--from), or download from their pinned public sources')
  .option('--from <dir>', 'folder holding the model files (e.g. an offline bundle)')
  .option('--json', 'print the install report as JSON')
  .action(async (o: { from?: string; json?: boolean }) => {
    const json = !!o.json;
    try {
      const store = await ModelStore.open(modelsDirOf(globalModels()));
      const report = o.from ? await store.installFrom(resolve(o.from)) : await store.download();
      if (json) printJson({ modelsDir: store.dir, ...report });
      else {
        process.stdout.write(`models folder: ${store.dir}\ninstalled: ${report.installed.length}, already present: ${report.alreadyPresent.length}, failed: ${report.failed.length}\n`);
        for (const f of report.failed) process.stdout.write(`  FAILED ${f.file}: ${f.reason}\n`);
      }
      if (report.failed.length) process.exitCode = 1;
    } catch (err) {
      fail(err, json);
    }
  });
models
  .command('register')
  .description('register an extra ONNX recognizer by path, SHA-256 and preprocessing (no code change needed)')
  .requiredOption('--id <id>', 'model id')
  .requiredOption('--file <path>', 'the .onnx file')
  .requiredOption('--sha256 <hex>', 'expected SHA-256 of the file')
  .requiredOption('--dim <n>', 'embedding size', intArg)
  .requiredOption('--licence <text>', 'licence of the weights (shown wherever models are listed)')
  .addOption(new Option('--template <name>', 'alignment template').choices(['arcface112', 'intel128']).default('arcface112'))
  .addOption(new Option('--colour <order>', 'channel order').choices(['RGB', 'BGR']).default('RGB'))
  .option('--input-name <name>', 'input tensor name', 'input')
  .option('--output-name <name>', 'output tensor name', 'output')
  .option('--scale <v>', 'pixel scale before mean/std', '1')
  .option('--mean <r,g,b>', 'per-channel mean', '0,0,0')
  .option('--std <r,g,b>', 'per-channel std', '1,1,1')
  .option('--commercial', 'the weights allow commercial use')
  .option('--profiles <list>', 'profiles that use it', 'accurate')
  .action(async (o: Record<string, string | number | boolean | undefined>) => {
    try {
      const triple = (s: string): [number, number, number] => {
        const v = s.split(',').map(Number);
        if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw new KestrelError('INVALID_INPUT', `expected three numbers, got '${s}'`);
        return v as [number, number, number];
      };
      const template = o['template'] as 'arcface112' | 'intel128';
      const size = template === 'intel128' ? 128 : 112;
      const spec = modelSpecSchema.parse({
        id: o['id'], file: `${String(o['id'])}.onnx`, sha256: String(o['sha256']).toLowerCase(), role: 'recognizer', version: 'user-registered',
        licence: o['licence'], commercialUse: !!o['commercial'], source: null,
        input: { name: o['inputName'], width: size, height: size, colour: o['colour'], scale: Number(o['scale']), mean: triple(String(o['mean'])), std: triple(String(o['std'])) },
        template, output: { kind: 'embedding', name: o['outputName'], dim: o['dim'] },
      });
      const profiles = String(o['profiles']).split(',').map((p) => p.trim()) as ProfileName[];
      if (profiles.some((p) => !PROFILE_NAMES.includes(p))) throw new KestrelError('PROFILE_UNKNOWN', `unknown profile in '${String(o['profiles'])}'`);
      const store = await ModelStore.open(modelsDirOf(globalModels()));
      await store.register(spec, resolve(String(o['file'])), profiles);
      process.stdout.write(`registered ${spec.id} for ${profiles.join(', ')} in ${store.dir}\n`);
    } catch (err) {
      fail(err, false);
    }
  });

registerSearchCommands(program, withExistingCase);
registerWatchlistCommands(program, withExistingCase);
registerMatchCommands(program, withExistingCase);
registerClipCommands(program, withExistingCase);
registerIdentityCommands(program, withExistingCase);
registerAnnotationCommands(program, withExistingCase);
registerExportCommands(program, withExistingCase);

const evalCmd = program.command('eval').description('measure accuracy on a labelled protocol (see DATASETS.md for the CSV formats)');
for (const task of ['verify', 'search', 'cluster'] as const) {
  evalCmd
    .command(task)
    .description({ verify: '1:1 verification: 10-fold accuracy, TAR at FAR 1e-2/1e-3, AUC, TAR by age gap', search: '1:N search: rank-1/top-5/top-10 hit rates, by probe age', cluster: 'clustering: pairwise and BCubed precision/recall/F1' }[task])
    .requiredOption('--protocol <csv>', 'protocol file')
    .addOption(profileOption().default('accurate'))
    .option('--json', 'print the result as one JSON document')
    .option('--out <file>', 'also write the JSON result to this file')
    .option('--seed-z <v>', 'cluster: seed edges at this normalised score (explore; default the product\'s)', numArg)
    .option('--merge-z <v>', 'cluster: merge seeds at this mean normalised score', numArg)
    .option('--sure-score <v>', 'cluster: fused cosine that always makes a seed edge (2 turns it off)', numArg)
    .option('--raw', 'search: rank by the raw fused cosine only (no neighbourhood re-ranking), for comparison')
    .action(async (o: { protocol: string; profile: ProfileName; json?: boolean; out?: string; seedZ?: number; mergeZ?: number; sureScore?: number; raw?: boolean }) => {
      await report(o, async (json) => {
        const bar = progressBar(!json, `embed (${task})`);
        const r = await runEval(task as EvalTask, {
          protocol: resolve(o.protocol), profile: o.profile, modelsDir: modelsDirOf(globalModels()),
          onProgress: (d, t) => bar.update(d, t),
          cluster: { ...(o.seedZ !== undefined ? { seedZ: o.seedZ } : {}), ...(o.mergeZ !== undefined ? { mergeZ: o.mergeZ } : {}), ...(o.sureScore !== undefined ? { sureScore: o.sureScore } : {}) },
          ...(o.raw ? { ranking: { shortlist: 0, cohort: 0 } } : {}),
        });
        bar.stop();
        return r;
      }, (r) => printEval(task, r));
    });
}

evalCmd
  .command('robustness')
  .description('how decisions move under JPEG, blur, scale, rotation and brightness changes; flags faces unstable under mild ones')
  .requiredOption('--protocol <csv>', 'a cluster protocol (path,identity): images and who is who')
  .addOption(profileOption().default('accurate'))
  .option('--limit <n>', 'images degraded (spread over the protocol)', intArg, 200)
  .option('--threshold <score>', 'decision threshold on the fused score (default: the calibration\'s FAR 1e-3)', numArg)
  .option('--json', 'print the result as one JSON document')
  .option('--out <file>', 'also write the JSON result to this file')
  .action(async (o: { protocol: string; profile: ProfileName; limit: number; threshold?: number; json?: boolean; out?: string }) => {
    await report(o, async (json) => {
      const bar = progressBar(!json, 'embed (robustness)');
      const r = await runRobustnessEval({
        protocol: resolve(o.protocol), profile: o.profile, modelsDir: modelsDirOf(globalModels()), limit: o.limit,
        onProgress: (d, t) => bar.update(d, t), ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
      });
      bar.stop();
      return r;
    }, printRobustness);
  });

registerCompareCommands(program, evalCmd, withExistingCase, () => modelsDirOf(globalModels()));

function printRobustness(r: Record<string, unknown>): void {
  const b = r['baseline'] as Record<string, number>;
  process.stdout.write(`robustness on ${String(r['protocol'])} (profile ${String(r['profile'])}); ${String(r['images'])} images (${String(r['images_without_face'])} without a face), ` +
    `${String(r['same_person_pairs'])} same-person and ${String(r['other_person_pairs'])} other-person pairs; threshold ${String(r['threshold'])} (${String(r['threshold_source'])})\n`);
  process.stdout.write(`undegraded: same person accepted ${pct(b['same_person_accepted'])}, other person accepted ${pct(b['other_person_accepted'])}\n`);
  printTable((r['degradations'] as Record<string, unknown>[]).map((d) => [
    String(d['degradation']), String(d['strength']), pct(d['found']), String(d['self_score_median'] ?? '-'), String(d['self_score_p05'] ?? '-'),
    pct(d['same_person_accepted']), pct(d['same_person_flipped_to_reject']), pct(d['other_person_accepted']), pct(d['other_person_flipped_to_accept']),
  ]), ['change', 'strength', 'face found', 'self median', 'self p05', 'same accepted', 'same lost', 'other accepted', 'other gained']);
  process.stdout.write(`unstable faces (below the threshold against their own original under a mild change, or lost): ${String(r['unstable_faces'])} (${pct(r['unstable_rate'])}); ${String(r['seconds'])} s\n`);
}

function printEval(task: EvalTask, r: Record<string, unknown>): void {
  process.stdout.write(`${task} on ${String(r['protocol'])} (profile ${String(r['profile'])}, models ${(r['models'] as string[]).join('+')})\n`);
  process.stdout.write(`images ${String(r['images'])}, without a face ${String(r['images_without_face'])}, from cache ${String(r['cache_hits'])}, ${String(r['seconds'])} s\n`);
  if (task === 'verify') {
    printTable([[pct(r['accuracy']), pct(r['tar_at_far_1e-2']), pct(r['tar_at_far_1e-3']), Number(r['auc']).toFixed(4)]], ['accuracy', 'TAR@FAR1e-2', 'TAR@FAR1e-3', 'AUC']);
    const g = r['tar_by_age_gap'] as Record<string, { pairs: number; 'tar_at_far_1e-2': number }>;
    printTable(Object.entries(g).map(([k, v]) => [k, v.pairs, pct(v['tar_at_far_1e-2'])]), ['age gap', 'pairs', 'TAR@FAR1e-2']);
    const c = r['calibration'] as Record<string, unknown> | null;
    if (c) {
      printTable([[Number(c['cllr']).toFixed(4), pct(c['misleading_same_lr_below_1']), pct(c['misleading_different_lr_above_1']), pct(c['misleading_same_lr_below_0_01']), pct(c['misleading_different_lr_above_100'])]],
        ['LR Cllr', 'same: LR<1', 'different: LR>1', 'same: LR<1/100', 'different: LR>100']);
      process.stdout.write(`likelihood ratios from the calibration on ${String(c['data'])}; pairs by condition ${JSON.stringify(c['pairs_by_condition'])}\n`);
    } else process.stdout.write('no calibration for these recognizer weights: no likelihood ratios\n');
  } else if (task === 'search') {
    printTable([['all', String(r['probes']), pct(r['rank1']), pct(r['top5']), pct(r['top10'])],
      ...Object.entries(r['by_probe_age'] as Record<string, { probes: number; rank1: number; top5: number; top10: number }>).map(([k, v]) => [k, v.probes, pct(v.rank1), pct(v.top5), pct(v.top10)])],
    ['probe age', 'probes', 'rank-1', 'top-5', 'top-10']);
    const g = r['one_per_identity'] as { identities: number; true_identities: number; rank1: number; top5: number; top10: number };
    process.stdout.write(`one result per identity (--by identity; the gallery grouped by the product's clusterer into ${g.identities} identities, for ${g.true_identities} people): rank-1 ${pct(g.rank1)}, top-5 ${pct(g.top5)}, top-10 ${pct(g.top10)}\n`);
    const c = r['several_probes_combined'] as { subjects: number; probes: number; each_alone: Record<string, number>; two_combined: Record<string, number>; all_combined: Record<string, number> } | null;
    if (c) {
      process.stdout.write(`subjects with several probe photos: ${c.subjects} (${c.probes} photos); each photo alone, any two in one query, all in one query\n`);
      const row = (name: string, v: Record<string, number>): string[] => [name, pct(v['rank1']), pct(v['top5']), pct(v['top10'])];
      printTable([row('each alone', c.each_alone), row('any two', c.two_combined), row('all combined', c.all_combined)], ['query', 'rank-1', 'top-5', 'top-10']);
    }
    const each = Object.entries(r['each_recognizer'] as Record<string, Record<string, number>>);
    if (each.length) {
      process.stdout.write('each recognizer alone (same ranking), against all of them fused\n');
      printTable([...each.map(([m, v]) => [m, pct(v['rank1']), pct(v['top5']), pct(v['top10'])]), ['fused', pct(r['rank1']), pct(r['top5']), pct(r['top10'])]], ['recognizer', 'rank-1', 'top-5', 'top-10']);
    }
  } else {
    printTable([
      ['pairwise', pct(r['pairwise_precision']), pct(r['pairwise_recall']), Number(r['pairwise_f1']).toFixed(4)],
      ['BCubed', pct(r['bcubed_precision']), pct(r['bcubed_recall']), Number(r['bcubed_f1']).toFixed(4)],
    ], ['metric', 'precision', 'recall', 'F1']);
    process.stdout.write(`clusters ${String(r['clusters'])} for ${String(r['identities'])} identities; >10-year same-person pairs together: ${pct(r['cross_age_10y_together'])}\n`);
  }
}

const bench = program.command('bench').description('performance benchmarks (print a table, write JSON)');
bench
  .command('ingest')
  .description('end-to-end intake throughput on generated photos vs. the pure model-inference bound')
  .option('--photos <n>', 'generated photos', intArg, 120)
  .option('--runs <n>', 'runs (median reported)', intArg, 3)
  .addOption(profileOption().default('accurate'))
  .option('--workers <n>', 'inference workers', intArg)
  .option('--threads <n>', 'ORT threads per worker', intArg)
  .option('--json', 'print the result as JSON')
  .option('--out <file>', 'also write the JSON result to this file')
  .action(async (o: { photos: number; runs: number; profile: ProfileName; workers?: number; threads?: number; json?: boolean; out?: string }) => {
    await report(o, () => benchIngest({
      photos: o.photos, runs: Math.max(1, o.runs), profile: o.profile, facePhoto: join(appRoot, 'resources', 'fixtures', 'astronaut.png'),
      modelsDir: modelsDirOf(globalModels()), ...(o.workers ? { workers: o.workers } : {}), ...(o.threads ? { threads: o.threads } : {}),
    }), (r) => {
      printTable([
        ['end to end', r['e2e_seconds'] as number, r['e2e_photos_per_s'] as number, r['e2e_faces_per_s'] as number],
        ['inference only (bound)', r['inference_seconds'] as number, r['inference_photos_per_s'] as number, r['inference_faces_per_s'] as number],
      ], ['', 'seconds', 'photos/s', 'faces/s']);
      process.stdout.write(`${String(r['photos'])} photos, ${String(r['faces'])} faces, ${String(r['workers'])} workers x ${String(r['threads_per_worker'])} threads; end-to-end / bound = ${pct(r['ratio_e2e_to_inference'])}\n`);
      process.stdout.write(`memory during intake: peak RSS ${String(r['peak_rss_mib'])} MiB; by tenths of the last run ${(r['rss_by_tenth_mib'] as number[]).join(' ')} MiB\n`);
    });
  });

bench
  .command('ingest-memory')
  .description("resident memory through one large intake into a new case (sampled every second)")
  .option('--photos <n>', 'photos to ingest', intArg, 100_000)
  .option('--distinct <n>', 'photos drawn from scratch; the rest are byte-distinct copies of them', intArg, 500)
  .addOption(profileOption().default('accurate'))
  .option('--json', 'print the result as JSON')
  .option('--out <file>', 'also write the JSON result to this file')
  .action(async (o: { photos: number; distinct: number; profile: ProfileName; json?: boolean; out?: string }) => {
    await report(o, () => benchIngestMemory({
      photos: o.photos, distinct: Math.max(1, o.distinct), profile: o.profile, facePhoto: join(appRoot, 'resources', 'fixtures', 'astronaut.png'), modelsDir: modelsDirOf(globalModels()),
      onLog: (line) => process.stderr.write(`bench ingest-memory: ${line}\n`),
    }), (r) => {
      printTable([[r['photos'] as number, r['faces'] as number, r['seconds'] as number, r['photos_per_s'] as number, r['peak_rss_mib'] as number, r['database_mib'] as number]],
        ['photos', 'faces', 'seconds', 'photos/s', 'peak RSS MiB', 'database MiB']);
      process.stdout.write(`RSS by tenths of the intake: ${(r['rss_by_tenth_mib'] as number[]).join(' ')} MiB (at start ${String(r['start_rss_mib'])})\n`);
      const byPhotos = r['rss_by_photos'] as { photos: number; rss_mib: number }[];
      process.stdout.write(`RSS after each tenth of the photos: ${byPhotos.map((b) => `${b.photos}: ${b.rss_mib}`).join(', ')} MiB\n`);
    });
  });

const sharedVideo = (name: string): string => join(appRoot, '..', 'shared', 'datasets', 'videos', name);
bench
  .command('video')
  .description('video intake speed as multiples of real time on 720p and 1080p footage made from real face videos, and where the time goes')
  .option('--source-720 <file>', 'real face video for the 720p footage', sharedVideo('shinzo_abe.mp4'))
  .option('--source-1080 <file>', 'real face video for the 1080p footage', sharedVideo('conan_obrien.mp4'))
  .option('--seconds <n>', 'length of each generated clip', intArg, 20)
  .option('--runs <n>', 'end-to-end runs (median reported)', intArg, 3)
  .option('--long-minutes <n>', 'also ingest this many minutes of 720p footage and report memory along the way', numArg, 0)
  .addOption(profileOption().default('accurate'))
  .option('--json', 'print the result as JSON')
  .option('--out <file>', 'also write the JSON result to this file')
  .action(async (o: { source720: string; source1080: string; seconds: number; runs: number; longMinutes: number; profile: ProfileName; json?: boolean; out?: string }) => {
    for (const f of [o.source720, o.source1080]) if (!existsSync(f)) fail(new KestrelError('INVALID_INPUT', `${f} does not exist: give a real face video with --source-720 / --source-1080`), !!o.json);
    await report(o, () => benchVideo({
      source720: o.source720, source1080: o.source1080, seconds: Math.max(2, o.seconds), runs: Math.max(1, o.runs), profile: o.profile, modelsDir: modelsDirOf(globalModels()), longMinutes: o.longMinutes,
      onLog: (m) => process.stderr.write(`bench video: ${m}\n`),
    }), (r) => {
      const row = (k: string): (string | number)[] => {
        const x = r[k] as Record<string, number>;
        return [k, x['realtime_x']!, x['wall_s']!, x['frames_sampled']!, x['decode_s']!, x['detect_s_summed']!, x['face_models_s_summed']!, x['track_s']!, x['store_s']!, x['tracks']!];
      };
      printTable([row('720p'), row('1080p')], ['footage', 'x real time', 'wall s', 'frames', 'decode s', 'detect s*', 'face models s*', 'track s', 'store s', 'tracks']);
      const long = r['long'] as Record<string, unknown> | undefined;
      if (long) process.stdout.write(`long run: ${String(long['duration_s'])} s of 720p in ${String(long['wall_s'])} s (${String(long['realtime_x'])}x), ${String(long['tracks'])} tracks; RSS start ${String(long['rss_start_mib'])} MiB, peak ${String(long['rss_peak_mib'])} MiB, by tenths ${(long['rss_by_tenth_mib'] as number[]).join(' ')}\n`);
      process.stdout.write(`${String(r['seconds'])} s clips sampled at ${String(r['sample_fps'])} fps, ${String(r['workers'])} workers x ${String(r['threads_per_worker'])} threads; * summed over the workers (they run in parallel); decode alone, inference alone, then median of ${String(r['runs'])} end-to-end runs\n`);
    });
  });

bench
  .command('export')
  .description('evidence export of a real case: median time of full exports (all formats), each on a copy of the case database; outputs are deleted')
  .requiredOption('--case <dir>', 'case folder (its originals must be reachable)')
  .option('--runs <n>', 'runs (median reported)', intArg, 3)
  .option('--select <ref>', 'selection (repeatable; default: all)', collect, [])
  .option('--all-frames', 'a full frame for every face (default: for the faces the report shows)')
  .option('--json', 'print the result as JSON')
  .option('--out <file>', 'also write the JSON result to this file')
  .action(async (o: { case: string; runs: number; select: string[]; allFrames?: boolean; json?: boolean; out?: string }) => {
    await report(o, () => benchExport({ caseDir: resolve(o.case), modelsDir: modelsDirOf(globalModels()), runs: Math.max(1, o.runs), select: o.select.length ? o.select : ['all'], allFrames: !!o.allFrames }), (r) => {
      printTable([[String(r['faces']), String(r['files']), `${(Number(r['bytes']) / 1048576).toFixed(0)} MiB`, r['frames'] as string, r['seconds_median'] as number, r['faces_per_s'] as number, r['peak_rss_mb'] as number]],
        ['faces', 'files', 'size', 'frames', 'median s', 'faces/s', 'peak RSS MiB']);
      process.stdout.write(`runs: ${(r['seconds_runs'] as number[]).join(', ')} s\n`);
    });
  });

bench
  .command('search')
  .description('1:N latency (p50/p99) and recall@k of the case index against exact search, build time and memory, M:N as kestrel match runs it (synthetic faces)')
  .option('--faces <n>', 'stored faces', intArg, 100_000)
  .option('--queries <n>', 'probe faces timed one at a time and checked against exact search', intArg, 200)
  .option('--mn-probes <n>', 'probes of the M:N run (library A)', intArg, 10_000)
  .option('--dims <n>', 'fused vector size (accurate profile: 512)', intArg, 512)
  .option('--k <n>', 'candidates per query', intArg, 10)
  .option('--candidates <n>', 'graph candidates re-scored with the full vectors per query (repeatable; default: the product tuning)', (v: string, prev: number[] = []) => [...prev, intArg(v)])
  .option('--connectivity <n>', 'graph connectivity (default: the product tuning)', intArg)
  .option('--rank <n>', 'principal directions of the graph (default: the product tuning)', intArg)
  .addOption(generatorOption())
  .option('--json', 'print the result as JSON')
  .option('--out <file>', 'also write the JSON result to this file')
  .action(async (o: { faces: number; queries: number; mnProbes: number; dims: number; k: number; candidates?: number[]; connectivity?: number; rank?: number; generator: FaceGenerator; json?: boolean; out?: string }) => {
    await report(o, () => benchSearch({
      faces: o.faces, queries: o.queries, mnProbes: o.mnProbes, dims: o.dims, k: o.k, generator: o.generator, ...(o.candidates ? { candidates: o.candidates } : {}),
      ...(o.connectivity ? { connectivity: o.connectivity } : {}), ...(o.rank ? { rank: o.rank } : {}),
    }), (r) => {
      const runs = r['search'] as { candidates: number; p50_ms: number; p99_ms: number; recall_at_k: number }[];
      const t = r['tuning'] as { candidates: number; connectivity: number };
      printTable([
        ...runs.map((l) => [`graph (${String(r['subspace_rank'])} directions, ${t.connectivity} links), ${l.candidates} candidates re-scored${l.candidates === t.candidates ? ' (product)' : ''}`, l.p50_ms, l.p99_ms, l.recall_at_k]),
        ['exact scan', r['exact_p50_ms'] as number, r['exact_p99_ms'] as number, 1],
      ], [`1:N (${String(r['fetch'])} results asked)`, 'p50 ms', 'p99 ms', `recall@${o.k}`]);
      process.stdout.write(`${String(r['faces'])} faces x ${String(r['dims'])} dims (${String(r['generator'])} generator): build ${String(r['build_seconds'])} s (${String(r['build_faces_per_s'])} faces/s), index memory ~${String(r['index_rss_mb'])} MiB\n`);
      process.stdout.write(`M:N ${String(r['mn_probes'])} probes x ${String(r['faces'])} faces (graph ${String(r['mn_candidates'])} candidates each, scored exactly, best ${String(r['mn_kept'])} kept): ${String(r['mn_seconds'])} s (${String(r['mn_probes_per_s'])} probes/s), recall@${o.k} ${String(r['mn_recall_at_k'])}\n`);
    });
  });

bench
  .command('search-case')
  .description('search through a whole case as the examiner runs it: a case of N synthetic faces and one real photo; index build and load, then searches timed end to end (face:ID probes unfiltered and under each filter, the photo as probe); the case is deleted afterwards')
  .option('--faces <n>', 'synthetic faces in the case', intArg, 200_000)
  .option('--queries <n>', 'unfiltered searches timed', intArg, 60)
  .option('--filtered-queries <n>', 'searches timed per filter', intArg, 6)
  .option('--photo-queries <n>', 'photo-probe searches timed', intArg, 5)
  .option('--top <n>', 'candidates asked per search', intArg, 20)
  .option('--keep <dir>', 'build the case in this folder and keep it')
  .addOption(generatorOption())
  .option('--json', 'print the result as JSON')
  .option('--out <file>', 'also write the JSON result to this file')
  .action(async (o: { faces: number; queries: number; filteredQueries: number; photoQueries: number; top: number; keep?: string; generator: FaceGenerator; json?: boolean; out?: string }) => {
    await report(o, () => benchCaseSearch({
      faces: o.faces, queries: Math.max(1, o.queries), filteredQueries: Math.max(1, o.filteredQueries), photoQueries: Math.max(1, o.photoQueries), top: o.top,
      modelsDir: modelsDirOf(globalModels()), facePhoto: join(appRoot, 'resources', 'fixtures', 'astronaut.png'), generator: o.generator,
      ...(o.keep ? { keepDir: resolve(o.keep) } : {}), onLog: (m) => process.stderr.write(`bench search-case: ${m}\n`),
    }), (r) => {
      const rows = r['searches'] as Record<string, number | string>[];
      printTable(rows.map((x) => [x['what']!, x['p50_ms']!, x['p99_ms']!, x['first_ms']!, x['runs']!, x['faces_searched']!]), [`search, top ${String(r['top'])}`, 'p50 ms', 'p99 ms', 'first ms', 'runs', 'faces searched']);
      process.stdout.write(`${String(r['faces'])} faces (${String(r['index_mode'])} index, ${String(r['dims'])} dims: ${String(r['models'])}; ${String(r['generator'])} vectors): rows written in ${String(r['fill_seconds'])} s, index built in ${String(r['build_seconds'])} s, loaded in ${String(r['load_seconds'])} s (${String(r['index_mib_on_disk'])} MiB on disk); the index alone answers in ${String(r['index_alone_p50_ms'])} ms p50; RSS ${String(r['rss_after_load_mib'])} MiB after load, ${String(r['rss_end_mib'])} MiB at the end\n`);
    });
  });

bench
  .command('cluster')
  .description('identity clustering: full run over N synthetic faces, then an incremental run adding M, with stage times (cohort, neighbours, clustering) and BCubed F1 against the generator')
  .option('--faces <n>', 'faces clustered in the full run', intArg, 100_000)
  .option('--add <n>', 'faces added by the incremental run', intArg, 10_000)
  .option('--dims <n>', 'fused vector size (accurate profile: 512)', intArg, 512)
  .addOption(generatorOption())
  .option('--json', 'print the result as JSON')
  .option('--out <file>', 'also write the JSON result to this file')
  .action(async (o: { faces: number; add: number; dims: number; generator: FaceGenerator; json?: boolean; out?: string }) => {
    await report(o, () => benchCluster({ faces: o.faces, add: o.add, dims: o.dims, generator: o.generator }), (r) => {
      const f = r['full'] as Record<string, number>;
      const inc = r['incremental'] as Record<string, number> | null;
      printTable([
        [`full, ${String(r['faces'])} faces`, f['seconds']!, f['cohort_s']!, f['neighbours_s']!, f['cluster_s']!, f['bcubed_f1']!],
        ...(inc ? [[`incremental, +${inc['added']!}`, inc['seconds']!, inc['stats_s']!, inc['neighbours_s']!, inc['cluster_s']!, inc['bcubed_f1_after']!]] : []),
      ], ['run', 'seconds', 'cohort s', 'neighbours s', 'cluster s', 'BCubed F1']);
      process.stdout.write(`peak RSS ${String(r['peak_rss_mib'])} MiB\n`);
    });
  });

bench
  .command('ui')
  .description('the UI with a large synthetic case in Chromium: first paint of the faces, identity and timeline views, frame times while scrolling and zooming')
  .option('--faces <n>', 'faces in the synthetic case', intArg, 100_000)
  .option('--identities <n>', 'identities they are grouped into', intArg, 20_000)
  .option('--runs <n>', 'runs (fresh page each)', intArg, 3)
  .option('--chromium <path>', 'the Chromium binary', process.env['KESTREL_CHROMIUM'] ?? '/usr/bin/chromium')
  .option('--json', 'print the result as JSON')
  .option('--out <file>', 'also write the JSON result to this file')
  .action(async (o: { faces: number; identities: number; runs: number; chromium: string; json?: boolean; out?: string }) => {
    await report(o, () => benchUi({
      faces: o.faces, identities: o.identities, runs: Math.max(1, o.runs), modelsDir: modelsDirOf(globalModels()), rendererDir: join(appRoot, 'dist', 'renderer'),
      facePhoto: join(appRoot, 'resources', 'fixtures', 'astronaut.png'), chromium: o.chromium, onLog: (m) => process.stderr.write(`bench ui: ${m}\n`),
    }), (r) => {
      const m = r['median'] as Record<string, number>;
      process.stdout.write(`${String(r['faces'])} faces on ${String(r['photos'])} photos, ${String(r['identities'])} identities; median of ${String(r['runs'])} runs (targets: first paint < 1500 ms, no frame over 50 ms)\n`);
      printTable([
        ['faces grid', m['faces_first_paint_ms']!, m['faces_scroll_frame_max_ms']!, '-', '-'],
        ['identity grid', m['identities_first_paint_ms']!, m['identities_scroll_frame_max_ms']!, m['identities_scroll_frames_over_50ms']!, '-'],
        ['timeline', m['timeline_first_paint_ms']!, m['timeline_frame_max_ms']!, m['timeline_frames_over_50ms']!, m['timeline_response_p50_ms']!],
      ], ['view', 'first paint ms', 'worst frame ms', 'frames > 50 ms', 'zoom/pan response p50 ms']);
    });
  });

await program.parseAsync(process.argv);
