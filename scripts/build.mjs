// Bundles the CLI and the inference worker into dist/ (node_modules stay external: native addons).
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: { cli: 'main/cli/main.ts', inferenceWorker: 'main/core/faces/inferenceWorker.ts' }, outdir: 'dist' });
process.stderr.write('built dist/cli.js and dist/inferenceWorker.js\n');
