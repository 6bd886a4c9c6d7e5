#!/usr/bin/env bash
# `npm run build:sbf`: builds the SBPF probe (program-tests/cloak-sbf-probe) without the Solana
# platform tools: upstream nightly (pinned in the probe's rust-toolchain.toml, with rust-src) compiles
# it for the committed `os = "solana"` BPF target, and sbpf-linker (pinned below) relinks it into an
# SBPF v0 program, the version `cargo build-sbf` emits. Both tools are installed when missing, the
# linker into a cache outside the clone (CLOAK_TOOL_CACHE, default ~/.cache/cloak). Output:
# target/sbf-probe/deploy/cloak_sbf_probe.so. See docs/solana.md ("Building and testing without the
# Solana toolchain").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
probe="$root/program-tests/cloak-sbf-probe"
toolchain="$(sed -n 's/^channel = "\(.*\)"$/\1/p' "$probe/rust-toolchain.toml")"
linker_version="0.2.6"
cache="${CLOAK_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cloak}"
linker_root="$cache/sbpf-linker-$linker_version"
linker="$linker_root/bin/sbpf-linker"
# Its own target directory: nightly artifacts would otherwise evict stable's from the shared one.
target_dir="$root/target/sbf-probe"
program="$target_dir/deploy/cloak_sbf_probe.so"

step() {
  local started=$SECONDS
  "$@"
  echo "build:sbf: $1 took $((SECONDS - started)) s"
}

toolchain_ready() {
  rustup run "$toolchain" rustc --version >/dev/null 2>&1 &&
    rustup component list --installed --toolchain "$toolchain" 2>/dev/null | grep -q '^rust-src'
}

install_toolchain() {
  toolchain_ready || rustup toolchain install "$toolchain" --profile minimal --component rust-src
}

install_linker() {
  # The linker loads the nightly's LLVM at run time, so it is built once per version, not per toolchain.
  [[ -x "$linker" ]] || cargo install --locked --quiet sbpf-linker --version "$linker_version" --root "$linker_root"
}

build_probe() {
  local sysroot cargo_home
  sysroot="$(rustup run "$toolchain" rustc --print sysroot)"
  cargo_home="${CARGO_HOME:-$HOME/.cargo}"
  # Paths that end up in panic locations are remapped, so the program's bytes do not depend on where
  # the clone, the registry or the toolchain live.
  local flags=(
    "-Clinker=$linker"
    "-Ctarget-cpu=v2"
    "-Ctarget-feature=+allows-misaligned-mem-access"
    "-Clink-arg=--arch=v0"
    "-Clink-arg=--deploy=false"
    "-Clink-arg=--llvm-args=--bpf-stack-size=4096"
    "-Clink-arg=--llvm-args=--disable-movsx"
    "-Clink-arg=--llvm-args=--disable-ldsx"
    "--remap-path-prefix=$root=cloak"
    "--remap-path-prefix=$cargo_home=cargo"
    "--remap-path-prefix=$sysroot=rust"
  )
  (
    cd "$probe"
    CARGO_ENCODED_RUSTFLAGS="$(IFS=$'\x1f'; echo "${flags[*]}")" CARGO_TARGET_DIR="$target_dir" cargo "+$toolchain" build --locked --release \
      -p cloak-sbf-probe --target sbpf-solana.json -Zjson-target-spec -Zbuild-std=core,alloc
  )
  mkdir -p "$(dirname "$program")"
  cp "$target_dir/sbpf-solana/release/libcloak_sbf_probe.so" "$program"
}

step install_toolchain
step install_linker
step build_probe
echo "build:sbf: $program ($(stat -c %s "$program") bytes, sha256 $(sha256sum "$program" | cut -c1-16))"
