// Bundles the CLI, the inference worker, the Electron shell and its preload, and the renderer into
// dist/ (node_modules stay external for Node targets: native addons).
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';

const node = { bundle: true, platform: 'node', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' };
await build({ ...node, format: 'esm', entryPoints: { cli: 'main/cli/main.ts', inferenceWorker: 'main/core/faces/inferenceWorker.ts', decodeWorker: 'main/core/media/decodeWorker.ts', graphWorker: 'main/core/identities/graphWorker.ts', electron: 'main/electron/main.ts' }, outdir: 'dist', external: ['electron'] });
// A sandboxed preload cannot be an ES module nor require anything but 'electron': bundle it whole.
await build({ ...node, packages: undefined, format: 'cjs', entryPoints: { preload: 'main/preload/preload.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, external: ['electron'] });
await build({
  bundle: true, platform: 'browser', format: 'esm', target: 'chrome120', sourcemap: true, logLevel: 'warning', minify: true,
  entryPoints: { app: 'renderer/src/main.tsx' }, outdir: 'dist/renderer', jsx: 'automatic', define: { 'process.env.NODE_ENV': '"production"' },
});
await mkdir('dist/renderer', { recursive: true });
await copyFile('renderer/index.html', 'dist/renderer/index.html');
await copyFile('renderer/app.css', 'dist/renderer/app.css');
process.stderr.write('built dist/{cli,inferenceWorker,decodeWorker,graphWorker,electron}.js, dist/preload.cjs and dist/renderer/\n');
