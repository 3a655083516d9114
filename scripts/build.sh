#!/usr/bin/env bash
# `npm run build`: compiles to dist/ (CommonJS, as n8n requires) and copies the icons beside the code.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
node node_modules/.bin/tsc -p tsconfig.build.json
mkdir -p dist/icons && cp icons/*.svg dist/icons/
