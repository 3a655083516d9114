# Source this file: `setup_project` gives a shell Node.js 24, the project's dependencies and a Temporal CLI,
# provisioning what is missing (downloads cached under ${DURABLE_SMS_CACHE:-~/.cache/durable-sms}).
_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_here/node24.sh"
. "$_here/temporal-cli.sh"

ensure_dependencies() {
  local root; root=$(cd "$_here/.." && pwd)
  if [ -f "$root/node_modules/.package-lock.json" ] && [ "$root/node_modules/.package-lock.json" -nt "$root/package-lock.json" ] \
     && node -e "require('$root/node_modules/better-sqlite3')" >/dev/null 2>&1; then
    return 0
  fi
  echo "[setup] installing dependencies (npm ci) ..."
  local t0=$SECONDS
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error) || { echo "[setup] npm ci failed" >&2; return 1; }
  touch "$root/node_modules/.package-lock.json"
  echo "[setup] dependencies ready ($((SECONDS - t0)) s)"
}

setup_project() {
  ensure_node24 && ensure_dependencies && ensure_temporal
}
