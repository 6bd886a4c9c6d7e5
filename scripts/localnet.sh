#!/usr/bin/env bash
# `npm run localnet`: builds the local Solana node (localnet/) and runs it with the given options
# (`--help` lists them). `--build-only` builds and exits (tests build once, then spawn the binary).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build -p cloak-localnet --locked --quiet
if [[ "${1:-}" == "--build-only" ]]; then
  exit 0
fi
exec "$root/target/debug/cloak-localnet" "$@"
