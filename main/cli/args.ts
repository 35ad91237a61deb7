import { InvalidArgumentError } from 'commander';
import type { Workbench } from '../core/index.js';

/** Option parsers shared by every command: a bad value is refused before anything runs. */
export const intArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};

export const numArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
};

export const positiveArg = (v: string): number => {
  const n = numArg(v);
  if (n <= 0) throw new InvalidArgumentError('expected a number above 0');
  return n;
};

/** A repeatable option (--probe A --probe B). */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export const isoDate = (v: string): string => {
  if (Number.isNaN(Date.parse(v))) throw new InvalidArgumentError('expected a date such as 2019-05-31 or 2019-05-31T12:00:00');
  return v;
};

/**
 * Opens a case (an existing one unless create is set), runs one command on it, closes it; errors end
 * the process. A case made by `create` records `examiner` as the one who created it.
 */
export type OpenCase = (caseDir: string, json: boolean, run: (wb: Workbench) => Promise<void> | void, opts?: { create?: boolean; examiner?: string }) => Promise<void>;
