#!/usr/bin/env node
// Runs the built CLI (dist/cli.js). `npm run build` (part of the README install) creates it.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`kestrel: ${cli} is missing. Run the install first: bash scripts/setup.sh (or npm run build)\n`);
  process.exit(1);
}
await import(pathToFileURL(cli).href);
