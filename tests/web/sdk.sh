#!/bin/bash
# The JavaScript SDK (sdk/js): its generated types against docs/api/openapi.json, its event
# stream parser and cookie sign-in over fake servers, then its calls against a live ts-serve on
# loopback (node's test runner). Fails, saying why, when the npm packages are missing.
set -euo pipefail
src=${TS_SRC:?} bin=${TS_BIN:?}
sdk=$src/sdk/js
[ -d "$sdk/node_modules/openapi-fetch" ] && [ -d "$sdk/node_modules/typescript" ] ||
  { echo "sdk: sdk/js/node_modules is missing (scripts/setup runs npm ci in sdk/js/)" >&2; exit 1; }
(cd "$sdk" && node_modules/.bin/tsc -p .)
TS_BIN=$bin node --test --test-reporter=spec "$sdk/test/generated.test.js" "$sdk/test/sse.test.js" \
  "$sdk/test/session.test.js" "$sdk/test/live.test.js"
