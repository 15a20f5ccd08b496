#!/usr/bin/env bash
# bench/memory.sh: peak memory of ts-analyze's framewise results against the input's length:
# the music preset (presets/music.yaml) on 3 minutes and on 3 hours, written as JSON Lines
# and as HDF5, and a long-FFT spectrogram (65536-point frames every 16 samples, 32769 values
# a frame) on 2 and 3 seconds into HDF5; writes the "memory" section of bench/RESULTS.md.
#
#   BUILD=build bench/memory.sh
#   BASE=/tmp/old-build BUILD=build bench/memory.sh   # also "before": the same runs with
#                                                      # the tools of another build
#
# Inputs are made on the fly and piped in (nothing is stored): `ts-gen noise --channels 2
# --duration D --seed 1 | ts-analyze ... -`, ts-analyze alone under /usr/bin/time (peak
# RSS, %M). JSON Lines go to /dev/null, HDF5 to a file under bench/work/memory/ (removed).
# Environment: LONG=0 skips the 3-hour runs; BASE names a build (its tools/ folder) to
# measure as well, for a before/after table (BASE_NAME: how to call it there). Takes about 5 minutes on 2 cores (twice that
# with BASE).
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init memory
LONG=${LONG:-1}
gen=$(bench_tool ts-gen)
ts=$(bench_tool ts-analyze)
BASE=${BASE:-}
[[ -z $BASE || -x $BASE/tools/ts-analyze ]] || bench_die "BASE=$BASE has no tools/ts-analyze"
dir=$BENCH_WORK/memory
mkdir -p "$dir"
tsv=$dir/rss.tsv
: >"$tsv"

# measure ID SECONDS FORMAT ARGS...: ts-gen noise of SECONDS piped into ts-analyze ARGS,
# output as FORMAT (jsonl to /dev/null, hdf5 to a file); appends ID, wall, CPU, peak KiB and
# output bytes to $tsv.
measure() {
    local id=$1 secs=$2 format=$3 out=() bytes ts=$ts
    shift 3
    if [[ $id == base-* ]]; then ts=$BASE/tools/ts-analyze; fi
    [[ $format == hdf5 ]] && out=(-o "$dir/$id.h5")
    bench_log "measuring $id"
    "$gen" noise --channels 2 --duration "$secs" --seed 1 |
        /usr/bin/time -f '%e %U %S %M' -o "$dir/$id.time" "$ts" "$@" "${out[@]}" - >"$dir/$id.out" ||
        bench_die "$id failed"
    if [[ $format == hdf5 ]]; then
        bytes=$(stat -c %s "$dir/$id.h5")
        rm -f "$dir/$id.h5"
    else
        bytes=$(stat -c %s "$dir/$id.out")
    fi
    rm -f "$dir/$id.out"
    awk -v id="$id" -v b="$bytes" '{ printf "%s\t%s\t%.2f\t%s\t%s\n", id, $1, $2 + $3, $4, b }' \
        <(tail -n 1 "$dir/$id.time") >>"$tsv"
}

music=(--preset "$BENCH_ROOT/presets/music.yaml")
spec=(-a spectrogram -p spectrogram.n_fft=65536 -p spectrogram.step=16)
prefixes=("")
[[ -n $BASE ]] && prefixes+=(base-)
for p in "${prefixes[@]}"; do
    measure "${p}music-3min-jsonl" 180 jsonl "${music[@]}"
    measure "${p}music-3min-hdf5" 180 hdf5 "${music[@]}"
    if ((LONG)); then
        measure "${p}music-3h-jsonl" 10800 jsonl "${music[@]}"
        measure "${p}music-3h-hdf5" 10800 hdf5 "${music[@]}"
    fi
    measure "${p}spec-2s-hdf5" 2 hdf5 "${spec[@]}"
    measure "${p}spec-3s-hdf5" 3 hdf5 "${spec[@]}"
done

# row ID TEXT: the run's figures, and its peak with BASE's tools ("before") when measured.
row() { awk -F'\t' -v id="$1" -v what="$2" '$1 == "base-" id { before = sprintf("%.1f", $4 / 1024) }
    $1 == id { line = sprintf("| %s | %.1f | %.1f | %.1f | %.1f |", what, $2, $3, $4 / 1024, $5 / 1048576) }
    END { if (line != "") print line " " (before == "" ? "" : before) " |" }' "$tsv"; }
{
    echo "## ts-analyze: memory of framewise results against the input's length"
    echo
    echo "Measured by \`bench/memory.sh\` on $(bench_machine); load average $BENCH_LOAD0 at the start, $(bench_load) at the end."
    echo
    echo "Stereo white noise from \`ts-gen noise --channels 2 --seed 1\`, made on the fly and"
    echo "piped into \`ts-analyze ARGS -\` (peak RSS of ts-analyze alone, /usr/bin/time -f %M, one"
    echo "run each). Music preset: \`--preset music\`, JSON Lines to /dev/null or \`-o x.h5\`."
    echo "Long-FFT spectrogram: \`-a spectrogram -p spectrogram.n_fft=65536 -p"
    echo "spectrogram.step=16 -o x.h5\` (2757 frames of 32769 values a second of input past the"
    echo "first 65536 samples: 1417 frames on 2 s, 4173 on 3 s)."
    echo "Framewise series are kept in a temporary file (TMPDIR) as they are made and written"
    echo "from it at the end, so memory does not grow with the length; goal: 3 hours within"
    echo "8 MiB of 3 minutes.${BASE:+ \"before MiB\" is the peak of the same run with the tools of ${BASE_NAME:-$BASE} (series held in memory).}"
    echo
    echo "| run | wall s | CPU s | peak MiB | output MiB | before MiB |"
    echo "|---|---:|---:|---:|---:|---:|"
    row music-3min-jsonl "music preset, 3 min, JSON Lines"
    row music-3h-jsonl "music preset, 3 h, JSON Lines"
    row music-3min-hdf5 "music preset, 3 min, HDF5"
    row music-3h-hdf5 "music preset, 3 h, HDF5"
    row spec-2s-hdf5 "long-FFT spectrogram, 2 s, HDF5"
    row spec-3s-hdf5 "long-FFT spectrogram, 3 s, HDF5"
} | bench_write_section
bench_log "done in $((SECONDS - BENCH_T0)) s"
