#!/usr/bin/env bash
# Installs Kestrel from this checkout: npm dependencies (native modules built here), the Electron
# binary where it can be downloaded, the build, and the face models (verified by SHA-256).
set -euo pipefail
cd "$(dirname "$0")/.."

# onnxruntime-node's install script fetches CUDA files; its CPU binaries ship inside the package.
export ONNXRUNTIME_NODE_INSTALL=skip
# Electron's binary is fetched separately below, so an offline machine still installs cleanly.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund

if timeout 300 env -u ELECTRON_SKIP_BINARY_DOWNLOAD node node_modules/electron/install.js >/dev/null 2>&1; then
  echo "setup: Electron binary installed (desktop app available)"
else
  echo "setup: the Electron binary could not be downloaded (offline?): the desktop app is unavailable on this machine; the command line works fully"
fi

npm run build

# Models: an offline bundle folder (KESTREL_MODEL_BUNDLE, or ../shared/models next to a CI checkout),
# else a download from the pinned public sources (three models are bundle-only: see README).
bundle="${KESTREL_MODEL_BUNDLE:-}"
if [ -z "$bundle" ] && [ -d ../shared/models ]; then bundle=../shared/models; fi
if [ -n "$bundle" ]; then
  node bin/kestrel.js models install --from "$bundle"
else
  node bin/kestrel.js models install || echo "setup: some models could not be installed; run 'npx kestrel models install --from <bundle folder>'"
fi
