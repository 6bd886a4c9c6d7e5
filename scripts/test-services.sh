#!/usr/bin/env bash
# `npm run test:services`: the service kit, the test kit (corpus, chains), the indexer and the relay, each on the
# embedded PostgreSQL and, when DATABASE_URL is set (CI), on that server too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm test --workspace @cloak/service-kit
npm test --workspace @cloak/service-testkit
npm test --workspace @cloak/indexer
npm test --workspace @cloak/relay
