import { readFileSync } from 'node:fs';
import { KestrelError } from '../contract/index.js';

/**
 * The case password a command was given: the first line of --password-file (a file the examiner
 * keeps owner-only), else KESTREL_CASE_PASSWORD. Never an argument: command lines are visible to
 * every user of the machine (ps).
 */
export function casePassword(file: string | undefined, env: NodeJS.ProcessEnv): { password?: string } {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new KestrelError('INVALID_INPUT', `Cannot read the password file ${file}: ${(err as Error).message}`);
    }
    const password = text.split(/\r?\n/)[0] ?? '';
    if (!password) throw new KestrelError('INVALID_INPUT', `The password file ${file} is empty (the password is its first line)`);
    return { password };
  }
  const fromEnv = env['KESTREL_CASE_PASSWORD'];
  return fromEnv ? { password: fromEnv } : {};
}
