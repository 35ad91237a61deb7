// `npm start`: opens the default case (~/Kestrel/Default Case, created if new).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const caseDir = process.env.KESTREL_CASE ?? join(homedir(), 'Kestrel', 'Default Case');
mkdirSync(join(caseDir, '..'), { recursive: true });
const r = spawnSync(process.execPath, ['bin/kestrel.js', 'open', '--case', caseDir], { stdio: 'inherit' });
process.exit(r.status ?? 1);
