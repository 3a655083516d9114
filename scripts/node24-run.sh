#!/usr/bin/env bash
# Runs a command with Node.js 24 first on the PATH (provisioned like `npm start` does): npm scripts use it
# so they work from a shell whose node is older.
set -euo pipefail
. "$(dirname "$0")/lib/node24.sh"
ensure_node24 >&2
exec "$@"
