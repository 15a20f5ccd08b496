#!/usr/bin/env bash
# bench/pitch.sh: ts-analyze -a pitch against aubiopitch on the same input, same method
# (yinfft), same buffer and hop, in one run: wall and CPU time, peak memory, and the accuracy
# of both on the demo melody and on sines; writes the "pitch" section of bench/RESULTS.md.
#
#   BUILD=build-bench bench/pitch.sh
#
# Speed input X: the music-like stereo 44.1 kHz signal of bench/lib.sh (BENCH_MUSIC_SIGNAL),
# 10 minutes, 16-bit wav; the same file as bench/mfcc.sh (made once under bench/work/mfcc/).
# Commands, each with stdout to /dev/null:
#   ts-analyze -a pitch -p pitch.block=2048 -p pitch.step=256 X      (yinfft, its default)
#   aubiopitch -p yinfft -B 2048 -H 256 -i X                         (text, one line a frame)
#   ts-analyze -a pitch.f0 ... X   only the f0 output, like aubiopitch's one column
#   ts-analyze -a pitch -p pitch.method=yin ... X   YIN by FFT (aubio's yin is O(N^2), not timed)
# Accuracy: mir_eval's melody rules written in numpy (raw pitch accuracy within 50 cents and
# voicing recall over the reference's voiced frames, voicing false alarms over the others)
# on `ts-gen demo` (the 30 s mix: lead melody over bass and drums; truth: its "notes"), and
# the largest relative f0 error over the frames of 1 s sines from 55 Hz to 2 kHz. Each frame's
# estimate is compared with the truth at the centre of the samples it analysed: (i*step +
# block/2)/rate for ts-analyze, (k+1)*hop - block/2 for aubiopitch, whose frame k ends at
# sample (k+1)*hop (it prints k*hop); aubio's frames that reach before the start or past the
# end of a sine are left out. Environment: RUNS (hyperfine runs, default 3, after 1 warm-up).
# Needs aubio-tools and Debian's /usr/bin/python3 with numpy. About 3 minutes of CPU time.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init pitch
RUNS=${RUNS:-3}
command -v aubiopitch >/dev/null || bench_die "aubiopitch is missing (apt-get install -y aubio-tools)"
NPY=/usr/bin/python3
"$NPY" -c 'import numpy' 2>/dev/null || bench_die "numpy is missing (apt-get install -y python3-numpy)"
ts=$(bench_tool ts-analyze)
gen=$(bench_tool ts-gen)
work=$BENCH_WORK/pitch

x=$(bench_input mfcc/music-10min.wav ffmpeg -nostdin -hide_banner -v error -y -f lavfi \
    -i "$BENCH_MUSIC_SIGNAL" -map_metadata -1 -fflags +bitexact -flags:a +bitexact -c:a pcm_s16le @OUT@)

# --- accuracy ---------------------------------------------------------------------------
"$gen" demo --truth "$work/truth.json" -o "$work/demo.wav"
"$ts" -a pitch.f0 -o "$work/ts-demo.jsonl" "$work/demo.wav"
"$ts" -a pitch.f0 -p pitch.method=yin -o "$work/ts-yin-demo.jsonl" "$work/demo.wav"
aubiopitch -p yinfft -B 2048 -H 256 -i "$work/demo.wav" >"$work/aubio-demo.txt"
aubiopitch -p yin -B 2048 -H 256 -i "$work/demo.wav" >"$work/aubio-yin-demo.txt"
sines="55 82.41 110 220 440 1000 1500 2000"
for f in $sines; do
    "$gen" sine --frequency "$f" --duration 1 -o "$work/sine$f.wav"
    "$ts" -a pitch.f0 -o "$work/ts-sine$f.jsonl" "$work/sine$f.wav"
    "$ts" -a pitch.f0 -p pitch.method=yin -o "$work/ts-yin-sine$f.jsonl" "$work/sine$f.wav"
    aubiopitch -p yinfft -B 2048 -H 256 -i "$work/sine$f.wav" >"$work/aubio-sine$f.txt"
    aubiopitch -p yin -B 2048 -H 256 -i "$work/sine$f.wav" >"$work/aubio-yin-sine$f.txt"
done
accuracy=$("$NPY" - "$work" "$sines" <<'EOF'
import json, sys
import numpy as np
work, sines = sys.argv[1], sys.argv[2].split()
B, H, RATE = 2048, 256, 44100

def ts(path):
    r = json.loads(open(path).readline())
    f = np.array(r["data"]["value"], float)
    return (np.arange(len(f)) * H + B / 2) / RATE, f, np.ones(len(f), bool)

def aubio(path, frames):
    d = np.loadtxt(path, ndmin=2)
    k = np.arange(len(d))
    end = (k + 1) * H
    return (end - B / 2) / RATE, d[:, 1], (end - B >= 0) & (end <= frames)

def melody(t, f):
    truth = json.load(open(work + "/truth.json"))
    ref = np.zeros(len(t))
    for n in truth["notes"]:
        ref[(t >= n["onset"]) & (t < n["onset"] + n["duration"])] = n["frequency"]
    rv, ev = ref > 0, f > 0
    cents = np.full(len(f), np.inf)
    both = rv & ev
    cents[both] = 1200 * np.abs(np.log2(f[both] / ref[both]))
    return (cents[rv] <= 50).mean(), ev[rv].mean(), ev[~rv].mean()

rows = [("ts-analyze, yinfft", "ts-", ts), ("aubiopitch, yinfft", "aubio-", aubio),
        ("ts-analyze, yin", "ts-yin-", ts), ("aubiopitch, yin", "aubio-yin-", aubio)]
for name, prefix, load in rows:
    ext = ".jsonl" if load is ts else ".txt"
    t, f, keep = load(work + "/" + prefix + "demo" + ext, 30 * RATE) if load is aubio else load(work + "/" + prefix + "demo" + ext)
    rpa, vr, vfa = melody(t, f)
    worst = 0.0
    for s in sines:
        args = (work + "/" + prefix + "sine" + s + ext,) + ((RATE,) if load is aubio else ())
        t, f, keep = load(*args)
        worst = max(worst, np.max(np.abs(f[keep] / float(s) - 1)))
    print("| %s | %.1f %% | %.1f %% | %.1f %% | %.3f %% |" % (name, 100 * rpa, 100 * vr, 100 * vfa, 100 * worst))
EOF
)

# --- measurements -----------------------------------------------------------------------
frames_ts=$("$ts" -a pitch.f0 "$x" | python3 -c 'import json, sys; print(len(json.loads(sys.stdin.readline())["data"]["value"]))')
frames_aubio=$(aubiopitch -p yinfft -B 2048 -H 256 -i "$x" | wc -l)
bench_measure ts "$RUNS" 1 "$ts" -a pitch -p pitch.block=2048 -p pitch.step=256 "$x"
bench_measure aubio "$RUNS" 1 aubiopitch -p yinfft -B 2048 -H 256 -i "$x"
bench_measure ts-f0 "$RUNS" 1 "$ts" -a pitch.f0 -p pitch.block=2048 -p pitch.step=256 "$x"
bench_measure ts-yin "$RUNS" 1 "$ts" -a pitch -p pitch.method=yin -p pitch.block=2048 -p pitch.step=256 "$x"

# --- report -----------------------------------------------------------------------------
cpu() { awk -v u="$(bench_get "$1" user)" -v s="$(bench_get "$1" system)" 'BEGIN { printf "%.3f", u + s }'; }
row() { # ID LABEL FRAMES
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$2" "$(bench_secs "$1")" \
        "$(bench_ratio "$(bench_get "$1" mean)" "$(bench_get aubio mean)")" "$(cpu "$1")" \
        "$(bench_ratio "$(cpu "$1")" "$(cpu aubio)")" "$(bench_mib "$1")" "$3"
}
table() {
    echo "| command | wall s | wall ratio (/aubio) | CPU s | CPU ratio | peak MiB | frames |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    row aubio "\`aubiopitch -p yinfft -B 2048 -H 256 -i X\`" "$frames_aubio"
    row ts "\`ts-analyze -a pitch -p pitch.block=2048 -p pitch.step=256 X\` (yinfft)" "$frames_ts"
    row ts-f0 "the same, \`-a pitch.f0\` only" "$frames_ts"
    row ts-yin "the same with \`-p pitch.method=yin\`" "$frames_ts"
}
accuracy_table() {
    echo "| tracker | raw pitch accuracy (demo) | voicing recall | voicing false alarm | worst sine error |"
    echo "|---|---:|---:|---:|---:|"
    echo "$accuracy"
}
verdict() {
    awk -v t="$(bench_ratio "$(bench_get ts mean)" "$(bench_get aubio mean)")" \
        -v c="$(bench_ratio "$(cpu ts)" "$(cpu aubio)")" 'BEGIN {
        printf "Goal: ratio ≤ 0.5 with matched parameters: wall time %.2f (%s), CPU time %.2f (%s).\n", t, (t <= 0.5 ? "met" : "NOT met"), c, (c <= 0.5 ? "met" : "NOT met") }'
}

bench_write_section <<EOF
## Pitch: ts-analyze vs aubiopitch

Measured by \`bench/pitch.sh\` on $(bench_machine); aubio $(dpkg-query -W -f '${Version}' aubio-tools 2>/dev/null || echo '(version unknown)'); load average $BENCH_LOAD0 at the start.

Input X: the music-like stereo 44.1 kHz signal of bench/lib.sh, 10 minutes, 16-bit wav
($(du -m "$x" | cut -f1) MB). Both programs mix it down to mono and track yinfft (aubio's method,
which ts-analyze follows: Hann window, ear-weighted power spectrum, d' by FFT, threshold 0.85,
then by default, which aubio lacks, a refinement of the lag on YIN's time-domain difference,
the checks of a note ringing under the next and of a change of note inside the frame, whose
newest half is then analysed alone: README, Pitch)
with a 2048-sample buffer every 256 samples, and write text (aubio: one line per frame, time
and f0; ts-analyze: JSON Lines with f0, confidence and voicing), stdout to /dev/null.
ts-analyze also reads the file once more for its sha1. Time: mean ± σ of $RUNS hyperfine runs after
one warm-up; CPU: user + system time of the same runs (steadier than wall time on a shared
machine). Peak: max RSS of one run.

$(table)

$(verdict)

Accuracy, same buffer and hop: mir_eval's melody rules (numpy) on \`ts-gen demo\` (30 s; the
lead melody mixed with bass and drums; truth: the score's notes), each frame taken at the
centre of the samples it analysed; the worst relative f0 error over all frames of 1 s sines
at 55, 82.41, 110, 220, 440, 1000, 1500 and 2000 Hz (aubio's frames padded with zeros
before the start left out).

$(accuracy_table)
EOF
cat <<EOF
$(table)

$(verdict)

$(accuracy_table)
EOF
