#!/usr/bin/env bash
# bench/music.sh: the whole music preset (presets/music.yaml: level, loudness with true peak,
# stats, spectral, mfcc with deltas, chroma, waveform) in one pass, pinned to one core,
# reported as times real time, with the peak memory for a 10-minute and a 3-hour input;
# writes the "music" section of bench/RESULTS.md.
#
#   BUILD=build bench/music.sh
#
# Inputs: the deterministic music-like stereo 44.1 kHz signal of bench/loudness.sh (made by
# it, or here, under bench/work/loudness/), 10 minutes as wav, and looped to 3 hours.
# Environment: RUNS (runs on the 10-minute input, default 3), LONG=0 skips the 3-hour input.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init music
RUNS=${RUNS:-3}
LONG=${LONG:-1}
ts=$(bench_tool ts-analyze)
command -v taskset >/dev/null || bench_die "taskset is missing (apt-get install -y util-linux)"

# The 10-minute input is the one bench/loudness.sh makes (same recipe, so it is shared).
[[ -f $BENCH_WORK/loudness/music-10min.wav ]] || bench_die "make the input first: LONG=0 RUNS=1 bench/loudness.sh"
short=$BENCH_WORK/loudness/music-10min.wav
ff=(ffmpeg -nostdin -hide_banner -v error -y)
clean=(-map_metadata -1 -fflags +bitexact -flags:a +bitexact -c:a pcm_s16le)
declare -A input=([10min]=$short)
rows=(10min)
if ((LONG)); then
    input[3h]=$(bench_input music/music-3h.wav "${ff[@]}" -stream_loop 17 -i "$short" \
        "${clean[@]}" @OUT@)
    rows+=(3h)
fi

declare -A seconds
for k in "${rows[@]}"; do
    runs=$RUNS warm=1
    [[ $k == 3h ]] && runs=1 warm=0
    bench_measure "music-$k" "$runs" "$warm" taskset -c 0 "$ts" --preset music "${input[$k]}"
    seconds[$k]=$(python3 -c "import sys; print(float(sys.argv[1]))" \
        "$(ffprobe -v error -show_entries format=duration -of csv=p=0 "${input[$k]}")")
done

{
    echo "## The music preset in one pass (ts-analyze --preset music)"
    echo
    echo "Measured by \`bench/music.sh\` on $(bench_machine); load average $BENCH_LOAD0 at the start, $(bench_load) at the end."
    echo
    echo "One pass of every analyzer of presets/music.yaml over a stereo 44.1 kHz wav, the"
    echo "process pinned to one core (\`taskset -c 0\`), results to /dev/null, the input's sha1"
    echo "included (it runs on a thread of its own, on the same core). × real time (CPU) ="
    echo "input duration / (user + system time): what one core delivers, and the goal's figure,"
    echo "since on a shared machine the wall time also counts the other processes' turns on"
    echo "that core; × real time (wall) = input duration / wall time. Mean of $RUNS runs after"
    echo "one warm-up on 10 minutes, one run on 3 hours. The framewise results (spectral, mfcc"
    echo "with deltas, chroma, waveform) grow with the input, so memory does too (4 bytes per"
    echo "value); the rest is bounded."
    echo
    echo "| input | wall s | × real time (wall) | CPU s | × real time (CPU) | peak MiB |"
    echo "|---|---:|---:|---:|---:|---:|"
    for k in "${rows[@]}"; do
        mean=$(bench_get "music-$k" mean)
        cpu=$(bench_cpu "music-$k")
        printf '| %s | %s | %s | %s | %s | %s |\n' "$k" "$(bench_secs "music-$k")" \
            "$(awk -v d="${seconds[$k]}" -v m="$mean" 'BEGIN { printf "%.0f", d / m }')" \
            "$cpu" "$(awk -v d="${seconds[$k]}" -v m="$cpu" 'BEGIN { printf "%.0f", d / m }')" \
            "$(bench_mib "music-$k")"
    done
    echo
    worst=
    for k in "${rows[@]}"; do
        x=$(awk -v d="${seconds[$k]}" -v m="$(bench_cpu "music-$k")" 'BEGIN { printf "%.0f", d / m }')
        [[ -z $worst || $x -lt $worst ]] && worst=$x
    done
    if ((worst >= 300)); then echo "Goal ≥ 300× real time on one core: met (lowest ${worst}× of CPU time)."
    else echo "Goal ≥ 300× real time on one core: NOT met (lowest ${worst}× of CPU time)."; fi
} | bench_write_section
bench_log "done in $((SECONDS - BENCH_T0)) s"
