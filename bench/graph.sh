#!/usr/bin/env bash
# bench/graph.sh: peak memory and time of ts-graph waveform and spectrogram on a 3-minute and a
# 3-hour input, to show that memory does not grow with the input's length; writes the "graph"
# section of bench/RESULTS.md.
#
#   BUILD=build bench/graph.sh
#
# Inputs: white noise from ts-gen (mono, 44.1 kHz). The 3-minute one is a TSPCM file (length
# known: the direct column mapping); the 3-hour one is piped from `ts-gen noise --duration
# 10800` with frames unknown to the reader (--input-raw), so the pair-merged buckets are
# measured too, without a 1.9 GB file. Peak RSS (/usr/bin/time -f %M) is that of ts-graph
# alone; one run each (the 3-hour ones take tens of seconds). Then, on 3 minutes, ffmpeg's
# showwavespic and sox's spectrogram side by side (hyperfine, RUNS runs, default 3).
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

# Peers on the same 3 minutes as a 16-bit wav: ffmpeg's showwavespic (waveform) and sox's
# spectrogram, same image sizes, under hyperfine (RUNS runs after a warm-up).
RUNS=${RUNS:-3}
wav=$(bench_input graph/noise-3min.wav "$gen" noise --duration 180 --seed 1 -o @OUT@)
bench_measure peer-ts-wave "$RUNS" 1 "$graph" waveform "$wav" -o "$dir/peer-ts-wave.png"
bench_measure peer-ff-wave "$RUNS" 1 ffmpeg -nostdin -v error -y -i "$wav" \
    -filter_complex showwavespic=s=1200x300 -frames:v 1 "$dir/peer-ff-wave.png"
bench_measure peer-ts-spec "$RUNS" 1 "$graph" spectrogram "$wav" -o "$dir/peer-ts-spec.png"
bench_measure peer-sox-spec "$RUNS" 1 sox "$wav" -n spectrogram -x 1200 -y 400 -o "$dir/peer-sox-spec.png"

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
    echo "Against peers on the same 3 minutes as a 16-bit wav, same image size (mean of $RUNS runs"
    echo "after a warm-up; ratios TimeSide / peer, below 1 is better). sox draws its own axes and"
    echo "uses a 1200-column FFT series, so the work differs; the figures are indicative."
    echo
    echo "| image | ts-graph s | peer | peer s | time ratio | CPU ratio | ts-graph MiB | peer MiB |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|"
    for pair in "wave ff waveform ffmpeg-showwavespic" "spec sox spectrogram sox-spectrogram"; do
        set -- $pair
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$3" "$(bench_secs "peer-ts-$1")" "$4" \
            "$(bench_secs "peer-$2-$1")" \
            "$(bench_ratio "$(bench_get "peer-ts-$1" mean)" "$(bench_get "peer-$2-$1" mean)")" \
            "$(bench_ratio "$(bench_cpu "peer-ts-$1")" "$(bench_cpu "peer-$2-$1")")" \
            "$(bench_mib "peer-ts-$1")" "$(bench_mib "peer-$2-$1")"
    done
} | bench_write_section
bench_log "done in $((SECONDS - BENCH_T0)) s"
