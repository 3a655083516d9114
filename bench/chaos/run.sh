#!/usr/bin/env bash
# `npm run chaos [-- --minutes N] [-- --seed S] [-- --store sqlite|postgres|both]`: random fault schedules
# against real workers, a Temporal dev server of its own and the fault-injection provider (bench/chaos/main.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/setup.sh
setup_project
export BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}}"
exec node --import tsx bench/chaos/main.ts "$@"
