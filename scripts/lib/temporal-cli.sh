# Source this file: ensure_temporal sets TEMPORAL_BIN to a Temporal CLI, building v1.5.1 with
# `go install` into the cache when none is on PATH (later releases cannot be `go install`ed).
ensure_temporal() {
  local cache="${DURABLE_SMS_CACHE:-$HOME/.cache/durable-sms}"
  if [ -n "${TEMPORAL_BIN:-}" ] && [ -x "$TEMPORAL_BIN" ]; then return 0; fi
  if command -v temporal >/dev/null 2>&1; then TEMPORAL_BIN=$(command -v temporal); export TEMPORAL_BIN; return 0; fi
  if [ -x "$cache/bin/temporal" ]; then export TEMPORAL_BIN="$cache/bin/temporal"; return 0; fi
  ds_locked temporal-cli _build_temporal "$cache" || return 1
  export TEMPORAL_BIN="$cache/bin/temporal"
}

_build_temporal() {
  local cache=$1
  [ -x "$cache/bin/temporal" ] && return 0
  if ! command -v go >/dev/null 2>&1; then
    echo "[setup] no 'temporal' on PATH and no Go toolchain to build it: install the Temporal CLI (https://docs.temporal.io/cli) or Go, then retry" >&2
    return 1
  fi
  echo "[setup] building the Temporal CLI v1.5.1 with 'go install' into $cache/bin (first time only, a few minutes) ..."
  local t0=$SECONDS
  mkdir -p "$cache/bin"
  GOBIN="$cache/bin" go install github.com/temporalio/cli/cmd/temporal@v1.5.1 || { echo "[setup] go install of the Temporal CLI failed" >&2; return 1; }
  echo "[setup] Temporal CLI ready ($((SECONDS - t0)) s)"
}
