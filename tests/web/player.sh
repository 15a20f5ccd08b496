#!/bin/bash
# The web player in Debian's Chromium (web/test/player.test.js, node's test runner over
# playwright-core): a 70 s recording made with ts-gen, its archive outputs made by ts-batch, the
# page served from loopback and opened from file://. Screenshots of each state are left in
# $TS_WORK/screenshots. Then the page served by ts-serve at /player/{item} over the API
# (web/test/player-api.test.js). Fails, saying why, when Chromium or the npm packages are missing.
set -euo pipefail
src=${TS_SRC:?} bin=${TS_BIN:?} work=${TS_WORK:?}
[ -x /usr/bin/chromium ] || { echo "player: /usr/bin/chromium is missing (scripts/setup installs it)" >&2; exit 1; }
command -v node >/dev/null || { echo "player: node is missing" >&2; exit 1; }
[ -d "$src/web/node_modules/playwright-core" ] && [ -d "$src/web/node_modules/peaks.js" ] ||
  { echo "player: web/node_modules is missing (scripts/setup runs npm ci in web/)" >&2; exit 1; }
node "$src/web/scripts/build.js"
rm -rf "$work" && mkdir -p "$work"
"$src/tests/web/make-item.sh" "$bin" "$work/item"
TS_PLAYER_OUT="$work/item/out" TS_PLAYER_ARTIFACTS="$work/screenshots" \
  node --test --test-reporter=spec "$src/web/test/results.test.js" "$src/web/test/player.test.js"
# The page served by ts-serve, reading the same recording through the API with a session cookie.
[ -x "$bin/ts-serve" ] || { echo "player: $bin/ts-serve is missing" >&2; exit 1; }
TS_BIN=$bin TS_PLAYER_ITEM="$work/item/src/item.flac" TS_PLAYER_ARTIFACTS="$work/screenshots" \
  node --test --test-reporter=spec "$src/web/test/player-api.test.js"
