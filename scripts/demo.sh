#!/usr/bin/env bash
# `npm run demo`: the demo headless, end to end (demo/headless.ts). Uses the stack of a running `npm start`
# (same DURABLE_SMS_DATA and ports); otherwise starts it in the background, runs the demo and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
setup_project >&2

. scripts/lib/stack-env.sh
inbox="http://127.0.0.1:$DEMO_INBOX_PORT/approvals.json"
started_pid=""
if ! curl -fsS --max-time 2 "$inbox" >/dev/null 2>&1; then
  mkdir -p "$DURABLE_SMS_DATA"
  log="$DURABLE_SMS_DATA/demo-stack.log"
  echo "[demo] no running stack found; starting it (npm start; its output: $log) ..."
  bash scripts/start.sh >"$log" 2>&1 &
  started_pid=$!
  stop_stack() {
    kill -TERM "$started_pid" 2>/dev/null || true
    wait "$started_pid" 2>/dev/null || true
    echo "[demo] stack stopped"
  }
  trap stop_stack EXIT
  # Progress lines of the slow steps as they come; the banner line means everything is up.
  shown=0
  until grep -q "durable SMS demo is up" "$log" 2>/dev/null; do
    if ! kill -0 "$started_pid" 2>/dev/null; then
      echo "[demo] the stack did not start; last lines of $log:" >&2; tail -20 "$log" >&2; exit 1
    fi
    lines=$(wc -l <"$log")
    if [ "$lines" -gt "$shown" ]; then sed -n "$((shown + 1)),${lines}p" "$log" | grep -E '^\[(setup|n8n|start|temporal|demo)\]' || true; shown=$lines; fi
    sleep 1
  done
  sed -n "$((shown + 1)),\$p" "$log" | grep -E '^\[(setup|n8n|start|temporal|demo)\]' || true
  echo "[demo] stack up"
fi
node --import tsx demo/headless.ts
