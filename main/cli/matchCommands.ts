import { Option, type Command } from 'commander';
import { KestrelError, type MatchBy, type MatchDto, type MatchItemDto } from '../contract/index.js';
import { DEFAULT_MAX_PAIRS, MATCH_CANDIDATES_PER_ITEM, matchToCsv } from '../core/index.js';
import { intArg, numArg, type OpenCase } from './args.js';
import { auditedExport } from './auditedExport.js';
import { examinerName } from './examiner.js';
import { printJson, printTable, seconds } from './output.js';

const LIBRARIES = 'case (this case), case:DIR (another case), source:ID, watchlist:NAME, folder:DIR (photos, analysed now)';

const describe = (s: MatchItemDto): string =>
  s.kind === 'subject' ? `subject ${s.subject ?? ''}`
    : s.kind === 'track' ? `track ${String(s.trackId)} ${s.mediaPath} ${seconds(s.startMs)}-${seconds(s.endMs)}`
      : s.kind === 'face' ? `face ${String(s.faceId)} ${s.mediaPath}${s.frameMs === null ? '' : ` @${seconds(s.frameMs)}`}`
        : `${s.mediaPath} #${s.key.split('#')[1] ?? ''}`;
const identity = (s: MatchItemDto): string => (s.identityId === undefined || s.identityId === null ? '' : ` (identity ${s.identityId}${s.identityName ? ` ${s.identityName}` : ''})`);

function printMatch(m: MatchDto, limit = 50): void {
  process.stdout.write(`match ${m.id} by ${m.examiner} at ${m.at}\n  A: ${m.a.label} (${m.a.items} items${m.a.skipped ? `, ${m.a.skipped} files skipped` : ''})\n  B: ${m.b.label} (${m.b.items} items${m.b.skipped ? `, ${m.b.skipped} files skipped` : ''})\n`);
  process.stdout.write(`${m.pairsCompared} pairs compared; ${m.pairs.length}${m.by === 'identity' ? ' identity pairs' : ''} at or above ${m.threshold} (${m.thresholdSource})${m.truncated ? `; TRUNCATED: more pairs passed than were kept (max ${m.maxPairs} in all, ${MATCH_CANDIDATES_PER_ITEM} per item): raise the threshold` : ''}\n`);
  const byIdentity = m.by === 'identity';
  printTable(m.pairs.slice(0, limit).map((p) => [p.rank, p.score.toFixed(3), p.log10Lr === null ? '' : p.log10Lr.toFixed(2), describe(p.a) + identity(p.a), describe(p.b) + identity(p.b), ...(byIdentity ? [p.itemPairs ?? 1] : [])]),
    ['rank', 'score', 'log10 LR', 'A', 'B', ...(byIdentity ? ['item pairs'] : [])]);
  if (m.pairs.length > limit) process.stdout.write(`... ${m.pairs.length - limit} more (kestrel matches show ${m.id} --json, or export)\n`);
}

/** `kestrel match` (M:N) and `kestrel matches list|show|export`. */
export function registerMatchCommands(program: Command, openCase: OpenCase): void {
  program
    .command('match')
    .description('M:N: every face, track or subject of library A against library B; pairs above the threshold, one per item pair (or per identity pair), strongest first (stored; see kestrel matches)')
    .requiredOption('--case <dir>', 'the case that stores the match (and whose pipeline analyses folders)')
    .requiredOption('--a <library>', `library A: ${LIBRARIES}`)
    .requiredOption('--b <library>', 'library B (the same as A finds duplicates within one library)')
    .option('--threshold <score>', 'fused-score threshold (default: false-accept rate 1e-3 on the calibration data)', numArg)
    .option('--max-pairs <n>', 'pairs kept at most (the strongest)', intArg, DEFAULT_MAX_PAIRS)
    .addOption(new Option('--by <unit>', 'one pair per item pair, or one per identity pair (the strongest of its item pairs, with their count; items in no identity stand alone)').choices(['item', 'identity']).default('item'))
    .option('--examiner <name>', 'examiner recorded with the match')
    .option('--json', 'print the stored match as JSON')
    .action(async (o: { case: string; a: string; b: string; threshold?: number; maxPairs: number; by: MatchBy; examiner?: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, async (wb) => {
        const m = await wb.match({ a: o.a, b: o.b, ...(o.threshold !== undefined ? { threshold: o.threshold } : {}), maxPairs: o.maxPairs, by: o.by, examiner: examinerName(o.examiner) });
        if (json) printJson(m);
        else printMatch(m);
      });
    });

  const matches = program.command('matches').description('stored M:N matches: list, show, export');
  const load = (wb: Parameters<Parameters<OpenCase>[2]>[0], id: string): MatchDto => {
    const m = wb.repos.matches.get(Number(id));
    if (!m) throw new KestrelError('NOT_FOUND', `No match ${id} in this case`);
    return m;
  };
  matches
    .command('list', { isDefault: true })
    .description('list the stored matches of a case, newest first')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print {"matches": [...]}')
    .action(async (o: { case: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, (wb) => {
        const list = wb.repos.matches.list(1000);
        if (json) printJson({ matches: list });
        else printTable(list.map((m) => [m.id, m.at, m.examiner, m.a.spec, m.b.spec, m.threshold, m.pairsCompared, m.pairCount, m.by ?? 'item']), ['id', 'at', 'examiner', 'A', 'B', 'threshold', 'compared', 'pairs', 'per']);
      });
    });
  matches
    .command('show')
    .description('reopen a stored match with its pairs')
    .requiredOption('--case <dir>', 'case folder')
    .argument('<id>', 'match id')
    .option('--json', 'print the match as JSON')
    .action(async (id: string, o: { case: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, (wb) => {
        const m = load(wb, id);
        if (json) printJson(m);
        else printMatch(m, 1000);
      });
    });
  matches
    .command('export')
    .description('export a stored match as CSV or JSON (audited)')
    .requiredOption('--case <dir>', 'case folder')
    .argument('<id>', 'match id')
    .requiredOption('--out <file>', 'file to write (refuses to overwrite)')
    .option('--format <f>', 'csv or json (default: from the file name)')
    .option('--examiner <name>', 'examiner recorded with the export')
    .action(async (id: string, o: { case: string; out: string; format?: string; examiner?: string }) => {
      await openCase(o.case, false, async (wb) => {
        const m = load(wb, id);
        const { format } = await auditedExport(wb, { ...o, action: 'match.exported', target: `match:${m.id}`, csv: () => matchToCsv(m), json: () => m });
        process.stdout.write(`wrote ${o.out} (${m.pairs.length} pairs, ${format})\n`);
      });
    });
}
