import type { Command } from 'commander';
import { ANNOTATION_TARGETS, CONCLUSION_SCALE, KestrelError, type AnnotationDto, type AnnotationKind, type AnnotationTargetKind } from '../contract/index.js';
import type { OpenCase } from './args.js';
import { examinerName } from './examiner.js';
import { printJson, printTable } from './output.js';

/** `face:12`, `identity:3`, … as an annotation target. */
function target(v: string): { kind: AnnotationTargetKind; id: number } {
  const m = /^([a-z]+):(\d+)$/.exec(v.trim());
  if (!m || !(ANNOTATION_TARGETS as readonly string[]).includes(m[1]!) || Number(m[2]) <= 0) {
    throw new KestrelError('INVALID_INPUT', `'${v}' is not a target: use KIND:ID with KIND one of ${ANNOTATION_TARGETS.join(', ')}`);
  }
  return { kind: m[1] as AnnotationTargetKind, id: Number(m[2]) };
}

const text = (a: AnnotationDto): string => [a.tag, a.scale, a.body].filter(Boolean).join(' — ');

/** `kestrel tag define|list`, `kestrel annotate`, `kestrel annotations`, `kestrel annotation withdraw`. */
export function registerAnnotationCommands(program: Command, openCase: OpenCase): void {
  const tag = program.command('tag').description('the case\'s tag vocabulary (tags must be defined before they are applied)');
  tag
    .command('define <name>')
    .description('add a tag to the case vocabulary, with what it means; audited')
    .requiredOption('--case <dir>', 'case folder')
    .option('--description <text>', 'what the tag means', '')
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .option('--json', 'print the tag as JSON')
    .action(async (name: string, o: { case: string; description: string; examiner?: string; json?: boolean }) => {
      await openCase(o.case, !!o.json, async (wb) => {
        const t = await wb.invoke('tag.define', { name, description: o.description, examiner: examinerName(o.examiner) });
        if (o.json) printJson(t);
        else process.stdout.write(`tag "${t.name}" defined; audited\n`);
      });
    });
  tag
    .command('list')
    .description('the tag vocabulary, with how often each tag is applied')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print {"tags": [...]}')
    .action(async (o: { case: string; json?: boolean }) => {
      await openCase(o.case, !!o.json, async (wb) => {
        const r = await wb.invoke('tags.list', {});
        if (o.json) printJson(r);
        else printTable(r.tags.map((t) => [t.name, t.uses, t.description, t.createdBy]), ['tag', 'uses', 'meaning', 'defined by']);
      });
    });

  program
    .command('annotate <target>')
    .description(`annotate evidence (target KIND:ID, KIND one of ${ANNOTATION_TARGETS.join(', ')}): exactly one of --tag, --note, --bookmark, --conclusion; audited, never deleted`)
    .requiredOption('--case <dir>', 'case folder')
    .option('--tag <name>', 'apply a tag of the case vocabulary')
    .option('--note <text>', 'add a note')
    .option('--bookmark [text]', 'bookmark the item (optional text)')
    .option('--conclusion <scale>', `an examiner conclusion on the ENFSI verbal scale: ${CONCLUSION_SCALE.map((s) => `"${s}"`).join(', ')}`)
    .option('--text <text>', 'reasoning for a conclusion')
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .option('--json', 'print the annotation as JSON')
    .action(async (ref: string, o: { case: string; tag?: string; note?: string; bookmark?: string | boolean; conclusion?: string; text?: string; examiner?: string; json?: boolean }) => {
      await openCase(o.case, !!o.json, async (wb) => {
        const given = (['tag', 'note', 'bookmark', 'conclusion'] as const).filter((k) => o[k] !== undefined);
        if (given.length !== 1) throw new KestrelError('INVALID_INPUT', 'Give exactly one of --tag, --note, --bookmark, --conclusion');
        const kind: AnnotationKind = given[0]!;
        const a = await wb.invoke('annotation.add', {
          target: target(ref), kind, examiner: examinerName(o.examiner),
          ...(kind === 'tag' ? { tag: o.tag } : {}),
          ...(kind === 'note' ? { body: o.note } : {}),
          ...(kind === 'bookmark' ? { body: typeof o.bookmark === 'string' ? o.bookmark : '' } : {}),
          ...(kind === 'conclusion' ? { scale: o.conclusion, body: o.text ?? '' } : {}),
        });
        if (o.json) printJson(a);
        else process.stdout.write(`annotation ${a.id}: ${a.kind} on ${a.target.kind}:${a.target.id}: ${text(a)}; audited\n`);
      });
    });

  program
    .command('annotations')
    .description('list and search annotations (withdrawn ones with --all)')
    .requiredOption('--case <dir>', 'case folder')
    .option('--target <ref>', 'only those on one item (KIND:ID)')
    .option('--kind <kind>', 'tag, note, bookmark or conclusion')
    .option('--tag <name>', 'only this tag')
    .option('--search <words>', 'text found in the note, tag or conclusion')
    .option('--all', 'include withdrawn annotations')
    .option('--json', 'print {"annotations": [...], "total": N}')
    .action(async (o: { case: string; target?: string; kind?: string; tag?: string; search?: string; all?: boolean; json?: boolean }) => {
      await openCase(o.case, !!o.json, async (wb) => {
        const r = await wb.invoke('annotations.list', {
          ...(o.target ? { target: target(o.target) } : {}), ...(o.kind ? { kind: o.kind } : {}), ...(o.tag ? { tag: o.tag } : {}), ...(o.search ? { query: o.search } : {}),
          includeWithdrawn: !!o.all,
        });
        if (o.json) return printJson(r);
        printTable(r.annotations.map((a) => [a.id, `${a.target.kind}:${a.target.id}`, a.kind, text(a), a.examiner, a.createdAt, a.withdrawn ? `withdrawn: ${a.withdrawn.reason}` : '']),
          ['id', 'target', 'kind', 'text', 'examiner', 'at', '']);
      });
    });

  program
    .command('annotation')
    .description('one annotation')
    .command('withdraw <id>')
    .description('withdraw an annotation (its text is kept and the withdrawal audited)')
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--reason <text>', 'why it is withdrawn')
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .option('--json', 'print the annotation as JSON')
    .action(async (id: string, o: { case: string; reason: string; examiner?: string; json?: boolean }) => {
      await openCase(o.case, !!o.json, async (wb) => {
        const a = await wb.invoke('annotation.withdraw', { id: Number(id), reason: o.reason, examiner: examinerName(o.examiner) });
        if (o.json) printJson(a);
        else process.stdout.write(`annotation ${a.id} withdrawn; audited\n`);
      });
    });
}
