#!/usr/bin/env bash
# bench/eval.sh: ts-eval against mir_eval (Debian's python3-mir-eval 0.7) scoring the same
# folders of reference/estimate pairs, every task; writes the "eval" section of
# bench/RESULTS.md.
#
#   BUILD=build bench/eval.sh
#
# Inputs: for each task, PAIRS (default 200) random pairs made by tests/eval/pairs.py (the
# generator of the exactness test, seed 11) under bench/work/eval/TASK/{ref,est}/: 20 s of
# onsets or notes, 30 s of beats, 2 to 8 s of f0 at 10 ms against 5.8 ms, 20 to 120 s of
# segments. Commands, stdout to /dev/null:
#   ts-eval -t TASK ref est                       every score of every pair, and the means
#   python3 bench/eval_mir.py TASK ref est        the same scores by mir_eval, and the means
# Python's time includes importing numpy, scipy and mir_eval (measured alone too), as a user
# pays it once per corpus. Environment: RUNS (hyperfine runs, default 3, after 1 warm-up).
# About 3 minutes on 2 cores.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

bench_init eval
tseval=$(bench_tool ts-eval)
dir=$BENCH_WORK/eval
RUNS=${RUNS:-3}
PAIRS=${PAIRS:-200}
py=/usr/bin/python3
tasks=(onsets beats tempo melody notes key segments labels)
declare -A scoring
bench_measure mir-import "$RUNS" 1 "$py" -c "import mir_eval, scipy, numpy"
for t in "${tasks[@]}"; do
    if [[ ! -f $dir/$t/.made-$PAIRS ]]; then
        rm -rf "${dir:?}/$t"
        "$py" -c "import sys; sys.path.insert(0, '$BENCH_ROOT/tests/eval'); import pairs; pairs.make('$t', '$dir/$t', $PAIRS, 11)" ||
            bench_die "cannot make the $t pairs"
        touch "$dir/$t/.made-$PAIRS"
    fi
    # Both give the same means (4 decimals, the table's precision) before anything is timed.
    ours=$("$tseval" -t "$t" --text "$dir/$t/ref" "$dir/$t/est" | awk '$1 == "mean" { $1 = ""; print }' | xargs)
    theirs=$("$py" "$BENCH_ROOT/bench/eval_mir.py" "$t" "$dir/$t/ref" "$dir/$t/est" |
        awk '$1 == "mean" { $1 = ""; print }' | xargs)
    [[ $ours == "$theirs" ]] || bench_die "$t: ts-eval means '$ours', mir_eval '$theirs'"
    bench_measure "ts-$t" "$RUNS" 1 "$tseval" -t "$t" "$dir/$t/ref" "$dir/$t/est"
    bench_measure "mir-$t" "$RUNS" 1 "$py" "$BENCH_ROOT/bench/eval_mir.py" "$t" "$dir/$t/ref" "$dir/$t/est"
    # mir_eval's scoring alone: its process CPU time from the start of the loop, mean of RUNS.
    cpu=0
    for _ in $(seq "$RUNS"); do
        c=$("$py" "$BENCH_ROOT/bench/eval_mir.py" "$t" "$dir/$t/ref" "$dir/$t/est" --cpu 2>&1 >/dev/null)
        cpu=$(awk -v a="$cpu" -v b="$c" 'BEGIN { print a + b }')
    done
    scoring[$t]=$(awk -v a="$cpu" -v n="$RUNS" 'BEGIN { printf "%.6f", a / n }')
done
{
    echo "## Evaluation: ts-eval vs mir_eval"
    echo
    echo "Measured by \`bench/eval.sh\` on $(bench_machine); python3-mir-eval $(dpkg-query -W -f '${Version}' python3-mir-eval); load average $BENCH_LOAD0 at the start, $(bench_load) at the end."
    echo
    echo "$PAIRS random reference/estimate pairs per task (tests/eval/pairs.py, seed 11), text files"
    echo "in two folders; \`ts-eval -t TASK ref est\` against \`bench/eval_mir.py TASK ref est\` (the same"
    echo "scores by mir_eval, and the means; both give the same means, checked first). Time: mean"
    echo "of $RUNS hyperfine runs after a warm-up. Python's figures include importing numpy, scipy and"
    echo "mir_eval: $(bench_secs mir-import) s alone ($(printf '%.2f' "$(bench_cpu mir-import)") s of CPU)."
    echo
    echo "The last two columns leave Python's start-up and imports out: the CPU time of"
    echo "mir_eval's scoring loop alone (measured inside the process, mean of $RUNS runs), and"
    echo "ts-eval's whole CPU time (its start-up and reading included) over it."
    echo
    echo "| task | ts-eval s | mir_eval s | time ratio (ts/mir_eval) | CPU ratio | ts-eval peak MiB | mir_eval peak MiB | mir_eval scoring CPU s | CPU ratio to the scoring |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for t in "${tasks[@]}"; do
        printf '| %s | %s | %s | %s | %s | %s | %s | %.3f | %s |\n' "$t" "$(bench_secs "ts-$t")" "$(bench_secs "mir-$t")" \
            "$(bench_ratio "$(bench_get "ts-$t" mean)" "$(bench_get "mir-$t" mean)")" \
            "$(bench_ratio "$(bench_cpu "ts-$t")" "$(bench_cpu "mir-$t")")" "$(bench_mib "ts-$t")" "$(bench_mib "mir-$t")" \
            "${scoring[$t]}" "$(bench_ratio "$(bench_cpu "ts-$t")" "${scoring[$t]}")"
    done
    echo
} | bench_write_section
bench_log "done in $((SECONDS - BENCH_T0)) s"
