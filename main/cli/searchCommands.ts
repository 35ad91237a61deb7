import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { childSearchAdvice, hasChildProbe, KestrelError, onePerIdentityText, probeInCaseText, type SearchBy, type SearchDto, type SearchFilters } from '../contract/index.js';
import { searchToCsv, type IndexStatus } from '../core/index.js';
import { collect, intArg, isoDate, numArg, type OpenCase } from './args.js';
import { examinerName } from './examiner.js';
import { auditedExport } from './auditedExport.js';
import { printJson, printTable, seconds } from './output.js';

/** The hits as a table: ordered by the re-ranking score (neighbourhood-normalised) where there is one, so it is shown beside the fused score. */
export function searchTable(s: SearchDto): { header: string[]; rows: (string | number)[][] } {
  return {
    header: ['rank', 'score', 'rank score', 'result', 'media', 'time', 'captured', 'est. age', 'identity'],
    rows: s.hits.map((h) => [h.rank, h.score.toFixed(3), h.rankScore === null ? '' : h.rankScore.toFixed(3), h.trackId === null ? `face ${h.faceId}` : `track ${h.trackId}`, h.mediaPath,
      h.trackId === null ? seconds(h.frameMs) : `${seconds(h.trackStartMs)}-${seconds(h.trackEndMs)}`, h.capturedAt ?? '', h.age ?? '',
      h.identityId === null ? '' : `${h.identityId}${h.identityName ? ` ${h.identityName}` : ''}`]),
  };
}

function printSearch(s: SearchDto): void {
  process.stdout.write(`search ${s.id} by ${s.examiner} at ${s.at}: ${s.probes.map((p) => `${p.fileName} (${p.sha256.slice(0, 12)}${p.inCase ? `; ${probeInCaseText(p.faceId ?? 0, 'en')}` : ''})`).join(', ')}\n`);
  process.stdout.write(`${s.facesSearched} faces searched (${s.params.index}), top ${s.params.top}${s.params.by === 'identity' ? `, ${onePerIdentityText('en')}` : ''}${s.params.threshold === null ? '' : `, threshold ${s.params.threshold}`}\n`);
  if (hasChildProbe(s.probes)) process.stdout.write(`${childSearchAdvice('en', s.probes.length)}\n`);
  const t = searchTable(s);
  printTable(t.rows, t.header);
}

function printIndexStatus(s: IndexStatus, seconds: number | null): void {
  const how = s.mode === 'hnsw' ? 'graph (shortlist re-scored exactly)' : 'exact scan';
  process.stdout.write(`face index: ${s.faces} faces, ${how}, ${s.dims} dims (${s.models})${seconds === null ? '' : `, rebuilt in ${seconds} s`}\n`);
  if (s.files) process.stdout.write(`saved under derived/index/: ${s.files} files, ${(s.bytes / 2 ** 20).toFixed(1)} MiB\n`);
}

export function registerSearchCommands(program: Command, openCase: OpenCase): void {
  program
    .command('index')
    .description('the case\'s face index for search and match: brought up to date with the database and described; --rebuild builds it again from the database (audited)')
    .requiredOption('--case <dir>', 'case folder')
    .option('--rebuild', 'discard the saved index and build it again from the database')
    .option('--examiner <name>', 'examiner recorded in the audit log (with --rebuild)')
    .option('--json', 'print the index status as JSON')
    .action(async (o: { case: string; rebuild?: boolean; examiner?: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, async (wb) => {
        const r = o.rebuild ? wb.rebuildIndex(examinerName(o.examiner)) : { ...wb.faceIndex().status(), seconds: null };
        if (json) printJson(r);
        else printIndexStatus(r, r.seconds);
      });
    });

  program
    .command('search')
    .description('1:N search: the top candidates in a case for one person, from one or several probe photos (stored; see kestrel searches)')
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--probe <photo>', 'probe photo, or face:ID for a face of this case (repeat for several photos of the same person)', collect)
    .option('--top <k>', 'candidates to return', intArg, 20)
    .option('--threshold <score>', 'only candidates with a fused score at or above this', numArg)
    .option('--age-min <years>', 'estimated age at least', numArg)
    .option('--age-max <years>', 'estimated age at most', numArg)
    .option('--from <date>', 'captured at or after (photos with a capture date)', isoDate)
    .option('--to <date>', 'captured at or before', isoDate)
    .option('--source <id>', 'only media from this source id', intArg)
    .addOption(new Option('--by <unit>', 'one result per face or track, or one per identity of the case (its best-ranked face or track; faces in no identity stand alone)').choices(['face', 'identity']).default('face'))
    .option('--examiner <name>', 'examiner recorded with the search')
    .option('--json', 'print the stored search as JSON')
    .action(async (o: { case: string; probe: string[]; top: number; threshold?: number; ageMin?: number; ageMax?: number; from?: string; to?: string; source?: number; by: SearchBy; examiner?: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, async (wb) => {
        const filters: SearchFilters = {
          ...(o.ageMin !== undefined ? { ageMin: o.ageMin } : {}), ...(o.ageMax !== undefined ? { ageMax: o.ageMax } : {}),
          ...(o.from !== undefined ? { capturedFrom: o.from } : {}), ...(o.to !== undefined ? { capturedTo: o.to } : {}),
          ...(o.source !== undefined ? { sourceId: o.source } : {}),
        };
        const s = await wb.search({ probes: o.probe.map((p) => (/^face:\d+$/.test(p) ? p : resolve(p))), top: o.top, threshold: o.threshold ?? null, filters, by: o.by, examiner: examinerName(o.examiner) });
        if (json) printJson(s);
        else printSearch(s);
      });
    });

  const searches = program.command('searches').description('stored searches: list, show, export');
  searches
    .command('list', { isDefault: true })
    .description('list the stored searches of a case, newest first')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print {"searches": [...]}')
    .action(async (o: { case: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, (wb) => {
        const list = wb.repos.searches.list(1000);
        if (json) printJson({ searches: list });
        else printTable(list.map((s) => [s.id, s.kind, s.at, s.examiner, s.probes.map((p) => p.fileName).join(' + '), s.facesSearched, s.params.by ?? 'face']), ['id', 'kind', 'at', 'examiner', 'probes', 'faces searched', 'per']);
      });
    });
  searches
    .command('show')
    .description('reopen a stored search with its candidates')
    .requiredOption('--case <dir>', 'case folder')
    .argument('<id>', 'search id')
    .option('--json', 'print the search as JSON')
    .action(async (id: string, o: { case: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, (wb) => {
        const s = wb.repos.searches.get(Number(id));
        if (!s) throw new KestrelError('NOT_FOUND', `No search ${id} in this case`);
        if (json) printJson(s);
        else printSearch(s);
      });
    });
  searches
    .command('export')
    .description('export a stored search as CSV or JSON (audited)')
    .requiredOption('--case <dir>', 'case folder')
    .argument('<id>', 'search id')
    .requiredOption('--out <file>', 'file to write (refuses to overwrite)')
    .option('--format <f>', 'csv or json (default: from the file name)')
    .option('--examiner <name>', 'examiner recorded with the export')
    .action(async (id: string, o: { case: string; out: string; format?: string; examiner?: string }) => {
      await openCase(o.case, false, async (wb) => {
        const s = wb.repos.searches.get(Number(id));
        if (!s) throw new KestrelError('NOT_FOUND', `No search ${id} in this case`);
        const { format } = await auditedExport(wb, { ...o, action: 'search.exported', target: `search:${s.id}`, csv: () => searchToCsv(s), json: () => s });
        process.stdout.write(`wrote ${o.out} (${s.hits.length} candidates, ${format})\n`);
      });
    });
}
