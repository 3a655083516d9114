#!/usr/bin/env bash
# scripts/pack.sh <dest-dir>: builds the node package (npm run build) and packs it into <dest-dir>, printing
# the tarball's path. Holds a lock, so two runs (npm start, the end-to-end tests) never build dist/ at once.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:?usage: scripts/pack.sh <dest-dir>}
. scripts/lib/node24.sh
ensure_node24 >&2
mkdir -p "$dest"
_build_and_pack() {
  npm run build --silent >&2 || { echo "[pack] npm run build failed" >&2; return 1; }
  npm pack --silent --pack-destination "$dest" | tail -1
}
name=$(ds_locked "pack-$(pwd | cksum | cut -d' ' -f1)" _build_and_pack)
echo "$(cd "$dest" && pwd)/$name"
