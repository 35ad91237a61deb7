// Lint: the layering of DESIGN.md section 1 is enforced here (who may import whom), on top of the
// per-layer tsconfigs that keep Node types out of contract/renderer and DOM types out of core.
import tseslint from 'typescript-eslint';

const layer = (files, patterns, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'scratch/**', '.cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.name='fetch']", message: 'No network use at run time: Kestrel is air-gapped. Only models/modelStore.ts may download, on explicit request.' }],
    },
  },
  // The model installer downloads on explicit request; tests talk to the loopback server.
  { files: ['models/modelStore.ts', 'test/**'], rules: { 'no-restricted-syntax': 'off' } },
  layer(['main/contract/**'], ['**/core/**', '**/cli/**', '**/electron/**', '**/preload/**', '**/renderer/**', 'node:*', 'electron', 'better-sqlite3-multiple-ciphers', 'onnxruntime-node', 'sharp'],
    'main/contract is environment-free: it imports nothing of the other layers and no Node/Electron modules.'),
  layer(['main/core/**', 'models/**'], ['**/cli/**', '**/electron/**', '**/preload/**', '**/renderer/**', 'electron'],
    'main/core is the headless engine: it never imports electron, the CLI, the shell or the UI.'),
  layer(['main/cli/**', 'main/electron/**'], ['**/core/*/**', '**/core/!(index)*', '**/renderer/**', '../../models/*'],
    'Other layers reach the engine only through main/core/index.ts.'),
  layer(['main/preload/**'], ['**/core/**', '**/cli/**', '**/renderer/**', 'node:*'],
    'The preload exposes contract channels only.'),
  layer(['renderer/**'], ['**/core/**', '**/cli/**', '**/electron/**', '**/preload/**', 'node:*', 'electron'],
    'The renderer talks only through its API client and imports nothing of main but the contract.'),
);
