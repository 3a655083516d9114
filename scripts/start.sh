#!/usr/bin/env bash
# `npm start`: the whole stack on embedded defaults, with a demo — the Temporal dev server (data kept in
# $DURABLE_SMS_DATA), one worker (SQLite directory, outbox provider), n8n (pinned) with this package installed
# the way users install it, an owner account, the example workflows and a seeded demo project, and the
# approval inbox the examples send their links to. Ctrl-C stops everything, and so do a closed terminal,
# a kill of npm and the end of whatever reads the output (`npm start | tee log`); a second start reuses the data.
set -euo pipefail
cd "$(dirname "$0")/.."
t_start=$SECONDS
. scripts/setup.sh
setup_project
. scripts/n8n.sh
ensure_n8n

. scripts/lib/stack-env.sh
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

. scripts/lib/output-reader.sh
worker_pid="" demo_pid="" watcher_pid="" n8n_started="" stopping=""
stop_log="$DURABLE_SMS_DATA/start-stop.log"

# A line of the stop. Once nobody reads this output (tee died with the Ctrl-C, the terminal closed), the
# write fails: the stop goes on and its lines go to $stop_log.
say() {
  printf '%s\n' "$*" 2>/dev/null && return 0
  exec >>"$stop_log" 2>&1
  printf '%s [start] the output of npm start was closed; what the stop printed:\n%s\n' "$(date '+%F %T')" "$*"
}

# Waits up to $2 s for process $1 (sent SIGTERM) to exit, then kills it; $3 names it in what it prints.
await_exit() {
  local pid=$1 grace=$2 name=$3 i
  [ -n "$pid" ] || return 0
  for ((i = 0; i < grace * 4; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; say "$name still running after $grace s; killed"; fi
  say "$name stopped"
}

# Stops every piece that was started, once, whatever interrupts it: each Ctrl-C reaches this shell twice
# (from the terminal, and forwarded by npm), so signals are ignored from here on; every wait is bounded.
stop_all() {
  [ -z "$stopping" ] || return 0
  stopping=1
  trap '' INT TERM HUP QUIT PIPE USR1
  set +e  # stop every piece, whatever the previous one answered
  local pid i n8n_pid=""
  say ""
  [ -z "${1:-}" ] || say "$1"
  [ -n "$watcher_pid" ] && kill "$watcher_pid" 2>/dev/null
  for pid in "$demo_pid" "$worker_pid"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; done
  if [ -n "$n8n_started" ]; then
    # n8n writes its pid file as it starts: a stop in that instant waits for it.
    for ((i = 0; i < 20; i++)); do [ -f "$(_n8n_pidfile)" ] && break; sleep 0.25; done
    n8n_pid=$(cat "$(_n8n_pidfile)" 2>/dev/null)
    say "$(n8n_stop 2>&1)"
  fi
  await_exit "$demo_pid" 10 "[demo]"
  await_exit "$worker_pid" 30 "[worker]"
  # A piece launched in the instant the signal came, before its pid was noted, is still a job of this shell.
  for pid in $(jobs -p); do
    case " $watcher_pid $n8n_pid $demo_pid $worker_pid " in *" $pid "*) continue ;; esac
    kill -TERM "$pid" 2>/dev/null && await_exit "$pid" 30 "[start] process $pid (launched as the stop began)"
  done
  say "$(scripts/temporal-dev.sh stop 2>&1)"
  say "[start] everything stopped; data kept in $DURABLE_SMS_DATA"
}
stop_and_exit() { stop_all "$1"; exit 0; }
trap stop_all EXIT
trap 'stop_and_exit "[start] stopping (Ctrl-C)"' INT
trap 'stop_and_exit "[start] stopping (SIGTERM)"' TERM
trap 'stop_and_exit "[start] stopping (SIGHUP: the terminal closed)"' HUP
trap 'stop_and_exit "[start] stopping (SIGQUIT)"' QUIT
trap 'stop_and_exit "[start] stopping: its output was closed"' PIPE
trap 'stop_and_exit "[start] stopping: nobody reads the output of npm start any more"' USR1

# When nobody reads the output any more (tee or head ended), the stack stops: once up it writes nothing,
# so no failed write would tell it.
{ wait_while_output_is_read && kill -USR1 $$; } &
watcher_pid=$!

# Started to the end, so that its pid file is written, even when Ctrl-C comes meanwhile; then the stop follows.
(trap '' INT TERM HUP QUIT; exec scripts/temporal-dev.sh start)
# The worker and the demo helper in sessions of their own, like the dev server and n8n: the terminal's
# signals reach this shell alone, which stops each piece once and in order (the worker drains).
# The outbox simulates delivery receipts: 5 % come back undelivered unless SMS_OUTBOX_UNDELIVERED_SHARE says otherwise.
SMS_OUTBOX_UNDELIVERED_SHARE="${SMS_OUTBOX_UNDELIVERED_SHARE-0.05}" setsid node --import tsx worker/main.ts &
worker_pid=$!
echo "[n8n] starting n8n@$N8N_PINNED_VERSION (log: $DURABLE_SMS_DATA/n8n-$N8N_PORT.log) ..."
n8n_started=1
# When n8n exited during its start it removed its pid file: nothing to stop.
n8n_start || { [ -f "$(_n8n_pidfile)" ] || n8n_started=""; exit 1; }
STACK_STARTED_SECONDS_AGO=$((SECONDS - t_start)) setsid node --import tsx demo/stack.ts &
demo_pid=$!

# Runs until stopped (above), or until the worker or the demo helper exits on its own (then everything stops).
wait -n "$worker_pid" "$demo_pid" || true
