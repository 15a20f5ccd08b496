#!/bin/bash
# Lints docs/api/openapi.json with Redocly's CLI (pinned in docs/api/package-lock.json, installed
# by scripts/setup with npm ci). Exit 77 (skipped) where it is not installed.
cd "$TS_SRC/docs/api" || exit 1
[ -x node_modules/.bin/redocly ] || { echo "redocly not installed (cd docs/api && npm ci)"; exit 77; }
exec timeout 120 node_modules/.bin/redocly lint openapi.json
