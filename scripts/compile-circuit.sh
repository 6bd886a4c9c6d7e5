#!/usr/bin/env bash
# Compiles the join-split circuit for one tree depth with circom 2 (WASM build from npm), at --O2.
# Usage: scripts/compile-circuit.sh [--depth N] [--out DIR]
# Writes DIR/transaction_N.r1cs, .sym and transaction_N_js/transaction_N.wasm (DIR defaults to
# circuits/build/transaction_N) and prints the constraint count.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/node_modules/.bin:$PATH"

depth=20
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --depth) depth="${2:-}"; shift 2 ;;
    --out) out="${2:-}"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "compile-circuit: unknown argument '$1' (expected --depth N, --out DIR)" >&2; exit 2 ;;
  esac
done
if ! [[ "$depth" =~ ^[0-9]+$ ]] || [ "$depth" -lt 1 ] || [ "$depth" -gt 32 ]; then
  echo "compile-circuit: --depth must be an integer from 1 to 32, got '$depth'" >&2
  exit 2
fi
out="${out:-$root/circuits/build/transaction_$depth}"
mkdir -p "$out"

# The entry point is generated so every depth compiles the one template in circuits/transaction.circom;
# includes resolve through -l because the WASM compiler only sees paths relative to the working directory.
main="$out/transaction_$depth.circom"
cat > "$main" <<CIRCOM
pragma circom 2.1.0;
include "transaction.circom";
component main {public [root, publicAmount, extDataHash, inputNullifier, outputCommitment]} = Transaction($depth);
CIRCOM

circom2 "$main" --O2 --r1cs --wasm --sym -l "$root/circuits" -l "$root/node_modules" -o "$out" | tee "$out/compile.log" \
  | grep -E "non-linear constraints|linear constraints|public inputs|private inputs|wires"
