#!/usr/bin/env bash
# bench/graph.sh: ts-graph waveform and spectrogram PNGs against ffmpeg's showwavespic and
# showspectrumpic and sox's spectrogram, side by side on the same 10-minute and 1-hour inputs
# (wall time, CPU time and peak memory), then the peak memory of ts-graph alone on a 3-minute
# and a 3-hour input, to show that it does not grow with the length; writes the "graph"
# section of bench/RESULTS.md.
#
#   BUILD=build bench/graph.sh
#
# Inputs of the side by side: the music-like stereo 44.1 kHz 16-bit wav of bench/decode.sh,
# 10 minutes long, and the same looped to 1 hour as in bench/stats.sh (same recipes and names,
# so a run of any of these scripts reuses them). Commands, output to a PNG file:
#   ts-graph waveform --no-axes -W 1800 -H 300 X      vs  ffmpeg -lavfi showwavespic=s=1800x300
#   ts-graph spectrogram --scale linear --n-fft 1024 -W 1862 -H 557 X
#                            vs  sox X -n spectrogram -x 1800 -y 513
#                            and ffmpeg -lavfi showspectrumpic=s=1800x512
# ffmpeg's showwavespic draws no axes, so neither does ts-graph there; the three spectrograms
# draw axes around a plot of 1800x512 or 513 pixels from 1024-point DFTs on a linear frequency
# axis (ts-graph's -W 1862 -H 557 is that plot plus its margins). What differs: ts-graph and
# ffmpeg analyze every sample (ts-graph: frames every 512 samples, the maximum per pixel
# column); sox computes its DFTs per pixel column. Also measured, for information: ts-graph's
# default spectrogram (log axis, 2048-point frames) at the same size.
#
# Environment: RUNS (hyperfine runs per 10-minute command, default 3, after 1 warm-up),
# LONG_RUNS (runs per 1-hour command, default 1, no warm-up; 0 skips the 1-hour input).
# Takes about 2 minutes on 2 cores, plus about 1 minute the first time for the inputs.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init graph
gen=$(bench_tool ts-gen)
graph=$(bench_tool ts-graph)
short=$(bench_input graph/noise-3min.tspcm "$gen" noise --duration 180 --seed 1 -o @OUT@)
dir=$BENCH_WORK/graph

# measure ID INPUT-COMMAND MODE: runs "INPUT-COMMAND | ts-graph MODE ..." once, ts-graph under
# /usr/bin/time; appends ID, wall, user, system and peak KiB to $dir/rss.tsv.
: >"$dir/rss.tsv"
measure() {
    local id=$1 producer=$2 mode=$3 raw=()
    [[ $producer == *--raw* ]] && raw=(--input-raw --input-rate 44100 --input-channels 1)
    bench_log "measuring $id"
    bash -c "$producer" | /usr/bin/time -f '%e %U %S %M' -o "$dir/$id.time" \
        "$graph" "$mode" "${raw[@]}" -o "$dir/$id.png" - ||
        bench_die "$id failed"
    printf '%s\t%s\n' "$id" "$(tr ' ' '\t' <"$dir/$id.time" | tail -n 1)" >>"$dir/rss.tsv"
}
measure wave-3min "cat '$short'" waveform
measure spec-3min "cat '$short'" spectrogram
measure wave-3min-raw "'$gen' noise --duration 180 --seed 1 --raw" waveform
measure spec-3min-raw "'$gen' noise --duration 180 --seed 1 --raw" spectrogram
measure wave-3h "'$gen' noise --duration 10800 --seed 1 --raw" waveform
measure spec-3h "'$gen' noise --duration 10800 --seed 1 --raw" spectrogram

# --- side by side on 10 minutes and 1 hour ------------------------------------------------
RUNS=${RUNS:-3}
LONG_RUNS=${LONG_RUNS:-1}
command -v sox >/dev/null || bench_die "sox is missing (apt-get install -y sox)"
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
side_by_side() { # KEY RUNS WARMUP
    local x=${input[$1]} k=$1 r=$2 w=$3
    bench_measure "$k.ts-wave" "$r" "$w" "$graph" waveform --no-axes -W 1800 -H 300 "$x" \
        -o "$dir/$k.ts-wave.png"
    bench_measure "$k.ff-wave" "$r" "$w" "${ff[@]}" -i "$x" -lavfi showwavespic=s=1800x300 \
        -frames:v 1 "$dir/$k.ff-wave.png"
    bench_measure "$k.ts-spec" "$r" "$w" "$graph" spectrogram --scale linear --n-fft 1024 \
        -W 1862 -H 557 "$x" -o "$dir/$k.ts-spec.png"
    bench_measure "$k.ts-spec-default" "$r" "$w" "$graph" spectrogram -W 1862 -H 557 "$x" \
        -o "$dir/$k.ts-spec-default.png"
    bench_measure "$k.sox-spec" "$r" "$w" sox "$x" -n spectrogram -x 1800 -y 513 \
        -o "$dir/$k.sox-spec.png"
    bench_measure "$k.ff-spec" "$r" "$w" "${ff[@]}" -i "$x" -lavfi showspectrumpic=s=1800x512 \
        -frames:v 1 "$dir/$k.ff-spec.png"
}
side_by_side 10min "$RUNS" 1
((LONG_RUNS > 0)) && side_by_side 1h "$LONG_RUNS" 0

row() { awk -F'\t' -v id="$1" -v d="$2" -v what="$3" '$1 == id {
    printf "| %s | %s | %.2f | %.2f | %.0f | %.1f |\n", what, d, $2, $3 + $4, d / ($3 + $4 > 0 ? $3 + $4 : 1e-9), $5 / 1024 }' "$dir/rss.tsv"; }
{
    echo "## ts-graph: memory bounded whatever the length"
    echo
    echo "Measured by \`bench/graph.sh\` on $(bench_machine); load average $BENCH_LOAD0 at the start, $(bench_load) at the end."
    echo
    echo "White noise from \`ts-gen noise\` (mono, 44.1 kHz) piped into \`ts-graph MODE -o FILE.png -\`"
    echo "with the default size (1200x300 waveform, 1200x400 spectrogram: 2048-point frames every"
    echo "512 samples, log axis). \"known\" is a TSPCM file whose header gives the length (direct"
    echo "column mapping); \"unknown\" is headerless samples (--input-raw), reduced into pair-merged"
    echo "buckets. One run each; the peak RSS is that of ts-graph alone (/usr/bin/time -f %M)."
    echo "CPU s = user + system; × real time = input duration / CPU time."
    echo
    echo "| run | input s | wall s | CPU s | × real time (CPU) | peak MiB |"
    echo "|---|---:|---:|---:|---:|---:|"
    row wave-3min 180 "waveform, 3 min, length known"
    row wave-3min-raw 180 "waveform, 3 min, length unknown"
    row wave-3h 10800 "waveform, 3 h, length unknown"
    row spec-3min 180 "spectrogram, 3 min, length known"
    row spec-3min-raw 180 "spectrogram, 3 min, length unknown"
    row spec-3h 10800 "spectrogram, 3 h, length unknown"
    echo
    echo "ts-graph alone, as above, on the inputs of the side by side above (same image sizes):"
    echo
    echo "| run | input s | wall s | CPU s | peak MiB |"
    echo "|---|---:|---:|---:|---:|"
    for k in "${keys[@]}"; do
        for m in ts-wave ts-spec ts-spec-default; do
            printf '| %s, %s | %s | %s | %s | %s |\n' "$m" "$k" "$([[ $k == 1h ]] && echo 3600 || echo 600)" \
                "$(bench_secs "$k.$m")" "$(bench_cpu "$k.$m" | awk '{ printf "%.2f", $1 }')" \
                "$(bench_mib "$k.$m")"
        done
    done
} >"$dir/memory.md"
side_table() {
    echo "## ts-graph against ffmpeg and sox: waveform and spectrogram PNGs"
    echo
    echo "Measured by \`bench/graph.sh\` on $(bench_machine); sox $(sox --version | awk '{ print $NF }'); load average $BENCH_LOAD0 at the start, $(bench_load) at the end."
    echo
    echo "The music-like stereo 44.1 kHz 16-bit wav of bench/decode.sh (10 minutes) and the same"
    echo "looped to 1 hour (bench/stats.sh), each drawn to a PNG file. Waveform: \`ts-graph waveform"
    echo "--no-axes -W 1800 -H 300\` against \`ffmpeg -lavfi showwavespic=s=1800x300\` (neither draws"
    echo "axes). Spectrogram: \`ts-graph spectrogram --scale linear --n-fft 1024 -W 1862 -H 557\` (a"
    echo "1800x513 plot plus its axes) against \`sox X -n spectrogram -x 1800 -y 513\` and \`ffmpeg"
    echo "-lavfi showspectrumpic=s=1800x512\`: all three draw axes around a plot of that size from"
    echo "1024-point DFTs on a linear frequency axis. ts-graph and ffmpeg analyze every sample"
    echo "(ts-graph: frames every 512 samples, the maximum per pixel column); sox computes its DFTs"
    echo "per pixel column. \"ts-graph default\" is \`ts-graph spectrogram -W 1862 -H 557\` (log"
    echo "axis, 2048-point frames), for information. Mean of $RUNS runs after a warm-up on 10"
    echo "minutes, $LONG_RUNS run(s) without on 1 hour; CPU = user + system (steadier than wall time"
    echo "on a loaded machine; ffmpeg uses more than one thread, and ts-graph decodes on a thread"
    echo "of its own beside the drawing). Ratios are ts-graph / peer; the goal is a ratio of 0.5"
    echo "or less of the wall time (the CPU ratio is shown beside it)."
    echo
    echo "| input | image | ts-graph s | ts-graph CPU s | peer | peer s | peer CPU s | wall ratio | CPU ratio | goal ≤ 0.5 | ts-graph MiB | peer MiB |"
    echo "|---|---|---:|---:|---|---:|---:|---:|---:|---|---:|---:|"
    local k pair
    for k in "${keys[@]}"; do
        for pair in "ts-wave ff-wave waveform ffmpeg-showwavespic" \
            "ts-spec sox-spec spectrogram sox-spectrogram" \
            "ts-spec ff-spec spectrogram ffmpeg-showspectrumpic" \
            "ts-spec-default sox-spec spectrogram_(ts-graph_default) sox-spectrogram" \
            "ts-spec-default ff-spec spectrogram_(ts-graph_default) ffmpeg-showspectrumpic"; do
            set -- $pair
            local cr wr
            cr=$(bench_ratio "$(bench_cpu "$k.$1")" "$(bench_cpu "$k.$2")")
            wr=$(bench_ratio "$(bench_get "$k.$1" mean)" "$(bench_get "$k.$2" mean)")
            printf '| %s | %s | %s | %.2f | %s | %s | %.2f | %s | %s | %s | %s | %s |\n' "$k" "${3//_/ }" \
                "$(bench_secs "$k.$1")" "$(bench_cpu "$k.$1")" "$4" "$(bench_secs "$k.$2")" \
                "$(bench_cpu "$k.$2")" \
                "$wr" "$cr" \
                "$(awk -v r="$wr" 'BEGIN { print (r <= 0.5 ? "met" : "NOT met") }')" \
                "$(bench_mib "$k.$1")" "$(bench_mib "$k.$2")"
        done
    done
    echo
}
{
    side_table
    cat "$dir/memory.md"
} | bench_write_section
bench_log "done in $((SECONDS - BENCH_T0)) s"
