import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { ALARM_ORDERS, KestrelError, orderAlarms, type AlarmOrder } from '../contract/index.js';
import type { AlarmRow } from '../core/index.js';
import { examinerName } from './examiner.js';
import { printJson, printTable, seconds } from './output.js';
import { collect, numArg, type OpenCase } from './args.js';


function printAlarms(alarms: readonly AlarmRow[]): void {
  printTable(alarms.map((a) => [a.id, a.status, a.watchlist, a.subject, a.score.toFixed(3), a.trackId === null ? `face ${a.faceId}` : `track ${a.trackId}`, a.mediaPath,
    a.trackId === null ? seconds(a.frameMs) : `${seconds(a.trackStartMs)}-${seconds(a.trackEndMs)}`, a.clipPath ? `derived/${a.clipPath}` : '', a.decidedBy ?? '']),
  ['id', 'status', 'watchlist', 'subject', 'score', 'hit', 'media', 'time', 'clip', 'decided by']);
}

export function registerWatchlistCommands(program: Command, openCase: OpenCase): void {
  const wl = program.command('watchlist').description('watchlists of wanted or missing people: every intake is checked against them');
  // A command on one enrolled subject: the case and the subject's id come first.
  const subjectCommand = (name: string, description: string): Command => wl.command(name).description(description)
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--subject <id>', 'subject id (kestrel watchlist list)', numArg);
  wl.command('create')
    .description('create a watchlist with its alarm threshold (the case is created if new)')
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--name <name>', 'watchlist name')
    .option('--threshold <score>', 'alarm at or above this fused score (default 0.55)', numArg)
    .option('--notes <text>', 'notes', '')
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .action(async (o: { case: string; name: string; threshold?: number; notes: string; examiner?: string }) => {
      const examiner = examinerName(o.examiner);
      await openCase(o.case, false, (wb) => {
        const id = wb.createWatchlist({ name: o.name, notes: o.notes, examiner, ...(o.threshold !== undefined ? { threshold: o.threshold } : {}) });
        process.stdout.write(`watchlist ${id} '${o.name}' created\n`);
      }, { create: true, examiner });
    });
  wl.command('enrol')
    .description('enrol a subject from reference photos; the case is checked for them at once')
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--list <name>', 'watchlist name')
    .requiredOption('--name <name>', 'subject name')
    .requiredOption('--photo <file>', 'reference photo (repeat for several)', collect)
    .option('--notes <text>', 'notes', '')
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .option('--json', 'print {subjectId, alarms}')
    .action(async (o: { case: string; list: string; name: string; photo: string[]; notes: string; examiner?: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, async (wb) => {
        const r = await wb.enrol({ watchlist: o.list, name: o.name, photos: o.photo.map((p) => resolve(p)), notes: o.notes, examiner: examinerName(o.examiner) });
        const alarms = wb.repos.watchlists.alarms().filter((a) => r.alarms.includes(a.id));
        if (json) printJson({ subjectId: r.subjectId, alarms });
        else {
          process.stdout.write(`subject ${r.subjectId} '${o.name}' enrolled in '${o.list}' with ${o.photo.length} photo(s); ${alarms.length} alarm(s) raised in this case\n`);
          if (alarms.length) printAlarms(alarms);
        }
      });
    });
  subjectCommand('add-photos', "more reference photos of an enrolled subject (another age, another angle); the case is checked for them at once")
    .requiredOption('--photo <file>', 'reference photo (repeat for several)', collect)
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .option('--json', 'print {alarms}')
    .action(async (o: { case: string; subject: number; photo: string[]; examiner?: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, async (wb) => {
        const r = await wb.addSubjectPhotos({ subjectId: o.subject, photos: o.photo.map((p) => resolve(p)), examiner: examinerName(o.examiner) });
        const alarms = wb.repos.watchlists.alarms().filter((a) => r.alarms.includes(a.id));
        const s = wb.repos.watchlists.subjects(o.subject)[0]!;
        if (json) printJson({ alarms });
        else {
          process.stdout.write(`subject ${s.id} '${s.name}': ${o.photo.length} photo(s) added, ${s.refs} in all; ${s.retiredAt ? 'retired, so the case was not checked' : `${alarms.length} new alarm(s) raised in this case`}\n`);
          if (alarms.length) printAlarms(alarms);
        }
      });
    });
  subjectCommand('photos', "a subject's reference photos, removed ones too (with when, by whom and why)")
    .option('--json', 'print {photos}')
    .action(async (o: { case: string; subject: number; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, (wb) => {
        if (!wb.repos.watchlists.subjects(o.subject).length) throw new KestrelError('NOT_FOUND', `No watchlist subject ${o.subject} in this case (kestrel watchlist list)`);
        const photos = wb.repos.watchlists.photos(o.subject);
        if (json) printJson({ photos });
        else printTable(photos.map((p) => [p.id, p.fileName, p.sha256.slice(0, 16), p.age === null ? '' : Math.round(p.age), p.quality.toFixed(2), p.removedAt ? `removed ${p.removedAt} by ${p.removedBy}: ${p.removeReason}` : 'in use']),
          ['photo', 'file', 'sha256', 'est. age', 'quality', 'status']);
      });
    });
  subjectCommand('remove-photo', 'take a wrong reference photo off a subject: no longer used to check or match, kept with why; its alarms stay for a decision')
    .requiredOption('--photo <id>', 'photo id (kestrel watchlist photos)', numArg)
    .requiredOption('--reason <text>', 'why (recorded with the photo and in the audit log)')
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .action(async (o: { case: string; subject: number; photo: number; reason: string; examiner?: string }) => {
      await openCase(o.case, false, (wb) => {
        const r = wb.removeSubjectPhoto({ subjectId: o.subject, photoId: o.photo, reason: o.reason, examiner: examinerName(o.examiner) });
        process.stdout.write(`photo ${o.photo} removed from subject ${o.subject}; ${r.photos} photo(s) in use\n`);
      });
    });
  subjectCommand('retire', 'take a subject off its list (found, or no longer wanted): intake no longer checks it; its photos and alarms are kept')
    .requiredOption('--reason <text>', 'why (recorded with the subject and in the audit log)')
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .action(async (o: { case: string; subject: number; reason: string; examiner?: string }) => {
      await openCase(o.case, false, (wb) => {
        const r = wb.retireSubject({ subjectId: o.subject, reason: o.reason, examiner: examinerName(o.examiner) });
        const s = wb.repos.watchlists.subjects(o.subject)[0]!;
        process.stdout.write(`subject ${s.id} '${s.name}' retired from '${s.watchlist}'; ${r.openAlarms} open alarm(s) of it still await a decision\n`);
      });
    });
  subjectCommand('reinstate', 'put a retired subject back on its list; the whole case is checked for it')
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .action(async (o: { case: string; subject: number; examiner?: string }) => {
      await openCase(o.case, false, async (wb) => {
        const r = await wb.reinstateSubject({ subjectId: o.subject, examiner: examinerName(o.examiner) });
        const s = wb.repos.watchlists.subjects(o.subject)[0]!;
        process.stdout.write(`subject ${s.id} '${s.name}' is back on '${s.watchlist}'; ${r.alarms.length} new alarm(s) raised in this case\n`);
        if (r.alarms.length) printAlarms(wb.repos.watchlists.alarms().filter((a) => r.alarms.includes(a.id)));
      });
    });
  wl.command('threshold')
    .description("change a list's alarm threshold: lowered, the case is checked again; alarms already raised keep the threshold they were raised at")
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--list <name>', 'watchlist name')
    .requiredOption('--threshold <score>', 'alarm at or above this fused score', numArg)
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .action(async (o: { case: string; list: string; threshold: number; examiner?: string }) => {
      await openCase(o.case, false, async (wb) => {
        const before = wb.repos.watchlists.byName(o.list)?.threshold;
        const r = await wb.setWatchlistThreshold({ watchlist: o.list, threshold: o.threshold, examiner: examinerName(o.examiner) });
        process.stdout.write(`watchlist '${o.list}': threshold ${before} -> ${o.threshold}; ${r.alarms.length} new alarm(s) raised in this case${r.openBelow ? `; ${r.openBelow} open alarm(s) score below the new threshold and still await a decision` : ''}\n`);
        if (r.alarms.length) printAlarms(wb.repos.watchlists.alarms().filter((a) => r.alarms.includes(a.id)));
      });
    });
  wl.command('export')
    .description("write a list and its subjects' reference photos into a new or empty folder, to check other cases against it (retired subjects and removed photos stay behind)")
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--list <name>', 'watchlist name')
    .requiredOption('--out <dir>', 'new or empty folder')
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .option('--json', 'print {subjects, photos, manifestSha256}')
    .action(async (o: { case: string; list: string; out: string; examiner?: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, async (wb) => {
        const out = resolve(o.out);
        const r = await wb.exportWatchlist({ watchlist: o.list, out, examiner: examinerName(o.examiner) });
        if (json) printJson(r);
        else process.stdout.write(`watchlist '${o.list}': ${r.subjects} subject(s), ${r.photos} photo(s) written to ${out}; watchlist.json SHA-256 ${r.manifestSha256}\n`);
      });
    });
  wl.command('import')
    .description('create a list from an exported folder (every photo checked against its SHA-256 first); the case is checked for its subjects at once (the case is created if new)')
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--from <dir>', 'folder written by kestrel watchlist export')
    .option('--name <name>', "the list's name in this case (default: its exported name)")
    .option('--examiner <name>', 'examiner recorded in the audit log')
    .option('--json', 'print {watchlistId, name, subjects, photos, alarms}')
    .action(async (o: { case: string; from: string; name?: string; examiner?: string; json?: boolean }) => {
      const json = !!o.json;
      const examiner = examinerName(o.examiner);
      await openCase(o.case, json, async (wb) => {
        const r = await wb.importWatchlist({ from: resolve(o.from), examiner, ...(o.name !== undefined ? { name: o.name } : {}) });
        const alarms = wb.repos.watchlists.alarms().filter((a) => r.alarms.includes(a.id));
        if (json) printJson({ ...r, alarms });
        else {
          process.stdout.write(`watchlist ${r.watchlistId} '${r.name}' imported: ${r.subjects} subject(s), ${r.photos} photo(s); ${alarms.length} alarm(s) raised in this case\n`);
          if (alarms.length) printAlarms(alarms);
        }
      }, { create: true, examiner });
    });
  wl.command('list')
    .description('list watchlists and their subjects')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print {watchlists, subjects}')
    .action(async (o: { case: string; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, (wb) => {
        const watchlists = wb.repos.watchlists.list();
        const subjects = wb.repos.watchlists.subjects();
        if (json) printJson({ watchlists, subjects });
        else {
          printTable(watchlists.map((w) => [w.id, w.name, w.threshold, w.subjects, w.retired, w.createdBy]), ['id', 'watchlist', 'threshold', 'subjects', 'retired', 'created by']);
          printTable(subjects.map((s) => [s.id, s.watchlist, s.name, s.refs, s.retiredAt ? `retired ${s.retiredAt} by ${s.retiredBy}: ${s.retireReason}` : 'checked at intake']),
            ['subject', 'watchlist', 'name', 'photos', 'status']);
        }
      });
    });

  program
    .command('alarms')
    .description('watchlist alarms raised in a case')
    .requiredOption('--case <dir>', 'case folder')
    .addOption(new Option('--status <s>', 'only alarms in this state').choices(['open', 'confirmed', 'dismissed']))
    .addOption(new Option('--sort <order>', 'in the order raised, or the strongest first').choices([...ALARM_ORDERS]).default('raised'))
    .option('--json', 'print {"alarms": [...]}')
    .action(async (o: { case: string; status?: 'open' | 'confirmed' | 'dismissed'; sort: AlarmOrder; json?: boolean }) => {
      const json = !!o.json;
      await openCase(o.case, json, (wb) => {
        const alarms = orderAlarms(wb.repos.watchlists.alarms(o.status), o.sort);
        if (json) printJson({ alarms });
        else printAlarms(alarms);
      });
    });
  const alarm = program.command('alarm').description("an examiner's decision on an alarm (audited)");
  for (const decision of ['confirm', 'dismiss'] as const) {
    alarm.command(decision)
      .description(decision === 'confirm' ? 'confirm: the hit is the subject' : 'dismiss: the hit is not the subject')
      .requiredOption('--case <dir>', 'case folder')
      .argument('<id>', 'alarm id', numArg)
      .option('--note <text>', 'reason recorded with the decision', '')
      .option('--examiner <name>', 'examiner recorded in the audit log')
      .option('--json', 'print the alarm')
      .action(async (id: number, o: { case: string; note: string; examiner?: string; json?: boolean }) => {
        const json = !!o.json;
        await openCase(o.case, json, (wb) => {
          const a = wb.decideAlarm(id, decision === 'confirm' ? 'confirmed' : 'dismissed', examinerName(o.examiner), o.note);
          if (json) printJson(a);
          else printAlarms([a]);
        });
      });
  }
}
