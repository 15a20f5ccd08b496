#!/bin/bash
# ts-analyze's engine: one pass for many analyzers, parameters echoed, the catalogue, presets,
# several inputs, channel modes, and usage errors with "did you mean".
. "$TS_SRC/tests/cli/lib.sh"
DATA="$TS_SRC/tests/data"
jcheck() { pycheck "$1" -c "import json,sys; R=[json.loads(l) for l in open(sys.argv[1])]; by={r['id']:r for r in R}; $3" "$2"; }

ts-gen sine --frequency 1000 --amplitude -20 --duration 3 --channels 2 -o sine.tspcm
ts-gen sine --frequency 1000 --amplitude -20 --duration 3 --channels 2 --format f32le -o sine.wav

# The same results from a file, a TSPCM stream on stdin, and media bytes on stdin.
ts-analyze -a level sine.wav >a.jsonl
ts-analyze -a level <sine.tspcm >b.jsonl
ts-analyze -a level - <sine.wav >c.jsonl
jcheck "level of a -20 dBFS sine" a.jsonl "assert abs(by['level.peak']['data']['value'] + 20) < 0.01; assert abs(by['level.rms']['data']['value'] + 23.01) < 0.01"
jcheck "every line is ts-result/1 with producer and audio" a.jsonl "assert all(r['schema'] == 'ts-result/1' and r['producer']['tool'] == 'ts-analyze' and r['audio']['rate'] == 44100 and r['audio']['channels'] == 2 and abs(r['audio']['duration'] - 3) < 1e-9 for r in R)"
jcheck "the source and its sha1" a.jsonl "import hashlib; assert R[0]['audio']['source'] == 'sine.wav' and R[0]['audio']['sha1'] == hashlib.sha1(open('sine.wav','rb').read()).hexdigest()"
for f in b.jsonl c.jsonl; do
    jcheck "$f: same values as from the file" "$f" "A={r['id']:r['data'] for r in map(json.loads, open('a.jsonl'))}; assert all(abs(by[k]['data']['value'] - A[k]['value']) < 1e-9 for k in A)"
done

# One decode for several analyzers: the pass reads the input once, in ceil(frames/8192)+1 reads.
ts-analyze -v -a level,dc,stats -a level.rms sine.tspcm >multi.jsonl 2>multi.err
grep -q "132300 frames read once in 18 reads for 3 analyzer(s)" multi.err && pass || fail "one pass: $(cat multi.err)"
jcheck "outputs asked twice are merged" multi.jsonl "assert [r['id'] for r in R][:2] == ['level.peak', 'level.rms']"

# Parameters are echoed, defaults included; the catalogue is complete and valid JSON.
ts-analyze --list --json >list.json
/usr/bin/python3 - <<'PY' && pass || fail "--list --json lacks fields"
import json
L = json.load(open("list.json"))
ids = [a["id"] for a in L]
for want in ["level", "dc", "stats", "loudness", "waveform", "rms", "zcr", "spectrogram", "spectral", "mel", "mfcc", "chroma"]:
    assert want in ids, want
for a in L:
    assert {"id", "name", "description", "outputs", "params", "channels"} <= set(a), a["id"]
    for o in a["outputs"]:
        assert o["time_mode"] in ("global", "framewise", "event", "segment"), o
    for p in a["params"]:
        assert {"key", "type", "default", "description"} <= set(p), p
PY
ts-analyze --list >list.txt && grep -q "^level - " list.txt && grep -q "level.rms" list.txt && pass || fail "--list for people"
# Every choice parameter (and list of fixed items), of every analyzer and VAMP plugin, shows
# its allowed values in both lists; a default that depends on another parameter lists its
# values in both (onsets.threshold and median_window, by method).
/usr/bin/python3 - <<'PY' && pass || fail "--list: allowed values or defaults by method missing"
import json
L = json.load(open("list.json"))
text = open("list.txt").read().splitlines()
shown = 0
for a in L:
    for p in a["params"]:
        if p["type"] == "choice":
            assert p.get("choices"), (a["id"], p["key"])
        line = [l for l in text if l.startswith("    -p %s.%s=" % (a["id"], p["key"]))]
        assert len(line) == 1, (a["id"], p["key"], line)
        if p.get("choices"):
            words = "one or more of: " if p["type"] == "list" else "one of: "
            assert "(" + words + ", ".join(p["choices"]) + ")" in line[0], line[0]
            shown += 1
        if "default_by" in p:
            by = p["default_by"]
            assert by["values"][next(q for q in a["params"] if q["key"] == by["param"])["default"]] == p["default"]
            assert "default by %s: " % by["param"] in line[0], line[0]
            for v, d in by["values"].items():
                assert " %s %s" % (v, d) in line[0], (v, d, line[0])
assert shown >= 15, shown
on = {p["key"]: p for a in L if a["id"] == "onsets" for p in a["params"]}
assert on["method"]["choices"] == ["energy", "hfc", "complex", "phase", "specflux", "specdiff", "kl", "mkl", "mixed", "superflux"]
assert on["threshold"]["default_by"]["param"] == "method" and on["median_window"]["default_by"]["param"] == "method"
PY

# Presets: by name, by file; -a and -p add to them.
ts-analyze --preset minimal sine.tspcm >p.jsonl 2>p.err || fail "--preset minimal: $(cat p.err)"
jcheck "the minimal preset" p.jsonl "assert 'level.rms' in by and 'dc' in by"
printf 'analyzers: [level.peak]\n' >mine.yaml
ts-analyze --preset ./mine.yaml -a level.rms sine.tspcm >q.jsonl
jcheck "a preset file plus -a" q.jsonl "assert sorted(by) == ['level.peak', 'level.rms']"
for p in music speech loudness minimal; do
    grep -q '^# ' "$TS_SRC/presets/$p.yaml" && pass || fail "presets/$p.yaml has no comment saying what it is for"
done

# Several inputs, in order; a failing one is reported and the rest still analyzed.
ts-gen sine --amplitude -6 --duration 1 -o loud.tspcm
ts-analyze -a level sine.tspcm missing.wav loud.tspcm >many.jsonl 2>many.err
s=$?
[ $s = 1 ] && pass || fail "a failing input among others: exit $s, want 1"
grep -q "missing.wav" many.err && pass || fail "the failing input is named: $(cat many.err)"
jcheck "the other inputs' results, in order" many.jsonl "assert [r['audio']['source'] for r in R] == ['sine.tspcm']*2 + ['loud.tspcm']*2"

# --mix each: one result set per channel.
ts-gen sine --amplitude -6 --duration 1 --channels 1 --raw >l.f32
ts-gen sine --amplitude -26 --duration 1 --channels 1 --raw >r.f32
/usr/bin/python3 -c "
import numpy as np
l = np.fromfile('l.f32', '<f4'); r = np.fromfile('r.f32', '<f4')
np.stack([l, r], 1).astype('<f4').tofile('lr.f32')"
ts-analyze --mix each -a level.peak --input-raw --input-rate 44100 --input-channels 2 lr.f32 >each.jsonl
jcheck "--mix each gives per-channel results" each.jsonl "assert [(r['audio']['mix'], r['audio']['channel']) for r in R] == [('each', 0), ('each', 1)]; assert abs(R[0]['data']['value'] + 6) < 0.01 and abs(R[1]['data']['value'] + 26) < 0.01"

# Inputs shorter than any block and silence give valid results with nulls.
ts-gen silence --duration 0.5 -o sil.tspcm
ts-analyze -a level sil.tspcm >sil.jsonl
jcheck "silence: null levels, said why" sil.jsonl "assert by['level.rms']['data']['value'] is None and 'silence' in by['level.rms']['description']"
printf 'TSPCM 1\nrate: 44100\nchannels: 1\nformat: f32le\nframes: 0\nEND\n' >empty.tspcm
ts-analyze -a level empty.tspcm >empty.jsonl && pass || fail "an empty stream"
jcheck "an empty stream: duration 0, null values" empty.jsonl "assert R[0]['audio']['duration'] == 0 and R[0]['data']['value'] is None"

# -o writes atomically.
ts-analyze -a level -o out.jsonl sine.tspcm && [ -s out.jsonl ] && pass || fail "-o"

# Usage errors: exit 2, nothing on stdout, a helpful message.
ts-analyze sine.tspcm >default.jsonl
jcheck "no analyzer asked: the minimal preset" default.jsonl "assert sorted(by) == ['dc', 'level.peak', 'level.rms', 'loudness.integrated']"
expect_fail "unknown analyzer, did you mean" 2 "did you mean 'level'" ts-analyze -a levl sine.tspcm
expect_fail "unknown output" 2 "did you mean 'level.peak'" ts-analyze -a level.peek sine.tspcm
expect_fail "unknown parameter" 2 "level.x" ts-analyze -a level -p level.x=1 sine.tspcm
expect_fail "a parameter of an analyzer not asked for" 2 "not asked for" ts-analyze -a level -p dc.x=1 sine.tspcm
expect_fail "a malformed -p" 2 "NAME.KEY=VALUE" ts-analyze -a level -p level sine.tspcm
expect_fail "unknown preset" 2 "minimal" ts-analyze --preset minimall sine.tspcm
expect_fail "--mix sideways" 2 "--mix" ts-analyze --mix sideways -a level sine.tspcm
printf 'analyzers: [level\n' >bad.yaml
expect_fail "a broken preset file" 1 "bad.yaml" ts-analyze --preset ./bad.yaml sine.tspcm
# Nothing is accepted silently: empty names, misspelt or repeated preset keys (file and line).
expect_fail "-a ''" 2 "no analyzer named" ts-analyze -a '' sine.tspcm
expect_fail "-a ','" 2 "an empty name" ts-analyze -a ',' sine.tspcm
expect_fail "-a 'level,,dc'" 2 "an empty name between commas" ts-analyze -a 'level,,dc' sine.tspcm
expect_fail "-a 'level,'" 2 "after the last comma" ts-analyze -a 'level,' sine.tspcm
printf 'analyzers: [""]\n' >empty-name.yaml
expect_fail "a preset with an empty analyzer name" 1 "empty-name.yaml:1: an empty analyzer name" \
    ts-analyze --preset ./empty-name.yaml sine.tspcm
printf 'analyzers: [level]\nparms:\n  level.x: 1\n' >misspelt.yaml
expect_fail "a misspelt preset key" 1 "misspelt.yaml:2: unknown key 'parms'" ts-analyze --preset ./misspelt.yaml sine.tspcm
printf 'analyzers: [level]\nanalyzers: [dc]\n' >twice.yaml
expect_fail "a repeated preset key" 1 "twice.yaml:2: the key 'analyzers' is given twice" \
    ts-analyze --preset ./twice.yaml sine.tspcm
printf 'analyzers: [mfcc]\nparams:\n  mfcc.deltas: true\n  mfcc.deltas: false\n' >ptwice.yaml
expect_fail "a repeated preset parameter" 1 "ptwice.yaml:4: the parameter 'mfcc.deltas' is given twice" \
    ts-analyze --preset ./ptwice.yaml sine.tspcm
mkdir -p presetdir
expect_fail "--preset a folder" 1 "presetdir/: is a folder" ts-analyze --preset presetdir/ sine.tspcm
# Bad input: exit 1, empty stdout, the input named.
: >empty.wav
expect_fail "missing input" 1 "missing.wav" ts-analyze -a level missing.wav
expect_fail "empty file" 1 "empty.wav" ts-analyze -a level empty.wav
expect_fail "truncated TSPCM" 1 "truncated" sh -c 'head -c 5000 sine.tspcm | ts-analyze -a level'
expect_fail "no audio stream" 1 "no audio" ts-analyze -a level "$DATA/broken-no-audio.mkv"

# Interrupted while the input is decoded and hashed (the sha1 runs on a thread of its own):
# 130, no output file, and the hashing thread does not keep the process alive.
ts-gen noise --duration 300 -o long.wav
mkdir -p outdir
ts-analyze -a spectral long.wav -o outdir/r.jsonl 2>int.err &
pid=$!
sleep 0.3
kill -INT "$pid"
wait "$pid"
s=$?
[ "$s" = 130 ] && pass || fail "SIGINT: exit $s, want 130 ($(cat int.err))"
[ -z "$(ls -A outdir)" ] && pass || fail "SIGINT left $(ls -A outdir)"
rm -f long.wav

# On a terminal stdin, a tool says once, before it waits, where it is reading from (unless
# --quiet); Ctrl-D then ends the input. tests/cli/on_terminal.py runs a
# command with a pseudo-terminal as stdin.
HINT="reading audio from the terminal; give a file or pipe a stream (Ctrl-D ends)"
for cmd in "ts-analyze -a level" "ts-analyze -a level -" "ts-decode" "ts-info"; do
    tool=${cmd%% *}
    "$PY" "$TS_SRC/tests/cli/on_terminal.py" 10 $cmd >tty.out 2>&1
    [ "$(sed -n 3p tty.out)" = "$tool: $HINT" ] && [ "$(sed -n 2p tty.out)" = 0 ] && [ "$(sed -n 1p tty.out)" = 1 ] &&
        [ "$(grep -c 'from the terminal' tty.out)" = 1 ] && pass || fail "$cmd on a terminal: $(cat tty.out)"
done
"$PY" "$TS_SRC/tests/cli/on_terminal.py" 1 ts-analyze --quiet -a level >tty.out 2>&1
[ "$(sed -n 1p tty.out)" = 1 ] && ! grep -q "from the terminal" tty.out && pass || fail "--quiet on a terminal: $(cat tty.out)"
"$PY" "$TS_SRC/tests/cli/on_terminal.py" 10 ts-analyze -a level sine.tspcm >tty.out 2>&1
[ "$(sed -n 1p tty.out)" = 0 ] && ! grep -q "terminal" tty.out && pass || fail "a file with a terminal stdin: $(cat tty.out)"
ts-analyze -a level <sine.tspcm >/dev/null 2>pipe.err && [ ! -s pipe.err ] && pass || fail "a pipe on stdin: $(cat pipe.err)"

# Framewise series are kept in a temporary file (TMPDIR) while the input is read: one that
# cannot be made is one clear error, and no output is left.
ts-gen sine --duration 6 -o spill.tspcm
expect_fail "TMPDIR missing" 1 "a temporary file for framewise results in $T/no-such-dir" \
    env TMPDIR="$T/no-such-dir" ts-analyze -a spectrogram spill.tspcm
rm -f spill.h5
expect_fail "TMPDIR missing, -o x.h5" 1 "a temporary file for framewise results" \
    env TMPDIR="$T/no-such-dir" ts-analyze -a mfcc,spectrogram spill.tspcm -o spill.h5
[ ! -e spill.h5 ] && pass || fail "TMPDIR missing left spill.h5"
# The same results, written from the file, as ts-serialize writes them from memory.
ts-analyze -a mfcc,spectral.centroid,waveform -p mfcc.deltas=true -p waveform.pixels_per_second=9000 \
    spill.tspcm -o spill.h5 && ts-serialize -f jsonl spill.h5 >spill.back.jsonl &&
    ts-analyze -a mfcc,spectral.centroid,waveform -p mfcc.deltas=true -p waveform.pixels_per_second=9000 \
        spill.tspcm >spill.jsonl && cmp -s spill.jsonl spill.back.jsonl &&
    [ "$(jq -c '.data.value | length' spill.jsonl | tr '\n' ' ')" = "513 513 66150 " ] &&
    pass || fail "a spilled series through HDF5 differs from JSON Lines"

finish
