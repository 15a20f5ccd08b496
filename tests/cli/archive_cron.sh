#!/bin/bash
# ts-batch as cron runs it: an empty environment (env -i) with cron's PATH=/usr/bin:/bin, which
# lacks the folder of the tools. Installed ($prefix/share/timeside/ts-batch, the tools in
# $prefix/bin) and from a source tree (build/tools) it finds them itself; a missing tool is one
# error naming it and where ts-batch looked, exit 69, before any file is tried.
. "${TS_SRC:?TS_SRC: the source tree}/tests/cli/lib.sh" || exit 1
CRON_PATH=/usr/bin:/bin
tools=(ts-analyze ts-decode ts-gen ts-graph ts-info ts-serialize ts-transcode)

# install_to PREFIX [TOOL...]: a TimeSide install as meson lays it out: the archive scripts in
# PREFIX/share/timeside, the given tools (default: all) in PREFIX/bin (links to the build's).
install_to() {
    local p=$1 t; shift
    mkdir -p "$p/share/timeside" "$p/bin"
    cp "$TS_SRC/share/archive.mk" "$TS_SRC/share/"archive-* "$TS_SRC/scripts/ts-batch" "$p/share/timeside/"
    [ $# -gt 0 ] || set -- "${tools[@]}"
    for t in "$@"; do ln -s "$TS_BIN/$t" "$p/bin/$t"; done
}
# cron_run BATCH ARGS...: BATCH as cron starts it (HOME, LOGNAME, SHELL and PATH only).
cron_run() { env -i HOME="$T" LOGNAME=cron SHELL=/bin/sh PATH="$CRON_PATH" "$@"; }

# Three recordings, one of them broken, with awkward names.
mkdir -p "src/Disc 1 [live]" "src/ünï"
ts-gen sine --frequency 440 --duration 0.3 -o "src/Disc 1 [live]/take 1 'a'.wav"
ts-gen sine --frequency 880 --duration 0.3 -o "src/ünï/曲.flac"
echo "not audio" >"src/ünï/broken.mp3"
outputs="results waveform info"
sets=(--set "WAVEFORM_OPTIONS=-W 100 -H 30" --preset minimal)

# check_run WHAT OUT SUMMARY: the run made every output of the two good files and reported
# the broken one with the decoder's error, not a missing command.
check_run() {
    local what=$1 o=$2 sum=$3
    $PY - "$o" "$sum" <<'PY' && pass || fail "$what: $(head -c 500 "$sum")"
import json, os, sys
o, summary = sys.argv[1], sys.argv[2]
s = json.load(open(summary))
assert (s["files"], s["done"], s["failed"], s["status"]) == (3, 2, 1, 1), s
errors = {f["file"]: f["error"] for f in s["failures"]}
assert set(errors) == {"ünï/broken.mp3"}, errors
assert errors["ünï/broken.mp3"].startswith("ts-") and "not found" not in errors["ünï/broken.mp3"], errors
for n in ("Disc 1 [live]/take 1 'a'.wav", "ünï/曲.flac"):
    for suffix in (".jsonl", ".waveform.png", ".info.json"):
        assert os.path.getsize(os.path.join(o, n + suffix)) > 0, n + suffix
PY
}

# --- installed: tools in PREFIX/bin, found beside share/timeside/ts-batch ---------------------
install_to "$T/usr"
cron_run "$T/usr/share/timeside/ts-batch" -j 2 --outputs "$outputs" "${sets[@]}" "$T/src" "$T/out1" >run1.json 2>run1.err
s=$?
[ $s = 1 ] && pass || fail "installed, from cron: exit $s, want 1 (one broken file): $(head -c 300 run1.err)"
check_run "installed, from cron" out1 run1.json
# The catalog too (info is among the outputs): one line per good file.
[ "$(grep -c '"source"' out1/catalog.jsonl 2>/dev/null)" -ge 2 ] && pass || fail "installed, from cron: no catalog"
# A second run starts nothing and finds everything up to date.
cron_run "$T/usr/share/timeside/ts-batch" -j 2 --outputs "$outputs" "${sets[@]}" "$T/src" "$T/out1" >run1b.json 2>&1
$PY -c 'import json,sys; s=json.load(open(sys.argv[1])); assert (s["done"], s["up_to_date"], s["failed"]) == (0, 2, 1), s' run1b.json &&
    pass || fail "installed, second cron run: $(head -c 300 run1b.json)"

# --- from a source tree: scripts/ts-batch finds build/tools -----------------------------------
mkdir -p tree/scripts tree/share tree/build
cp "$TS_SRC/scripts/ts-batch" tree/scripts/
cp "$TS_SRC/share/archive.mk" "$TS_SRC/share/"archive-* tree/share/
ln -s "$TS_BIN" tree/build/tools
cron_run "$T/tree/scripts/ts-batch" -j 2 --outputs "$outputs" "${sets[@]}" "$T/src" "$T/out2" >run2.json 2>run2.err
s=$?
[ $s = 1 ] && pass || fail "source tree, from cron: exit $s, want 1: $(head -c 300 run2.err)"
check_run "source tree, from cron" out2 run2.json

# --- installed elsewhere than the tools: found in PATH -------------------------------------
mkdir -p only/share/timeside
cp "$TS_SRC/share/archive.mk" "$TS_SRC/share/"archive-* "$TS_SRC/scripts/ts-batch" only/share/timeside/
CRON_PATH="$TS_BIN:/usr/bin:/bin" cron_run "$T/only/share/timeside/ts-batch" -j 2 --outputs "$outputs" "${sets[@]}" \
    "$T/src" "$T/out3" >run3.json 2>run3.err
check_run "tools in PATH only" out3 run3.json

# --- a missing tool: one error naming it and where ts-batch looked, exit 69, nothing tried ---
install_to "$T/part" ts-analyze ts-info ts-serialize
cron_run "$T/part/share/timeside/ts-batch" --outputs "$outputs" "$T/src" "$T/out4" >run4.out 2>run4.err
s=$?
[ $s = 69 ] && pass || fail "missing ts-graph: exit $s, want 69: $(head -c 300 run4.err)"
[ ! -s run4.out ] && pass || fail "missing ts-graph: stdout not empty: $(head -c 200 run4.out)"
[ "$(wc -l <run4.err)" = 1 ] && grep -q "^ts-batch: error: ts-graph " run4.err && grep -qF "$T/part/bin" run4.err &&
    grep -qF "PATH=/usr/bin:/bin" run4.err && ! grep -q "ts-analyze\|ts-info" run4.err && pass ||
    fail "missing ts-graph: the message: $(cat run4.err)"
# Nothing was tried: no output, no failure marker; the run's summary says why.
[ -z "$(find out4 -path out4/.timeside -prune -o -type f -print)" ] && [ ! -e out4/.timeside/failed ] && pass ||
    fail "missing ts-graph: files were tried: $(find out4 -type f | head -5)"
$PY - <<'PY' && pass || fail "missing ts-graph: last-run.json: $(head -c 300 out4/.timeside/last-run.json)"
import json
s = json.load(open("out4/.timeside/last-run.json"))
assert s["status"] == 69 and "ts-graph" in s["error"], s
PY
# The tools a run does not need are not asked for.
cron_run "$T/part/share/timeside/ts-batch" --outputs "results info" --preset minimal "$T/src" "$T/out5" >run5.json 2>run5.err
s=$?
[ $s = 1 ] && grep -q '"done": 2' run5.json && pass || fail "results and info without ts-graph: exit $s: $(head -c 300 run5.err)"
# Two missing: both named in the one message.
install_to "$T/none" ts-info
cron_run "$T/none/share/timeside/ts-batch" --outputs "results waveform" "$T/src" "$T/out6" >/dev/null 2>run6.err
s=$?
[ $s = 69 ] && [ "$(wc -l <run6.err)" = 1 ] && grep -q "ts-analyze" run6.err && grep -q "ts-graph" run6.err && pass ||
    fail "two tools missing: exit $s: $(cat run6.err)"
# --ts-bin DIR is the one place looked in.
mkdir -p emptybin
cron_run "$T/usr/share/timeside/ts-batch" --ts-bin "$T/emptybin" --outputs info "$T/src" "$T/out7" >/dev/null 2>run7.err
s=$?
[ $s = 69 ] && grep -q "ts-info" run7.err && grep -qF "$T/emptybin" run7.err && pass || fail "--ts-bin without the tools: exit $s: $(cat run7.err)"
# Without python3 (the catalog's), the same: exit 69 naming it. (A PATH of the commands
# ts-batch runs before it gives up, and no python3.)
mkdir -p nopy
for c in dirname nproc sort make mkdir flock date tee awk mv cp cat rm; do ln -s "$(command -v $c)" nopy/; done
CRON_PATH="$T/nopy" cron_run "$T/usr/share/timeside/ts-batch" --outputs info "$T/src" "$T/out8" >/dev/null 2>run8.err
s=$?
[ $s = 69 ] && [ "$(wc -l <run8.err)" = 1 ] && grep -q "python3" run8.err && pass || fail "without python3: exit $s: $(cat run8.err)"

"$TS_SRC/scripts/ts-batch" --help | grep -q "69 " && pass || fail "ts-batch --help does not document status 69"

finish
