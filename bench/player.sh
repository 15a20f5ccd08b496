#!/bin/bash
# bench/player.sh: the web player over a 3-hour recording's archive outputs, in Chromium.
#
# Makes a 3-hour recording (ts-gen demo, mono 22050 Hz, FLAC) and its OUT folder with ts-batch
# as the README's player recipe does (results with the music preset plus onsets, tempo, key,
# pitch and the segmenters; dat; spectrogram; mp3 preview; info), timing that run, then
# web/bench/first-view.js: the median of three loads over loopback HTTP of the time to the
# waveform's first paint and to the lanes, the bytes transferred by then, and the JS heap
# over SECONDS (default 600) of random zooming and scrolling. Needs web/node_modules (npm ci)
# and /usr/bin/chromium (scripts/setup).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_ROOT=$(dirname "$BENCH_DIR")
BENCH_RESULTS=$BENCH_DIR/RESULTS.md
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
# shellcheck source=player_common.sh
. "$BENCH_DIR/player_common.sh"
bench_init player
secs=${1:-600}
player_recording >/dev/null
src=$BENCH_WORK/player/src
out=$BENCH_WORK/player/out
t0=$(date +%s.%N)
"$BENCH_ROOT/scripts/ts-batch" -q --ts-bin "$BENCH_BUILD/tools" \
  --outputs "results dat spectrogram preview info" \
  --set 'ANALYZE_OPTIONS=-a onsets,tempo,key,pitch,silence,speech,structure' "$src" "$out" ||
  bench_die "ts-batch failed: see $out/.timeside/runs"
batch=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
player_build_page
json=$(node "$BENCH_ROOT/web/bench/first-view.js" "$out" long.flac "$secs")
printf '%s\n' "$json" >"$BENCH_WORK/player/first-view.json"
size() { du -b "$out/long.flac.$1" | cut -f1; }
load=$(bench_load)
{
player_header "The web player on a 3-hour recording (bench/player.sh)" "$json" "$load"
python3 - "$json" "$batch" "$(size dat)" "$(size jsonl)" "$(size spectrogram.png)" "$(size preview.mp3)" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
batch, dat, jsonl, png, mp3 = sys.argv[2:]
mb = lambda b: "%.1f MB" % (int(b) / 1e6)
first = r["loads"][0]["byPath"]
print("A %d s recording (ts-gen demo, mono 22050 Hz); its OUT folder made by ts-batch (this run: %s s; an OUT folder already up to date is not remade):" % (r["duration"], batch))
print(".dat %s, results %s, spectrogram PNG %s, mp3 preview %s.\n" % (mb(dat), mb(jsonl), mb(png), mb(mp3)))
print("| Measure | Median of 3 loads |")
print("| --- | --- |")
print("| navigation to the waveform's first paint | %.0f ms |" % r["waveform_ms"])
print("| navigation to the lanes drawn (results read) | %.0f ms |" % r["ready_ms"])
print("| bytes by the first paint | %s |" % mb(r["bytes_waveform"]))
print("| bytes by the lanes | %s |" % mb(r["bytes_ready"]))
print()
print("Bytes of the first load by file: " + ", ".join("%s %s" % (p.rsplit("/", 1)[-1], mb(b)) for p, b in sorted(first.items(), key=lambda x: -x[1]) if b) + ".\n")
print("JS heap after a garbage collection, at the start, each minute and at the end of %d s of random zooming and scrolling (%d moves): %s MiB." % (r["seconds"], r["moves"], ", ".join(str(h) for h in r["heap_mib"])))
PY
} | bench_write_section
