#!/usr/bin/env bash
# bench/transcode.sh: ts-transcode against ffmpeg encoding the same input to the same
# formats with the same encoder settings, wall time, CPU time and peak memory, in one run;
# writes the "transcode" section of bench/RESULTS.md.
#
#   BUILD=build-bench bench/transcode.sh
#
# Input: the music-like stereo 44.1 kHz signal of bench/decode.sh, 10 minutes as 16-bit
# wav, and the same looped to 3 hours (same recipes and names as bench/decode.sh, so a run
# of either script reuses them; about 30 s to make the first time, 1.9 GB).
#
# Commands (IN the wav; outputs written to files under bench/work/transcode/out/):
#   mp3   ts-transcode -f mp3 --bitrate 192k IN -o ts.mp3
#         ffmpeg -nostdin -v error -y -i IN -c:a libmp3lame -b:a 192k ff.mp3     (CBR)
#   opus  ts-transcode -f opus IN -o ts.opus                 (128 kb/s VBR, soxr to 48 kHz)
#         ffmpeg ... -af aresample=resampler=soxr -ar 48000 -c:a libopus -b:a 128k ff.opus
#         and, reported apart, ffmpeg's default resampler: -ar 48000 without -af
#   flac  ts-transcode -f flac IN -o ts.flac                 (16-bit, level 5)
#         ffmpeg ... -c:a flac ff.flac
#   ogg   ts-transcode -f ogg IN -o ts.ogg                   (vorbis VBR q6)
#         ffmpeg ... -c:a libvorbis -q:a 6 ff.ogg
#   m4a   ts-transcode -f m4a IN -o ts.m4a                   (FFmpeg's aac, 192 kb/s)
#         ffmpeg ... -c:a aac -b:a 192k ff.m4a
# The 3-hour input is encoded to mp3 and opus once by each tool for the peak memory (and
# CPU time); ts-transcode and ffmpeg run at the same time there, one per core, to keep the
# script short (peak RSS and CPU time do not depend on it; wall time is not reported).
#
# Environment: RUNS (hyperfine runs per 10-minute command, default 3, after WARMUP warm-ups,
# default 1), LONG=0 skips the 3-hour input. About 13 minutes on 2 idle cores (35 with a
# load average of 11: then trust the CPU ratios, not the wall-time ones).
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init transcode
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
LONG=${LONG:-1}
ts=$(bench_tool ts-transcode)
command -v ffprobe >/dev/null || bench_die "ffprobe is missing (apt-get install -y ffmpeg)"
dir=$BENCH_WORK/transcode
out=$dir/out
mkdir -p "$out"

# --- inputs (those of bench/decode.sh) ----------------------------------------------------
signal=$BENCH_MUSIC_SIGNAL
ff=(ffmpeg -nostdin -hide_banner -v error -y)
clean=(-map_metadata -1 -fflags +bitexact -flags:a +bitexact)
in10=$(bench_input decode/music-10min.wav "${ff[@]}" -f lavfi -i "$signal" "${clean[@]}" \
    -c:a pcm_s16le @OUT@)
if ((LONG)); then
    in3h=$(bench_input decode/music-3h.wav "${ff[@]}" -stream_loop 17 -i "$in10" \
        "${clean[@]}" -c:a pcm_s16le @OUT@)
fi

# --- commands ------------------------------------------------------------------------------
formats=(mp3 opus flac ogg m4a)
declare -A ts_args ff_args ext settings
ts_args[mp3]="-f mp3 --bitrate 192k"
ff_args[mp3]="-c:a libmp3lame -b:a 192k"
settings[mp3]="libmp3lame CBR 192 kb/s, LAME's default quality (both feed it s16p, the 16-bit source's own samples)"
ts_args[opus]="-f opus"
ff_args[opus]="-af aresample=resampler=soxr -ar 48000 -c:a libopus -b:a 128k"
settings[opus]="libopus 128 kb/s VBR, complexity 10, soxr to 48 kHz (ts feeds flt, ffmpeg s16)"
ts_args[flac]="-f flac"
ff_args[flac]="-c:a flac"
settings[flac]="FFmpeg's flac, level 5, 16-bit"
ts_args[ogg]="-f ogg"
ff_args[ogg]="-c:a libvorbis -q:a 6"
settings[ogg]="libvorbis VBR q6, 64-frame blocks"
ts_args[m4a]="-f m4a"
ff_args[m4a]="-c:a aac -b:a 192k"
settings[m4a]="FFmpeg's aac (twoloop coder), 192 kb/s, MP4 (ipod muxer)"
for f in "${formats[@]}"; do ext[$f]=$f; done

ts_cmd() { # FORMAT IN OUT
    # shellcheck disable=SC2086 # the arguments are split on purpose
    printf '%s\n' "$ts" ${ts_args[$1]} "$2" -o "$3"
}
ff_cmd() { # FFARGS IN OUT
    # shellcheck disable=SC2086
    printf '%s\n' ffmpeg -nostdin -v error -y -i "$2" $1 "$3"
}

# --- 10 minutes: wall time, CPU time, peak ------------------------------------------------
for f in "${formats[@]}"; do
    mapfile -t c < <(ts_cmd "$f" "$in10" "$out/ts-10min.${ext[$f]}")
    bench_measure "$f.ts" "$RUNS" "$WARMUP" "${c[@]}"
    mapfile -t c < <(ff_cmd "${ff_args[$f]}" "$in10" "$out/ff-10min.${ext[$f]}")
    bench_measure "$f.ffmpeg" "$RUNS" "$WARMUP" "${c[@]}"
done
# ffmpeg's opus with its default resampler (swr, filter_size 32), as a plain user would run it
mapfile -t c < <(ff_cmd "-ar 48000 -c:a libopus -b:a 128k" "$in10" "$out/ff-10min-swr.opus")
bench_measure opus-swr.ffmpeg "$RUNS" "$WARMUP" "${c[@]}"

# --- 3 hours: peak and CPU time of one run each, the two tools side by side ----------------
long_formats=(mp3 opus)
long_run() { # ID CMD...: appends ID elapsed 0 user system 1 peak_kb to the measurements
    local id=$1
    shift
    bench_log "measuring $id: $*"
    /usr/bin/time -f '%e %U %S %M' -o "$dir/$id.time" "$@" >/dev/null ||
        bench_die "$id failed: $*"
}
if ((LONG)); then
    for f in "${long_formats[@]}"; do
        mapfile -t a < <(ts_cmd "$f" "$in3h" "$out/ts-3h.${ext[$f]}")
        mapfile -t b < <(ff_cmd "${ff_args[$f]}" "$in3h" "$out/ff-3h.${ext[$f]}")
        long_run "$f-3h.ts" "${a[@]}" &
        p1=$!
        long_run "$f-3h.ffmpeg" "${b[@]}" &
        p2=$!
        wait "$p1" || exit 1
        wait "$p2" || exit 1
        for t in ts ffmpeg; do
            read -r e u s m < <(tail -n 1 "$dir/$f-3h.$t.time")
            printf '%s\t%s\t0\t%s\t%s\t1\t%s\n' "$f-3h.$t" "$e" "$u" "$s" "$m" >>"$BENCH_TSV"
        done
    done
fi

# --- outputs: duration and bitrate of each ---------------------------------------------------
probe() { # FILE -> "duration_s kbps"
    local d
    d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$1")
    awk -v d="$d" -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.2f %.0f", d, b * 8 / d / 1000 }'
}
declare -A got
for f in "${formats[@]}"; do
    got[$f.ts]=$(probe "$out/ts-10min.${ext[$f]}")
    got[$f.ffmpeg]=$(probe "$out/ff-10min.${ext[$f]}")
done
got[opus-swr.ffmpeg]=$(probe "$out/ff-10min-swr.opus")

# --- report ------------------------------------------------------------------------------------
cpu_s() { awk -v c="$(bench_cpu "$1")" 'BEGIN { printf "%.2f", c }'; }
kbps() { printf '%s' "${got[$1]#* }"; }
row() { # LABEL TS-ID FF-ID
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |\n' "$1" \
        "$(bench_secs "$2")" "$(bench_secs "$3")" \
        "$(bench_ratio "$(bench_get "$2" mean)" "$(bench_get "$3" mean)")" \
        "$(cpu_s "$2")" "$(cpu_s "$3")" \
        "$(bench_ratio "$(bench_cpu "$2")" "$(bench_cpu "$3")")" \
        "$(bench_mib "$2")" "$(bench_mib "$3")" "$(kbps "$2")" "$(kbps "$3")"
}
table() {
    local f
    echo "| format | ts-transcode s | ffmpeg s | wall ratio (ts/ffmpeg) | ts CPU s | ffmpeg CPU s | CPU ratio | ts peak MiB | ffmpeg peak MiB | kb/s ts / ffmpeg |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for f in "${formats[@]}"; do
        row "$f" "$f.ts" "$f.ffmpeg"
    done
    row "opus, ffmpeg's default resampler" opus.ts opus-swr.ffmpeg
}
long_table() {
    local f
    echo "| format | ts-transcode peak MiB (10 min / 3 h) | ffmpeg peak MiB (10 min / 3 h) | ts CPU s, 3 h | ffmpeg CPU s, 3 h | CPU ratio, 3 h |"
    echo "|---|---:|---:|---:|---:|---:|"
    for f in "${long_formats[@]}"; do
        printf '| %s | %s / %s | %s / %s | %s | %s | %s |\n' "$f" \
            "$(bench_mib "$f.ts")" "$(bench_mib "$f-3h.ts")" \
            "$(bench_mib "$f.ffmpeg")" "$(bench_mib "$f-3h.ffmpeg")" \
            "$(cpu_s "$f-3h.ts")" "$(cpu_s "$f-3h.ffmpeg")" \
            "$(bench_ratio "$(bench_cpu "$f-3h.ts")" "$(bench_cpu "$f-3h.ffmpeg")")"
    done
}
verdict() {
    local f w c slow=""
    local worst_w=0 worst_c=0
    for f in "${formats[@]}"; do
        w=$(bench_ratio "$(bench_get "$f.ts" mean)" "$(bench_get "$f.ffmpeg" mean)")
        c=$(bench_ratio "$(bench_cpu "$f.ts")" "$(bench_cpu "$f.ffmpeg")")
        worst_w=$(awk -v a="$w" -v b="$worst_w" 'BEGIN { print (a > b ? a : b) }')
        worst_c=$(awk -v a="$c" -v b="$worst_c" 'BEGIN { print (a > b ? a : b) }')
        awk -v a="$w" 'BEGIN { exit !(a > 1.0) }' && slow+="$f ($w), "
    done
    awk -v w="$worst_w" -v c="$worst_c" -v s="${slow%, }" 'BEGIN {
        printf "Goal, wall-time ratio ≤ 1.0 on every format: %s ", (w <= 1.0 ? "met" : "NOT met")
        printf "(worst wall-time ratio %.2f, worst CPU ratio %.2f)%s.\n", w, c,
               (s == "" ? "" : "; above 1.0: " s) }'
}
settings_list() {
    local f
    for f in "${formats[@]}"; do
        # shellcheck disable=SC2016 # backquotes for Markdown
        printf -- '- %s: `ts-transcode %s IN -o OUT` vs `ffmpeg -nostdin -v error -y -i IN %s OUT`: %s.\n' \
            "$f" "${ts_args[$f]}" "${ff_args[$f]}" "${settings[$f]}"
    done
}
load_end=$(bench_load)
long_note="3-hour input skipped (LONG=0)."
((LONG)) && long_note="3 hours (the same wav looped, $(du -m "$in3h" | cut -f1) MB), mp3 and opus, one run of each tool, the two running at the same time (one per core; peak RSS and CPU time do not depend on it):

$(long_table)"

bench_write_section <<EOF
## Transcode: ts-transcode vs ffmpeg

Measured by \`bench/transcode.sh\` on $(bench_machine).

Input: the music-like stereo 44.1 kHz signal of the decode benchmark, 10 minutes as 16-bit
wav ($(du -m "$in10" | cut -f1) MB). Both tools encode it with the same encoder and the same
settings (read from libts/encode: ts-transcode's format table and Encoder), into files under
bench/work/transcode/out/:

$(settings_list)

Time: mean ± σ of $RUNS hyperfine runs after $WARMUP warm-up. CPU: user + system seconds,
mean per run (other work on the machine skews it far less than wall time; load average
$BENCH_LOAD0 at the start, $load_end at the end). Peak: max RSS of one run. kb/s: the output's
size over its duration (ffprobe): equal settings give equal sizes, except where the
resampler differs (ffmpeg's default for opus).

$(table)

$(verdict)

Peak memory, 10 minutes against $long_note
EOF
table
verdict
((LONG)) && long_table
exit 0
