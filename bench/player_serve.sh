#!/bin/bash
# bench/player_serve.sh: the web player as ts-serve serves it (/player/{id}) over a 3-hour
# recording, in Chromium, on loopback.
#
#   bench/player_serve.sh [SECONDS [EVERY]]
#
# Uploads bench/player.sh's 3-hour recording (ts-gen demo, mono 22050 Hz, FLAC) to a ts-serve
# on 127.0.0.1 over a fresh data folder (bench/work/player_serve/data), runs a job of rms and
# level for the result lanes, then web/bench/first-view-serve.js: a cold load (the peaks .dat
# rendered in the background since the upload, the visible range's spectrogram on demand) and the median of
# three more loads (new browser contexts, no cache; the server's renders cached) of the time
# to the waveform's first paint, to interactive and to the lanes, the bytes received by each
# by resource type, and the JS heap over SECONDS (default 600) of random zooming and scrolling,
# sampled every EVERY seconds (default 60). Needs web/node_modules (npm ci) and
# /usr/bin/chromium (scripts/setup).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
# shellcheck source=player_common.sh
. "$BENCH_DIR/player_common.sh"
bench_init player_serve
secs=${1:-600}
every=${2:-60}
bench_tool ts-serve >/dev/null
flac=$(player_recording)
player_build_page
json=$(node "$BENCH_ROOT/web/bench/first-view-serve.js" "$BENCH_BUILD/tools" "$BENCH_WORK/player_serve/data" "$flac" "$secs" "$every")
printf '%s\n' "$json" >"$BENCH_WORK/player_serve/first-view.json"
rm -rf "$BENCH_WORK/player_serve/data"
load=$(bench_load)
{
    player_header "The web player served by ts-serve, on a 3-hour recording (bench/player_serve.sh)" "$json" "$load"
    python3 - "$json" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
mb = lambda b: "%.2f MB" % (int(b) / 1e6)
ms = lambda x: "%.0f ms" % x
print("A %d s recording (ts-gen demo, mono 22050 Hz, FLAC, %s) uploaded to ts-serve on 127.0.0.1 (%.1f s), then a job of rms and level (%.1f s)." % (r["duration"], mb(r["recording_bytes"]), r["upload_s"], r["job_s"]))
print("Each load: a new browser context signed in with the session cookie, viewport 1280 x 720. First paint: peaks.js drew the zoom view and the overview from `peaks.dat`.")
print("Interactive: that, and the spectrogram of the visible range drawn in its lane (the controls and keys work from the first paint; the audio loads when played).")
print("Lanes: the results read and their lanes drawn.\n")
c = r["cold"]
print("| Measure | Cold (first load after the upload and the job) | Median of 3 loads after |")
print("| --- | --- | --- |")
print("| navigation to the waveform's first paint | %s | %s |" % (ms(c["waveform"]), ms(r["waveform_ms"])))
print("| navigation to interactive | %s | %s |" % (ms(c["interactive"]), ms(r["interactive_ms"])))
print("| navigation to the lanes | %s | %s |" % (ms(c["ready"]), ms(r["ready_ms"])))
print("| bytes by the first paint | %s | %s |" % (mb(c["bytes"]["waveform"]["total"]), mb(r["bytes_waveform"])))
print("| bytes by interactive | %s | %s |" % (mb(c["bytes"]["interactive"]["total"]), mb(r["bytes_interactive"])))
print("| bytes by the lanes | %s | %s |" % (mb(c["bytes"]["ready"]["total"]), mb(r["bytes_ready"])))
print()
m = r["median_load"]
types = m["bytes"]["interactive"]["byType"]
print("Bytes by interactive, by resource type (the median load; headers included): " + ", ".join("%s %s" % (t, mb(b)) for t, b in sorted(types.items(), key=lambda x: -x[1])) + ".")
print("Its responses, with when each finished: " + ", ".join("`%s` %s at %d ms" % (x["path"].split("?")[0].replace("/api/v1/items/", "items/…/").rsplit("/", 1)[-1] if "/items/" in x["path"] else x["path"], mb(x["bytes"]), x["end_ms"]) for x in m["responses"] if x["bytes"]) + ".\n")
print("JS heap after a garbage collection, at the start, every %d s and at the end of %d s of random zooming and scrolling (%d moves, one every 100 ms, the server drawing the spectrogram of each range the view rests on): %s MiB." % (r["every"], r["seconds"], r["moves"], ", ".join(str(h) for h in r["heap_mib"])))
PY
} | bench_write_section
