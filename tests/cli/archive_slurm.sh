#!/bin/bash
# scripts/slurm on a real single-node Slurm cluster on localhost (Debian's slurm-wlm and munge,
# configured, started and stopped here; needs root): a job array of 4 tasks, 2 at a time, over
# an archive with awkward names, its outputs byte-identical to a local run's; failed tasks
# resubmitted alone.
. "$TS_SRC/tests/cli/lib.sh"
SUBMIT="$TS_SRC/scripts/slurm/submit"
[ "$(id -u)" = 0 ] || { fail "this suite starts slurmd and munged: it needs root"; finish; exit; }
for p in munged slurmctld slurmd sbatch; do
    command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] || { fail "$p is missing (scripts/setup installs slurm-wlm and munge)"; finish; exit; }
done
export PATH="$PATH:/usr/sbin"

# --- the cluster: munged with a key of its own, slurmctld and slurmd, ports of this run ------
S=$T/slurm
mkdir -p "$S"/{state,spool,log,munge}
chmod 700 "$S/munge"
head -c 1024 /dev/urandom >"$S/munge/munge.key" && chmod 600 "$S/munge/munge.key"
port=$((20000 + ($$ % 5000) * 2))
host=$(hostname)
cat >"$S/slurm.conf" <<CONF
ClusterName=timeside-test
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$S/munge/munge.socket.2
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$S/slurm.conf
stop_cluster() {
    for f in slurmd slurmctld munge/munged; do
        [ -s "$S/$f.pid" ] && kill "$(cat "$S/$f.pid")" 2>/dev/null
    done
    sleep 0.5
    rm -rf "$T"
}
trap stop_cluster EXIT
munged --force -S "$S/munge/munge.socket.2" --key-file="$S/munge/munge.key" \
    --log-file="$S/munge/munged.log" --pid-file="$S/munge/munged.pid" --seed-file="$S/munge/seed" ||
    fail "munged does not start: $(tail -2 "$S/munge/munged.log")"
slurmctld -f "$SLURM_CONF" || fail "slurmctld does not start"
slurmd -f "$SLURM_CONF" || fail "slurmd does not start"
up=0
for _ in $(seq 1 100); do sinfo -h -o %t 2>/dev/null | grep -q idle && { up=1; break; }; sleep 0.2; done
[ $up = 1 ] && pass || { fail "the cluster is not up: $(sinfo 2>&1 | tail -2) $(tail -3 "$S/log/slurmctld.log")"; finish; exit; }

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
