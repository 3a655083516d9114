#!/usr/bin/env bash
# `npm run bench [-- --quick] [-- --only <name>[,<name>]]`: runs every bench/*.bench.ts in turn against a
# throw-away Temporal dev server on bench ports, PostgreSQL (BENCH_DATABASE_URL, default the test database)
# and the pinned n8n. Each benchmark prints its figures and writes bench/results/<name>[.quick].json.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
setup_project
. scripts/n8n.sh
ensure_n8n

quick="" only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick="--quick" ;;
    --only) only="${2:-}"; shift ;;
    --only=*) only="${1#--only=}" ;;
    *) echo "usage: npm run bench [-- --quick] [-- --only name[,name]]" >&2; exit 2 ;;
  esac
  shift
done

export TEMPORAL_PORT="${BENCH_TEMPORAL_PORT:-27233}" TEMPORAL_UI_PORT=0 TEMPORAL_HTTP_PORT="${BENCH_TEMPORAL_HTTP_PORT:-27243}" TEMPORAL_DB_FILE=memory
export DURABLE_SMS_DATA="$PWD/.bench-data"
export TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT"
export BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}}"
mkdir -p "$DURABLE_SMS_DATA" bench/results
use_or_start_temporal

t0=$SECONDS failed=0
# One bundle of the workflows for every benchmark's workers (bench/support/workflow-bundle.ts), made anew each run.
export BENCH_WORKFLOW_BUNDLE="$DURABLE_SMS_DATA/workflow-bundle.js"
node --import tsx bench/support/bundle-workflows.ts "$BENCH_WORKFLOW_BUNDLE"
echo "=== workflows bundled in $((SECONDS - t0)) s"
for file in bench/*.bench.ts; do
  name=$(basename "$file" .bench.ts)
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
  echo
  echo "=== $name ${quick:+(quick)} ==="
  t=$SECONDS
  if node --expose-gc --import tsx "$file" $quick; then
    echo "=== $name done in $((SECONDS - t)) s"
  else
    echo "=== $name FAILED after $((SECONDS - t)) s" >&2; failed=$((failed + 1))
  fi
done
echo
echo "bench: $((SECONDS - t0)) s, $failed failed; results in bench/results/"
[ "$failed" -eq 0 ]
