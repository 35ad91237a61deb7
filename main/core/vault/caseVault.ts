import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, accessSync, constants } from 'node:fs';
import { mkdtemp, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { sha256, sha256File } from '../media/hashing.js';
import { openBytes, openRange, sealBytes, sealedPlainLength } from './sealedFile.js';
import { subKey } from './caseKey.js';

/**
 * Every file under a case's derived/ folder is written and read through the case's vault. A plain
 * case's vault passes through to the file system; an encrypted case's vault seals each file (see
 * sealedFile.ts), and gives a tool that needs a path (ffmpeg, usearch) a plain copy in a private
 * scratch folder in memory (/dev/shm where there is one), removed as soon as the tool is done.
 */
export interface CaseVault {
  readonly encrypted: boolean;
  /** The database cipher's key (hex), or null for a plain database. */
  readonly databaseKey: string | null;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  writeFileSync(path: string, data: Uint8Array): void;
  readFile(path: string): Promise<Buffer>;
  readFileSync(path: string): Buffer;
  /** The plain length of a case file. */
  size(path: string): Promise<number>;
  /** Plain bytes start..end (inclusive). */
  readRange(path: string, start: number, end: number): Promise<Buffer>;
  /** Runs `use` on a plain copy of a case file (the file itself in a plain case). */
  withPlainFile<T>(path: string, use: (plain: string) => Promise<T>): Promise<T>;
  withPlainFileSync<T>(path: string, use: (plain: string) => T): T;
  /** Lets `make` write a file at a plain path, then keeps it in the case at `path` (sealed when encrypted). */
  writeVia<T>(path: string, make: (plain: string) => Promise<T>): Promise<T>;
  writeViaSync(path: string, make: (plain: string) => void): void;
  /** SHA-256 of a case file's plain bytes. */
  hashFile(path: string): Promise<string>;
}

const insideDerived = (derivedDir: string, path: string): boolean => {
  const rel = relative(derivedDir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/** Reads a photo by path: through the vault for a file the case keeps (an uploaded probe), else from disk (read-only). */
export const photoReader = (vault: CaseVault, derivedDir: string) => (path: string): Promise<Buffer> =>
  insideDerived(derivedDir, path) ? vault.readFile(path) : readFile(path, { flag: 'r' });

/** Runs `use` on a readable path: a plain copy for a file of the case's derived folder, else the file itself (an original). */
export function withReadablePath<T>(vault: CaseVault, derivedDir: string, path: string, use: (readable: string) => Promise<T>): Promise<T> {
  return insideDerived(derivedDir, path) ? vault.withPlainFile(path, use) : use(path);
}

export class PlainVault implements CaseVault {
  readonly encrypted = false;
  readonly databaseKey = null;
  /** Written under a temporary name and renamed, so a file is never seen half-written. */
  async writeFile(path: string, data: Uint8Array): Promise<void> {
    await writeFile(`${path}.writing`, data, { mode: 0o600 });
    await rename(`${path}.writing`, path);
  }
  writeFileSync(path: string, data: Uint8Array): void {
    writeFileSync(`${path}.writing`, data, { mode: 0o600 });
    renameSync(`${path}.writing`, path);
  }
  hashFile(path: string): Promise<string> { return sha256File(path); }
  readFile(path: string): Promise<Buffer> { return readFile(path); }
  readFileSync(path: string): Buffer { return readFileSync(path); }
  async size(path: string): Promise<number> { return (await stat(path)).size; }
  async readRange(path: string, start: number, end: number): Promise<Buffer> {
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      const last = Math.min(end, size - 1);
      if (start > last) return Buffer.alloc(0);
      const out = Buffer.alloc(last - start + 1);
      await fh.read(out, 0, out.length, start);
      return out;
    } finally {
      await fh.close();
    }
  }
  withPlainFile<T>(path: string, use: (plain: string) => Promise<T>): Promise<T> { return use(path); }
  withPlainFileSync<T>(path: string, use: (plain: string) => T): T { return use(path); }
  async writeVia<T>(path: string, make: (plain: string) => Promise<T>): Promise<T> {
    const r = await make(`${path}.writing`);
    if (existsSync(`${path}.writing`)) await rename(`${path}.writing`, path);
    return r;
  }
  writeViaSync(path: string, make: (plain: string) => void): void {
    make(`${path}.writing`);
    renameSync(`${path}.writing`, path);
  }
}

/** Where plain copies live while a tool uses them: memory-backed where the system has such a folder. */
function scratchRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Runs `f` with a path named `name` in a new private scratch folder, removed afterwards whatever happens. */
async function inScratch<T>(name: string, f: (plain: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(scratchRoot(), 'kestrel-plain-'));
  try {
    return await f(join(dir, name));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function inScratchSync<T>(name: string, f: (plain: string) => T): T {
  const dir = mkdtempSync(join(scratchRoot(), 'kestrel-plain-'));
  try {
    return f(join(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export class SealedVault implements CaseVault {
  readonly encrypted = true;
  readonly databaseKey: string;
  private readonly filesKey: Buffer;

  constructor(private readonly caseDir: string, caseKey: Buffer) {
    this.databaseKey = subKey(caseKey, 'database').toString('hex');
    this.filesKey = subKey(caseKey, 'derived files');
  }

  /** A sealed file is bound to its place in the case (its path relative to the case folder). */
  private name(path: string): string {
    const rel = relative(this.caseDir, path);
    if (rel.startsWith('..') || rel === '') throw new Error(`${path} is not inside the case ${this.caseDir}`);
    return rel.split(sep).join('/');
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    // Written whole under a temporary name, then renamed: a sealed file is never seen half-written.
    await writeFile(`${path}.sealing`, sealBytes(data, this.filesKey, this.name(path)), { mode: 0o600 });
    await rename(`${path}.sealing`, path);
  }
  writeFileSync(path: string, data: Uint8Array): void {
    writeFileSync(`${path}.sealing`, sealBytes(data, this.filesKey, this.name(path)), { mode: 0o600 });
    renameSync(`${path}.sealing`, path);
  }
  async hashFile(path: string): Promise<string> { return sha256(await this.readFile(path)); }
  async readFile(path: string): Promise<Buffer> { return openBytes(await readFile(path), this.filesKey, this.name(path)); }
  readFileSync(path: string): Buffer { return openBytes(readFileSync(path), this.filesKey, this.name(path)); }
  size(path: string): Promise<number> { return sealedPlainLength(path, this.filesKey, this.name(path)); }
  readRange(path: string, start: number, end: number): Promise<Buffer> { return openRange(path, this.filesKey, this.name(path), start, end); }

  async withPlainFile<T>(path: string, use: (plain: string) => Promise<T>): Promise<T> {
    const data = await this.readFile(path);
    return inScratch(basename(path), async (plain) => {
      await writeFile(plain, data, { mode: 0o600 });
      return use(plain);
    });
  }
  withPlainFileSync<T>(path: string, use: (plain: string) => T): T {
    const data = this.readFileSync(path);
    return inScratchSync(basename(path), (plain) => {
      writeFileSync(plain, data, { mode: 0o600 });
      return use(plain);
    });
  }
  writeVia<T>(path: string, make: (plain: string) => Promise<T>): Promise<T> {
    return inScratch(basename(path), async (plain) => {
      const r = await make(plain);
      if (existsSync(plain)) await this.writeFile(path, await readFile(plain));
      return r;
    });
  }
  writeViaSync(path: string, make: (plain: string) => void): void {
    inScratchSync(basename(path), (plain) => {
      make(plain);
      this.writeFileSync(path, readFileSync(plain));
    });
  }
}
