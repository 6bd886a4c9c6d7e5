#!/usr/bin/env bash
# Generates the TypeChain (ethers v6) types the SDK's EVM client is written against, from the compiled
# contracts' ABIs only (no bytecode: the SDK talks to deployed pools, it never deploys them).
# Run after `hardhat compile`; `npm run build` does both.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/node_modules/.bin:$PATH"
abis="$(mktemp -d)"
trap 'rm -rf "$abis"' EXIT
for artifact in \
  "$root/artifacts/contracts/core/ShieldPool.sol/ShieldPool.json" \
  "$root/artifacts/@openzeppelin/contracts/token/ERC20/IERC20.sol/IERC20.json"; do
  if [ ! -f "$artifact" ]; then
    echo "sdk-contract-types: $artifact is missing; run 'npx hardhat compile' first" >&2
    exit 1
  fi
  node -e 'const fs=require("fs");const a=JSON.parse(fs.readFileSync(process.argv[1]));fs.writeFileSync(process.argv[2],JSON.stringify(a.abi))' \
    "$artifact" "$abis/$(basename "$artifact")"
done
rm -rf "$root/sdk/src/evm/typechain"
typechain --target ethers-v6 --node16-modules --out-dir "$root/sdk/src/evm/typechain" "$abis/*.json" >/dev/null
echo "sdk-contract-types: wrote sdk/src/evm/typechain"
