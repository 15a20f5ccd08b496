#!/usr/bin/env bash
# bench/mfcc.sh: ts-analyze -a mfcc against aubiomfcc on the same input, wall time and peak
# memory, in one run; writes the "mfcc" section of bench/RESULTS.md.
#
#   BUILD=build-bench bench/mfcc.sh
#
# Input (made once under bench/work/mfcc/, about a minute the first time): the deterministic
# music-like stereo 44.1 kHz signal of bench/decode.sh (sines with vibrato and tremolo over
# pink noise), 10 minutes, as a 16-bit wav.
#
# Commands, each with stdout to /dev/null:
#   ts-analyze -a mfcc -p mfcc.n_fft=512 -p mfcc.step=256 X   the figure compared with aubio:
#                                      aubiomfcc's defaults (buffer 512, hop 256, 40 filters,
#                                      13 coefficients); ts-analyze's other defaults (hann,
#                                      slaney mel 0 Hz to rate/2, 40 bands, 13 coefficients)
#   aubiomfcc -i X                     (its defaults; it writes text, one line per frame)
#   ts-analyze -a mfcc X               ts-analyze's defaults (n_fft 2048, step 512), reported apart
#   ts-analyze -a mfcc -p mfcc.deltas=true -p mfcc.n_fft=512 -p mfcc.step=256 X
#
# Both programs mix the two channels down to mono and write every frame's coefficients as
# text (ts-result JSON Lines, aubio's columns). The report gives wall time and CPU time (user
# + system, steadier on a shared machine) and their ratios to aubio (goal: at most 0.5),
# peak RSS, and ts-analyze's start-up floor. Environment: RUNS (hyperfine runs, default 5,
# after 1 warm-up). Needs aubio-tools (apt-get install -y aubio-tools). About 2 minutes.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init mfcc
RUNS=${RUNS:-5}
command -v aubiomfcc >/dev/null || bench_die "aubiomfcc is missing (apt-get install -y aubio-tools)"
ts=$(bench_tool ts-analyze)

# --- input ------------------------------------------------------------------------------
# The signal of bench/decode.sh: left A2 with slow tremolo, A4 with 5 Hz vibrato, E6 pulsing
# at 2 Hz; right E3, E5 and A6 likewise; the same pink noise (fixed seed) in both channels.
signal=$BENCH_MUSIC_SIGNAL
x=$(bench_input mfcc/music-10min.wav ffmpeg -nostdin -hide_banner -v error -y -f lavfi \
    -i "$signal" -map_metadata -1 -fflags +bitexact -flags:a +bitexact -c:a pcm_s16le @OUT@)

# --- same work? ---------------------------------------------------------------------------
# Frame counts of both outputs (aubio pads the end; ts-analyze keeps whole frames only).
count() { python3 -c 'import json, sys; print(len(json.loads(sys.stdin.readline())["data"]["value"]))'; }
ts_frames=$("$ts" -a mfcc -p mfcc.n_fft=512 -p mfcc.step=256 "$x" | count)
ts_frames_2048=$("$ts" -a mfcc "$x" | count)
ts_bytes=$("$ts" -a mfcc -p mfcc.n_fft=512 -p mfcc.step=256 "$x" | wc -c)
ts_bytes_deltas=$("$ts" -a mfcc -p mfcc.deltas=true -p mfcc.n_fft=512 -p mfcc.step=256 "$x" | wc -c)
aubio_frames=$(aubiomfcc -i "$x" | wc -l)

# --- measurements -----------------------------------------------------------------------
bench_measure floor.ts 5 1 "$ts" --version
bench_measure ts-512 "$RUNS" 1 "$ts" -a mfcc -p mfcc.n_fft=512 -p mfcc.step=256 "$x"
bench_measure aubio "$RUNS" 1 aubiomfcc -i "$x"
bench_measure ts-2048 "$RUNS" 1 "$ts" -a mfcc "$x"
bench_measure ts-512-deltas "$RUNS" 1 "$ts" -a mfcc -p mfcc.deltas=true -p mfcc.n_fft=512 \
    -p mfcc.step=256 "$x"

# --- report -----------------------------------------------------------------------------
cpu() { awk -v u="$(bench_get "$1" user)" -v s="$(bench_get "$1" system)" 'BEGIN { printf "%.3f", u + s }'; }
row() { # ID LABEL FRAMES
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$2" "$(bench_secs "$1")" \
        "$(bench_ratio "$(bench_get "$1" mean)" "$(bench_get aubio mean)")" "$(cpu "$1")" \
        "$(bench_ratio "$(cpu "$1")" "$(cpu aubio)")" "$(bench_mib "$1")" \
        "$(bench_ratio "$(bench_get "$1" peak_kb)" "$(bench_get aubio peak_kb)")" "$3"
}
table() {
    echo "| command | wall s | wall ratio (/aubio) | CPU s | CPU ratio | peak MiB | memory ratio | frames |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    row aubio "\`aubiomfcc -i X\` (buf 512, hop 256)" "$aubio_frames"
    row ts-512 "\`ts-analyze -a mfcc -p mfcc.n_fft=512 -p mfcc.step=256 X\`" "$ts_frames"
    row ts-512-deltas "the same with \`-p mfcc.deltas=true\` (39 columns)" "$ts_frames"
    row ts-2048 "\`ts-analyze -a mfcc X\` (defaults: n_fft 2048, step 512)" "$ts_frames_2048"
}
verdict() {
    local t
    t=$(bench_ratio "$(bench_get ts-512 mean)" "$(bench_get aubio mean)")
    awk -v t="$t" -v c="$(bench_ratio "$(cpu ts-512)" "$(cpu aubio)")" 'BEGIN {
        printf "Goal: wall-time ratio ≤ 0.5 with matched parameters: %s (%.2f; CPU time ratio %.2f).\n", (t <= 0.5 ? "met" : "NOT met"), t, c }'
}

bench_write_section <<EOF
## MFCC: ts-analyze vs aubiomfcc

Measured by \`bench/mfcc.sh\` on $(bench_machine); aubio $(dpkg-query -W -f '${Version}' aubio-tools 2>/dev/null || echo '(version unknown)').

Input X: the music-like stereo 44.1 kHz signal of bench/decode.sh, 10 minutes, 16-bit wav
($(du -m "$x" | cut -f1) MB). Both programs mix it down to mono and write 13 coefficients per frame as
text, stdout to /dev/null. Parameters matched to aubiomfcc's defaults (window 512, hop 256,
40 mel filters, 13 coefficients): \`-p mfcc.n_fft=512 -p mfcc.step=256\`; the filterbanks and
scalings differ (ts-analyze: librosa's slaney filterbank on the power spectrum, dB, orthonormal
DCT-II), so values are not comparable, only the work; ts-analyze also reads the file once more
for its sha1 (audio.sha1), about a fifth of its instructions here. Time: mean ± σ of $RUNS hyperfine runs
after one warm-up; CPU: user + system time of the same runs (steadier than wall time on a
shared machine). Peak: max RSS of one run. ts-analyze's start-up floor (\`ts-analyze
--version\`) is $(bench_mib floor.ts) MiB, mostly the FFmpeg libraries; above it, the results
(4 bytes per value: $(awk -v n="$ts_frames" 'BEGIN { printf "%.1f", n * 13 * 4 / 1048576 }') MiB for 13 columns) and the text of the result's one JSON line,
which ts-analyze builds whole before writing it ($(awk -v b="$ts_bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB, $(awk -v b="$ts_bytes_deltas" 'BEGIN { printf "%.1f", b / 1048576 }') MiB with deltas), both growing with the input.

$(table)

$(verdict)
EOF
cat <<EOF
$(table)

$(verdict)
EOF
