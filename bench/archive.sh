#!/usr/bin/env bash
# bench/archive.sh: an archive of 1,000 files of 30 s through the music preset, by
# `make -j2 -f share/archive.mk` against a plain shell `for` loop calling the same tool, in
# files per second; then each tool's start-up cost (`--version`, and a 0.1 s input) against
# `sox --version` and `ffmpeg -version`; writes the "archive" section of bench/RESULTS.md.
#
#   BUILD=build bench/archive.sh
#
# The 1,000 files are hard links to one 30-second `ts-gen demo` wav (44.1 kHz mono, 16-bit),
# so they cost no disk; every run reads and analyzes each of them. Environment: FILES
# (default 1000), RUNS (start-up: hyperfine runs, default 200). About 4 minutes on 2 cores.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init archive
analyze=$(bench_tool ts-analyze)
gen=$(bench_tool ts-gen)
dir=$BENCH_WORK/archive
FILES=${FILES:-1000}
RUNS=${RUNS:-200}
command -v sox >/dev/null || bench_die "sox is missing (apt-get install -y sox)"
demo=$(bench_input archive/demo-30s.wav "$gen" demo -o @OUT@)
short=$(bench_input archive/short-0.1s.wav "$gen" sine --duration 0.1 -o @OUT@)
short_flac=$(bench_input archive/short-0.1s.flac "$gen" sine --duration 0.1 -o @OUT@)
rm -rf "$dir/src" "$dir/make" "$dir/loop"
mkdir -p "$dir/src"
for ((i = 0; i < FILES; i++)); do
    d="$dir/src/disc $((i / 100))"
    mkdir -p "$d"
    ln "$demo" "$d/track $i.wav"
done
bindir=$(dirname "$analyze")

bench_log "make -j2 over $FILES files"
t0=$(date +%s.%N)
/usr/bin/time -f '%e %U %S' -o "$dir/make.time" make --no-print-directory -s -j2 -k \
    -f "$BENCH_ROOT/share/archive.mk" SRC="$dir/src" OUT="$dir/make" OUTPUTS=results PRESET=music \
    TS_BIN="$bindir" || bench_die "make failed"
bench_log "make again (nothing to do)"
/usr/bin/time -f '%e %U %S' -o "$dir/noop.time" make --no-print-directory -s -j2 -k \
    -f "$BENCH_ROOT/share/archive.mk" SRC="$dir/src" OUT="$dir/make" OUTPUTS=results PRESET=music \
    TS_BIN="$bindir" || bench_die "make (again) failed"
bench_log "for loop over $FILES files"
cat >"$dir/loop.sh" <<'SH'
#!/bin/bash
# The plain loop: one ts-analyze per file, one at a time.
src=$1 out=$2 analyze=$3
find "$src" -name '*.wav' -print0 | while IFS= read -r -d '' f; do
    rel=${f#"$src"/}
    mkdir -p "$out/$(dirname "$rel")"
    "$analyze" --quiet --preset music "$f" -o "$out/$rel.jsonl" || exit 1
done
SH
/usr/bin/time -f '%e %U %S' -o "$dir/loop.time" bash "$dir/loop.sh" "$dir/src" "$dir/loop" "$analyze" ||
    bench_die "the loop failed"
n_make=$(find "$dir/make" -name '*.jsonl' | wc -l)
n_loop=$(find "$dir/loop" -name '*.jsonl' | wc -l)
[ "$n_make" = "$FILES" ] && [ "$n_loop" = "$FILES" ] || bench_die "outputs: make $n_make, loop $n_loop"
cmp -s "$dir/make/disc 0/track 0.wav.jsonl" "$dir/loop/disc 0/track 0.wav.jsonl" || bench_die "make and loop outputs differ"

# Start-up: every tool's --version, and each tool's work on a 0.1 s wav (ts-gen's own output:
# 44.1 kHz mono 16-bit with a LIST/INFO chunk), against sox and ffmpeg doing the same.
bench_measure analyze-version "$RUNS" 10 "$analyze" --version
bench_measure analyze-short "$RUNS" 10 "$analyze" -a level --no-sha1 "$short"
bench_measure analyze-short-sha1 "$RUNS" 10 "$analyze" -a level "$short"
bench_measure analyze-short-music "$RUNS" 10 "$analyze" --preset music --no-sha1 "$short"
bench_measure analyze-short-flac "$RUNS" 10 "$analyze" -a level --no-sha1 "$short_flac"
for t in decode info graph serialize transcode gen; do
    bench_measure "$t-version" "$RUNS" 10 "$bindir/ts-$t" --version
done
bench_measure decode-short "$RUNS" 10 "$bindir/ts-decode" --no-sha1 "$short"
bench_measure info-short "$RUNS" 10 "$bindir/ts-info" --no-sha1 "$short"
bench_measure graph-short "$RUNS" 10 "$bindir/ts-graph" waveform "$short" -o "$dir/short.png"
bench_measure transcode-short "$RUNS" 10 "$bindir/ts-transcode" -f flac "$short" -o "$dir/short.flac"
bench_measure sox-version "$RUNS" 10 sox --version
bench_measure ffmpeg-version "$RUNS" 10 ffmpeg -version
bench_measure sox-short "$RUNS" 10 sox "$short" -n stats
bench_measure ffprobe-short "$RUNS" 10 ffprobe -v error -show_format "$short"

field() { cut -d' ' -f"$2" "$dir/$1.time"; }
ms() { awk -v s="$(bench_get "$1" mean)" 'BEGIN { printf "%.1f", s * 1000 }'; }
{
    echo "## Archives: make against a for loop, and start-up cost"
    echo
    echo "Measured by \`bench/archive.sh\` on $(bench_machine); load average $BENCH_LOAD0 at the start, $(bench_load) at the end."
    echo
    echo "$FILES files of 30 s (44.1 kHz mono 16-bit wav: hard links to one \`ts-gen demo\`) in folders of"
    echo "100, through \`ts-analyze --preset music\`, one JSON Lines file each. One run each."
    echo
    echo "| run | wall s | CPU s | files / s |"
    echo "|---|---:|---:|---:|"
    printf '| `make -j2 -f share/archive.mk OUTPUTS=results` | %s | %.1f | %.1f |\n' "$(field make 1)" \
        "$(awk -v u="$(field make 2)" -v s="$(field make 3)" 'BEGIN { print u + s }')" \
        "$(awk -v w="$(field make 1)" -v n="$FILES" 'BEGIN { print n / w }')"
    printf '| plain `for` loop, one `ts-analyze` at a time | %s | %.1f | %.1f |\n' "$(field loop 1)" \
        "$(awk -v u="$(field loop 2)" -v s="$(field loop 3)" 'BEGIN { print u + s }')" \
        "$(awk -v w="$(field loop 1)" -v n="$FILES" 'BEGIN { print n / w }')"
    printf '| `make` again, nothing to do | %s | %.2f | |\n' "$(field noop 1)" \
        "$(awk -v u="$(field noop 2)" -v s="$(field noop 3)" 'BEGIN { print u + s }')"
    echo
    echo "make -j2 runs $(awk -v a="$(field loop 1)" -v b="$(field make 1)" 'BEGIN { printf "%.2f", a / b }') times as many files per second as the loop on this"
    echo "2-core machine (make's own cost: the no-op run above, which lists the $FILES files and"
    echo "writes their rules)."
    echo
    echo "Start-up: mean of $RUNS runs after 10 warm-ups (hyperfine, no shell), stdout discarded."
    echo
    echo "| command | ms | goal < 5 ms |"
    echo "|---|---:|---|"
    for pair in "analyze-version ts-analyze_--version" "analyze-short ts-analyze_-a_level_--no-sha1_on_0.1_s" \
        "analyze-short-sha1 ts-analyze_-a_level_on_0.1_s_(with_the_file's_SHA-1)" \
        "analyze-short-music ts-analyze_--preset_music_--no-sha1_on_0.1_s" \
        "analyze-short-flac ts-analyze_-a_level_--no-sha1_on_0.1_s_of_FLAC_(libFLAC)" \
        "decode-version ts-decode_--version" "decode-short ts-decode_--no-sha1_on_0.1_s" \
        "info-version ts-info_--version" "info-short ts-info_--no-sha1_on_0.1_s" \
        "graph-version ts-graph_--version" "graph-short ts-graph_waveform_on_0.1_s_(PNG)" \
        "serialize-version ts-serialize_--version" "gen-version ts-gen_--version" \
        "transcode-version ts-transcode_--version" "transcode-short ts-transcode_-f_flac_on_0.1_s" \
        "sox-version sox_--version" "ffmpeg-version ffmpeg_-version" "sox-short sox_0.1_s_-n_stats" \
        "ffprobe-short ffprobe_-show_format_on_0.1_s"; do
        set -- $pair
        printf '| `%s` | %s | %s |\n' "${2//_/ }" "$(ms "$1")" \
            "$(case $1 in sox* | ffmpeg* | ffprobe*) echo "(peer)" ;; *) awk -v m="$(ms "$1")" 'BEGIN { print (m < 5 ? "met" : "NOT met") }' ;; esac)"
    done
    echo
    echo "\`--version\` and the rows on the 0.1 s wav and FLAC, read without FFmpeg, measure start-up proper."
    echo "The other rows include work that needs a library loaded: FFmpeg (the media module) to"
    echo "encode, libavutil for the music preset's FFTs (beside its filterbanks and"
    echo "analyzers), and for ts-graph the PNG itself (perf: most of its time in libpng and zlib"
    echo "compressing the 1200 x 300 image)."
    echo
} | bench_write_section
bench_log "done in $((SECONDS - BENCH_T0)) s"
