#!/usr/bin/env bash
# `npm run build:native`: builds the addon with @napi-rs/cli + cargo (crates.io only) into the
# platform package native/npm/linux-x64-gnu. Elsewhere there is no platform package to fill, and
# the SDK proves with snarkjs, so the build says so and succeeds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "build:native: no platform package for $(uname -s)-$(uname -m); the SDK will prove with snarkjs"
  exit 0
fi
if ! command -v cargo >/dev/null; then
  echo "build:native: cargo is not installed; the SDK will prove with snarkjs" >&2
  exit 0
fi
# Two jobs: the CI machine and the development VM have 2 cores.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
started=$SECONDS
napi build --platform --release --manifest-path Cargo.toml --package-json-path package.json \
  --output-dir npm/linux-x64-gnu --no-js --dts ../../binding.d.ts -- --locked
echo "build:native: npm/linux-x64-gnu/cloak-native.linux-x64-gnu.node in $((SECONDS - started)) s"
