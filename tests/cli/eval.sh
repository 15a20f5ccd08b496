#!/bin/bash
# ts-eval: every input layout read for real, the table and the folder mode, and each bad
# input with its exit status and an empty stdout. (Exactness against mir_eval:
# tests/eval/mir_eval_check.py.)
. "$TS_SRC/tests/cli/lib.sh"

ts-gen demo --duration 12 --truth demo.json -o demo.wav 2>/dev/null
ts-analyze -a onsets,tempo,key demo.wav > demo.jsonl

# Value of one score in ts-eval's JSON Lines.
score() { jq -r "select(.id == \"$1\") | .data.value" "$2"; }
# is "what" PYTHON-CONDITION...: every condition holds.
is() {
    local what=$1; shift
    local c
    for c in "$@"; do
        if ! "$PY" -c "import sys; sys.exit(0 if ($c) else 1)" 2>/dev/null; then fail "$what: $c"; return; fi
    done
    pass
}

# The demo's own truth against itself: every score is perfect. Onsets as text (aubio's layout).
jq -r '.onsets[]' demo.json > onsets.txt
check "truth vs text onsets" ts-eval -t onsets -o self.jsonl demo.json onsets.txt
is "identical onsets score 1" "$(score eval.onsets.f_measure self.jsonl) == 1"
# ts-analyze on the demo: its onsets, beats, tempo and key, from the JSON Lines.
check "analyzer onsets" ts-eval -t onsets -o on.jsonl demo.json demo.jsonl
is "onsets F above 0.9" "$(score eval.onsets.f_measure on.jsonl) > 0.9"
check "analyzer beats" ts-eval -t beats -o beats.jsonl demo.json demo.jsonl
is "beats F above 0.9" "$(score eval.beats.f_measure beats.jsonl) > 0.9"
check "analyzer tempo" ts-eval -t tempo -o tempo.jsonl demo.json demo.jsonl
is "tempo 120: acc1 1" "$(score eval.tempo.acc1 tempo.jsonl) == 1"
check "analyzer key" ts-eval -t key -o key.jsonl demo.json demo.jsonl
is "A minor found" "$(score eval.key.weighted_score key.jsonl) == 1"
# The result id and the source carried through; ts-serialize reads the output back.
is "source is the audio" "'$(jq -r 'select(.id=="eval.key.weighted_score") | .audio.source' key.jsonl)' == 'demo.wav'"
check "ts-serialize reads it" ts-serialize --check tempo.jsonl

# JAMS in (ts-serialize's own), against the text times: onset F 1 against itself.
ts-serialize -f jams --result onsets demo.jsonl -o demo.jams
jq -r 'select(.id=="onsets") | .data.time[]' demo.jsonl > est-onsets.txt
check "JAMS onsets" ts-eval -t onsets -o jams.jsonl demo.jams est-onsets.txt
is "JAMS = JSON Lines" "$(score eval.onsets.f_measure jams.jsonl) == 1"

# Every JAMS namespace ts-serialize writes reads back as the JSON Lines it came from: each
# task's scores of the one against the other are perfect.
ts-analyze -a pitch,notes,silence demo.wav > more.jsonl
cat demo.jsonl more.jsonl | ts-serialize -f jams -o all.jams
for ts in melody.overall_accuracy notes.f_measure key.weighted_score tempo.acc1 beats.f_measure onsets.f_measure; do
    t=${ts%%.*}
    ts-eval -t $t -o rt.jsonl all.jams demo.jsonl 2>/dev/null || ts-eval -t $t -o rt.jsonl all.jams more.jsonl
    is "JAMS round trip: $ts" "$(score eval.$ts rt.jsonl) == 1"
done
check "JAMS chosen by id" ts-eval -t labels --result silence --reference-result silence -o lab.jsonl all.jams more.jsonl
is "silence labels agree" "$(score eval.labels.accuracy lab.jsonl) == 1"

# Labels: lab file vs Audacity track; a half-wrong estimate scores by duration.
printf '0 10 speech\n10 30 music\n' > ref.lab
printf '0\t20\tspeech\n20\t30\tmusic\n' > est.txt
check "labels" ts-eval -t labels -o labels.jsonl ref.lab est.txt
is "labels accuracy 2/3" "abs($(score eval.labels.accuracy labels.jsonl) - 2/3) < 1e-12"

# Melody and notes: time/Hz pairs and onset/offset/Hz lines.
printf '0.00 440\n0.01 440\n0.02 0\n0.03 220\n' > ref.f0
printf '0.00 442\n0.01 880\n0.02 0\n0.03 0\n' > est.f0
check "melody" ts-eval -t melody -o mel.jsonl ref.f0 est.f0
is "RPA 1/3, RCA 2/3" "abs($(score eval.melody.raw_pitch_accuracy mel.jsonl) - 1/3) < 1e-12" \
    "abs($(score eval.melody.raw_chroma_accuracy mel.jsonl) - 2/3) < 1e-12"
printf '1.0 1.5 440\n2.0 3.0 220\n' > ref.notes
printf '1.02 1.5 441\n2.0 2.3 220\n' > est.notes
check "notes" ts-eval -t notes -o notes.jsonl ref.notes est.notes
is "notes: one with offsets, two without" "$(score eval.notes.f_measure notes.jsonl) == 0.5" \
    "$(score eval.notes.f_measure_no_offset notes.jsonl) == 1"

# Folders paired by stem, with the table: per-file rows and the mean.
mkdir -p ref est
jq -r '.beats[]' demo.json > ref/a.txt; cp ref/a.txt est/a.beats.txt
jq -r '.beats[] | . + 0.25' demo.json > ref/b.txt; cp ref/a.txt est/b.txt
check "folders" ts-eval -t beats --text -o table.txt ref est
is "a row per file and the mean" "$(grep -c . table.txt) == 4"
is "mean F 0.5" "$(awk '$1=="mean"{print $2}' table.txt) == 0.5"
# Audio beside the truth is left alone; an estimate without a reference is only a warning.
cp demo.wav ref/a.wav
echo '{"pieces": 2}' > ref/index.json   # a corpus's index: not an annotation, left alone
cp ref/a.txt est/d.txt
check "audio and extra estimates ignored" ts-eval -t beats --text -o table2.txt ref est
cmp -s table.txt table2.txt && pass || fail "an ignored file changed the table"
cp ref/a.txt ref/c.txt
expect_fail "a reference without estimate" 1 "ref/c.txt" sh -c 'ts-eval -t beats ref est > /dev/null && exit 9 || exit $?'
ts-eval -t beats ref est > partial.jsonl 2>/dev/null
is "the pairs found are still scored" "$(grep -c '"eval.beats.f_measure"' partial.jsonl) == 3"

# Bad input: one line naming the input, status 1 (2 for the command line), empty stdout.
expect_fail "missing file" 1 "nope.txt" ts-eval -t onsets demo.json nope.txt
printf '{"schema":"ts-result/1",' > broken.jsonl
expect_fail "broken JSON Lines" 1 "broken.jsonl" ts-eval -t onsets demo.json broken.jsonl
printf '{"annotations": [' > broken.jams
expect_fail "broken JSON" 1 "broken.jams" ts-eval -t onsets demo.json broken.jams
expect_fail "result id not present" 1 "no result matches" ts-eval -t onsets --result nothing demo.json demo.jsonl
expect_fail "mismatched task" 1 "framewise" ts-eval -t onsets --result onsets.odf demo.json demo.jsonl
expect_fail "task without its namespace" 1 "beat" ts-eval -t beats demo.json demo.jams
printf '1.0\n0.5\n' > unsorted.txt
expect_fail "unsorted times" 1 "unsorted.txt" ts-eval -t onsets demo.json unsorted.txt
printf -- '-1.0\n0.5\n' > negative.txt
expect_fail "negative time" 1 "negative.txt" ts-eval -t onsets demo.json negative.txt
printf '1.0\nabc\n' > words.txt
expect_fail "not a number" 1 "words.txt: line 2" ts-eval -t onsets demo.json words.txt
printf 'H major\n' > badkey.txt
expect_fail "bad key" 1 "H major" ts-eval -t key demo.json badkey.txt
printf "0 5 A\n" > seg-a.lab; printf "5 10 A\n" > seg-late.lab
expect_fail "segments mir_eval refuses" 1 "seg-late.lab" ts-eval -t segments seg-a.lab seg-late.lab
expect_fail "unknown task" 2 "task" ts-eval -t chords demo.json onsets.txt
expect_fail "a file and a folder" 2 "folder" ts-eval -t beats ref onsets.txt
expect_fail "no task" 2 "task" ts-eval demo.json onsets.txt
expect_fail "bad window" 2 "window" ts-eval -t onsets --window -1 demo.json onsets.txt

finish
