import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KestrelError } from '../../contract/index.js';
import { sha256 } from '../media/hashing.js';
import type { CaseVault } from '../vault/caseVault.js';

/** A file name that is safe as one path segment on every platform, keeping what it can of the original. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f<>:"|?*]/g, '_').replace(/^\.+/, '_').slice(0, 200).trim();
  return clean || 'probe';
}

/**
 * Keeps a photo the UI sent as a probe (a file dropped in the browser has no path on this machine)
 * in the case, under derived/probes/<sha256>/<name>, read-only: the probe of a stored search stays
 * available for the report; the same photo sent again under the same name is not written again.
 */
export async function storeProbeUpload(vault: CaseVault, derivedDir: string, name: string, base64: string): Promise<string> {
  const bytes = Buffer.from(base64, 'base64');
  if (!bytes.length) throw new KestrelError('INVALID_INPUT', `The probe photo ${name} is empty`);
  const dir = join(derivedDir, 'probes', sha256(bytes));
  const path = join(dir, safeFileName(name));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (existsSync(path)) return path;
  await vault.writeFile(path, bytes);
  await chmod(path, 0o400);
  return path;
}
