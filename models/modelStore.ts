import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { KestrelError, PROFILE_NAMES, asModelId, type ModelDto, type ProfileName } from '../main/contract/index.js';
import { loadBuiltInManifest, modelSpecSchema, profileModelIds, type Manifest, type ModelSpec, type ProfileSpec } from './manifest.js';

/** The per-user data folder of Kestrel (models store, recent cases). */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = homedir();
  switch (platform()) {
    case 'win32':
      return join(env['LOCALAPPDATA'] ?? join(home, 'AppData', 'Local'), 'Kestrel');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Kestrel');
    default:
      return join(env['XDG_DATA_HOME'] ?? join(home, '.local', 'share'), 'kestrel');
  }
}

/** The per-user models folder, or KESTREL_MODELS when set. */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['KESTREL_MODELS'] ?? join(userDataDir(env), 'models');
}

const customFileSchema = z.object({
  models: z.array(modelSpecSchema.extend({ profiles: z.array(z.enum(['accurate', 'permissive'])) })),
});
type CustomModel = z.infer<typeof customFileSchema>['models'][number];

export async function sha256OfFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { flags: 'r' })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface InstallReport {
  readonly installed: string[];
  readonly alreadyPresent: string[];
  readonly failed: { file: string; reason: string }[];
}

/**
 * The models folder: the built-in manifest plus any recognizers the user registered
 * (custom.json). Every file is verified by SHA-256 before it is installed and before it is used.
 */
export class ModelStore {
  private constructor(readonly dir: string, readonly manifest: Manifest, private custom: CustomModel[]) {}

  static async open(dir: string = defaultModelsDir(), manifest: Manifest = loadBuiltInManifest()): Promise<ModelStore> {
    let custom: CustomModel[] = [];
    try {
      custom = customFileSchema.parse(JSON.parse(await readFile(join(dir, 'custom.json'), 'utf8'))).models;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new KestrelError('MODEL_INVALID', `${join(dir, 'custom.json')} is not a valid custom model list: ${(err as Error).message}`);
      }
    }
    return new ModelStore(dir, manifest, custom);
  }

  allSpecs(): ModelSpec[] {
    return [...this.manifest.models, ...this.custom];
  }

  spec(id: string): ModelSpec {
    const s = this.allSpecs().find((m) => m.id === id);
    if (!s) throw new KestrelError('MODEL_MISSING', `Unknown model '${id}'`);
    return s;
  }

  /** The models of a profile, with user-registered recognizers added to the profiles they chose. */
  profile(name: ProfileName): ProfileSpec {
    const base = this.manifest.profiles[name];
    const extra = this.custom.filter((c) => c.profiles.includes(name) && c.role === 'recognizer').map((c) => c.id);
    return { ...base, recognizers: [...base.recognizers, ...extra] };
  }

  pathOf(spec: ModelSpec): string {
    return join(this.dir, spec.file);
  }

  /** Verifies one installed model; throws a clear error naming the file. */
  async verify(spec: ModelSpec): Promise<string> {
    const path = this.pathOf(spec);
    await checkFile(path, spec);
    return path;
  }

  /** Verifies every model a profile needs and returns their paths (by model id). */
  async verifyProfile(name: ProfileName): Promise<Map<string, string>> {
    const p = this.profile(name);
    const ids = profileModelIds(p);
    const out = new Map<string, string>();
    for (const id of ids) {
      const spec = this.spec(id);
      try {
        out.set(id, await this.verify(spec));
      } catch (err) {
        if (err instanceof KestrelError && err.code === 'MODEL_MISSING') {
          throw new KestrelError('MODEL_MISSING', `${err.message}. Install the models first: kestrel models install --from <folder>`);
        }
        throw err;
      }
    }
    return out;
  }

  /** Copies every manifest model found in `from` after checking its hash; a bad file is reported, never installed. */
  async installFrom(from: string, only?: readonly string[]): Promise<InstallReport> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const report: InstallReport = { installed: [], alreadyPresent: [], failed: [] };
    for (const spec of this.manifest.models) {
      if (only && !only.includes(spec.id)) continue;
      const dest = this.pathOf(spec);
      try {
        await checkFile(dest, spec);
        report.alreadyPresent.push(spec.file);
        continue;
      } catch {
        // not installed (or damaged): install below
      }
      const src = join(from, spec.file);
      try {
        await checkFile(src, spec);
        const tmp = `${dest}.partial`;
        await copyFile(src, tmp);
        await checkFile(tmp, spec);
        await rename(tmp, dest);
        report.installed.push(spec.file);
      } catch (err) {
        report.failed.push({ file: spec.file, reason: (err as Error).message });
      }
    }
    return report;
  }

  /** Downloads the manifest models that have a public source, verifying each; explicit user action only. */
  async download(fetchImpl: typeof fetch = fetch): Promise<InstallReport> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const report: InstallReport = { installed: [], alreadyPresent: [], failed: [] };
    for (const spec of this.manifest.models) {
      const dest = this.pathOf(spec);
      try {
        await checkFile(dest, spec);
        report.alreadyPresent.push(spec.file);
        continue;
      } catch {
        // fall through
      }
      if (!spec.source) {
        report.failed.push({ file: spec.file, reason: `bundle-only: ${spec.bundleOnlyReason ?? 'no public source'}; install it with --from <bundle folder>` });
        continue;
      }
      try {
        const res = await fetchImpl(spec.source);
        if (!res.ok) throw new Error(`HTTP ${res.status} from ${spec.source}`);
        const tmp = `${dest}.partial`;
        await writeFile(tmp, Buffer.from(await res.arrayBuffer()));
        try {
          await checkFile(tmp, spec);
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
        await rename(tmp, dest);
        report.installed.push(spec.file);
      } catch (err) {
        report.failed.push({ file: spec.file, reason: (err as Error).message });
      }
    }
    return report;
  }

  /** Registers a user's ONNX recognizer (copied into the store after its hash is checked). */
  async register(spec: ModelSpec, sourcePath: string, profiles: readonly ProfileName[]): Promise<void> {
    if (spec.role !== 'recognizer' || spec.output.kind !== 'embedding' || !spec.template) {
      throw new KestrelError('MODEL_INVALID', 'Only recognizers (embedding output with an alignment template) can be registered');
    }
    if (this.allSpecs().some((m) => m.id === spec.id || m.file === spec.file)) {
      throw new KestrelError('MODEL_INVALID', `A model with id '${spec.id}' or file '${spec.file}' is already known`);
    }
    await checkFile(sourcePath, spec);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await copyFile(sourcePath, this.pathOf(spec));
    const next = [...this.custom, { ...spec, profiles: [...profiles] }];
    await writeFile(join(this.dir, 'custom.json'), JSON.stringify({ models: next }, null, 2));
    this.custom = next;
  }

  async list(): Promise<ModelDto[]> {
    const out: ModelDto[] = [];
    for (const spec of this.allSpecs()) {
      let installed = false;
      let verified = false;
      try {
        await stat(this.pathOf(spec));
        installed = true;
        await checkFile(this.pathOf(spec), spec);
        verified = true;
      } catch {
        // reported as not installed / not verified
      }
      const profiles = PROFILE_NAMES.filter((p) => profileModelIds(this.profile(p)).includes(spec.id));
      out.push({
        id: asModelId(spec.id), file: spec.file, role: spec.role, sha256: spec.sha256, licence: spec.licence,
        commercialUse: spec.commercialUse, installed, verified, custom: this.custom.some((c) => c.id === spec.id), profiles,
        landmarksIn: PROFILE_NAMES.filter((p) => this.profile(p).landmarker === spec.id),
      });
    }
    return out;
  }
}

async function checkFile(path: string, spec: ModelSpec): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new KestrelError('MODEL_MISSING', `Model file ${spec.file} is missing (looked in ${path})`);
  }
  if (spec.bytes !== undefined && size !== spec.bytes) {
    throw new KestrelError('MODEL_HASH_MISMATCH', `Model file ${spec.file} has ${size} bytes, expected ${spec.bytes} (truncated or wrong file): ${path}`);
  }
  const got = await sha256OfFile(path);
  if (got !== spec.sha256) {
    throw new KestrelError('MODEL_HASH_MISMATCH', `Model file ${spec.file} has SHA-256 ${got}, expected ${spec.sha256}: ${path}`);
  }
}
