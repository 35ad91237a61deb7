import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scrypt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { KestrelError } from '../../contract/index.js';

/** The file that makes a case encrypted: the case key, wrapped under the examiner's password. */
export const CASE_KEY_FILE = 'case.key.json';

/**
 * scrypt at N = 2^17, r = 8 (128 MiB and about 0.9 s per attempt here): the cost that
 * OWASP's password storage guidance gives for scrypt, so that guessing a case password offline is slow.
 */
const KDF = { N: 2 ** 17, r: 8, p: 1 } as const;

const keyFileSchema = z.object({
  format: z.literal('kestrel-case-key/1'),
  kdf: z.object({ name: z.literal('scrypt'), N: z.number().int().min(2 ** 14), r: z.number().int().min(1), p: z.number().int().min(1), salt: z.string() }),
  cipher: z.literal('aes-256-gcm'),
  iv: z.string(),
  tag: z.string(),
  wrapped: z.string(),
});
type KeyFile = z.infer<typeof keyFileSchema>;

export const isEncryptedCase = (caseDir: string): boolean => existsSync(join(caseDir, CASE_KEY_FILE));

function passwordKey(password: string, salt: Buffer, kdf: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, 32, { ...kdf, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Makes a new random case key and writes it, wrapped under `password`, into the case folder (owner
 * only). The case key never changes; a new password only re-wraps it.
 */
export async function createCaseKey(caseDir: string, password: string): Promise<Buffer> {
  if (!password) throw new KestrelError('INVALID_INPUT', 'A case password cannot be empty');
  const caseKey = randomBytes(32);
  await writeFile(join(caseDir, CASE_KEY_FILE), JSON.stringify(await wrap(caseKey, password), null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return caseKey;
}

async function wrap(caseKey: Buffer, password: string): Promise<KeyFile> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', await passwordKey(password, salt, KDF), iv);
  c.setAAD(Buffer.from('kestrel-case-key/1'));
  const wrapped = Buffer.concat([c.update(caseKey), c.final()]);
  return {
    format: 'kestrel-case-key/1', kdf: { name: 'scrypt', ...KDF, salt: salt.toString('base64') }, cipher: 'aes-256-gcm',
    iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), wrapped: wrapped.toString('base64'),
  };
}

/** The case key of an encrypted case; a wrong password is a clear error and changes nothing. */
export async function unlockCaseKey(caseDir: string, password: string | undefined): Promise<Buffer> {
  if (password === undefined || password === '') {
    throw new KestrelError('CASE_PASSWORD_REQUIRED',
      `The case at ${caseDir} is encrypted: give its password (in the app, the password field; on the command line, --password-file FILE or KESTREL_CASE_PASSWORD)`);
  }
  let file: KeyFile;
  try {
    file = keyFileSchema.parse(JSON.parse(await readFile(join(caseDir, CASE_KEY_FILE), 'utf8')));
  } catch (err) {
    throw new KestrelError('IO_ERROR', `The case key file ${join(caseDir, CASE_KEY_FILE)} is unreadable or damaged: ${(err as Error).message}`, { cause: err });
  }
  const d = createDecipheriv('aes-256-gcm', await passwordKey(password, Buffer.from(file.kdf.salt, 'base64'), file.kdf), Buffer.from(file.iv, 'base64'));
  d.setAAD(Buffer.from('kestrel-case-key/1'));
  d.setAuthTag(Buffer.from(file.tag, 'base64'));
  try {
    return Buffer.concat([d.update(Buffer.from(file.wrapped, 'base64')), d.final()]);
  } catch {
    throw new KestrelError('CASE_PASSWORD_WRONG', `Wrong password for the case at ${caseDir}; nothing was opened or changed`);
  }
}

/** Re-wraps the case key under a new password (the data stays as it is). */
export async function changeCasePassword(caseDir: string, oldPassword: string, newPassword: string): Promise<void> {
  if (!newPassword) throw new KestrelError('INVALID_INPUT', 'A case password cannot be empty');
  const caseKey = await unlockCaseKey(caseDir, oldPassword);
  const file = join(caseDir, CASE_KEY_FILE);
  await writeFile(`${file}.new`, JSON.stringify(await wrap(caseKey, newPassword), null, 2) + '\n', { mode: 0o600 });
  await rename(`${file}.new`, file);
}

/** An independent key for one use of the case key (the database, the derived files). */
export const subKey = (caseKey: Buffer, purpose: string): Buffer => Buffer.from(hkdfSync('sha256', caseKey, Buffer.alloc(0), `kestrel ${purpose}`, 32));
