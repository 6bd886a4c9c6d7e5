#!/usr/bin/env bash
# `npm test`: every test suite of the workspace, cheapest first. npm puts node_modules/.bin (and so
# the pinned Node 22) first on PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"

npm run build
npm run test:sdk
npm run test:contracts   # also compiles, generating the contract types the type check reads
npm run typecheck        # tsx and Hardhat strip types without checking them
npm run test:circuits
npm run test:package
npm run test:rust      # cloak-zk, both Anchor programs natively in solana-program-test's bank
npm run test:idl       # the committed IDLs (programs/idl, sdk/src/solana/idl) match the programs
bash scripts/check-solana-crates.sh   # one copy of each solana-* crate per major version
