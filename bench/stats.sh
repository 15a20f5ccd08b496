#!/usr/bin/env bash
# bench/stats.sh: `ts-analyze -a stats` against `sox X -n stats` on the same inputs, wall
# time, peak memory and the figures of both side by side; writes the "stats" section of
# bench/RESULTS.md.
#
#   BUILD=build-bench bench/stats.sh
#
# Inputs: the music-like stereo 44.1 kHz 16-bit wav of bench/decode.sh, 10 minutes long
# (made with the same recipe and name, so a run of either script reuses it), and the same
# looped to 1 hour (bench/work/stats/music-1h.wav, 635 MB).
#
# Commands, each with stdout to /dev/null:
#   ts-analyze -a stats X                      the figure compared with sox; hashes X (sha1)
#                                              for audio.sha1 on a thread while decoding
#   sox X -n stats                             (sox prints its figures on stderr)
#   ts-analyze --no-sha1 -a stats X            the same without the sha1
#   ts-analyze --no-sha1 -a dc X               the floor: reading, decoding and the
#                                              cheapest analyzer
#
# Environment: RUNS (hyperfine runs per 10-minute input, default 5, after 1 warm-up),
# LONG_RUNS (runs on the 1-hour input, default 2, after 1 warm-up; 0 skips it).
# Takes about 2 minutes on 2 cores, plus about 1 minute the first time for the inputs.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init stats
RUNS=${RUNS:-5}
LONG_RUNS=${LONG_RUNS:-2}
ts_analyze=$(bench_tool ts-analyze)
command -v sox >/dev/null || bench_die "sox is missing (apt-get install -y sox)"

# --- inputs: the recipe of bench/decode.sh, word for word, so the file is shared ------------
signal=$BENCH_MUSIC_SIGNAL
ff=(ffmpeg -nostdin -hide_banner -v error -y)
clean=(-map_metadata -1 -fflags +bitexact -flags:a +bitexact)

declare -A input
input[10min]=$(bench_input decode/music-10min.wav "${ff[@]}" -f lavfi -i "$signal" \
    "${clean[@]}" -c:a pcm_s16le @OUT@)
keys=(10min)
if ((LONG_RUNS > 0)); then
    input[1h]=$(bench_input stats/music-1h.wav "${ff[@]}" -stream_loop 5 -i "${input[10min]}" \
        "${clean[@]}" -c:a pcm_s16le @OUT@)
    keys+=(1h)
fi

# --- measurements -------------------------------------------------------------------------
measure_input() { # KEY RUNS
    local x=${input[$1]}
    bench_measure "$1.ts" "$2" 1 "$ts_analyze" -a stats "$x"
    bench_measure "$1.sox" "$2" 1 sox "$x" -n stats
    bench_measure "$1.nosha" "$2" 1 "$ts_analyze" --no-sha1 -a stats "$x"
    bench_measure "$1.floor" "$2" 1 "$ts_analyze" --no-sha1 -a dc "$x"
}
measure_input 10min "$RUNS"
((LONG_RUNS > 0)) && measure_input 1h "$LONG_RUNS"

# --- the figures of both, on the 10-minute input --------------------------------------------
values=$BENCH_WORK/stats/values.md
"$ts_analyze" -a stats "${input[10min]}" >"$BENCH_WORK/stats/ts.jsonl"
sox "${input[10min]}" -n stats 2>"$BENCH_WORK/stats/sox.txt"
python3 - "$BENCH_WORK/stats/ts.jsonl" "$BENCH_WORK/stats/sox.txt" >"$values" <<'EOF'
import json, sys
ours = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    ours[r["id"].split(".", 1)[1]] = (r["data"]["value"], r["unit"])
sox = {}
for line in open(sys.argv[2]):
    for label in ("DC offset", "Min level", "Max level", "Pk lev dB", "RMS lev dB", "RMS Pk dB",
                  "RMS Tr dB", "Crest factor", "Flat factor", "Pk count", "Bit-depth",
                  "Num samples", "Length s"):
        if line.startswith(label):
            sox[label] = line[len(label):].split()[0]
rows = [("dc_offset", "DC offset"), ("min_level", "Min level"), ("max_level", "Max level"),
        ("peak_level", "Pk lev dB"), ("rms_level", "RMS lev dB"), ("rms_peak", "RMS Pk dB"),
        ("rms_trough", "RMS Tr dB"), ("crest_factor", "Crest factor"),
        ("flat_factor", "Flat factor"), ("peak_count", "Pk count"), ("bit_depth", "Bit-depth"),
        ("zero_crossings", None), ("samples", "Num samples"), ("length", "Length s")]
print("| stats output | unit | ts-analyze | sox stats (Overall) |")
print("|---|---|---:|---:|")
for ours_id, label in rows:
    v, unit = ours[ours_id]
    if isinstance(v, list):
        shown = "/".join(str(int(x)) for x in v)
    elif v is None:
        shown = "null"
    elif isinstance(v, float) and unit in ("dBFS", "dB"):
        shown = "%.4f" % v
    elif isinstance(v, float) and v != int(v):
        shown = "%.7f" % v
    else:
        shown = "%d" % v
    print("| %s | %s | %s | %s |" % (ours_id, unit, shown,
                                     sox.get(label, "(not a sox figure)") if label else "(not a sox figure)"))
EOF

# --- report -------------------------------------------------------------------------------
label() { # 10min -> "10 min (101 MB)"
    local size
    size=$(du -m "${input[$1]}" | cut -f1)
    [[ $1 == 10min ]] && printf '10 min (%s MB)' "$size" || printf '1 h (%s MB)' "$size"
}
cpu() { # ID: mean user + system CPU seconds of the hyperfine runs
    awk -v u="$(bench_get "$1" user)" -v s="$(bench_get "$1" system)" 'BEGIN { printf "%.3f", u + s }'
}
table() {
    local k
    echo "| input | ts-analyze s | sox s | ratio (ts/sox) | ts-analyze CPU s | sox CPU s | CPU ratio | ts-analyze peak MiB | sox peak MiB | memory ratio |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for k in "${keys[@]}"; do
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(label "$k")" \
            "$(bench_secs "$k.ts")" "$(bench_secs "$k.sox")" \
            "$(bench_ratio "$(bench_get "$k.ts" mean)" "$(bench_get "$k.sox" mean)")" \
            "$(cpu "$k.ts")" "$(cpu "$k.sox")" "$(bench_ratio "$(cpu "$k.ts")" "$(cpu "$k.sox")")" \
            "$(bench_mib "$k.ts")" "$(bench_mib "$k.sox")" \
            "$(bench_ratio "$(bench_get "$k.ts" peak_kb)" "$(bench_get "$k.sox" peak_kb)")"
    done
}
others() {
    local k
    echo "| input | variant | s | ratio to sox | CPU s | CPU ratio to sox | peak MiB |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    # shellcheck disable=SC2016 # backquotes are Markdown here
    for k in "${keys[@]}"; do
        printf '| %s | `ts-analyze --no-sha1 -a stats X` | %s | %s | %s | %s | %s |\n' \
            "$(label "$k")" "$(bench_secs "$k.nosha")" \
            "$(bench_ratio "$(bench_get "$k.nosha" mean)" "$(bench_get "$k.sox" mean)")" \
            "$(cpu "$k.nosha")" "$(bench_ratio "$(cpu "$k.nosha")" "$(cpu "$k.sox")")" \
            "$(bench_mib "$k.nosha")"
        printf '| %s | `ts-analyze --no-sha1 -a dc X` (floor: read, decode, cheapest analyzer) | %s | %s | %s | %s | %s |\n' \
            "$(label "$k")" "$(bench_secs "$k.floor")" \
            "$(bench_ratio "$(bench_get "$k.floor" mean)" "$(bench_get "$k.sox" mean)")" \
            "$(cpu "$k.floor")" "$(bench_ratio "$(cpu "$k.floor")" "$(cpu "$k.sox")")" \
            "$(bench_mib "$k.floor")"
    done
}
where() { # the CPU seconds of the parts, on each input
    local k
    for k in "${keys[@]}"; do
        awk -v l="$(label "$k")" -v ts="$(cpu "$k.ts")" -v ns="$(cpu "$k.nosha")" \
            -v fl="$(cpu "$k.floor")" -v sox="$(cpu "$k.sox")" \
            'BEGIN { printf "- %s: ts-analyze -a stats %.3f s CPU = the sha1 of the input %.3f (on its own thread) + the stats analyzer %.3f (-a stats minus -a dc, both --no-sha1) + reading and decoding %.3f; sox %.3f.\n", l, ts, ts - ns, ns - fl, fl, sox }'
    done
}
verdict() {
    local k worst=0 worst_cpu=0 t c
    for k in "${keys[@]}"; do
        t=$(bench_ratio "$(bench_get "$k.ts" mean)" "$(bench_get "$k.sox" mean)")
        c=$(bench_ratio "$(cpu "$k.ts")" "$(cpu "$k.sox")")
        worst=$(awk -v a="$t" -v b="$worst" 'BEGIN { print (a > b ? a : b) }')
        worst_cpu=$(awk -v a="$c" -v b="$worst_cpu" 'BEGIN { print (a > b ? a : b) }')
    done
    awk -v t="$worst" -v c="$worst_cpu" 'BEGIN {
        printf "Goal: time ratio ≤ 0.5 on every input: %s (worst wall-time ratio %.2f, worst CPU ratio %.2f).\n", (t <= 0.5 ? "met" : "NOT met"), t, c }'
}
long_note="$LONG_RUNS runs after one warm-up on the 1-hour input"
((LONG_RUNS > 0)) || long_note="1-hour input skipped (LONG_RUNS=0)"

bench_write_section <<EOF
## Levels: ts-analyze -a stats vs sox stats

Measured by \`bench/stats.sh\` on $(bench_machine); $(sox --version | sed 's/^sox: *//').

Input: the music-like stereo 44.1 kHz 16-bit wav of \`bench/decode.sh\`, 10 minutes, and
looped to 1 hour. Commands, stdout to /dev/null: \`ts-analyze -a stats X\` (which hashes X
for its sha1 on a second thread while it decodes) vs \`sox X -n stats\`. Time: mean ± σ of $RUNS hyperfine
runs after one warm-up on the 10-minute input, $long_note; CPU: mean user + system time of
the same runs (less sensitive than wall time to other work on the machine). Peak: max RSS
of one run. Load average $BENCH_LOAD0 at the start, $(bench_load) at the end.

$(table)

$(verdict)

The same work without the input's sha1 (\`--no-sha1\`), and the floor of ts-analyze on these
inputs (its cheapest analyzer), against the same sox figures:

$(others)

Where the CPU time goes:

$(where)

The figures of both on the 10-minute input (sox prints 6 decimals for linear values, 2 for
dB, 3 significant figures for counts):

$(cat "$values")
EOF
cat <<EOF
$(table)

$(verdict)

$(others)

$(where)

$(cat "$values")
EOF
