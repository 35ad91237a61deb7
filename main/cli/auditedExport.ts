import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KestrelError } from '../contract/index.js';
import type { Workbench } from '../core/index.js';
import { examinerName } from './examiner.js';

/**
 * Writes a stored result as CSV or JSON (format from --format or the file name) to a new file (an
 * existing file is never overwritten) and audits the export with the file's SHA-256.
 */
export async function auditedExport(wb: Workbench, o: { out: string; format?: string; examiner?: string; action: string; target: string; csv: () => string; json: () => unknown }): Promise<{ format: string; file: string }> {
  const format = o.format ?? (o.out.toLowerCase().endsWith('.json') ? 'json' : 'csv');
  if (format !== 'csv' && format !== 'json') throw new KestrelError('INVALID_INPUT', `--format must be csv or json (got ${format})`);
  const body = format === 'csv' ? o.csv() : JSON.stringify(o.json(), null, 2) + '\n';
  const file = resolve(o.out);
  try {
    await writeFile(file, body, { flag: 'wx' });
  } catch (err) {
    throw new KestrelError('IO_ERROR', `Cannot write ${o.out}: ${(err as Error).message}`);
  }
  wb.repos.audit.append(examinerName(o.examiner), o.action, o.target, { file, format, sha256: createHash('sha256').update(body).digest('hex') });
  return { format, file };
}
