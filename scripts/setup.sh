# Source this file: `setup_project` gives a shell Node.js 24, the project's dependencies and a Temporal CLI,
# provisioning what is missing (downloads cached under ${DURABLE_SMS_CACHE:-~/.cache/durable-sms}).
_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_here/lib/node24.sh"
. "$_here/lib/temporal-cli.sh"

_dependencies_ready() {
  local root=$1
  [ -f "$root/node_modules/.package-lock.json" ] && [ "$root/node_modules/.package-lock.json" -nt "$root/package-lock.json" ] \
    && node -e "require('$root/node_modules/better-sqlite3')" >/dev/null 2>&1
}

ensure_dependencies() {
  local root; root=$(cd "$_here/.." && pwd)
  _dependencies_ready "$root" && return 0
  ds_locked "deps-$(printf %s "$root" | cksum | cut -d' ' -f1)" _install_dependencies "$root"
}

_install_dependencies() {
  local root=$1
  _dependencies_ready "$root" && return 0
  echo "[setup] installing dependencies (npm ci) ..."
  local t0=$SECONDS
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error) || { echo "[setup] npm ci failed" >&2; return 1; }
  touch "$root/node_modules/.package-lock.json"
  echo "[setup] dependencies ready ($((SECONDS - t0)) s)"
}

setup_project() {
  ensure_node24 && ensure_dependencies && ensure_temporal
}

# A throw-away dev server on $TEMPORAL_PORT, stopped when the calling script exits. A server already
# answering there belongs to another run (a second `npm test`, a bench beside it): used, left running.
use_or_start_temporal() {
  if "$_here/temporal-dev.sh" status >/dev/null 2>&1; then
    echo "[temporal] a dev server already answers on 127.0.0.1:$TEMPORAL_PORT; using it (it is not stopped at the end)"
  else
    "$_here/temporal-dev.sh" start
    trap '"$_here/temporal-dev.sh" stop >/dev/null' EXIT
  fi
}
