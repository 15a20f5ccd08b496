#!/bin/bash
# scripts/slurm on a real single-node Slurm cluster on localhost (Debian's slurm-wlm and munge,
# started and stopped by tests/cli/slurm-cluster.sh; needs root): a job array of 4 tasks, 2 at
# a time, over an archive with awkward names, its outputs byte-identical to a local run's;
# failed tasks resubmitted alone.
. "$TS_SRC/tests/cli/lib.sh"
SUBMIT="$TS_SRC/scripts/slurm/submit"
. "$TS_SRC/tests/cli/slurm-cluster.sh"

# --- the cluster (tests/cli/slurm-cluster.sh) ---------------------------------------------
slurm_cluster_start "$T/slurm" && pass || { fail "$SLURM_CLUSTER_ERROR"; finish; exit; }
S=$SLURM_CLUSTER_DIR

# --- the archive: 12 files with awkward names, 2 broken ---------------------------------------
mkdir -p "src/Disc 1 [live]" "src/it's ünï" "src/x=y%z#w"
i=0
for d in "Disc 1 [live]" "it's ünï" "x=y%z#w"; do
    for e in wav flac WAV aiff; do
        [ $i -lt 10 ] && ts-gen sine --frequency $((300 + 50 * i)) --duration 0.4 -o "src/$d/take $i [a] 'b'.$e"
        i=$((i + 1))
    done
done
echo "not audio" >"src/it's ünï/broken.mp3"
head -c 2000 /dev/urandom >"src/x=y%z#w/noise.m4a"
[ "$(find src -type f | wc -l)" = 12 ] && pass || fail "the archive has $(find src -type f | wc -l) files"
src=$T/src
kinds="results waveform spectrogram info"

# --- local run and Slurm run, same SRC path, byte-identical outputs ---------------------------
"$TS_SRC/scripts/ts-batch" --ts-bin "$TS_BIN" -j 2 --outputs "$kinds" --preset minimal "$src" "$T/local" >local.json 2>local.err
[ $? = 1 ] && pass || fail "local run: want exit 1 (2 broken files): $(tail -2 local.err)"
"$SUBMIT" --chunk 3 --parallel 2 --wait --ts-bin "$TS_BIN" --outputs "$kinds" --preset minimal "$src" "$T/cluster" >jid.txt 2>submit.err
s=$?
[ $s = 1 ] && grep -q "some tasks failed" submit.err && pass || fail "submit --wait: exit $s, want 1 (tasks with broken files): $(tail -3 submit.err)"
jid=$(cat jid.txt)
logs=("$T"/cluster/.timeside/slurm/task-"$jid"-*.log)
[ ${#logs[@]} = 4 ] && pass || fail "want 4 task logs, got ${#logs[@]}: $(tail -2 "$S/log/slurmctld.log")"
# At least two tasks ran at the same time.
cat "${logs[@]}" >all-logs.txt
$PY - "${logs[@]}" <<'PY' && pass || fail "no two tasks overlapped: $(grep -h 'task st' "${logs[@]}" | tr '\n' ' ')"
import sys
spans = []
for f in sys.argv[1:]:
    d = dict(l.strip().split(": ", 1) for l in open(f) if l.startswith(("task start", "task end")))
    spans.append((float(d["task start"]), float(d["task end"])))
assert any(a[0] < b[1] and b[0] < a[1] for i, a in enumerate(spans) for b in spans[i + 1:]), spans
PY
failed_tasks=$(grep -l '^task status: [1-9]' "${logs[@]}" | sed 's/.*-\([0-9]*\)\.log$/\1/' | sort -n | paste -sd, -)
[ -n "$failed_tasks" ] && [ "$(echo "$failed_tasks" | tr ',' '\n' | wc -l)" -le 2 ] && pass || fail "failed tasks: '$failed_tasks'"
(cd "$T/local" && find . -path ./.timeside -prune -o -type f ! -name catalog.jsonl ! -name catalog.csv -print | LC_ALL=C sort) >local.list
(cd "$T/cluster" && find . -path ./.timeside -prune -o -type f -print | LC_ALL=C sort) >cluster.list
[ "$(wc -l <local.list)" -ge 40 ] && cmp -s local.list cluster.list && pass || fail "the outputs differ: $(diff local.list cluster.list | head -5)"
same=1
while IFS= read -r f; do cmp -s "$T/local/$f" "$T/cluster/$f" || { same=0; fail "differs: $f"; break; }; done <local.list
[ $same = 1 ] && pass
[ -z "$(find "$T/cluster" -name '.*.tmp-*')" ] && pass || fail "temporary files left"

# --- resubmitting only the failed tasks, once the broken files are fixed ----------------------
ts-gen sine --duration 0.4 -o fixed.wav
cp fixed.wav "src/it's ünï/broken.mp3" # a wav under an .mp3 name: FFmpeg probes the content
ts-gen sine --duration 0.4 -o fixed.flac && cp fixed.flac "src/x=y%z#w/noise.m4a"
"$SUBMIT" --tasks "$failed_tasks" --wait "$src" "$T/cluster" >jid2.txt 2>submit2.err
s=$?
[ $s = 0 ] && pass || fail "resubmission: exit $s: $(tail -3 submit2.err)"
jid2=$(cat jid2.txt)
n2=$(ls "$T"/cluster/.timeside/slurm/task-"$jid2"-*.log 2>/dev/null | wc -l)
[ "$n2" = "$(echo "$failed_tasks" | tr ',' '\n' | wc -l)" ] && pass || fail "resubmitted $n2 tasks for '$failed_tasks'"
[ -f "$T/cluster/it's ünï/broken.mp3.jsonl" ] && [ -f "$T/cluster/x=y%z#w/noise.m4a.waveform.png" ] && pass ||
    fail "the fixed files' outputs are missing"
# The tasks that had succeeded made nothing again: their outputs kept their dates.
[ -z "$(find "$T/cluster" -path "$T/cluster/.timeside" -prune -o -type f -newer jid.txt -print | grep -v -e broken.mp3 -e noise.m4a)" ] &&
    pass || fail "resubmitting remade other outputs: $(find "$T/cluster" -path "$T/cluster/.timeside" -prune -o -type f -newer jid.txt -print | grep -v -e broken.mp3 -e noise.m4a | head -3)"

expect_fail "submit without SRC and OUT" 2 "SRC and OUT" "$SUBMIT" "$src"
expect_fail "submit, no such SRC" 1 "nope" "$SUBMIT" nope "$T/x"
finish
