#!/usr/bin/env bash
# bench/decode.sh: ts-decode against ffmpeg decoding the same inputs to f32le, wall time and
# peak memory, in one run; writes the "decode" section of bench/RESULTS.md.
#
#   BUILD=build-bench bench/decode.sh
#
# Inputs (made once under bench/work/decode/, 4 to 7 minutes the first time): a
# deterministic music-like stereo 44.1 kHz signal (sines with vibrato and tremolo over pink
# noise), 10 minutes long as wav (s16), flac, mp3 (libmp3lame 192k) and ogg (libvorbis q5);
# the same signal looped to 3 hours as wav, flac and mp3 for the memory column.
#
# Commands, each with stdout to /dev/null:
#   ts-decode --no-sha1 X         the figure compared with ffmpeg
#   ffmpeg -v error -i X -f f32le -
#   ts-decode X                   sha1 of the input file on (the default), reported apart
#
# Environment: RUNS (hyperfine runs per 10-minute input, default 5, after 1 warm-up),
# LONG_RUNS (runs per 3-hour input, default 1, no warm-up: the peak-memory run before it
# has read the file into the page cache), LONG_FORMATS (default "wav flac mp3"; "" skips
# the 3-hour inputs), CHECK (default 1: first check that ts-decode --raw and ffmpeg give
# byte-identical samples on each 10-minute input). About 5 minutes of CPU on 2 cores.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init decode
RUNS=${RUNS:-5}
LONG_RUNS=${LONG_RUNS:-1}
LONG_FORMATS=${LONG_FORMATS-wav flac mp3}
CHECK=${CHECK:-1}
ts=$(bench_tool ts-decode)

# --- inputs ---------------------------------------------------------------------------
# Left: A2 with slow tremolo, A4 with 5 Hz vibrato, E6 pulsing at 2 Hz; right: E3, E5 and
# A6 likewise; plus the same pink noise (fixed seed) in both channels. Peak -5.3 dBFS,
# RMS -15.7 dBFS.
signal=$BENCH_MUSIC_SIGNAL
ff=(ffmpeg -nostdin -hide_banner -v error -y)
clean=(-map_metadata -1 -fflags +bitexact -flags:a +bitexact)

declare -A enc=(
    [wav]="-c:a pcm_s16le"
    [flac]="-c:a flac"
    [mp3]="-c:a libmp3lame -b:a 192k"
    [ogg]="-c:a libvorbis -q:a 5"
)
short_formats=(wav flac mp3 ogg)
# shellcheck disable=SC2206
long_formats=($LONG_FORMATS)

declare -A input
# shellcheck disable=SC2086 # ${enc[...]} are split into arguments on purpose
input[wav-10min]=$(bench_input decode/music-10min.wav "${ff[@]}" -f lavfi -i "$signal" \
    "${clean[@]}" ${enc[wav]} @OUT@)
for f in flac mp3 ogg; do
    # shellcheck disable=SC2086
    input[$f-10min]=$(bench_input "decode/music-10min.$f" "${ff[@]}" -i "${input[wav-10min]}" \
        "${clean[@]}" ${enc[$f]} @OUT@)
done
if ((${#long_formats[@]} > 0)); then
    # shellcheck disable=SC2086
    input[wav-3h]=$(bench_input decode/music-3h.wav "${ff[@]}" -stream_loop 17 \
        -i "${input[wav-10min]}" "${clean[@]}" ${enc[wav]} @OUT@)
    for f in "${long_formats[@]}"; do
        [[ $f == wav ]] && continue
        [[ -n ${enc[$f]:-} ]] || bench_die "LONG_FORMATS: unknown format $f"
        # shellcheck disable=SC2086
        input[$f-3h]=$(bench_input "decode/music-3h.$f" "${ff[@]}" -i "${input[wav-3h]}" \
            "${clean[@]}" ${enc[$f]} @OUT@)
    done
fi

# --- same samples? ----------------------------------------------------------------------
declare -A same
for f in "${short_formats[@]}"; do
    same[$f]=unchecked
    if ((CHECK)); then
        x=${input[$f-10min]}
        if cmp -s <("$ts" --raw --no-sha1 "$x") <(ffmpeg -nostdin -v error -i "$x" -f f32le -); then
            same[$f]=identical
        else
            same[$f]=DIFFERENT
            bench_log "warning: ts-decode and ffmpeg decode $(basename "$x") differently"
        fi
    fi
done

# --- measurements -----------------------------------------------------------------------
measure_input() { # KEY RUNS WARMUP
    local x=${input[$1]}
    bench_measure "$1.ts" "$2" "$3" "$ts" --no-sha1 "$x"
    bench_measure "$1.ffmpeg" "$2" "$3" ffmpeg -nostdin -v error -i "$x" -f f32le -
    bench_measure "$1.ts-sha1" "$2" "$3" "$ts" "$x"
}
bench_measure floor.ts 5 1 "$ts" --version
bench_measure floor.ffmpeg 5 1 ffmpeg -version
rows=()
for f in "${short_formats[@]}"; do
    measure_input "$f-10min" "$RUNS" 1
    rows+=("$f-10min")
    for g in "${long_formats[@]}"; do
        if [[ $g == "$f" ]]; then
            measure_input "$f-3h" "$LONG_RUNS" 0
            rows+=("$f-3h")
        fi
    done
done

# 30 s from two hours into each 3-hour input: --start seeks in wav, flac and mp3; ffmpeg
# seeks with -ss before -i (and decodes from the seek point on, dropping what precedes the
# time it believes exact).
declare -A seek_same
for f in "${long_formats[@]}"; do
    x=${input[$f-3h]}
    bench_measure "seek-$f.ts" "$RUNS" 1 "$ts" --no-sha1 --start 7200 --duration 30 "$x"
    bench_measure "seek-$f.ffmpeg" "$RUNS" 1 ffmpeg -nostdin -v error -ss 7200 -t 30 -i "$x" -f f32le -
    if cmp -s <("$ts" --raw --no-sha1 --start 7200 --duration 30 "$x") \
        <(ffmpeg -nostdin -v error -ss 7200 -t 30 -i "$x" -f f32le -); then
        seek_same[$f]=identical
    else
        seek_same[$f]=different
    fi
done

# --- report -----------------------------------------------------------------------------
label() { # wav-10min -> "wav, 10 min (101 MB)"
    local f=${1%-*} d=${1#*-} size
    size=$(du -m "${input[$1]}" | cut -f1)
    [[ $d == 10min ]] && d="10 min" || d="3 h"
    printf '%s, %s (%s MB)' "$f" "$d" "$size"
}
table() { # VARIANT (ts or ts-sha1)
    local v=$1 k
    echo "| input | ts-decode s | ffmpeg s | ratio (ts/ffmpeg) | ts-decode peak MiB | ffmpeg peak MiB | memory ratio | CPU ratio |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for k in "${rows[@]}"; do
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(label "$k")" \
            "$(bench_secs "$k.$v")" "$(bench_secs "$k.ffmpeg")" \
            "$(bench_ratio "$(bench_get "$k.$v" mean)" "$(bench_get "$k.ffmpeg" mean)")" \
            "$(bench_mib "$k.$v")" "$(bench_mib "$k.ffmpeg")" \
            "$(bench_ratio "$(bench_get "$k.$v" peak_kb)" "$(bench_get "$k.ffmpeg" peak_kb)")" \
            "$(bench_ratio "$(bench_cpu "$k.$v")" "$(bench_cpu "$k.ffmpeg")")"
    done
}
seek_table() {
    local f
    echo "| input | ts-decode s | ffmpeg s | ratio (ts/ffmpeg) | samples |"
    echo "|---|---:|---:|---:|---|"
    for f in "${long_formats[@]}"; do
        printf '| %s, 3 h | %s | %s | %s | %s |\n' "$f" "$(bench_secs "seek-$f.ts")" \
            "$(bench_secs "seek-$f.ffmpeg")" \
            "$(bench_ratio "$(bench_get "seek-$f.ts" mean)" "$(bench_get "seek-$f.ffmpeg" mean)")" \
            "${seek_same[$f]}"
    done
}
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }
verdict() {
    local k t=0 c=0 m=0 lo=1e9 hi=0 floor
    floor=$(bench_get floor.ts peak_kb)
    for k in "${rows[@]}"; do
        t=$(max "$(bench_ratio "$(bench_get "$k.ts" mean)" "$(bench_get "$k.ffmpeg" mean)")" "$t")
        c=$(max "$(bench_ratio "$(bench_cpu "$k.ts")" "$(bench_cpu "$k.ffmpeg")")" "$c")
        m=$(max "$(bench_get "$k.ts" peak_kb)" "$m")
        lo=$(min "$(bench_get "$k.ts" peak_kb)" "$lo")
        hi=$(max "$(bench_get "$k.ts" peak_kb)" "$hi")
    done
    awk -v t="$t" -v c="$c" -v m="$m" -v lo="$lo" -v hi="$hi" -v f="$floor" 'BEGIN {
        printf "Goal, ts-decode no slower than ffmpeg (ratio ≤ 1.0) on every input: %s ", (t <= 1.0 ? "met" : "NOT met")
        printf "(worst wall-time ratio %.2f, worst CPU ratio %.2f). ", t, c
        printf "Peak under 32 MB (here MiB) on every input: %s (largest %.1f MiB); ", (m < 32768 ? "met" : "NOT met"), m / 1024
        printf "ts-decode peaks %.1f to %.1f MiB above its start-up floor of %.1f MiB.\n", (lo - f) / 1024, (hi - f) / 1024, f / 1024 }'
}
checks=""
for f in "${short_formats[@]}"; do
    checks+="$f ${same[$f]}, "
done
loop_note="one run each on the 3-hour inputs"
((${#long_formats[@]} > 0)) || loop_note="3-hour inputs skipped (LONG_FORMATS=\"\")"

bench_write_section <<EOF
## Decode: ts-decode vs ffmpeg

Measured by \`bench/decode.sh\` on $(bench_machine).

Inputs: one deterministic music-like stereo 44.1 kHz signal (sines with vibrato and tremolo
over pink noise), 10 minutes as wav (s16), flac, mp3 (libmp3lame 192k) and ogg (libvorbis
q5), and looped to 3 hours. Commands, stdout to /dev/null:
\`ts-decode --no-sha1 X\` vs \`ffmpeg -nostdin -v error -i X -f f32le -\`. Time: mean ± σ of $RUNS
hyperfine runs after one warm-up on the 10-minute inputs, $loop_note. Peak: max RSS of one
run. CPU ratio: user + system time, ts-decode / ffmpeg (less sensitive than wall time to
other work on the machine; load average $BENCH_LOAD0 at the start, $(bench_load) at the end).
Samples of \`ts-decode --raw\` vs ffmpeg, 10-minute inputs: ${checks%, }.

$(table ts)

$(verdict)

With the input's sha1 (\`ts-decode X\`, the default: the file is read and hashed before
decoding, which ffmpeg does not do), against the same ffmpeg figures:

$(table ts-sha1)

30 seconds from two hours in (\`ts-decode --no-sha1 --start 7200 --duration 30 X\` vs
\`ffmpeg -nostdin -v error -ss 7200 -t 30 -i X -f f32le -\`, $RUNS runs after one warm-up):
ts-decode seeks to the exact frame (in an mp3, by a byte seek 32 packets early, whose
samples it decodes and drops; most of its mp3 time is the demux pass over the whole file
that gives the exact length and the seek points); FFmpeg seeks an mp3 by its Xing table or
bit rate and counts time from there, which is not sample-exact.

$(seek_table)

Start-up floor (no decoding): \`ts-decode --version\` $(bench_mib floor.ts) MiB,
\`ffmpeg -version\` $(bench_mib floor.ffmpeg) MiB peak RSS, mostly the pages of the
shared FFmpeg libraries and their dependencies that the dynamic loader touches. ts-decode
reads wav itself and flac through libFLAC, without loading FFmpeg; mp3 and ogg go through
FFmpeg's decoders, whose libraries (over a hundred, loaded with the media module) account
for about 30 MiB of the peak whatever the input's length: the peak of the 3-hour input is
that of the 10-minute one.
EOF
cat <<EOF
$(table ts)

$(verdict)

sha1 on:
$(table ts-sha1)
EOF
