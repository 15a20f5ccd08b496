# shellcheck shell=bash
# bench/player_common.sh: what bench/player.sh and bench/player_serve.sh share. Source it after
# bench/lib.sh and bench_init; do not run it.
#
#   flac=$(player_recording)        # the 3-hour recording, made once under bench/work/player/
#   player_build_page               # web/player/dist and vendor from web/player/src
#   player_header TITLE JSON LOAD   # the section's title and machine line (JSON: the page
#                                   # measurer's output, for Chromium's version)

# A 3-hour recording: ts-gen's demo piece, mono 22050 Hz, FLAC.
player_recording() {
    mkdir -p "$BENCH_WORK/player/src"
    bench_input player/src/long.flac "$(bench_tool ts-gen)" demo --quiet --rate 22050 --duration 10800 -o @OUT@
}

player_build_page() {
    [[ -d $BENCH_ROOT/web/node_modules/playwright-core ]] ||
        bench_die "web/node_modules is missing: npm ci in web/ (scripts/setup does it)"
    [[ -x ${TS_CHROMIUM:-/usr/bin/chromium} ]] || bench_die "no Chromium at ${TS_CHROMIUM:-/usr/bin/chromium} (scripts/setup)"
    (cd "$BENCH_ROOT/web" && node scripts/build.js) >&2
}

player_header() {
    python3 - "$1" "$2" "$(bench_machine)" "$3" <<'PY'
import json, os, sys
title, r, machine, load = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
busy = " The machine was busy (a load above its %d cores): the times are upper bounds." % os.cpu_count() if float(load) > os.cpu_count() else ""
print("## %s\n" % title)
print(machine + ", Chromium " + r["chromium"] + ", load average " + load + " at the end." + busy + "\n")
PY
}
