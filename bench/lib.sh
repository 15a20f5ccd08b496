# shellcheck shell=bash
# bench/lib.sh: helpers shared by the benchmark scripts. Source it; do not run it.
#
#   . "$(dirname "$0")/lib.sh"
#   bench_init decode                      # section name in RESULTS.md, work dir, checks
#   ts=$(bench_tool ts-decode)             # $BUILD/tools/ts-decode, absolute
#   wav=$(bench_input decode/x.wav ffmpeg ... @OUT@)   # made once under bench/work/
#   bench_measure ID RUNS WARMUP CMD ARGS...           # wall time and peak RSS of CMD
#   bench_get ID mean|stddev|user|system|runs|peak_kb
#   bench_write_section < section.md       # between <!-- NAME:begin/end --> in RESULTS.md
#
# Environment:
#   BUILD       the Meson build dir holding the tools (default: build), relative to the
#               current directory or, failing that, to the repository root
#   BENCH_WORK  where inputs and raw measurements go (default: bench/work, gitignored)
#
# Wall time is the mean of hyperfine runs (--warmup, --runs, --export-json; the command's
# stdout goes to /dev/null). Peak memory is the maximum resident set size that
# /usr/bin/time -f %M reports for one more run (KiB; shown in MiB = 2^20 bytes). Needs
# hyperfine, python3, ffmpeg and /usr/bin/time (Debian packages hyperfine, python3, ffmpeg,
# time). bench/ is not run by CI.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_ROOT=$(dirname "$BENCH_DIR")
BENCH_RESULTS=$BENCH_DIR/RESULTS.md

# The deterministic music-like stereo 44.1 kHz test signal (10 minutes) every benchmark
# uses, as an FFmpeg lavfi graph: sines with vibrato and tremolo over pink noise.
BENCH_MUSIC_SIGNAL="aevalsrc=s=44100:c=stereo:d=600:exprs='\
0.25*sin(2*PI*110*t)*(0.6+0.4*sin(2*PI*0.25*t))\
+0.15*sin(2*PI*(440+20*sin(2*PI*5*t))*t)\
+0.1*sin(2*PI*1318.5*t)*(0.5+0.5*sin(2*PI*2*t))|\
0.25*sin(2*PI*164.8*t)*(0.6+0.4*cos(2*PI*0.2*t))\
+0.15*sin(2*PI*(659.3+15*sin(2*PI*4*t))*t)\
+0.1*sin(2*PI*1760*t)*(0.5+0.5*cos(2*PI*3*t))'[tones];\
anoisesrc=r=44100:d=600:c=pink:a=0.08:seed=12345,pan=stereo|c0=c0|c1=c0[noise];\
[tones][noise]amix=inputs=2:normalize=0"

bench_log() { printf '%s: %s\n' "${BENCH_NAME:-bench}" "$*" >&2; }
bench_die() {
    bench_log "error: $*"
    exit 1
}

# bench_init NAME: checks the prerequisites, resolves BUILD and prepares the work dir.
bench_init() {
    BENCH_NAME=$1
    local c
    for c in hyperfine python3 ffmpeg; do
        command -v "$c" >/dev/null || bench_die "$c is missing (apt-get install -y $c)"
    done
    [[ -x /usr/bin/time ]] || bench_die "/usr/bin/time is missing (apt-get install -y time)"

    local b=${BUILD:-build}
    if [[ $b != /* ]]; then
        if [[ -d $b ]]; then
            b=$(cd "$b" && pwd)
        else
            b=$BENCH_ROOT/$b
        fi
    fi
    [[ -d $b ]] || bench_die "no build dir $b: meson setup ${BUILD:-build} --buildtype=release"
    BENCH_BUILD=$b
    local type
    type=$(python3 - "$b/meson-info/intro-buildoptions.json" <<'EOF' 2>/dev/null || true
import json, sys
for o in json.load(open(sys.argv[1])):
    if o["name"] == "buildtype":
        print(o["value"])
EOF
)
    BENCH_BUILDTYPE=${type:-unknown}
    [[ $BENCH_BUILDTYPE == release ]] ||
        bench_log "warning: $b is a '$BENCH_BUILDTYPE' build; figures are meant for --buildtype=release"

    BENCH_WORK=${BENCH_WORK:-$BENCH_DIR/work}
    mkdir -p "$BENCH_WORK/$BENCH_NAME"
    BENCH_TSV=$BENCH_WORK/$BENCH_NAME/measurements.tsv
    : >"$BENCH_TSV"
    BENCH_T0=$SECONDS
    # shellcheck disable=SC2034 # read by the scripts
    BENCH_LOAD0=$(bench_load)
}

# bench_tool NAME: absolute path of a built tool; fails with the ninja command to build it.
bench_tool() {
    local t
    for t in "$BENCH_BUILD/tools/$1" "$BENCH_BUILD/tools/$1/$1"; do
        if [[ -f $t && -x $t ]]; then
            printf '%s\n' "$t"
            return
        fi
    done
    bench_die "$1 is not built: ninja -C $BENCH_BUILD tools/$1"
}

# bench_input NAME CMD ARGS...: makes $BENCH_WORK/NAME once by running CMD with every "@OUT@"
# argument replaced by a temporary path (same extension), renamed into place on success;
# prints the path. The command line is kept next to the file (NAME.recipe): a changed
# recipe remakes the input. Inputs made from other inputs are not remade when those change;
# delete bench/work/ to start afresh.
bench_input() {
    local name=$1
    shift
    local out=$BENCH_WORK/$name recipe="$*"
    local tmp
    tmp=$(dirname "$out")/.tmp-$$-$(basename "$out")
    if [[ -f $out && -f $out.recipe && $(<"$out.recipe") == "$recipe" ]]; then
        printf '%s\n' "$out"
        return
    fi
    mkdir -p "$(dirname "$out")"
    local args=() a
    for a in "$@"; do
        [[ $a == @OUT@ ]] && a=$tmp
        args+=("$a")
    done
    bench_log "making $name"
    local t0=$SECONDS
    if ! "${args[@]}" >&2; then
        rm -f "$tmp"
        bench_die "could not make $name"
    fi
    mv -f "$tmp" "$out"
    printf '%s\n' "$recipe" >"$out.recipe"
    bench_log "made $name ($((SECONDS - t0)) s, $(du -h "$out" | cut -f1))"
    printf '%s\n' "$out"
}

# bench_measure ID RUNS WARMUP CMD ARGS...: runs CMD with stdout to /dev/null, once under
# /usr/bin/time for the peak RSS (this run also warms the page cache), then WARMUP + RUNS
# times under hyperfine for the wall time. Appends one line to the measurements file:
# ID mean stddev user system runs peak_kb (seconds, KiB). A failing command stops the script.
bench_measure() {
    local id=$1 runs=$2 warmup=$3
    shift 3
    local dir=$BENCH_WORK/$BENCH_NAME
    local json=$dir/$id.json peak=$dir/$id.peak
    bench_log "measuring $id: $*"
    if ! /usr/bin/time -f %M -o "$peak" "$@" >/dev/null; then
        bench_die "$id failed: $*"
    fi
    local cmd
    cmd=$(printf '%q ' "$@")
    hyperfine --style none --shell none --output null --warmup "$warmup" --runs "$runs" \
        --export-json "$json" --command-name "$id" "$cmd" >/dev/null ||
        bench_die "hyperfine failed on $id"
    python3 - "$json" "$id" "$(tail -n 1 "$peak")" >>"$BENCH_TSV" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("\t".join([sys.argv[2], "%.6f" % r["mean"], "%.6f" % (r["stddev"] or 0.0),
                 "%.6f" % r["user"], "%.6f" % r["system"], str(len(r["times"])), sys.argv[3]]))
EOF
}

# bench_get ID FIELD: one figure from this run's measurements.
bench_get() {
    awk -F'\t' -v id="$1" -v f="$2" '
        BEGIN { split("mean stddev user system runs peak_kb", names, " ");
                for (i in names) col[names[i]] = i + 1 }
        $1 == id { v = $(col[f]) } END { if (v == "") exit 1; print v }' "$BENCH_TSV" ||
        bench_die "no measurement $2 for $1"
}

# Formatting helpers for tables: bench_secs ID ("0.105 ± 0.003", or "12.3" for one run),
# bench_cpu ID (mean user + system seconds), bench_mib ID, bench_ratio A B (A/B, 2 decimals).
bench_secs() {
    local mean sd runs
    mean=$(bench_get "$1" mean)
    sd=$(bench_get "$1" stddev)
    runs=$(bench_get "$1" runs)
    if ((runs > 1)); then
        awk -v m="$mean" -v s="$sd" 'BEGIN { printf "%.3f ± %.3f", m, s }'
    else
        awk -v m="$mean" 'BEGIN { printf "%.3f", m }'
    fi
}
bench_cpu() { awk -v u="$(bench_get "$1" user)" -v s="$(bench_get "$1" system)" 'BEGIN { printf "%.6f", u + s }'; }
bench_mib() { awk -v k="$(bench_get "$1" peak_kb)" 'BEGIN { printf "%.1f", k / 1024 }'; }
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# bench_load: the 1-minute load average now (other work on the machine skews wall times;
# CPU times, user + system, are much less affected).
bench_load() { cut -d' ' -f1 /proc/loadavg; }

# bench_machine: one line naming the machine and the software measured.
bench_machine() {
    local cpu ff commit
    cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    ff=$(ffmpeg -version | awk 'NR == 1 { print $3 }')
    commit=$(git -C "$BENCH_ROOT" describe --always --dirty 2>/dev/null || echo unknown)
    printf '%s, %s cores (%s), %s GiB RAM, Linux %s; ffmpeg %s; TimeSide %s (%s build)' \
        "$(date -u +%Y-%m-%d)" "$(nproc)" "${cpu:-unknown CPU}" \
        "$(awk '/^MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)" \
        "$(uname -r)" "$ff" "$commit" "$BENCH_BUILDTYPE"
}

# bench_write_section: replaces this script's section of bench/RESULTS.md (between
# <!-- NAME:begin --> and <!-- NAME:end -->) with stdin, appending it if absent and creating
# the file with its header if needed. Other sections are left as they are.
bench_write_section() {
    local body
    body=$(cat)
    if [[ ! -f $BENCH_RESULTS ]]; then
        cat >"$BENCH_RESULTS" <<EOF
# TimeSide benchmarks

Each section below is written by the script it names (\`bench/NAME.sh\`, see
bench/README.md), which measures TimeSide's tool and its peers side by side in one run on
the same inputs, so ratios are comparable even where absolute times are not. Wall time is the
mean of hyperfine runs after a warm-up (inputs in the page cache, output to /dev/null); peak
memory is the maximum resident set size from \`/usr/bin/time -f %M\` (MiB = 2^20 bytes).
Ratios are TimeSide / peer: below 1.0 TimeSide is faster or smaller. Each section starts
with the machine, date and versions it was measured with; this file was created on:
$(bench_machine).
EOF
    fi
    python3 - "$BENCH_RESULTS" "$BENCH_NAME" "$body" <<'EOF'
import sys
path, name, body = sys.argv[1:4]
text = open(path).read()
begin, end = "<!-- %s:begin -->" % name, "<!-- %s:end -->" % name
block = "%s\n%s\n%s" % (begin, body.strip("\n"), end)
i, j = text.find(begin), text.find(end)
if i >= 0 and j > i:
    text = text[:i] + block + text[j + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path + ".tmp", "w").write(text)
EOF
    mv -f "$BENCH_RESULTS.tmp" "$BENCH_RESULTS"
    bench_log "wrote its section of ${BENCH_RESULTS#"$BENCH_ROOT"/} ($((SECONDS - BENCH_T0)) s)"
}
