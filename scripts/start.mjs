// `npm start`: opens the default case (~/Kestrel/Default Case, created if new, or KESTREL_CASE) in
// the desktop app where the Electron binary is installed, else the same UI in the browser through
// `kestrel serve` (say so, and print the link).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

const caseDir = process.env.KESTREL_CASE ?? join(homedir(), 'Kestrel', 'Default Case');
mkdirSync(join(caseDir, '..'), { recursive: true });

let electronBin = null;
try {
  // The electron package exports the binary's path; it throws when the binary was not downloaded.
  const p = createRequire(import.meta.url)('electron');
  if (typeof p === 'string' && existsSync(p)) electronBin = p;
} catch {
  electronBin = null;
}

const run = (cmd, args) => {
  const child = spawn(cmd, args, { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
};

if (electronBin) {
  run(electronBin, ['.', '--case', caseDir]);
} else {
  process.stderr.write(
    'kestrel: the Electron binary is not installed on this machine (it is downloaded at install time where a network exists),\n' +
      'so the same workstation UI is served to your browser instead. Open the link below (it carries the access token).\n',
  );
  run(process.execPath, ['bin/kestrel.js', 'serve', '--case', caseDir]);
}
