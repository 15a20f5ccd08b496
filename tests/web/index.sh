#!/bin/bash
# The index page served by ts-serve at / in Debian's Chromium (web/test/index.test.js, node's
# test runner over playwright-core): sign-in, search, pages, the live job queue. Screenshots
# are left in $TS_WORK/screenshots. Fails, saying why, when Chromium or the npm packages are
# missing.
set -euo pipefail
src=${TS_SRC:?} bin=${TS_BIN:?} work=${TS_WORK:?}
[ -x /usr/bin/chromium ] || { echo "index: /usr/bin/chromium is missing (scripts/setup installs it)" >&2; exit 1; }
command -v node >/dev/null || { echo "index: node is missing" >&2; exit 1; }
[ -d "$src/web/node_modules/playwright-core" ] ||
  { echo "index: web/node_modules is missing (scripts/setup runs npm ci in web/)" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"
TS_BIN=$bin TS_INDEX_ARTIFACTS="$work/screenshots" \
  node --test --test-reporter=spec "$src/web/test/index.test.js"
