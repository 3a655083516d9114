#!/usr/bin/env bash
# `npm run sms -- …`: the operator CLI on Node.js 24, with the local stack's defaults (scripts/lib/stack-env.sh)
# for what the environment does not set, so it finds the Temporal server and directory `npm start` uses.
set -euo pipefail
here=$(dirname "$0")
. "$here/lib/node24.sh"
ensure_node24 >&2
. "$here/lib/stack-env.sh"
exec node --import tsx "$here/../cli/main.ts" "$@"
