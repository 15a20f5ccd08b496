#!/usr/bin/env bash
# bench/serialize.sh: ts-serialize on 1 hour of framewise features: JSON Lines parse
# throughput against Python's json module (side by side, one run), HDF5 write time and peak
# memory, and a 1-hour spectrogram written by ts-analyze straight to HDF5 against the same to
# JSON Lines; writes the "serialize" section of bench/RESULTS.md.
#
#   BUILD=build bench/serialize.sh
#
# Input: the music-like stereo 44.1 kHz wav of bench/decode.sh looped to 1 hour (the recipe and
# name of bench/stats.sh, reused when present), analyzed once with `ts-analyze -a mfcc,spectral`
# (2048-point frames every 512 samples: 310,078 frames of 13 MFCCs and 8 spectral features).
# Commands:
#   ts-serialize --check F.jsonl          reads and validates every result, writes nothing
#   python3 -c 'json.loads per line'      Debian's python3, the json module (C accelerated)
#   ts-serialize -o F.h5 F.jsonl          JSON Lines to HDF5 (parse + write)
#   ts-serialize -f jsonl F.h5            HDF5 back to JSON Lines
#   ts-analyze -a spectrogram X -o S.h5   vs  -o S.jsonl   (1025 bins x 310,078 frames)
# Environment: RUNS (hyperfine runs per command, default 3, after 1 warm-up). Takes about 6
# minutes on 2 cores, plus the inputs the first time.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init serialize
analyze=$(bench_tool ts-analyze)
ser=$(bench_tool ts-serialize)
dir=$BENCH_WORK/serialize
RUNS=${RUNS:-3}
ff=(ffmpeg -nostdin -hide_banner -v error -y)
clean=(-map_metadata -1 -fflags +bitexact -flags:a +bitexact)
short=$(bench_input decode/music-10min.wav "${ff[@]}" -f lavfi -i "$BENCH_MUSIC_SIGNAL" \
    "${clean[@]}" -c:a pcm_s16le @OUT@)
long=$(bench_input stats/music-1h.wav "${ff[@]}" -stream_loop 5 -i "$short" \
    "${clean[@]}" -c:a pcm_s16le @OUT@)
features=$(bench_input serialize/features-1h.jsonl "$analyze" -a mfcc,spectral "$long" -o @OUT@)
mb=$(stat -c %s "$features" | awk '{ printf "%.1f", $1 / 1e6 }')
py=/usr/bin/python3

bench_measure check "$RUNS" 1 "$ser" --check "$features"
printf '%s\n' 'import json, sys' 'for line in open(sys.argv[1], "rb"):' '    json.loads(line)' >"$dir/read_json.py"
bench_measure python "$RUNS" 1 "$py" "$dir/read_json.py" "$features"
bench_measure to-h5 "$RUNS" 1 "$ser" -o "$dir/features.h5" "$features"
bench_measure from-h5 "$RUNS" 1 "$ser" -f jsonl "$dir/features.h5" -o "$dir/back.jsonl"
cmp -s "$dir/back.jsonl" "$features" || bench_die "HDF5 -> JSON Lines differs from the input"
bench_measure spec-h5 1 0 "$analyze" -a spectrogram --no-sha1 "$long" -o "$dir/spec.h5"
bench_measure spec-jsonl 1 0 "$analyze" -a spectrogram --no-sha1 "$long" -o "$dir/spec.jsonl"
h5mb=$(stat -c %s "$dir/features.h5" | awk '{ printf "%.1f", $1 / 1e6 }')
spec_h5=$(stat -c %s "$dir/spec.h5" | awk '{ printf "%.0f", $1 / 1e6 }')
spec_jl=$(stat -c %s "$dir/spec.jsonl" | awk '{ printf "%.0f", $1 / 1e6 }')
rate() { awk -v m="$mb" -v s="$(bench_get "$1" mean)" 'BEGIN { printf "%.0f", m / s }'; }
line() { # ID WHAT
    printf '| %s | %s | %s | %.2f | %s |\n' "$2" "$(bench_secs "$1")" "$(rate "$1")" \
        "$(bench_cpu "$1")" "$(bench_mib "$1")"
}
{
    echo "## ts-serialize: JSON Lines parsing and HDF5"
    echo
    echo "Measured by \`bench/serialize.sh\` on $(bench_machine); load average $BENCH_LOAD0 at the start, $(bench_load) at the end."
    echo
    echo "1 hour of framewise features (\`ts-analyze -a mfcc,spectral\` on the 1-hour music wav of"
    echo "bench/stats.sh: 310,078 frames of 13 MFCCs and 8 spectral features), $mb MB of JSON Lines."
    echo "Mean of $RUNS runs after a warm-up; MB/s = input MB / wall s; CPU = user + system; peak"
    echo "= maximum resident set size."
    echo
    echo "| command | wall s | MB/s | CPU s | peak MiB |"
    echo "|---|---:|---:|---:|---:|"
    line check "\`ts-serialize --check\` (parse and validate)"
    line python "Python 3.11 \`json.loads\` per line"
    line to-h5 "\`ts-serialize -o features.h5\` (parse, write HDF5: $h5mb MB)"
    line from-h5 "\`ts-serialize -f jsonl features.h5\` (read HDF5, write JSON Lines)"
    echo
    echo "Parsing: ts-serialize takes $(bench_ratio "$(bench_get check mean)" "$(bench_get python mean)") of Python's time"
    echo "(wall; $(bench_ratio "$(bench_cpu check)" "$(bench_cpu python)") in CPU), validating every key and array length"
    echo "besides. The HDF5 file read back gives the input byte for byte (checked by the script)."
    echo
    echo "A 1-hour spectrogram (1025 bins x 310,078 frames, float32: 1271 MB of values), one run each:"
    echo
    echo "| command | wall s | CPU s | peak MiB | output MB |"
    echo "|---|---:|---:|---:|---:|"
    printf '| `ts-analyze -a spectrogram -o spec.h5` | %s | %.1f | %s | %s |\n' "$(bench_secs spec-h5)" "$(bench_cpu spec-h5)" "$(bench_mib spec-h5)" "$spec_h5"
    printf '| `ts-analyze -a spectrogram -o spec.jsonl` | %s | %.1f | %s | %s |\n' "$(bench_secs spec-jsonl)" "$(bench_cpu spec-jsonl)" "$(bench_mib spec-jsonl)" "$spec_jl"
    echo
    echo "The peak is the result itself (4 bytes per value) plus, for HDF5, its chunk buffers:"
    echo "the text is never held whole."
    echo
} | bench_write_section
bench_log "done in $((SECONDS - BENCH_T0)) s"
