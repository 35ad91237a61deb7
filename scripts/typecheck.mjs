// Type-checks each layer with its own tsconfig (so no layer sees types it must not use).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const projects = ['main/contract', 'main/core', 'main/cli', 'main/electron', 'main/preload', 'renderer', 'test'].filter((p) => existsSync(`${p}/tsconfig.json`));
let failed = false;
for (const p of projects) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', `${p}/tsconfig.json`], { stdio: 'inherit' });
  if (r.status !== 0) { failed = true; process.stderr.write(`typecheck failed: ${p}\n`); }
}
if (failed) process.exit(1);
process.stderr.write(`typecheck ok: ${projects.join(', ')}\n`);
