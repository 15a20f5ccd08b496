#!/usr/bin/env bash
# bench/loudness.sh: ts-analyze -a loudness against ffmpeg's ebur128 filter on the same
# inputs, wall time, peak memory and the values both report; writes the "loudness" section
# of bench/RESULTS.md.
#
#   BUILD=build-bench bench/loudness.sh
#
# Inputs (made once under bench/work/loudness/, about 1 minute the first time): the
# deterministic music-like stereo 44.1 kHz signal of bench/decode.sh (sines with vibrato and
# tremolo over pink noise), 10 minutes as wav (s16), and the same looped to 1 hour.
#
# Commands, each with stdout to /dev/null:
#   ts-analyze -a loudness X                                  all five outputs, true peak on
#   ffmpeg -nostdin -nostats -v error -i X -af ebur128=peak=true -f null -
#   ts-analyze -a loudness -p loudness.true_peak=false X      reported apart, against
#   ffmpeg -nostdin -nostats -v error -i X -af ebur128 -f null -
# (-v error only keeps ffmpeg's per-100 ms log lines and summary off the terminal; that
# makes ffmpeg no slower.) The values are compared from one more run of each: ts-analyze's
# JSON, and the last per-frame metadata of ebur128 (metadata=1, 3 decimals).
#
# Environment: RUNS (hyperfine runs per 10-minute input, default 3, after 1 warm-up),
# LONG_RUNS (runs per 1-hour input, default 1, no warm-up: the peak-memory run before it has
# read the file into the page cache), LONG=0 skips the 1-hour input. About 5 minutes on 2
# cores.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init loudness
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
RUNS=${RUNS:-3}
LONG_RUNS=${LONG_RUNS:-1}
LONG=${LONG:-1}
ts=$(bench_tool ts-analyze)
command -v jq >/dev/null || bench_die "jq is missing (apt-get install -y jq)"

# --- inputs (the signal of bench/decode.sh) -------------------------------------------------
signal=$BENCH_MUSIC_SIGNAL
ff=(ffmpeg -nostdin -hide_banner -v error -y)
clean=(-map_metadata -1 -fflags +bitexact -flags:a +bitexact -c:a pcm_s16le)

declare -A input
input[10min]=$(bench_input loudness/music-10min.wav "${ff[@]}" -f lavfi -i "$signal" \
    "${clean[@]}" @OUT@)
rows=(10min)
if ((LONG)); then
    input[1h]=$(bench_input loudness/music-1h.wav "${ff[@]}" -stream_loop 5 \
        -i "${input[10min]}" "${clean[@]}" @OUT@)
    rows+=(1h)
fi

# --- values -----------------------------------------------------------------------------------
# ts_values FILE / ff_values FILE: "I LRA TP" (LUFS, LU, dBTP).
ts_values() {
    "$ts" -a loudness.integrated,loudness.range,loudness.true_peak "$1" |
        jq -rs 'map({(.id): .data.value}) | add |
                "\(.["loudness.integrated"]) \(.["loudness.range"]) \(.["loudness.true_peak"])"'
}
ff_values() {
    local meta=$BENCH_WORK/loudness/ff-meta.txt
    ffmpeg -nostdin -nostats -v error -i "$1" \
        -af "ebur128=peak=true:metadata=1,ametadata=mode=print:file=$meta" -f null - ||
        bench_die "ffmpeg ebur128 failed on $1"
    # Only the last frame's values matter; the true peak is linear there.
    tail -n 20 "$meta" | awk -F= '
        /lavfi.r128.I=/ { i = $2 } /lavfi.r128.LRA=/ { l = $2 } /lavfi.r128.true_peak=/ { p = $2 }
        END { printf "%s %s %.3f\n", i, l, 20 * log(p) / log(10) }'
    rm -f "$meta"
}
declare -A tsv ffv
for k in "${rows[@]}"; do
    bench_log "values on $k"
    tsv[$k]=$(ts_values "${input[$k]}")
    ffv[$k]=$(ff_values "${input[$k]}")
done

# --- measurements ---------------------------------------------------------------------------
ffe=(ffmpeg -nostdin -nostats -v error)
for k in "${rows[@]}"; do
    x=${input[$k]}
    runs=$RUNS warm=1
    [[ $k == 1h ]] && runs=$LONG_RUNS warm=0
    bench_measure "$k.ts" "$runs" "$warm" "$ts" -a loudness "$x"
    bench_measure "$k.ffmpeg" "$runs" "$warm" "${ffe[@]}" -i "$x" -af ebur128=peak=true -f null -
    bench_measure "$k.ts-notp" "$runs" "$warm" "$ts" -a loudness -p loudness.true_peak=false "$x"
    bench_measure "$k.ffmpeg-notp" "$runs" "$warm" "${ffe[@]}" -i "$x" -af ebur128 -f null -
done

# --- report -----------------------------------------------------------------------------------
label() { # 10min -> "wav, 10 min (101 MB)"
    local d=$1
    [[ $d == 10min ]] && d="10 min" || d="1 h"
    printf 'wav, %s (%s MB)' "$d" "$(du -m "${input[$1]}" | cut -f1)"
}
table() { # VARIANT SUFFIX ("" or "-notp")
    local s=$1 k
    echo "| input | ts-analyze s | ffmpeg s | ratio (ts/ffmpeg) | ts-analyze peak MiB | ffmpeg peak MiB | memory ratio |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for k in "${rows[@]}"; do
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(label "$k")" \
            "$(bench_secs "$k.ts$s")" "$(bench_secs "$k.ffmpeg$s")" \
            "$(bench_ratio "$(bench_get "$k.ts$s" mean)" "$(bench_get "$k.ffmpeg$s" mean)")" \
            "$(bench_mib "$k.ts$s")" "$(bench_mib "$k.ffmpeg$s")" \
            "$(bench_ratio "$(bench_get "$k.ts$s" peak_kb)" "$(bench_get "$k.ffmpeg$s" peak_kb)")"
    done
}
values() {
    local k
    echo "| input | integrated LUFS (ts / ffmpeg) | LRA LU (ts / ffmpeg) | true peak dBTP (ts / ffmpeg) | largest difference |"
    echo "|---|---:|---:|---:|---:|"
    for k in "${rows[@]}"; do
        # shellcheck disable=SC2086
        awk -v l="$(label "$k")" -v a="${tsv[$k]}" -v b="${ffv[$k]}" 'BEGIN {
            split(a, t, " "); split(b, f, " "); d = 0
            for (i = 1; i <= 3; i++) { e = t[i] - f[i]; if (e < 0) e = -e; if (e > d) d = e }
            printf "| %s | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %.3f |\n",
                   l, t[1], f[1], t[2], f[2], t[3], f[3], d }'
    done
}
verdict() {
    local k worst_t=0 worst_d=0 t d
    for k in "${rows[@]}"; do
        t=$(bench_ratio "$(bench_get "$k.ts" mean)" "$(bench_get "$k.ffmpeg" mean)")
        d=$(awk -v a="${tsv[$k]}" -v b="${ffv[$k]}" 'BEGIN { split(a, t, " "); split(b, f, " ");
            m = 0; for (i = 1; i <= 3; i++) { e = t[i] - f[i]; if (e < 0) e = -e; if (e > m) m = e }
            print m }')
        worst_t=$(awk -v a="$t" -v b="$worst_t" 'BEGIN { print (a > b ? a : b) }')
        worst_d=$(awk -v a="$d" -v b="$worst_d" 'BEGIN { print (a > b ? a : b) }')
    done
    awk -v t="$worst_t" -v d="$worst_d" 'BEGIN {
        printf "Goal: time ratio ≤ 0.5 on every input (true peak on): %s (worst %.2f). ", (t <= 0.5 ? "met" : "NOT met"), t
        printf "Values within 0.1 LU/dB of ffmpeg: %s (largest difference %.3f).\n", (d <= 0.1 ? "met" : "NOT met"), d }'
}
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
long_note="one run on the 1-hour input"
((LONG)) || long_note="1-hour input skipped (LONG=0)"

bench_write_section <<EOF
## Loudness: ts-analyze -a loudness vs ffmpeg ebur128

Measured by \`bench/loudness.sh\` on $(bench_machine).

Input: the music-like stereo 44.1 kHz signal of the decode benchmark (sines with vibrato
and tremolo over pink noise), 10 minutes as wav (s16), and looped to 1 hour. Commands,
stdout to /dev/null: \`ts-analyze -a loudness X\` (integrated, LRA, true peak, and the
momentary and short-term curves as JSON) vs \`ffmpeg -nostdin -nostats -v error -i X -af
ebur128=peak=true -f null -\`. Time: mean ± σ of $RUNS hyperfine runs after one warm-up on
the 10-minute input, $long_note. Peak: max RSS of one run.
Load average (1, 5, 15 min) at the start: $load_start; at the end: $load_end
(on a shared machine both tools lose time to others alike: the ratios hold better than the
seconds).

$(table "")

Without the true peak (\`-p loudness.true_peak=false\` vs \`-af ebur128\`):

$(table -notp)

Values (ffmpeg's from the last frame's metadata, 3 decimals):

$(values)

$(verdict)

ffmpeg's ebur128 filters the samples in double one at a time, keeps its 400 ms and 3 s
sums sample by sample, and finds the true peak by resampling to 192 kHz with
libswresample. ts-analyze K-weights in double a block at a time (two channels interleaved),
sums 100 ms hops once, and oversamples 4x with a 24-tap-per-phase polyphase FIR (folded by
symmetry, AVX2 where the CPU has it), skipping the stretches whose samples cannot beat the
peak found so far.
EOF
cat <<EOF
$(table "")

$(table -notp)

$(values)

$(verdict)
EOF
