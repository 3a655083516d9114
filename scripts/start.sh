#!/usr/bin/env bash
# `npm start`: the whole stack on embedded defaults, with a demo — the Temporal dev server (data kept in
# $DURABLE_SMS_DATA), one worker (SQLite directory, outbox provider), n8n (pinned) with this package installed
# the way users install it, an owner account, the example workflows and a seeded demo project, and the
# approval inbox the examples send their links to. Ctrl-C stops everything; a second start reuses the data.
set -euo pipefail
cd "$(dirname "$0")/.."
t_start=$SECONDS
. scripts/setup.sh
setup_project
. scripts/n8n.sh
ensure_n8n

. scripts/stack-env.sh
mkdir -p "$DURABLE_SMS_DATA"

# Every port first, so a taken one is named before anything starts.
busy=0
for setting in TEMPORAL_PORT TEMPORAL_UI_PORT TEMPORAL_HTTP_PORT N8N_PORT N8N_RUNNERS_BROKER_PORT DEMO_INBOX_PORT; do
  port=${!setting}
  [ "$port" = 0 ] && continue
  if port_in_use "$port"; then
    echo "[start] port $port ($setting) on 127.0.0.1 is already in use by another process (an earlier npm start still running?); stop it, or choose another port: $setting=<port> npm start" >&2
    busy=1
  fi
done
[ "$busy" = 0 ] || exit 1

# The package as users install it: built, packed, and installed into n8n's nodes folder — again only
# when a source file changed since the last install.
package_marker="$N8N_USER_FOLDER/.n8n/nodes/.durable-sms-installed"
if [ ! -f "$package_marker" ] || [ -n "$(find package.json package-lock.json nodes credentials client domain workflows icons -newer "$package_marker" -type f -print -quit)" ]; then
  echo "[start] building the node package and installing it into n8n ($N8N_USER_FOLDER/.n8n/nodes) ..."
  t0=$SECONDS
  pack_dir="$DURABLE_SMS_DATA/package"
  rm -rf "$pack_dir" && mkdir -p "$pack_dir"
  tarball=$(scripts/pack.sh "$pack_dir" 2>"$pack_dir/build.log") || { echo "[start] building the package failed; see $pack_dir/build.log" >&2; tail -20 "$pack_dir/build.log" >&2; exit 1; }
  n8n_install_package "$tarball" >"$pack_dir/install.log" 2>&1 || { echo "[start] installing the package into n8n failed; see $pack_dir/install.log" >&2; tail -20 "$pack_dir/install.log" >&2; exit 1; }
  touch "$package_marker"
  echo "[start] node package installed ($((SECONDS - t0)) s)"
fi

worker_pid="" demo_pid="" n8n_started=""
stop_all() {
  trap - EXIT INT TERM
  set +e  # stop every piece, whatever the previous one answered
  echo
  for pid in "$demo_pid" "$worker_pid"; do
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
  done
  [ -n "$demo_pid" ] && wait "$demo_pid" 2>/dev/null
  if [ -n "$worker_pid" ]; then wait "$worker_pid" 2>/dev/null; echo "[worker] stopped"; fi
  [ -n "$n8n_started" ] && n8n_stop
  scripts/temporal-dev.sh stop
  echo "[start] everything stopped; data kept in $DURABLE_SMS_DATA"
}
trap stop_all EXIT INT TERM

scripts/temporal-dev.sh start
node --import tsx worker/main.ts &
worker_pid=$!
echo "[n8n] starting n8n@$N8N_PINNED_VERSION (log: $DURABLE_SMS_DATA/n8n-$N8N_PORT.log) ..."
n8n_started=1
n8n_start
STACK_STARTED_SECONDS_AGO=$((SECONDS - t_start)) node --import tsx demo/stack.ts &
demo_pid=$!

# Runs until Ctrl-C, or until the worker or the demo helper exits on its own (then everything stops).
wait -n "$worker_pid" "$demo_pid" || true
