#!/usr/bin/env bash
# Contract test of a running service (issue 11 §3): schemathesis generates requests from the service's
# /openapi.json and fails on any 5xx, any status, content type or body its document does not declare.
#
#   bash scripts/schemathesis.sh <base-url> [extra schemathesis run args]   e.g. http://127.0.0.1:3001
#   bash scripts/schemathesis.sh --install-only                             (CI warm-up)
#
# schemathesis lives in .venv/schemathesis (gitignored), installed once per pinned version.
# Extra args come last, so they can add filters (--exclude-path /x) or override a default (--seed 7).
set -euo pipefail

VERSION=4.32.5
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv/schemathesis"
PYTHON="${PYTHON:-python3}"

installed_version() {
  "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true
}

install() {
  mkdir -p "$ROOT/.venv"
  # Two runs starting at once (two services' suites) must not build the same venv together.
  exec 9>"$ROOT/.venv/schemathesis.lock"
  flock 9
  if [[ "$(installed_version)" != "$VERSION" ]]; then
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "schemathesis.sh: schemathesis $VERSION needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1) (set PYTHON=...)" >&2
      exit 1
    fi
    echo "schemathesis.sh: installing schemathesis $VERSION into $VENV" >&2
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
  fi
  flock -u 9
}

if [[ "${1:-}" == "--install-only" ]]; then
  install
  exit 0
fi
if [[ $# -lt 1 || "$1" == -* ]]; then
  echo "usage: bash scripts/schemathesis.sh <base-url> [extra schemathesis run args] | --install-only" >&2
  exit 2
fi
BASE_URL="${1%/}"
shift
install

# schemathesis and Hypothesis write caches (crash files, unicode tables) into the working directory
# and look for a schemathesis.toml up to the repository root: a scratch directory outside the
# repository keeps both out of it, and the run configured by this command line alone.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/schemathesis-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export HYPOTHESIS_STORAGE_DIRECTORY="$WORK/.hypothesis"

# A fixed seed and a bounded number of cases per operation: the same requests on every run, done in
# seconds for a handful of routes. No example database: nothing carries over between runs.
# `exec` is not used so the trap removes the scratch directory; the exit status is schemathesis's.
# SCHEMATHESIS_CONFIG names a schemathesis.toml for what the command line cannot say (e.g. fixed
# path parameters, so cases reach a pool the service really has).
config_args=()
[ -n "${SCHEMATHESIS_CONFIG:-}" ] && config_args=(--config-file "$SCHEMATHESIS_CONFIG")
set +e
"$VENV/bin/schemathesis" --no-color "${config_args[@]}" run "$BASE_URL/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --seed 20261206 \
  --max-examples 50 \
  --generation-database none \
  --request-timeout 10 \
  --wait-for-schema 30 \
  "$@"
status=$?
set -e
exit "$status"
