#!/usr/bin/env bash
# Temporal dev server for development and tests.
#   scripts/temporal-dev.sh start   start in the background (data kept in $TEMPORAL_DB_FILE), wait until it answers
#   scripts/temporal-dev.sh stop    stop it cleanly
#   scripts/temporal-dev.sh status  say whether it answers
# Ports: TEMPORAL_PORT (7233), TEMPORAL_UI_PORT (8233, 0 = headless), TEMPORAL_HTTP_PORT (7243).
# TEMPORAL_DB_FILE: SQLite file (default $DURABLE_SMS_DATA/temporal.db); set to "memory" for a throw-away server.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/temporal-cli.sh"

data="${DURABLE_SMS_DATA:-$here/../.data}"
port="${TEMPORAL_PORT:-7233}"
ui_port="${TEMPORAL_UI_PORT:-8233}"
http_port="${TEMPORAL_HTTP_PORT:-7243}"
db="${TEMPORAL_DB_FILE:-$data/temporal.db}"
pidfile="$data/temporal-$port.pid"
logfile="$data/temporal-$port.log"
# Search attributes the sending workflow sets (see workflows/search-attributes.ts).
search_attributes=(SmsSendingState=Keyword SmsProjectId=Keyword)

answers() { "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$port" --command-timeout 2s >/dev/null 2>&1; }

start() {
  ensure_temporal
  mkdir -p "$data"
  if answers; then echo "[temporal] already answering on 127.0.0.1:$port"; return 0; fi
  local args=(server start-dev --ip 127.0.0.1 --port "$port" --http-port "$http_port" --log-level warn
    --dynamic-config-value frontend.enableUpdateWorkflowExecution=true
    --dynamic-config-value frontend.enableUpdateWorkflowExecutionAsyncAccepted=true
    --dynamic-config-value frontend.enableExecuteMultiOperation=true)
  if [ "$ui_port" = "0" ]; then args+=(--headless); else args+=(--ui-port "$ui_port"); fi
  if [ "$db" != "memory" ]; then args+=(--db-filename "$db"); fi
  for sa in "${search_attributes[@]}"; do args+=(--search-attribute "$sa"); done
  local t0=$SECONDS
  setsid "$TEMPORAL_BIN" "${args[@]}" >"$logfile" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if answers; then
      echo "[temporal] dev server ready on 127.0.0.1:$port (UI: $([ "$ui_port" = 0 ] && echo off || echo "http://127.0.0.1:$ui_port"), $((SECONDS - t0)) s)"
      return 0
    fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "[temporal] dev server exited during start; last lines of $logfile:" >&2; tail -20 "$logfile" >&2; return 1
    fi
    sleep 0.5
  done
  echo "[temporal] dev server did not answer within 60 s; see $logfile" >&2
  return 1
}

stop() {
  [ -f "$pidfile" ] || { echo "[temporal] not started by this script (no $pidfile)"; return 0; }
  local pid; pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pidfile"
  echo "[temporal] stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) ensure_temporal; if answers; then echo "[temporal] answering on 127.0.0.1:$port"; else echo "[temporal] not answering on 127.0.0.1:$port"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
