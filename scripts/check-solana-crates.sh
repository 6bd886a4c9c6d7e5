#!/usr/bin/env bash
# Fails when the Rust workspace links two copies of one solana-* crate at the same major version
# (for 0.x, the same minor). Two copies of e.g. solana-program's syscall stubs compile fine but one
# copy's CPI is a silent no-op in native tests. Different majors (solana-bn254 2 and 3) are distinct
# crates to Cargo and harmless here. Every target's dependencies count (`--target all`), so the SBPF
# probe's on-chain graph (program-tests/cloak-sbf-probe: pinocchio, solana-poseidon 5) is checked too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

duplicates="$(
  cargo tree --workspace --locked --target all --duplicates --prefix none --format '{p}' 2>/dev/null |
    awk '$1 ~ /^solana-/ { sub(/^v/, "", $2); split($2, v, "."); major = (v[1] == "0") ? "0." v[2] : v[1]; print $1 " " major " " $2 }' |
    sort -u |
    awk '{ key = $1 " " $2; versions[key] = versions[key] " " $3; count[key]++ }
         END { for (key in count) if (count[key] > 1) print key ":" versions[key] }'
)"
if [[ -n "$duplicates" ]]; then
  echo "solana crates linked twice at one major version (crate major: versions):" >&2
  echo "$duplicates" >&2
  exit 1
fi
echo "solana crates: one copy per major version"
