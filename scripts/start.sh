#!/usr/bin/env bash
# `npm start`: the whole stack on embedded defaults — Temporal dev server (data in $DURABLE_SMS_DATA),
# one worker with the SQLite directory and the outbox provider. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
setup_project

export DURABLE_SMS_DATA="${DURABLE_SMS_DATA:-$PWD/.data}"
export DIRECTORY_SQLITE_PATH="${DIRECTORY_SQLITE_PATH:-$DURABLE_SMS_DATA/directory.sqlite}"
export TEMPORAL_PORT="${TEMPORAL_PORT:-7233}" TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-8233}"
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:$TEMPORAL_PORT}"
mkdir -p "$DURABLE_SMS_DATA"

worker_pid=""
stop_all() {
  trap - EXIT INT TERM
  echo
  if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
    kill -TERM "$worker_pid"; wait "$worker_pid" 2>/dev/null || true
    echo "[worker] stopped"
  fi
  scripts/temporal-dev.sh stop
}
trap stop_all EXIT INT TERM

scripts/temporal-dev.sh start
node --import tsx worker/main.ts &
worker_pid=$!

cat <<INFO

  Temporal Web UI : http://127.0.0.1:$TEMPORAL_UI_PORT
  Temporal gRPC   : $TEMPORAL_ADDRESS
  Directory       : $DIRECTORY_SQLITE_PATH (SQLite)
  Provider        : ${SMS_PROVIDER:-outbox} (messages recorded in the directory: npm run sms -- outbox <id>)

  Try it in another terminal (README, "First sending"):
    npm run sms -- project --id demo --name Demo --country CA --time-zone America/Toronto --sms-enabled true
    npm run sms -- import --project demo examples/contacts.csv

  Ctrl-C stops everything.
INFO
wait "$worker_pid"
