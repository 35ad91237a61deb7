// The README's test command: type-check every layer, lint the layering, build, then run all tests
// with Node's test runner. Test files: test/**/*.test.ts.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const find = (dir) => readdirSync(dir).flatMap((n) => {
  const p = join(dir, n);
  return statSync(p).isDirectory() ? find(p) : n.endsWith('.test.ts') ? [p] : [];
});
const only = process.argv.slice(2);
if (!only.length) {
  run(process.execPath, ['scripts/typecheck.mjs']);
  run(process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
  run(process.execPath, ['scripts/build.mjs']);
}
const files = only.length ? only : find('test').sort();
run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files]);
