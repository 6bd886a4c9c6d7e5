#!/usr/bin/env bash
# Cloak's Groth16 trusted-setup ceremony (runbook EP-003). Offline end to end.
#   scripts/trusted-setup-ceremony.sh new [--depth 20]
#   scripts/trusted-setup-ceremony.sh contribute --name "Alice"
#   scripts/trusted-setup-ceremony.sh verify
#   scripts/trusted-setup-ceremony.sh beacon --beacon <hex>      (alias: finalize)
#   scripts/trusted-setup-ceremony.sh export
# `help` lists every option; docs/ceremony.md is the operator's procedure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# node_modules/.bin carries the pinned Node 22 and the circom/snarkjs toolchain.
export PATH="$root/node_modules/.bin:$PATH"
if [ ! -x "$root/node_modules/.bin/tsx" ]; then
  echo "ceremony: dependencies are missing; run 'npm run setup' first" >&2
  exit 2
fi
exec node --import tsx "$root/scripts/ceremony/cli.ts" "$@"
