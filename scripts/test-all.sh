#!/usr/bin/env bash
# `npm test`: every test suite of the workspace, cheapest first. npm puts node_modules/.bin (and so
# the pinned Node 22) first on PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"

# Each step's wall time, so a slow suite is visible in CI logs.
step() {
  local started=$SECONDS
  "$@"
  echo "== $* took $((SECONDS - started)) s"
}

step npm run build
step npm run test:sdk
step npm run test:services    # services/kit on its embedded PostgreSQL, and on DATABASE_URL's server when set
step npm run test:contracts   # also compiles, generating the contract types the type check reads
step npm run typecheck        # tsx and Hardhat strip types without checking them
step npm run test:circuits
step npm run test:package
step npm run test:native    # the addon's own Rust tests: fixed-base MSMs against arkworks, table proofs against taceo's
step npm run build:sbf      # the SBPF probe the Rust suites run in LiteSVM (nightly + sbpf-linker, installed if missing)
step npm run test:rust      # cloak-zk, both Anchor programs natively in solana-program-test's bank
step npm run test:solana    # the local node (localnet/), the SDK's Solana client and the solana:* commands over RPC
step npm run test:idl       # the committed IDLs (programs/idl, sdk/src/solana/idl) match the programs
step bash scripts/check-solana-crates.sh   # one copy of each solana-* crate per major version
