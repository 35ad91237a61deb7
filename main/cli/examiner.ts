import { userInfo } from 'node:os';

/** The examiner recorded in the audit log: --examiner, KESTREL_EXAMINER, or the OS account name. */
export function examinerName(flag: string | undefined): string {
  if (flag?.trim()) return flag.trim();
  const env = process.env['KESTREL_EXAMINER'];
  if (env?.trim()) return env.trim();
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
