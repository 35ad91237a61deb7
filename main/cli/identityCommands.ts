import type { Command } from 'commander';
import { KestrelError, type IdentityDto, type IdentityFaceDto } from '../contract/index.js';
import { intArg, type OpenCase } from './args.js';
import { examinerName } from './examiner.js';
import { printJson, printTable, seconds } from './output.js';

const ages = (r: { min: number; max: number } | null): string => (r ? (r.min === r.max ? `${r.min.toFixed(0)}` : `${r.min.toFixed(0)}-${r.max.toFixed(0)}`) : '?');
const label = (i: IdentityDto): string => `${i.name ?? ''}${i.status === 'confirmed' ? ' [confirmed]' : ''}${i.hidden ? ' [hidden]' : ''}`;
const faceLine = (f: IdentityFaceDto): string => `face ${f.faceId}${f.trackId !== null ? ` (track ${f.trackId})` : ''} ${f.mediaPath}${f.frameMs !== null ? ` @${seconds(f.frameMs)}` : ''}`;

function faceList(v: string): number[] {
  const ids = v.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  if (!ids.length || ids.some((x) => !Number.isInteger(x) || x <= 0)) throw new KestrelError('INVALID_INPUT', `--faces takes face ids separated by commas, not '${v}'`);
  return ids;
}

function identityId(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new KestrelError('INVALID_INPUT', `'${v}' is not an identity id`);
  return n;
}

/** `kestrel cluster`, `kestrel identities` and `kestrel identity show|suggest|name|confirm|hide|merge|split|move|reject|undo|log`. */
export function registerIdentityCommands(program: Command, openCase: OpenCase): void {
  program
    .command('cluster')
    .description('group the case\'s faces and tracks into identities: incremental once the case has identities (new faces join or form identities), --full to re-cluster everything; confirmed identities and examiner decisions are always kept')
    .requiredOption('--case <dir>', 'case folder')
    .option('--full', 're-cluster every face (confirmed identities stay as they are)')
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .option('--json', 'print the run summary as JSON')
    .action(async (o: { case: string; full?: boolean; examiner?: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, async (wb) => {
        const r = await wb.cluster({ full: !!o.full, examiner: examinerName(o.examiner) });
        if (json) return printJson(r);
        process.stdout.write(`${r.mode} clustering of ${r.units} sightings (${r.faces} faces, ${r.newUnits} new) in ${r.seconds} s\n`);
        process.stdout.write(`${r.identities} identities, ${r.identitiesWithSeveralUnits} with more than one sighting; ${r.created} created, ${r.removed} removed; ${r.isolated} sightings too poor to group automatically (left alone; see suggestions)\n`);
        process.stdout.write(`constraints honoured: ${r.constraints.must} same-person, ${r.constraints.cannot} different-person (one photo or frame, or examiner), ${r.constraints.locked} confirmed identities${r.constraints.contradictions ? `; ${r.constraints.contradictions} contradictions (same-person wins)` : ''}\n`);
      });
    });

  program
    .command('identities')
    .description('the case\'s identities, largest first: faces, sightings, estimated age range, first/last seen, sources')
    .requiredOption('--case <dir>', 'case folder')
    .option('--min-faces <n>', 'only identities with at least this many faces', intArg, 1)
    .option('--all', 'include hidden identities')
    .option('--json', 'print {"identities": [...]}')
    .action(async (o: { case: string; minFaces: number; all?: boolean; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, (wb) => {
        const list = wb.listIdentities({ minFaces: o.minFaces, includeHidden: !!o.all });
        if (json) return printJson({ identities: list });
        printTable(list.map((i) => [i.id, i.faceCount, i.unitCount, ages(i.ageRange), i.firstSeen ?? '', i.lastSeen ?? '', i.sources.length, label(i)]),
          ['id', 'faces', 'sightings', 'age', 'first seen', 'last seen', 'sources', 'name']);
      });
    });

  const identity = program.command('identity').description('one identity: show, suggestions, and examiner operations (all audited, undoable)');
  const withOp = (name: string, description: string, args: string, build: (c: Command) => Command,
    run: (wb: Parameters<Parameters<OpenCase>[2]>[0], a: string[], o: Record<string, unknown>, examiner: string) => unknown): void => {
    build(identity.command(`${name}${args ? ` ${args}` : ''}`).description(description).requiredOption('--case <dir>', 'case folder')
      .option('--examiner <name>', 'examiner recorded with the operation').option('--json', 'print the result as JSON'))
      .action(async (...params: unknown[]) => {
        const cmd = params[params.length - 1] as Command;
        const o = cmd.opts<Record<string, unknown>>();
        const positional = params.slice(0, -2).flat() as string[];
        const json = !!o['json'];
        await openCase(o['case'] as string, json, (wb) => {
          const r = run(wb, positional, o, examinerName(o['examiner'] as string | undefined));
          if (json) printJson(r);
          else {
            const op = r as { op: number; kind: string; identities: readonly number[] };
            process.stdout.write(`operation ${op.op}: ${op.kind} (identities ${op.identities.join(', ')}); audited; 'kestrel identity undo' reverses the last operation\n`);
          }
        });
      });
  };

  identity
    .command('show <id>')
    .description('an identity: summary, per-age strip and all its faces')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print it as JSON')
    .action(async (id: string, o: { case: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, (wb) => {
        const d = wb.identity(identityId(id));
        if (json) return printJson(d);
        process.stdout.write(`identity ${d.id} ${label(d)}\n  ${d.faceCount} faces, ${d.unitCount} sightings, estimated age ${ages(d.ageRange)}, seen ${d.firstSeen ?? '?'} .. ${d.lastSeen ?? '?'}\n  sources: ${d.sources.join(', ')}\n`);
        if (d.bestFace) process.stdout.write(`  best face: ${faceLine(d.bestFace)}\n`);
        process.stdout.write('  by age:\n');
        printTable(d.ageStrip.map((f) => [f.age === null ? '?' : f.age.toFixed(0), f.capturedAt ?? '', faceLine(f)]), ['age', 'captured', 'face']);
      });
    });

  identity
    .command('suggest <id>')
    .description('other identities that may be the same person (cross-age included), ranked, with score, normalised score and age gap')
    .requiredOption('--case <dir>', 'case folder')
    .option('--limit <n>', 'suggestions shown', intArg, 10)
    .option('--json', 'print {"suggestions": [...]}')
    .action(async (id: string, o: { case: string; limit: number; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, (wb) => {
        const s = wb.identitySuggestions(identityId(id), o.limit);
        if (json) return printJson({ suggestions: s });
        printTable(s.map((x) => [x.identityId, x.faceCount, x.meanZ.toFixed(2), x.bestZ.toFixed(2), x.bestScore.toFixed(3), ages(x.ageRange), x.ageGap ?? '?', x.crossAge ? 'cross-age' : '', x.name ?? '']),
          ['identity', 'faces', 'mean z', 'best z', 'best score', 'age', 'age gap', '', 'name']);
      });
    });

  withOp('name', 'name an identity (--clear removes the name)', '<id> [name...]', (c) => c.option('--clear', 'remove the name'),
    (wb, a, o, ex) => wb.identityOps.name(identityId(a[0]!), o['clear'] ? null : a.slice(1).join(' '), ex));
  withOp('confirm', 'confirm an identity: never merged or split automatically again; new faces are offered as suggestions', '<id>', (c) => c,
    (wb, a, _o, ex) => wb.identityOps.confirm(identityId(a[0]!), ex));
  withOp('hide', 'hide an identity from lists (--show to show it again)', '<id>', (c) => c.option('--show', 'show it again'),
    (wb, a, o, ex) => wb.identityOps.hide(identityId(a[0]!), !o['show'], ex));
  withOp('merge', 'merge identities into the first (smallest id); refused when two of their faces share a photo or were marked different', '<ids...>', (c) => c,
    (wb, a, _o, ex) => wb.identityOps.merge(a.map(identityId), ex));
  withOp('split', 'move the given faces (whole tracks) out of the identity into a new one, kept apart from the rest', '<id>', (c) => c.requiredOption('--faces <ids>', 'face ids, comma-separated'),
    (wb, a, o, ex) => wb.identityOps.split(identityId(a[0]!), faceList(o['faces'] as string), ex));
  withOp('move', 'move faces (whole tracks) to another identity, where they stay', '', (c) => c.requiredOption('--faces <ids>', 'face ids, comma-separated').requiredOption('--to <id>', 'target identity'),
    (wb, _a, o, ex) => wb.identityOps.move(faceList(o['faces'] as string), identityId(o['to'] as string), ex));
  withOp('reject', '"not this person": the faces leave the identity and never rejoin it', '<id>', (c) => c.requiredOption('--faces <ids>', 'face ids, comma-separated'),
    (wb, a, o, ex) => wb.identityOps.reject(identityId(a[0]!), faceList(o['faces'] as string), ex));
  withOp('undo', 'undo the last identity operation (membership, names, constraints)', '', (c) => c,
    (wb, _a, _o, ex) => wb.identityOps.undo(ex));
}
