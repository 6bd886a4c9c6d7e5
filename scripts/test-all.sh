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
npm run test:rust      # program-libs: the Solana-side Poseidon tree and Groth16 verifier
