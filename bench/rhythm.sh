#!/usr/bin/env bash
# bench/rhythm.sh: ts-analyze -a onsets against aubioonset and ts-analyze -a tempo against
# aubiotrack on the same input, time and memory, in one run; then the accuracy of both on
# signals of exact ground truth. Writes the "rhythm" section of bench/RESULTS.md.
#
#   BUILD=build-bench bench/rhythm.sh
#
# Input X (made once under bench/work/rhythm/, about a minute the first time): the 10-minute
# music-like stereo 44.1 kHz signal of bench/lib.sh (BENCH_MUSIC_SIGNAL), as a 16-bit wav.
#
# Commands, each with stdout to /dev/null:
#   aubioonset -i X                    its defaults: buffer 512, hop 256, hfc, threshold 0.3
#   ts-analyze -a onsets X             its defaults: superflux, n_fft 2048, step 441
#   ts-analyze -a onsets -p onsets.n_fft=512 -p onsets.step=256 X   aubioonset's framing
#   aubiotrack -i X                    its defaults: buffer 1024, hop 512
#   ts-analyze -a tempo X              its defaults: n_fft 1024, step 512 (aubiotrack's)
#   the two ts-analyze defaults again with --no-sha1 (no second read of the file for
#   audio.sha1), and -a onsets,tempo (one decode; superflux frames 2048/441, tempo 1024/512)
#
# Accuracy, on the demo piece (ts-gen demo, 30 s, 120 BPM) and click tracks at 60, 90, 120,
# 150 and 180 BPM (ts-gen clicks, 30 s), all as 16-bit wav read by both programs: onset
# F-measure within 50 ms, beat F-measure within 70 ms (mir_eval's rules: one-to-one matching
# within the window, no 5 s trim), and the tempo (ts-analyze: tempo.bpm; aubio: `aubio tempo`,
# the median of 60 / its inter-beat intervals). Environment: RUNS (hyperfine runs, default 5,
# after 1 warm-up). Needs aubio-tools (scripts/setup --bench). About 3 minutes.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init rhythm
RUNS=${RUNS:-5}
for c in aubioonset aubiotrack aubio; do
    command -v "$c" >/dev/null || bench_die "$c is missing (apt-get install -y aubio-tools)"
done
ts=$(bench_tool ts-analyze)
gen=$(bench_tool ts-gen)
work=$BENCH_WORK/rhythm

# --- inputs -------------------------------------------------------------------------------
x=$(bench_input rhythm/music-10min.wav ffmpeg -nostdin -hide_banner -v error -y -f lavfi \
    -i "$BENCH_MUSIC_SIGNAL" -map_metadata -1 -fflags +bitexact -flags:a +bitexact \
    -c:a pcm_s16le @OUT@)
"$gen" demo --no-history --truth "$work/demo.json" -o "$work/demo.wav"
for bpm in 60 90 120 150 180; do
    "$gen" clicks --tempo "$bpm" --duration 30 --no-history --truth "$work/c$bpm.json" \
        -o "$work/c$bpm.wav"
done

# --- measurements ---------------------------------------------------------------------------
bench_measure aubioonset "$RUNS" 1 aubioonset -i "$x"
bench_measure ts-onsets "$RUNS" 1 "$ts" -a onsets "$x"
bench_measure ts-onsets-512 "$RUNS" 1 "$ts" -a onsets -p onsets.n_fft=512 -p onsets.step=256 "$x"
bench_measure ts-onsets-nosha1 "$RUNS" 1 "$ts" --no-sha1 -a onsets "$x"
bench_measure aubiotrack "$RUNS" 1 aubiotrack -i "$x"
bench_measure ts-tempo "$RUNS" 1 "$ts" -a tempo "$x"
bench_measure ts-tempo-nosha1 "$RUNS" 1 "$ts" --no-sha1 -a tempo "$x"
bench_measure ts-both "$RUNS" 1 "$ts" -a onsets,tempo "$x"
n_ts_onsets=$("$ts" -a onsets "$x" | python3 -c 'import json, sys
print(len([json.loads(l) for l in sys.stdin if "\"id\":\"onsets\"" in l][0]["data"]["time"]))')
n_aubio_onsets=$(aubioonset -i "$x" | wc -l)

# --- accuracy -------------------------------------------------------------------------------
accuracy() {
    local f
    for f in demo c60 c90 c120 c150 c180; do
        "$ts" -a onsets,tempo "$work/$f.wav" >"$work/$f.ts.jsonl"
        aubioonset -i "$work/$f.wav" >"$work/$f.aubioonset.txt"
        aubiotrack -i "$work/$f.wav" >"$work/$f.aubiotrack.txt"
        aubio tempo -i "$work/$f.wav" >"$work/$f.aubiotempo.txt"
    done
    python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]

def f_measure(ref, est, window):
    # One-to-one matching within +-window, closest pairs first; F = 2PR / (P + R).
    pairs = sorted((abs(r - e), i, j) for i, r in enumerate(ref) for j, e in enumerate(est)
                   if abs(r - e) <= window)
    ur, ue = set(), set()
    for _, i, j in pairs:
        if i not in ur and j not in ue:
            ur.add(i); ue.add(j)
    if not ur:
        return 0.0
    p, r = len(ur) / len(est), len(ur) / len(ref)
    return 2 * p * r / (p + r)

def floats(path):
    return [float(l.split()[0]) for l in open(path) if l.strip()]

rows = []
for f, name in [("demo", "demo piece (120 BPM)")] + [("c%d" % b, "clicks %d BPM" % b)
                                                       for b in (60, 90, 120, 150, 180)]:
    truth = json.load(open("%s/%s.json" % (work, f)))
    bpm = float(truth["tempo"]) if "tempo" in truth else float(f[1:])
    R = {}
    for line in open("%s/%s.ts.jsonl" % (work, f)):
        r = json.loads(line)
        R[r["id"]] = r["data"]
    ts_on = f_measure(truth["onsets"], R["onsets"]["time"], 0.05)
    au_on = f_measure(truth["onsets"], floats("%s/%s.aubioonset.txt" % (work, f)), 0.05)
    ts_bt = f_measure(truth["beats"], R["tempo.beats"]["time"], 0.07)
    au_bt = f_measure(truth["beats"], floats("%s/%s.aubiotrack.txt" % (work, f)), 0.07)
    ts_t = R["tempo.bpm"]["value"]
    au_t = floats("%s/%s.aubiotempo.txt" % (work, f))[0]
    err = lambda t: "%.2f (%+.1f%%)" % (t, 100 * (t - bpm) / bpm)
    rows.append("| %s | %.3f | %.3f | %.3f | %.3f | %s | %s |" % (
        name, ts_on, au_on, ts_bt, au_bt, err(ts_t), err(au_t)))
print("| signal | onsets F (ts) | onsets F (aubioonset) | beats F (ts) | beats F (aubiotrack) | tempo (ts) | tempo (aubio tempo) |")
print("|---|---:|---:|---:|---:|---:|---:|")
print("\n".join(rows))
EOF
}
acc=$(accuracy)

# --- report ---------------------------------------------------------------------------------
cpu() { awk -v u="$(bench_get "$1" user)" -v s="$(bench_get "$1" system)" 'BEGIN { printf "%.3f", u + s }'; }
row() { # ID LABEL PEER
    printf '| %s | %s | %s | %s | %s | %s |\n' "$2" "$(bench_secs "$1")" \
        "$(bench_ratio "$(bench_get "$1" mean)" "$(bench_get "$3" mean)")" "$(cpu "$1")" \
        "$(bench_ratio "$(cpu "$1")" "$(cpu "$3")")" "$(bench_mib "$1")"
}
table() {
    echo "| command | wall s | wall ratio | CPU s | CPU ratio | peak MiB |"
    echo "|---|---:|---:|---:|---:|---:|"
    row aubioonset "\`aubioonset -i X\` (buf 512, hop 256, hfc)" aubioonset
    row ts-onsets "\`ts-analyze -a onsets X\` (superflux, n_fft 2048, step 441)" aubioonset
    row ts-onsets-nosha1 "the same with \`--no-sha1\`" aubioonset
    row ts-onsets-512 "\`ts-analyze -a onsets -p onsets.n_fft=512 -p onsets.step=256 X\`" aubioonset
    row aubiotrack "\`aubiotrack -i X\` (buf 1024, hop 512)" aubiotrack
    row ts-tempo "\`ts-analyze -a tempo X\` (n_fft 1024, step 512, specflux)" aubiotrack
    row ts-tempo-nosha1 "the same with \`--no-sha1\`" aubiotrack
    row ts-both "\`ts-analyze -a onsets,tempo X\` (one decode; ratio to aubiotrack)" aubiotrack
}
verdict() {
    local a b
    for a in onsets:ts-onsets:aubioonset tempo:ts-tempo:aubiotrack; do
        IFS=: read -r name id peer <<<"$a"
        b=$(bench_ratio "$(cpu "$id")" "$(cpu "$peer")")
        awk -v n="$name" -v p="$peer" -v c="$b" \
            -v w="$(bench_ratio "$(bench_get "$id" mean)" "$(bench_get "$peer" mean)")" 'BEGIN {
            printf "Goal for %s (ratio to %s ≤ 0.5, defaults): CPU %.2f (%s), wall %.2f (%s).\n",
                n, p, c, (c <= 0.5 ? "met" : "NOT met"), w, (w <= 0.5 ? "met" : "NOT met") }'
    done
}

bench_write_section <<EOF
## Onsets and tempo: ts-analyze vs aubioonset and aubiotrack

Measured by \`bench/rhythm.sh\` on $(bench_machine); aubio $(dpkg-query -W -f '${Version}' aubio-tools 2>/dev/null || echo '(version unknown)'); load average $BENCH_LOAD0 at the start.

Input X: the music-like stereo 44.1 kHz signal of bench/lib.sh, 10 minutes, 16-bit wav
($(du -m "$x" | cut -f1) MB). Every program mixes it down to mono and writes its results as text
(ts-result JSON Lines: the ODF, one value per frame, and the events; aubio: one time per
line), stdout to /dev/null. Ratios are to aubioonset for the onsets rows and to aubiotrack
for the tempo rows. ts-analyze also reads the file once more for audio.sha1 (\`--no-sha1\`
rows without). Onsets found on X: ts-analyze $n_ts_onsets, aubioonset $n_aubio_onsets (X has few real
onsets: tremolo and vibrato over noise). Time: mean ± σ of $RUNS hyperfine runs after one warm-up;
CPU: user + system time of the same runs (the steadier figure on a shared machine; wall time
here includes waiting for other work). Peak: max RSS of one run.

$(table)

$(verdict)

Accuracy on signals of exact ground truth (ts-gen; both programs read the same 16-bit wav).
On the click tracks (10 ms clicks in digital silence) aubioonset reports only the click at
0 s, which is why its F is near 0 there; the demo piece, which never falls to digital zero
outside its silent bar, is the fair comparison on music-like material:

$acc
EOF
cat <<EOF
$(table)

$(verdict)

$acc
EOF
