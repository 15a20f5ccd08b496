#!/bin/bash
# The JavaScript SDK (sdk/js): its generated types against docs/api/openapi.json, its event
# stream parser and cookie sign-in over fake servers, its calls against a live ts-serve on
# loopback (node's test runner), then the same SDK in Debian's Chromium (playwright-core from
# web/). Fails, saying why, when Chromium or the npm packages are missing.
set -euo pipefail
src=${TS_SRC:?} bin=${TS_BIN:?}
sdk=$src/sdk/js
[ -d "$sdk/node_modules/openapi-fetch" ] && [ -d "$sdk/node_modules/typescript" ] ||
  { echo "sdk: sdk/js/node_modules is missing (scripts/setup runs npm ci in sdk/js/)" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "sdk: /usr/bin/chromium is missing (scripts/setup installs it)" >&2; exit 1; }
[ -d "$src/web/node_modules/playwright-core" ] ||
  { echo "sdk: web/node_modules is missing (scripts/setup runs npm ci in web/)" >&2; exit 1; }
(cd "$sdk" && node_modules/.bin/tsc -p .)
TS_BIN=$bin node --test --test-reporter=spec "$sdk/test/generated.test.js" "$sdk/test/sse.test.js" \
  "$sdk/test/session.test.js" "$sdk/test/live.test.js" "$sdk/test/browser.test.js"
