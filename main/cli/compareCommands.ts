import { InvalidArgumentError, Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KestrelError, PROFILE_NAMES, type CompareDto, type ProfileName } from '../contract/index.js';
import { CALIBRATION_FILE, comparePhotos, readCalibrationFile, runEval, withCalibration, type Calibration } from '../core/index.js';
import { numArg, type OpenCase } from './args.js';
import { examinerName } from './examiner.js';
import { fail, printJson, printTable } from './output.js';
import { progressBar } from './progress.js';

const ageArg = (v: string): number => {
  const n = numArg(v);
  if (n < 0 || n > 130) throw new InvalidArgumentError('expected an age in years (0-130)');
  return n;
};

/** `kestrel compare`: 1:1 with a calibrated likelihood ratio; `kestrel eval calibrate` makes the calibration. */
export function registerCompareCommands(program: Command, evalCmd: Command, openCase: OpenCase, modelsDir: () => string): void {
  program
    .command('compare')
    .description('1:1: are two faces the same person? Per-model and fused scores, a calibrated likelihood ratio with its verbal scale, quality warnings and the decision at the threshold')
    .argument('<a>', 'a photo (its largest confident face), or face:ID of a face in --case')
    .argument('<b>', 'the other photo or face:ID')
    .option('--case <dir>', 'compare within a case (face:ID refers to its faces; the comparison is audited there)')
    .addOption(new Option('--profile <name>', 'model profile when no case is given').choices([...PROFILE_NAMES]).default('accurate'))
    .option('--age-a <years>', 'known age in photo A (better calibration than the estimate)', ageArg)
    .option('--age-b <years>', 'known age in photo B', ageArg)
    .option('--threshold <score>', 'fused-score decision threshold (default: false-accept rate 1e-3 on the calibration data)', numArg)
    .option('--examiner <name>', 'examiner recorded in the audit log (with --case)')
    .option('--json', 'print the result as one JSON document')
    .action(async (a: string, b: string, o: { case?: string; profile: ProfileName; ageA?: number; ageB?: number; threshold?: number; examiner?: string; json?: boolean }) => {
      const json = !!o.json;
      const common = { ageA: o.ageA ?? null, ageB: o.ageB ?? null, ...(o.threshold !== undefined ? { threshold: o.threshold } : {}) };
      const show = (r: CompareDto): void => (json ? printJson(r) : printCompare(r));
      if (o.case) {
        await openCase(o.case, json, async (wb) => show(await wb.compare({ a, b, ...common, examiner: examinerName(o.examiner) })));
        return;
      }
      try {
        for (const ref of [a, b]) if (ref.startsWith('face:')) throw new KestrelError('INVALID_INPUT', `${ref} refers to a stored face: give --case`);
        show(await comparePhotos({ modelsDir: modelsDir(), profile: o.profile, a: resolve(a), b: resolve(b), ...common }));
      } catch (err) {
        fail(err, json);
      }
    });

  evalCmd
    .command('calibrate')
    .description('fit the score-to-likelihood-ratio calibration of a profile on a verification protocol; reports its held-out cost (Cllr) per age condition')
    .requiredOption('--protocol <csv>', 'verification protocol (path_a,path_b,is_same[,fold,age_a,age_b])')
    .addOption(new Option('--profile <name>', 'model profile').choices([...PROFILE_NAMES]).default('accurate'))
    .option('--description <text>', 'how reports name the calibration data')
    .option('--write-calibration [file]', `add the calibration to this file (default: ${CALIBRATION_FILE} in the models store, used by compare)`)
    .option('--json', 'print the result as one JSON document')
    .option('--out <file>', 'also write the JSON result to this file')
    .action(async (o: { protocol: string; profile: ProfileName; description?: string; writeCalibration?: string | true; json?: boolean; out?: string }) => {
      const json = !!o.json;
      try {
        const bar = progressBar(!json, 'embed (calibrate)');
        const r = await runEval('calibrate', {
          protocol: resolve(o.protocol), profile: o.profile, modelsDir: modelsDir(), onProgress: (d, t) => bar.update(d, t),
          ...(o.description ? { calibrationDescription: o.description } : {}),
        });
        bar.stop();
        const cal = r['calibration'] as Calibration;
        if (o.writeCalibration) {
          const file = o.writeCalibration === true ? join(modelsDir(), CALIBRATION_FILE) : resolve(o.writeCalibration);
          const next = withCalibration(existsSync(file) ? readCalibrationFile(file) : null, cal);
          await writeFile(`${file}.tmp`, JSON.stringify(next, null, 2) + '\n');
          await rename(`${file}.tmp`, file);
          r['written_to'] = file;
        }
        if (o.out) await writeFile(o.out, JSON.stringify(r, null, 2));
        if (json) printJson(r);
        else printCalibration(r, cal);
      } catch (err) {
        fail(err, json);
      }
    });
}

function printCompare(r: CompareDto): void {
  const side = (n: string, s: CompareDto['a']): string[] => [
    n, s.label, s.sha256 ? `${s.sha256.slice(0, 12)}…` : `face ${String(s.faceId)}`, `${Math.round(s.box.width)}x${Math.round(s.box.height)}`,
    s.age === null ? '?' : `${Math.round(s.age)} (${s.ageSource})`, s.quality.overall.toFixed(2),
  ];
  printTable([side('A', r.a), side('B', r.b)], ['', 'face', 'sha256 / id', 'box', 'age', 'quality']);
  process.stdout.write('\n');
  printTable([...r.scores.map((s) => [s.model, s.score.toFixed(4)]), ['fused (mean)', r.fused.toFixed(4)]], ['model', 'cosine']);
  process.stdout.write('\n');
  const e = r.evidence;
  if (e) {
    process.stdout.write(`Likelihood ratio: 10^${e.log10Lr.toFixed(2)} = ${e.lr}${e.atBound ? ' (at the bound of the calibration data)' : ''}; condition: ${e.conditionLabel}\n`);
    process.stdout.write(`  ${e.verbal}\n`);
    process.stdout.write(`  Calibration: ${e.calibration.data} (${e.calibration.protocol}, sha256 ${e.calibration.protocolSha256.slice(0, 12)}…), held-out Cllr ${e.calibration.heldOutCllr ?? '-'}\n`);
  } else process.stdout.write('Likelihood ratio: none (no calibration for these recognizer weights)\n');
  process.stdout.write(r.decision
    ? `Decision: ${r.decision.toUpperCase()} at threshold ${String(r.threshold)} (${r.thresholdSource})\n`
    : `Decision: none (${r.thresholdSource})\n`);
  if (r.warnings.length) process.stdout.write(`Warnings:\n${r.warnings.map((w) => `  - ${w.message}`).join('\n')}\n`);
  if (r.comparisonId !== null) process.stdout.write(`Stored and audited as comparison ${r.comparisonId}; record your conclusion with: kestrel annotate comparison:${r.comparisonId} --conclusion "<verbal scale>"\n`);
}

function printCalibration(r: Record<string, unknown>, cal: Calibration): void {
  process.stdout.write(`calibrate on ${cal.data.protocol} (profile ${cal.profile}, models ${Object.keys(cal.recognizers).join('+')}); pairs ${String(r['pairs'])}, used ${String(r['pairs_used'])}\n`);
  const check = r['held_out_check'] as { condition: string; held_out_pairs: number; cllr: number; cllr_with_any: number }[];
  printTable(cal.conditions.map((c) => {
    const k = check.find((x) => x.condition === c.id);
    return [c.id, c.positives, c.negatives, c.a.toFixed(3), c.b.toFixed(3), `10^${c.maxLog10Lr.toFixed(2)}`, k?.cllr.toFixed(4), k?.cllr_with_any.toFixed(4)];
  }), ['condition', 'same', 'different', 'a', 'b', 'max LR', 'held-out Cllr', "Cllr of 'any'"]);
  process.stdout.write(`thresholds: FAR 1e-2 at ${cal.thresholds['far_1e-2']}, FAR 1e-3 at ${cal.thresholds['far_1e-3']}${r['written_to'] ? `; written to ${String(r['written_to'])}` : ''}\n`);
}
