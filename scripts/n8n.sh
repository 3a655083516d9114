#!/usr/bin/env bash
# A real n8n for end-to-end tests and local trials, installed once outside the repository.
#   . scripts/n8n.sh; ensure_n8n          install n8n (cached in ${DURABLE_SMS_CACHE:-~/.cache/durable-sms}/n8n-<version>)
#   scripts/n8n.sh ensure                 the same, as a command
#   scripts/n8n.sh installed              exit 0 (printing the install folder) when n8n is installed, else 1
#   scripts/n8n.sh install-package <tgz>  install a node package tarball into $N8N_USER_FOLDER/.n8n/nodes, as n8n's installer does
#   scripts/n8n.sh start                  start n8n in the background and wait until it is ready
#   scripts/n8n.sh stop                   stop it cleanly
#   scripts/n8n.sh status                 say whether it answers
# Settings: N8N_USER_FOLDER ($DURABLE_SMS_DATA/n8n), N8N_PORT (5678), N8N_RUNNERS_BROKER_PORT (N8N_PORT + 1).
# The pid and log files are $DURABLE_SMS_DATA/n8n-<port>.pid and .log (DURABLE_SMS_DATA defaults to .data).
_n8n_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_n8n_here/lib/node24.sh"

N8N_PINNED_VERSION=2.40.7

n8n_home() { echo "${DURABLE_SMS_CACHE:-$HOME/.cache/durable-sms}/n8n-$N8N_PINNED_VERSION"; }
n8n_bin() { echo "$(n8n_home)/node_modules/n8n/bin/n8n"; }

# Installs n8n once. The marker file is written only after install, native rebuild and a smoke check all
# succeeded, so an interrupted or failed install is removed and redone on the next call.
ensure_n8n() {
  ensure_node24 || return 1
  [ -f "$(n8n_home)/.installed" ] && [ -f "$(n8n_bin)" ] && return 0
  ds_locked n8n _install_n8n
}

_install_n8n() {
  local dir; dir=$(n8n_home)
  [ -f "$dir/.installed" ] && [ -f "$(n8n_bin)" ] && return 0
  echo "[n8n] installing n8n@$N8N_PINNED_VERSION into $dir (takes a few minutes) ..."
  local t0=$SECONDS
  rm -rf "$dir" && mkdir -p "$dir" || return 1
  printf '{ "name": "durable-sms-n8n", "private": true, "dependencies": { "n8n": "%s" } }\n' "$N8N_PINNED_VERSION" >"$dir/package.json"
  # Install scripts are skipped: one of n8n's dependencies (Kafka) downloads from the internet while building.
  # The two native modules n8n needs are then built from source against Node 24's headers (npm_config_nodedir).
  if ! (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >"$dir/install.log" 2>&1 \
        && npm rebuild sqlite3 isolated-vm --foreground-scripts >>"$dir/install.log" 2>&1 \
        && node -e 'require("sqlite3"); require("isolated-vm")' >>"$dir/install.log" 2>&1 \
        && node node_modules/n8n/bin/n8n --version >>"$dir/install.log" 2>&1); then
    echo "[n8n] install failed after $((SECONDS - t0)) s; last lines of $dir/install.log:" >&2
    tail -30 "$dir/install.log" >&2
    return 1
  fi
  touch "$dir/.installed"
  echo "[n8n] n8n@$N8N_PINNED_VERSION ready ($((SECONDS - t0)) s, $(du -sh "$dir" | cut -f1))"
}

_n8n_data() { echo "${DURABLE_SMS_DATA:-$_n8n_here/../.data}"; }
_n8n_port() { echo "${N8N_PORT:-5678}"; }
_n8n_user_folder() { echo "${N8N_USER_FOLDER:-$(_n8n_data)/n8n}"; }
_n8n_pidfile() { echo "$(_n8n_data)/n8n-$(_n8n_port).pid"; }
_n8n_logfile() { echo "$(_n8n_data)/n8n-$(_n8n_port).log"; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
_n8n_ready() { curl -fsS --max-time 2 "http://127.0.0.1:$(_n8n_port)/healthz/readiness" 2>/dev/null | grep -q '"ok"'; }

# Mirrors n8n's community-package installer (CommunityPackagesService.downloadPackage in n8n 2.40):
# unpack into nodes/node_modules/<name>, drop dev/peer/optional dependencies from its package.json,
# `npm install` inside it without scripts, and record it in nodes/package.json.
n8n_install_package() {
  local tgz="${1:-}"
  [ -f "$tgz" ] || { echo "usage: $0 install-package <path-to-package.tgz>" >&2; return 2; }
  tgz=$(cd "$(dirname "$tgz")" && pwd)/$(basename "$tgz")
  ensure_node24 || return 1
  local nodes name dest
  nodes="$(_n8n_user_folder)/.n8n/nodes"
  name=$(tar -xzOf "$tgz" package/package.json | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).name') || return 1
  dest="$nodes/node_modules/$name"
  rm -rf "$dest" && mkdir -p "$dest" && tar -xzf "$tgz" -C "$dest" --strip-components=1 || return 1
  node -e '
    const fs = require("fs"), [file, list] = process.argv.slice(1);
    const { devDependencies, peerDependencies, optionalDependencies, ...pkg } = JSON.parse(fs.readFileSync(file, "utf8"));
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2));
    const all = fs.existsSync(list) ? JSON.parse(fs.readFileSync(list, "utf8")) : { name: "installed-nodes", private: true };
    all.dependencies = { ...all.dependencies, [pkg.name]: pkg.version };
    fs.writeFileSync(list, JSON.stringify(all, null, 2));
  ' "$dest/package.json" "$nodes/package.json" || return 1
  (cd "$dest" && npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow \
    --ignore-scripts=true --package-lock=false --loglevel=error) || { echo "[n8n] npm install in $dest failed" >&2; return 1; }
  echo "[n8n] installed $name from $(basename "$tgz") into $nodes"
}

n8n_start() {
  ensure_n8n || return 1
  local port data folder pidfile logfile broker
  port=$(_n8n_port) data=$(_n8n_data) folder=$(_n8n_user_folder) pidfile=$(_n8n_pidfile) logfile=$(_n8n_logfile)
  broker="${N8N_RUNNERS_BROKER_PORT:-$((port + 1))}"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && _n8n_ready; then
    echo "[n8n] already running on http://127.0.0.1:$port (pid $(cat "$pidfile"))"; return 0
  fi
  for p in "$port" "$broker"; do
    if port_in_use "$p"; then
      echo "[n8n] port $p on 127.0.0.1 is already in use by another process; choose N8N_PORT / N8N_RUNNERS_BROKER_PORT" >&2
      return 1
    fi
  done
  mkdir -p "$data" "$folder" && rm -f "$pidfile"
  local t0=$SECONDS
  # NODE_ENV is dropped: with NODE_ENV=test (set by jest) n8n never opens its HTTP port.
  env -u NODE_ENV N8N_USER_FOLDER="$folder" N8N_PORT="$port" N8N_LISTEN_ADDRESS=127.0.0.1 N8N_HOST=127.0.0.1 N8N_PROTOCOL=http \
    N8N_WEBHOOK_URL="http://127.0.0.1:$port/" N8N_EDITOR_BASE_URL="http://127.0.0.1:$port/" \
    N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_TEMPLATES_ENABLED=false \
    N8N_DIAGNOSTICS_CONFIG_FRONTEND= N8N_DIAGNOSTICS_CONFIG_BACKEND= EXTERNAL_FRONTEND_HOOKS_URLS= \
    N8N_PERSONALIZATION_ENABLED=false N8N_HIRING_BANNER_ENABLED=false N8N_DYNAMIC_BANNERS_ENABLED=false \
    N8N_AI_ENABLED=false N8N_SECURE_COOKIE=false N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=false \
    N8N_RUNNERS_MODE=internal N8N_RUNNERS_BROKER_PORT="$broker" N8N_COMMUNITY_PACKAGES_ENABLED=true \
    N8N_DISABLED_MODULES="${N8N_DISABLED_MODULES-mcp-registry}" \
    N8N_LOG_LEVEL="${N8N_LOG_LEVEL:-info}" \
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pidfile" node "$(n8n_bin)" start >"$logfile" 2>&1 </dev/null &
  local timeout="${N8N_START_TIMEOUT:-180}" pid=""
  for _ in $(seq 1 $((timeout * 2))); do
    [ -n "$pid" ] || pid=$(cat "$pidfile" 2>/dev/null || true)
    if _n8n_ready; then
      echo "[n8n] ready on http://127.0.0.1:$port (user folder $folder, $((SECONDS - t0)) s)"; return 0
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "[n8n] exited during start; last lines of $logfile:" >&2; tail -30 "$logfile" >&2; rm -f "$pidfile"; return 1
    fi
    sleep 0.5
  done
  echo "[n8n] not ready within $timeout s; see $logfile" >&2
  return 1
}

n8n_stop() {
  local pidfile; pidfile=$(_n8n_pidfile)
  [ -f "$pidfile" ] || { echo "[n8n] not started by this script (no $pidfile)"; return 0; }
  local pid t0=$SECONDS; pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    # n8n runs in its own process group (setsid), together with its task runner.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "[n8n] still running after 30 s; killing it" >&2
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
    fi
  fi
  rm -f "$pidfile"
  echo "[n8n] stopped ($((SECONDS - t0)) s)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    ensure) ensure_n8n ;;
    installed) if [ -f "$(n8n_home)/.installed" ]; then n8n_home; else echo "[n8n] n8n@$N8N_PINNED_VERSION is not installed; run: scripts/n8n.sh ensure" >&2; exit 1; fi ;;
    install-package) n8n_install_package "${2:-}" ;;
    start) n8n_start ;;
    stop) n8n_stop ;;
    status) if _n8n_ready; then echo "[n8n] ready on http://127.0.0.1:$(_n8n_port)"; else echo "[n8n] not answering on http://127.0.0.1:$(_n8n_port)"; exit 1; fi ;;
    *) echo "usage: $0 ensure|installed|install-package <tgz>|start|stop|status" >&2; exit 2 ;;
  esac
fi
