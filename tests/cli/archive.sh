#!/bin/bash
# archive.mk and scripts/ts-batch over a generated archive of 200 short files in nested
# folders with awkward names, 5 of them broken: first run, a second run that starts no tool,
# touching one input, changing the preset, a run killed with SIGKILL, overlapping runs.
. "$TS_SRC/tests/cli/lib.sh"
BATCH="$TS_SRC/scripts/ts-batch"
export TS_ARCHIVE_MK="$TS_SRC/share/archive.mk"

# Every tool start goes through this wrapper (archive.mk's TS_JOB), which logs it.
cat >joblog <<'SH'
#!/bin/sh
printf '%s\n' "$*" >>"$JOBLOG"
exec "$@"
SH
chmod +x joblog
export JOBLOG=$T/jobs.log BATCH T
run() { # run OUT [ts-batch options...]: a ts-batch run over src, every tool start logged
    local o=$1; shift
    : >"$JOBLOG"
    "$BATCH" --ts-bin "$TS_BIN" -j 2 --outputs "results waveform spectrogram info" \
        --set "TS_JOB=$T/joblog" --set "WAVEFORM_OPTIONS=-W 160 -H 40" \
        --set "SPECTROGRAM_OPTIONS=-W 160 -H 60 --n-fft 256 --step 256" "$@" src "$o"
}

# --- the archive: 195 good files in 8 formats and 5 broken ones -----------------------------
dirs=("Coll A/Disc 1" "Coll A/Disc 2 [live]" "it's \"quoted\"" "ünïcødé/日本" "x=y%z#w" "a\$b:c" "plain" "deep/er/still")
exts=(wav flac WAV aiff mp3 ogg opus m4a)
for d in "${dirs[@]}"; do mkdir -p "src/$d"; done
i=0
while [ $i -lt 195 ]; do
    d=${dirs[$((i % 8))]}
    e=${exts[$((i / 8 % 8))]}
    name="src/$d/take $i [$((i % 3))] 'v'.$e"
    f=$((200 + i * 10))
    case $e in
    wav | flac | WAV | aiff) ts-gen sine --frequency $f --duration 0.3 -o "$name" ;;
    *) ts-gen sine --frequency $f --duration 0.3 | ts-decode --format s16le --raw - |
        ffmpeg -nostdin -v error -f s16le -ar 44100 -ac 1 -i - -y "$name" ;;
    esac || fail "cannot make $name"
    i=$((i + 1))
done
echo "not audio at all" >"src/plain/text.mp3"
: >"src/Coll A/Disc 1/empty.wav"
ts-gen sine --duration 1 -o full.flac && head -c 300 full.flac >"src/deep/er/still/truncated.flac"
head -c 5000 /dev/urandom >"src/ünïcødé/日本/random.m4a"
printf 'RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00' >"src/x=y%z#w/header only.wav"
n_src=$(find src -type f | wc -l)
[ "$n_src" = 200 ] && pass || fail "the archive has $n_src files, not 200"

# --- first run: 195 good files made, 5 failures logged, exit 1 ------------------------------
run out >first.json 2>first.err; s=$?
[ $s = 1 ] && pass || fail "first run: exit $s, want 1: $(tail -3 first.err)"
cat >summary.py <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
want = dict(a.split("=") for a in sys.argv[2:])
for k, v in want.items():
    assert str(s[k]) == v, (k, s[k], v)
print(len(s["failures"]))
PY
$PY summary.py first.json files=200 done=195 failed=5 up_to_date=0 status=1 >nf.txt && pass || fail "first summary: $(cat first.json | head -c 400)"
$PY - <<'PY' && pass || fail "failures: $(head -c 600 first.json)"
import json
s = json.load(open("first.json"))
bad = {"plain/text.mp3", "Coll A/Disc 1/empty.wav", "deep/er/still/truncated.flac", "ünïcødé/日本/random.m4a", "x=y%z#w/header only.wav"}
files = {f["file"] for f in s["failures"]}
assert files == bad, files
assert all(f["error"].startswith("ts-") and "error:" in f["error"] for f in s["failures"]), s["failures"][:2]
PY
# Each good file has its four outputs, and each is valid: results parse, images decode.
$PY - <<'PY' 2>outputs.err && pass || fail "outputs: $(tail -2 outputs.err)"
import json, os, sys
from PIL import Image
n = 0
for root, _, files in os.walk("src"):
    for f in files:
        rel = os.path.relpath(os.path.join(root, f), "src")
        base = os.path.join("out", rel)
        if "take" not in f:   # broken: no results, no images (ts-info may read a header)
            assert not any(os.path.exists(base + s) for s in (".jsonl", ".waveform.png", ".spectrogram.png")), rel
            continue
        ids = [json.loads(l)["id"] for l in open(base + ".jsonl")]
        assert "loudness.integrated" in ids or "level.rms" in ids, (rel, ids)
        for s in (".waveform.png", ".spectrogram.png"):
            im = Image.open(base + s); im.load()
            assert im.size[0] == 160, (rel, im.size)
        info = json.load(open(base + ".info.json"))
        assert abs(info["duration"] - 0.3) < 0.08, (rel, info["duration"])
        n += 1
assert n == 195, n
PY
# The catalog: a line per file, the 5 broken ones with their error; a CSV row per file.
$PY - <<'PY' && pass || fail "catalog: $(head -c 300 out/catalog.jsonl)"
import csv, json
e = [json.loads(l) for l in open("out/catalog.jsonl", encoding="utf-8")]
assert len(e) == 200, len(e)
bad = {"plain/text.mp3", "Coll A/Disc 1/empty.wav", "deep/er/still/truncated.flac", "ünïcødé/日本/random.m4a", "x=y%z#w/header only.wav"}
assert {x["source"][len("src/"):] for x in e if "error" in x} == bad, [x for x in e if "error" in x]
assert sum(1 for x in e if "duration" in x and "error" not in x) == 195
rows = list(csv.DictReader(open("out/catalog.csv", encoding="utf-8", newline="")))
assert len(rows) == 200 and sum(1 for r in rows if r["error"]) == 5, len(rows)
PY
[ -z "$(find out -name '.*.tmp-*')" ] && pass || fail "temporary files left"
ls out/.timeside/runs/*.log >/dev/null && pass || fail "no run log"

# --- second run: no tool started, well under a second (of CPU: wall time depends on the
# machine's load, as the other suites run beside this one) -------------------------------------
start=$(date +%s%N)
/usr/bin/time -f '%U %S' -o cpu.txt "$BASH" -c "$(declare -f run); run out" >second.json 2>second.err; s=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
cpu_ms=$(tail -n 1 cpu.txt | awk '{ printf "%d", ($1 + $2) * 1000 }')
[ $s = 1 ] && pass || fail "second run: exit $s, want 1 (the 5 failures stand)"
[ ! -s "$JOBLOG" ] && pass || fail "second run started tools: $(head -3 "$JOBLOG")"
$PY summary.py second.json files=200 done=0 up_to_date=195 failed=5 >/dev/null && pass || fail "second summary: $(head -c 300 second.json)"
[ "$cpu_ms" -lt 1000 ] && pass || fail "second run took $cpu_ms ms of CPU"
echo "archive: second run in $ms ms ($cpu_ms ms of CPU)" >&2

# --- touching one input re-runs only that input's outputs -----------------------------------
touch "src/Coll A/Disc 2 [live]/take 1 [1] 'v'.wav"
run out >touch.json 2>touch.err
[ "$(wc -l <"$JOBLOG")" = 4 ] && [ "$(grep -c "take 1 \[1\] 'v'.wav" "$JOBLOG")" = 4 ] && pass ||
    fail "touching one input ran: $(cat "$JOBLOG")"
$PY summary.py touch.json done=1 up_to_date=194 >/dev/null && pass || fail "touch summary: $(head -c 300 touch.json)"

# --- changing the preset re-runs every result and no image -----------------------------------
run out --preset loudness >preset.json 2>preset.err
# (195 good files, and the 5 broken ones retried: the options changed; they fail again)
[ "$(grep -c ts-analyze "$JOBLOG")" = 200 ] && [ "$(grep -c -v ts-analyze "$JOBLOG")" = 0 ] && pass ||
    fail "preset change ran $(grep -c ts-analyze "$JOBLOG") ts-analyze and $(grep -c -v ts-analyze "$JOBLOG") others"
$PY summary.py preset.json done=195 failed=5 >/dev/null && pass || fail "preset summary: $(head -c 300 preset.json)"
grep -q '"id":"loudness.range"' "out/plain/take 6 [0] 'v'.wav.jsonl" && pass || fail "results not from the loudness preset"

# --- a run killed with SIGKILL halfway, then run again ---------------------------------------
set -m # the run in a process group of its own, killed whole
"$BATCH" --ts-bin "$TS_BIN" -j 2 --outputs "results waveform spectrogram info" \
    --set "WAVEFORM_OPTIONS=-W 160 -H 40" src killed >/dev/null 2>&1 &
pid=$!
set +m
for _ in $(seq 1 1200); do
    [ "$(find killed -name '*.png' 2>/dev/null | wc -l)" -ge 60 ] && break
    sleep 0.05
done
kill -KILL -- -"$pid" 2>/dev/null
wait "$pid" 2>/dev/null
made=$(find killed -name '*.png' | wc -l)
[ "$made" -ge 60 ] && [ "$made" -lt 390 ] && pass || fail "the kill did not land halfway ($made images)"
run killed >again.json 2>again.err
$PY summary.py again.json files=200 failed=5 >/dev/null && pass || fail "after the kill: $(head -c 300 again.json)"
$PY - <<'PY' && pass || fail "after the kill, an output is not valid"
import json, os
from PIL import Image
for root, _, files in os.walk("killed"):
    if ".timeside" in root: continue
    for f in files:
        p = os.path.join(root, f)
        assert not f.startswith("."), p
        if f.endswith(".png"):
            im = Image.open(p); im.load()
        elif f.endswith(".jsonl"):
            assert [json.loads(l) for l in open(p)], p
        elif f.endswith(".info.json"):
            json.load(open(p))
PY
[ "$(find killed -name '*.jsonl' ! -name catalog.jsonl | wc -l)" = 195 ] && pass || fail "after the kill: $(find killed -name '*.jsonl' | wc -l) results"

# --- two overlapping runs: the second exits at once, saying the lock is held ----------------
cat >slowjob <<'SH'
#!/bin/sh
sleep 0.5
exec "$@"
SH
chmod +x slowjob
touch src/plain/*.wav
"$BATCH" --ts-bin "$TS_BIN" -j 1 --outputs results --set "TS_JOB=$T/slowjob" src out >/dev/null 2>&1 &
first=$!
for _ in $(seq 1 100); do [ -s out/.timeside/lock.pid ] && [ "$(cat out/.timeside/lock.pid)" = "$first" ] && break; sleep 0.05; done
start=$(date +%s%N)
expect_fail "a second run while one holds the lock" 75 "another run holds the lock" "$BATCH" --ts-bin "$TS_BIN" src out
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $ms -lt 2000 ] && pass || fail "the second run took $ms ms to give up"
wait $first

# --- a time limit per command: one that hangs is stopped, reported, and the rest goes on ------
cat >hang-analyze <<'SH'
#!/bin/sh
case "$*" in *"slow one"*) exec sleep 60 ;; esac
exec ts-analyze "$@"
SH
chmod +x hang-analyze
mkdir -p lim
cp "src/plain/take 6 [0] 'v'.wav" "lim/slow one.wav"
cp "src/plain/take 6 [0] 'v'.wav" "lim/fast one.wav"
start=$(date +%s)
"$BATCH" --ts-bin "$TS_BIN" --outputs results --timeout 2 --set "TS_ANALYZE=$T/hang-analyze" lim limout >lim.json 2>lim.err
s=$?
took=$(( $(date +%s) - start ))
[ $s = 1 ] && [ $took -lt 20 ] && pass || fail "--timeout 2: exit $s after $took s"
$PY - <<'PY' && pass || fail "--timeout: $(head -c 400 lim.json)"
import json
s = json.load(open("lim.json"))
assert s["done"] == 1 and s["failed"] == 1, s
f = s["failures"][0]
assert f["file"] == "slow one.wav" and "timed out after 2 s" in f["error"], f
PY
[ -f "limout/fast one.wav.jsonl" ] && [ ! -e "limout/slow one.wav.jsonl" ] && pass || fail "--timeout outputs"

# --- examples/archive: every output kind, through the example Makefile ----------------------
EX="$TS_SRC/examples/archive/Makefile"
ex() { make --no-print-directory -f "$EX" SRC="$T/rec" OUT="$T/ana" TS_BIN="$TS_BIN" "$@"; }
check "example: make demo" ex demo
check "example: make -j2 -k" ex -j2 -k
$PY - <<'PY' 2>example.err && pass || fail "example outputs: $(tail -3 example.err)"
import glob, json, struct, subprocess, h5py
from PIL import Image
srcs = sorted(glob.glob("rec/**/*.*", recursive=True))
assert len(srcs) == 3, srcs
for s in srcs:
    o = "ana/" + s[len("rec/"):]
    ids = [json.loads(l)["id"] for l in open(o + ".jsonl")]
    assert "mfcc" in ids and "loudness.integrated" in ids, ids       # the music preset
    with h5py.File(o + ".h5") as h:
        assert h.attrs["schema"] == "ts-result/1" and sorted(h[k].attrs["id"] for k in h) == sorted(ids)
    for im in (".waveform.png", ".spectrogram.png"):
        i = Image.open(o + im); i.load(); assert i.size[0] == 1800, (o, i.size)
    d = open(o + ".dat", "rb").read()
    version, flags, rate, spp, length = struct.unpack("<iIiiI", d[:20])
    info = json.load(open(o + ".info.json"))
    # peaks.js 4: 8-bit (flags bit 0), one channel (version 1)
    assert version == 1 and flags == 1 and rate == info["rate"] and spp == rate // 50, (version, flags, rate, spp)
    assert length == -(-info["frames"] // spp) and len(d) == 20 + 2 * length, (length, info["frames"])
    op = json.loads(subprocess.run(["ts-info", o + ".preview.mp3"], capture_output=True, check=True).stdout)
    assert op["codec"] == "mp3" and op["bit_rate"] == 96000 and op["channels"] == 2, op
    assert abs(op["duration"] - info["duration"]) < 0.03, (op["duration"], info["duration"])
PY
: >"$JOBLOG"
ex -j2 -k TS_JOB="$T/joblog" >again.out 2>&1 && [ ! -s "$JOBLOG" ] && pass || fail "example: a second make ran $(cat "$JOBLOG")"

# --- bad requests --------------------------------------------------------------------------
expect_fail "no such SRC" 1 "nope" "$BATCH" nope out2
expect_fail "unknown kind" 2 "bogus" "$BATCH" --outputs "results bogus" src out2
expect_fail "one folder only" 2 "SRC and OUT" "$BATCH" src
"$BATCH" --help | grep -q "Exit status" && pass || fail "ts-batch --help"

finish
