import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { KestrelError } from '../../contract/index.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'kestrel-export/1';

export interface FileSink { write(chunk: Buffer | string): Promise<void>; done(): Promise<void> }

export interface ManifestFile { readonly path: string; readonly sha256: string; readonly bytes: number }

export interface ExportManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly createdAt: string;
  readonly examiner: string;
  readonly software: string;
  readonly case: { readonly name: string; readonly auditHead: string | null; readonly auditRows: number };
  readonly options: Record<string, unknown>;
  /** Every file of the export but this manifest, with its SHA-256. */
  readonly files: readonly ManifestFile[];
  /** Every original of the case (not only those exported), with the SHA-256 recorded at intake. */
  readonly originals: readonly { readonly sha256: string; readonly bytes: number; readonly locations: readonly string[] }[];
}

/**
 * Writes an export's files and records the SHA-256 and size of each as it is written (hashing the
 * bytes on their way to disk, so nothing is read back). Files are created exclusively: an export
 * never overwrites anything.
 */
export class ExportWriter {
  private readonly files: ManifestFile[] = [];
  private readonly dirs = new Set<string>();
  constructor(readonly root: string) {}

  get written(): readonly ManifestFile[] { return this.files; }

  private async ensureDir(rel: string): Promise<void> {
    const d = dirname(join(this.root, rel));
    if (this.dirs.has(d)) return;
    await mkdir(d, { recursive: true, mode: 0o700 });
    this.dirs.add(d);
  }

  async write(rel: string, data: Buffer | string): Promise<void> {
    await this.ensureDir(rel);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await writeFile(join(this.root, rel), buf, { flag: 'wx', mode: 0o600 });
    this.files.push({ path: rel.split(sep).join('/'), sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length });
  }

  /** A sink for a large file, written chunk by chunk (with back-pressure); its hash is recorded at done(). */
  async sink(rel: string): Promise<FileSink> {
    await this.ensureDir(rel);
    const out = createWriteStream(join(this.root, rel), { flags: 'wx', mode: 0o600 });
    const failed = new Promise<never>((_, reject) => out.once('error', reject));
    failed.catch(() => undefined);
    const hash = createHash('sha256');
    let bytes = 0;
    return {
      write: async (chunk) => {
        const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        hash.update(b);
        bytes += b.length;
        if (!out.write(b)) await Promise.race([new Promise<void>((resolve) => out.once('drain', resolve)), failed]);
      },
      done: async () => {
        await Promise.race([new Promise<void>((resolve) => out.end(resolve)), failed]);
        this.files.push({ path: rel.split(sep).join('/'), sha256: hash.digest('hex'), bytes });
      },
    };
  }

  /** Copies a file into the export, hashing while copying. */
  async copy(from: string, rel: string): Promise<void> {
    const s = await this.sink(rel);
    for await (const c of createReadStream(from)) await s.write(c as Buffer);
    await s.done();
  }

  /** A file made by another program (ffmpeg) at the given place in the export; hashed from disk once it is complete. */
  async produce(rel: string, make: (absPath: string) => Promise<void>): Promise<void> {
    await this.ensureDir(rel);
    const abs = join(this.root, rel);
    await make(abs);
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const c of createReadStream(abs)) { hash.update(c as Buffer); bytes += (c as Buffer).length; }
    this.files.push({ path: rel.split(sep).join('/'), sha256: hash.digest('hex'), bytes });
  }

  async finish(m: Omit<ExportManifest, 'format' | 'files'>): Promise<string> {
    const manifest: ExportManifest = { format: MANIFEST_FORMAT, ...m, files: [...this.files].sort((a, b) => a.path.localeCompare(b.path)) };
    const body = `${JSON.stringify(manifest, null, 1)}\n`;
    await writeFile(join(this.root, MANIFEST_FILE), body, { flag: 'wx', mode: 0o600 });
    return createHash('sha256').update(body).digest('hex');
  }
}

export interface ExportVerifyResult {
  readonly ok: boolean;
  readonly manifestSha256: string;
  readonly files: number;
  readonly changed: readonly string[];
  readonly missing: readonly string[];
  /** Files present in the folder that the manifest does not list (added after export). */
  readonly unlisted: readonly string[];
  /**
   * Whether the case's audit log records this manifest's SHA-256 (null when no case was given). Only
   * this catches a manifest rewritten to match altered files.
   */
  readonly recordedInCase: boolean | null;
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

async function listFiles(root: string, dir = root, out: string[] = []): Promise<string[]> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await listFiles(root, p, out);
    else out.push(relative(root, p).split(sep).join('/'));
  }
  return out;
}

/**
 * Re-checks an export folder against its manifest: every listed file's hash and size, nothing added,
 * and (given the manifests the case audited) that the manifest itself is the one the case wrote.
 */
export async function verifyExport(dir: string, o: { auditedManifests?: ReadonlySet<string> } = {}): Promise<ExportVerifyResult> {
  let body: Buffer;
  try {
    body = await readFile(join(dir, MANIFEST_FILE));
  } catch {
    throw new KestrelError('NOT_FOUND', `No ${MANIFEST_FILE} in ${dir}: not a Kestrel export`);
  }
  let m: ExportManifest;
  try {
    m = JSON.parse(body.toString('utf8')) as ExportManifest;
  } catch (err) {
    throw new KestrelError('INVALID_INPUT', `${MANIFEST_FILE} is not valid JSON (${(err as Error).message}): the manifest itself was altered`);
  }
  if (m.format !== MANIFEST_FORMAT || !Array.isArray(m.files)) throw new KestrelError('INVALID_INPUT', `${MANIFEST_FILE} is not a ${MANIFEST_FORMAT} manifest`);
  const changed: string[] = [];
  const missing: string[] = [];
  const listed = new Set<string>([MANIFEST_FILE]);
  for (const f of m.files) {
    listed.add(f.path);
    const p = join(dir, ...f.path.split('/'));
    try {
      const st = await lstat(p);
      if (!st.isFile() || st.size !== f.bytes || (await hashFile(p)) !== f.sha256) changed.push(f.path);
    } catch {
      missing.push(f.path);
    }
  }
  const unlisted = (await listFiles(dir)).filter((p) => !listed.has(p)).sort();
  const manifestSha256 = createHash('sha256').update(body).digest('hex');
  const recordedInCase = o.auditedManifests ? o.auditedManifests.has(manifestSha256) : null;
  return {
    ok: !changed.length && !missing.length && !unlisted.length && recordedInCase !== false, manifestSha256,
    files: m.files.length, changed, missing, unlisted, recordedInCase,
  };
}
