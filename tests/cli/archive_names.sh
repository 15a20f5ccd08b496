#!/bin/bash
# archive.mk's bookkeeping over awkward names, without starting a tool: clean-stale (relative,
# absolute and trailing-slash SRC and OUT, through examples/archive too) removes exactly the
# outputs of deleted sources.
. "${TS_SRC:?TS_SRC: the source tree}/tests/cli/lib.sh" || exit 1
MK="$TS_SRC/share/archive.mk"
EX="$TS_SRC/examples/archive/Makefile"

# Sources: empty files are enough (clean-stale looks at names only). Each name is awkward in
# its own way; song.opus's results are song.opus.jsonl, which is not an opus output.
names=("Coll A/Disc 2 [live]/take 1 [1] 'v'.wav" "it's \"quoted\"/x.flac" "ünïcødé/日本/曲 ñ.mp3"
    "x=y%z#w/a,b.wav" "plain/song.opus" "a\$b:c/Z.WAV" "plain/keep me.m4a")
# Deleted below: 3 of the 7.
gone=("Coll A/Disc 2 [live]/take 1 [1] 'v'.wav" "ünïcødé/日本/曲 ñ.mp3" "x=y%z#w/a,b.wav")
suffixes=(.jsonl .h5 .waveform.png .spectrogram.png .dat .opus .info.json .preview.mp3 .preview.ogg .preview.opus .preview.m4a)

# make_tree DIR: DIR/src with every source, DIR/out with every output of each, and files in
# DIR/out that are no output of an audio file (they stay).
make_tree() {
    local d=$1 n s
    rm -rf "$d"
    for n in "${names[@]}"; do
        mkdir -p "$d/src/$(dirname "$n")" "$d/out/$(dirname "$n")"
        : >"$d/src/$n"
        for s in "${suffixes[@]}"; do : >"$d/out/$n$s"; done
    done
    : >"$d/out/catalog.jsonl"
    : >"$d/out/plain/cover.png"
    : >"$d/out/plain/notes.jsonl"
    mkdir -p "$d/out/.timeside/failed/plain"
    : >"$d/out/.timeside/failed/plain/song.opus.results"
}
# remaining DIR: the files left under DIR/out, sorted, one per line.
remaining() { (cd "$1/out" && find . -type f ! -path './.timeside/*' -printf '%P\n' | LC_ALL=C sort); }
# expected: what must remain after the sources in gone are deleted.
expected() {
    local n s g skip
    {
        printf '%s\n' catalog.jsonl plain/cover.png plain/notes.jsonl
        for n in "${names[@]}"; do
            skip=0
            for g in "${gone[@]}"; do [ "$n" = "$g" ] && skip=1; done
            [ $skip = 1 ] && continue
            for s in "${suffixes[@]}"; do printf '%s\n' "$n$s"; done
        done
    } | LC_ALL=C sort
}
expected >want.txt
[ "$(wc -l <want.txt)" = $((3 + 4 * ${#suffixes[@]})) ] && pass || fail "the expected list has $(wc -l <want.txt) lines"

# stale_case WHAT CWD SRC OUT [make args]: builds the tree under CWD/t, deletes the gone
# sources, runs clean-stale from CWD with SRC and OUT as given, and checks what remains and
# that each removal was reported once.
stale_case() {
    local what=$1 cwd=$2 src=$3 out=$4 g; shift 4
    make_tree "$cwd/t"
    for g in "${gone[@]}"; do rm -f "$cwd/t/src/$g"; done
    (cd "$cwd" && make --no-print-directory -f "$MK" SRC="$src" OUT="$out" OUTPUTS=info "$@" clean-stale) >"$T/clean.out" 2>"$T/clean.err"
    local s=$?
    [ $s = 0 ] && pass || fail "$what: clean-stale exit $s: $(head -c 300 "$T/clean.err")"
    remaining "$cwd/t" >"$T/got.txt"
    if cmp -s "$T/got.txt" "$T/want.txt"; then pass; else fail "$what: remaining outputs differ: $(diff "$T/want.txt" "$T/got.txt" | head -8 | tr '\n' '|')"; fi
    local removed
    removed=$(grep -c '^removed ' "$T/clean.out")
    [ "$removed" = $((${#gone[@]} * ${#suffixes[@]})) ] && pass || fail "$what: $removed 'removed' lines, want $((${#gone[@]} * ${#suffixes[@]}))"
    # The folders left empty go, the others stay.
    [ ! -e "$cwd/t/out/ünïcødé" ] && [ ! -e "$cwd/t/out/Coll A" ] && [ ! -e "$cwd/t/out/x=y%z#w" ] &&
        [ -d "$cwd/t/out/plain" ] && pass || fail "$what: empty folders: $(cd "$cwd/t/out" && find . -type d ! -path './.timeside*' | tr '\n' ' ')"
}
mkdir -p work/sub
stale_case "relative SRC and OUT" "$T/work" t/src t/out
stale_case "relative with a trailing slash" "$T/work" t/src/ t/out/
stale_case "relative with ./ and .." "$T/work/sub" ../sub/t/src ./t/out
stale_case "absolute SRC and OUT" "$T/work" "$T/work/t/src" "$T/work/t/out"
stale_case "SRC relative, OUT absolute" "$T/work" t/src "$T/work/t/out"

# A second run removes nothing more.
(cd work && make --no-print-directory -f "$MK" SRC=t/src OUT=t/out OUTPUTS=info clean-stale) >again.out 2>&1
[ ! -s again.out ] && remaining work/t | cmp -s - want.txt && pass || fail "a second clean-stale: $(head -c 300 again.out)"

# A SRC that does not exist is an error, and nothing is removed (a typo must not empty OUT).
make_tree "$T/work/t"
(cd work && make --no-print-directory -f "$MK" SRC=t/nope OUT=t/out OUTPUTS=info clean-stale) >nosrc.out 2>nosrc.err
s=$?
[ $s != 0 ] && grep -q "t/nope" nosrc.err && pass || fail "clean-stale with a missing SRC: exit $s: $(head -c 300 nosrc.err)"
[ "$(remaining work/t | wc -l)" = $((3 + ${#names[@]} * ${#suffixes[@]})) ] && pass || fail "clean-stale with a missing SRC removed files"

# examples/archive: its SRC and OUT are relative (recordings, analysis), run from the folder.
mkdir -p ex
make_tree "$T/ex/t" && mv ex/t/src ex/recordings && mv ex/t/out ex/analysis && rmdir ex/t
for g in "${gone[@]}"; do rm -f "ex/recordings/$g"; done
(cd ex && make --no-print-directory -f "$EX" clean-stale) >ex.out 2>ex.err
s=$?
[ $s = 0 ] && pass || fail "example clean-stale: exit $s: $(head -c 300 ex.err)"
(cd ex/analysis && find . -type f ! -path './.timeside/*' -printf '%P\n' | LC_ALL=C sort) | cmp -s - want.txt && pass ||
    fail "example clean-stale: remaining outputs differ"

# --- the failure count and the unsupported names, with spaces in them --------------------
# Three (file, kind) pairs failed before and are not retried (their markers are newer than
# the inputs and the options); the warning counts pairs, not the words of their names.
mkdir -p cnt/src/"a b" cnt/src/"c [d]"
for n in "a b/take 1.wav" "a b/take 2.wav" "c [d]/e f g.flac" "plain.wav" "x y;z.wav" "semi;colon.mp3" \
    'back\slash.wav' $'new\nline.wav'; do
    : >"cnt/src/$n"
done
touch -d '2 hours ago' cnt/src/*/* cnt/src/*.*
make --no-print-directory -f "$MK" SRC=cnt/src OUT=cnt/out OUTPUTS="results info" failed >/dev/null 2>&1
touch -d '1 hour ago' cnt/out/.timeside/results cnt/out/.timeside/info
mkdir -p "cnt/out/.timeside/failed/a b" "cnt/out/.timeside/failed/c [d]"
printf 'ts-info: error: take 1: bad\n' >"cnt/out/.timeside/failed/a b/take 1.wav.info"
printf 'ts-analyze: error: take 1: bad\n' >"cnt/out/.timeside/failed/a b/take 1.wav.results"
printf 'ts-info: error: e f g: bad\n' >"cnt/out/.timeside/failed/c [d]/e f g.flac.info"
make --no-print-directory -f "$MK" SRC=cnt/src OUT=cnt/out OUTPUTS="results info" failed >failed.out 2>failed.err
grep -q 'archive.mk: 3 output(s) failed before' failed.err && pass || fail "failure count: $(grep -o 'archive.mk: [0-9]* output' failed.err)"
printf '%s\n' "a b/take 1.wav.info: ts-info: error: take 1: bad" "a b/take 1.wav.results: ts-analyze: error: take 1: bad" \
    "c [d]/e f g.flac.info: ts-info: error: e f g: bad" | cmp -s - failed.out && pass || fail "make failed: $(cat failed.out)"
# No failure, no warning.
rm -rf cnt/out/.timeside/failed
make --no-print-directory -f "$MK" SRC=cnt/src OUT=cnt/out OUTPUTS="results info" failed >/dev/null 2>failed.err
! grep -q 'failed before' failed.err && pass || fail "a warning without failures: $(cat failed.err)"
# The names make cannot hold, each on a line as it is.
make --no-print-directory -f "$MK" SRC=cnt/src OUT=cnt/out OUTPUTS="results info" unsupported >unsup.out 2>&1
printf '%s\n' 'back\\slash.wav' 'new\nline.wav' "semi;colon.mp3" "x y;z.wav" | cmp -s - unsup.out && pass ||
    fail "make unsupported: $(cat unsup.out)"
# A name with a newline is no file of the rules (once it made two names, each with a rule).
! grep -q -e '^#source new' -e '^#source line' cnt/out/.timeside/rules.mk && pass || fail "a newline name got rules"
make --no-print-directory -f "$MK" SRC="cnt/src/a b" OUT=cnt/out2 OUTPUTS=info unsupported >unsup.out 2>&1
[ "$(cat unsup.out)" = "(none)" ] && pass || fail "make unsupported without any: $(cat unsup.out)"
# ts-batch's summary lists them as they are, too (no tool starts: only unsupported names).
mkdir -p cnt/only && mv "cnt/src/x y;z.wav" "cnt/src/semi;colon.mp3" 'cnt/src/back\slash.wav' $'cnt/src/new\nline.wav' cnt/only/
"$TS_SRC/scripts/ts-batch" --ts-bin "$TS_BIN" --outputs results cnt/only cnt/onlyout >batch.json 2>batch.err
$PY - <<'PY' && pass || fail "ts-batch unsupported: $(head -c 300 batch.json) $(head -c 300 batch.err)"
import json
s = json.load(open("batch.json"))
assert s["unsupported"] == ["back\\slash.wav", "new\nline.wav", "semi;colon.mp3", "x y;z.wav"], s["unsupported"]
assert s["files"] == 0 and s["status"] == 0, s
PY

finish
