import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import {
  KestrelError, callInputSchemas, type CallName, type CallParsedInput, type CallResult, type CaseInfo, type EventName, type EventPayloads,
  type ProfileName, type RecentCaseDto,
} from '../contract/index.js';
import { userDataDir } from '../../models/modelStore.js';
import { CASE_DB_FILE, type Workbench, type WorkbenchOptions } from './workbench.js';
import type { CaseVault } from './vault/caseVault.js';

/** The per-user list of recently opened cases (KESTREL_RECENT_CASES overrides). */
export function recentCasesFile(env: NodeJS.ProcessEnv = process.env): string {
  return env['KESTREL_RECENT_CASES'] ?? join(userDataDir(env), 'recent-cases.json');
}

/** How the host opens a case: the shell's createWorkbench with its own models folder and options. */
export interface OpenCaseRequest { caseDir: string; create: boolean; name?: string; profile?: ProfileName; examiner: string; password?: string }
export type OpenCase = (o: OpenCaseRequest) => Promise<Workbench>;

/** The workbench options for a case the UI opens or creates (a password given at creation encrypts the new case). */
export function workbenchOpening(c: OpenCaseRequest): WorkbenchOptions {
  return {
    caseDir: c.caseDir, examiner: c.examiner, mustExist: !c.create, ...(c.name ? { name: c.name } : {}), ...(c.profile ? { profile: c.profile } : {}),
    ...(c.password ? { password: c.password, encrypt: c.create } : {}),
  };
}

export interface CaseHostOptions {
  readonly initial: Workbench;
  readonly open: OpenCase;
  /** Where the list of recently opened cases is kept (per user). */
  readonly recentFile: string;
  readonly maxRecent?: number;
}

const recentSchema = z.array(z.object({ dir: z.string(), name: z.string(), openedAt: z.string() }));
type Listener = { readonly event: EventName; readonly cb: (payload: EventPayloads[EventName]) => void; off: () => void };

/**
 * The app's one open case, and the switch to another: the shells (Electron, `kestrel serve`) call
 * through it, so `case.open` / `case.create` / `cases.recent` work the same in both. A case is not
 * closed while an intake or export runs in it; opening is audited in the case opened, and event
 * listeners follow the switch.
 */
export class CaseHost {
  private current: Workbench;
  private readonly listeners = new Set<Listener>();
  /** Listeners of the host's own event (a workbench never sends it). */
  private readonly openedListeners = new Set<(p: EventPayloads['case.opened']) => void>();
  private switching = false;

  private constructor(private readonly o: CaseHostOptions) {
    this.current = o.initial;
  }

  static async start(o: CaseHostOptions): Promise<CaseHost> {
    const host = new CaseHost(o);
    await host.remember(o.initial);
    return host;
  }

  get wb(): Workbench {
    return this.current;
  }

  /** The open case's folder (case files are served from it). */
  get caseDir(): string {
    return this.current.caseDir;
  }

  /** The open case's vault (its files are read through it). */
  get vault(): CaseVault {
    return this.current.vault;
  }

  async invoke<C extends CallName>(call: C, input: unknown): Promise<CallResult<C>> {
    if (call !== 'cases.recent' && call !== 'case.open' && call !== 'case.create') return this.current.invoke(call, input);
    const parsed = callInputSchemas[call].safeParse(input ?? {});
    if (!parsed.success) throw new KestrelError('INVALID_INPUT', `${call}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
    if (call === 'cases.recent') return { cases: await this.recent() } as CallResult<C>;
    if (call === 'case.open') {
      const q = parsed.data as CallParsedInput<'case.open'>;
      return (await this.switchTo(resolve(q.dir), false, { examiner: q.examiner, ...(q.password ? { password: q.password } : {}) })) as CallResult<C>;
    }
    const q = parsed.data as CallParsedInput<'case.create'>;
    return (await this.switchTo(resolve(q.dir), true, { examiner: q.examiner, profile: q.profile, ...(q.name ? { name: q.name } : {}), ...(q.password ? { password: q.password } : {}) })) as CallResult<C>;
  }

  on<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void): () => void {
    if (event === 'case.opened') {
      const f = cb as (p: EventPayloads['case.opened']) => void;
      this.openedListeners.add(f);
      return () => this.openedListeners.delete(f);
    }
    const l: Listener = { event, cb: cb as (payload: EventPayloads[EventName]) => void, off: this.current.on(event, cb) };
    this.listeners.add(l);
    return () => {
      l.off();
      this.listeners.delete(l);
    };
  }

  async dispose(): Promise<void> {
    for (const l of this.listeners) l.off();
    this.listeners.clear();
    await this.current.dispose();
  }

  private async switchTo(caseDir: string, create: boolean, o: { examiner: string; name?: string; profile?: ProfileName; password?: string }): Promise<CaseInfo> {
    if (this.switching) throw new KestrelError('INVALID_INPUT', 'another case is being opened');
    if (this.current.busy()) throw new KestrelError('INVALID_INPUT', 'an intake or export is running in this case: let it finish or cancel it before opening another case');
    const exists = existsSync(join(caseDir, CASE_DB_FILE));
    if (create && exists) throw new KestrelError('INVALID_INPUT', `There is already a case at ${caseDir}: open it instead`);
    if (!create && !exists) throw new KestrelError('CASE_NOT_FOUND', `No Kestrel case at ${caseDir} (no ${CASE_DB_FILE})`);
    if (resolve(this.current.caseDir) === caseDir) return this.current.info();
    this.switching = true;
    try {
      // The new case is opened first: if it cannot be (too new, read-only, damaged), the current one stays open.
      const next = await this.o.open({ caseDir, create, ...o });
      if (!create) next.repos.audit.append(o.examiner, 'case.opened', `case:${next.info().name}`, { dir: caseDir });
      const prev = this.current;
      this.current = next;
      for (const l of this.listeners) {
        l.off();
        l.off = next.on(l.event, l.cb);
      }
      await prev.dispose();
      await this.remember(next);
      const info = next.info();
      for (const f of this.openedListeners) f({ caseDir: info.caseDir, name: info.name });
      return info;
    } finally {
      this.switching = false;
    }
  }

  private async recent(): Promise<RecentCaseDto[]> {
    return (await this.readRecent()).map((r) => ({ ...r, exists: existsSync(join(r.dir, CASE_DB_FILE)) }));
  }

  private async readRecent(): Promise<z.infer<typeof recentSchema>> {
    try {
      return recentSchema.parse(JSON.parse(await readFile(this.o.recentFile, 'utf8')));
    } catch {
      // A missing or unreadable list is an empty one: it is a convenience, not evidence.
      return [];
    }
  }

  private async remember(wb: Workbench): Promise<void> {
    const info = wb.info();
    const dir = resolve(wb.caseDir);
    const list = [{ dir, name: info.name, openedAt: new Date().toISOString() }, ...(await this.readRecent()).filter((r) => r.dir !== dir)].slice(0, this.o.maxRecent ?? 20);
    try {
      await mkdir(dirname(this.o.recentFile), { recursive: true, mode: 0o700 });
      await writeFile(`${this.o.recentFile}.part`, JSON.stringify(list, null, 1), { mode: 0o600 });
      await rename(`${this.o.recentFile}.part`, this.o.recentFile);
    } catch {
      // Not being able to keep the list never stops a case from opening.
    }
  }
}

