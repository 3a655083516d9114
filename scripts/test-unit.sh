#!/usr/bin/env bash
# `npm run test:unit`: the tests that need no service (no Temporal, PostgreSQL or n8n), for the edit-run loop.
# Extra arguments go to jest. `npm test` runs these and the integration and end-to-end tiers.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
ensure_node24 && ensure_dependencies
exec node node_modules/.bin/jest "$@" --selectProjects unit
