#!/bin/bash
# The two doors for analyzers of one's own: vamp: (installed VAMP plugins, here Debian's
# vamp-examples) and exec: (a program reading TSPCM and printing ts-result lines, here the
# Python example and small shell scripts that fail in every way a program can).
. "$TS_SRC/tests/cli/lib.sh"

# jcheck "what" RESULTS.jsonl 'PYTHON': runs PYTHON with L (the parsed lines, in order),
# R (id -> the last result with that id), V(id) (its data.value as a float array, null ->
# nan) and np; it must not raise.
cat >"$T/jcheck.py" <<'EOF'
import json, os, sys
import numpy as np
sys.path.insert(0, os.environ["TS_SRC"] + "/tests/cli")
from tsnum import results, values
L = [json.loads(line) for line in open(sys.argv[1])]
R = results(sys.argv[1])
def V(i):
    return values(R[i])
exec(sys.argv[2])
EOF
jcheck() { pycheck "$1" "$T/jcheck.py" "$2" "$3"; }

# tspcm OUT RAW...: the sum of mono raw f32le files (of equal length) as a TSPCM file.
tspcm() {
    local out=$1; shift
    "$PY" - "$out" "$@" <<'EOF'
import sys
import numpy as np
x = sum(np.fromfile(f, "<f4").astype(np.float64) for f in sys.argv[2:])
with open(sys.argv[1], "wb") as o:
    o.write(b"TSPCM 1\nrate: 44100\nchannels: 1\nformat: f32le\nframes: %d\nEND\n" % len(x))
    o.write(x.astype("<f4").tobytes())
EOF
}

V=vamp:vamp-example-plugins
ONSETS=$V:percussiononsets

# ---- vamp: ----------------------------------------------------------------------------
# A click track at 120 BPM over faint noise (the detector counts energy rises in bins that
# had energy before, so clicks over digital silence would go unseen).
ts-gen clicks --tempo 120 --duration 10 --raw >clicks.raw
ts-gen noise --duration 10 --amplitude -60 --raw >noise.raw
tspcm clicks.pcm clicks.raw noise.raw
check "percussiononsets on clicks" ts-analyze -a $ONSETS -o onsets.jsonl clicks.pcm
jcheck "percussiononsets: clicks within 50 ms, F >= 0.95; detection function framewise" onsets.jsonl "
r = R['$ONSETS.onsets']
assert r['time_mode'] == 'event' and r['analyzer'] == '$ONSETS', r['time_mode']
assert r['params'] == {'block': 1024, 'step': 512, 'threshold': 3.0, 'sensitivity': 40.0}, r['params']
t = np.array(r['data']['time']); truth = np.arange(0, 10, 0.5)
hit = sum(np.any(np.abs(t - c) <= 0.05) for c in truth)
used = sum(np.any(np.abs(truth - x) <= 0.05) for x in t)
p, rc = used / len(t), hit / len(truth); f = 2 * p * rc / (p + rc)
assert f >= 0.95, (f, t)
d = R['$ONSETS.detectionfunction']
assert d['time_mode'] == 'framewise' and d['frames'] == {'rate': 44100, 'block': 1024, 'step': 512}
assert len(d['data']['value']) == (441000 - 1024) // 512 + 1, len(d['data']['value'])
assert d['audio']['mix'] == 'mono' and d['audio']['duration'] == 10
"
check "threshold=10 dB" ts-analyze -a $ONSETS:onsets -p $ONSETS.threshold=10 -o onsets10.jsonl clicks.pcm
jcheck "a higher threshold finds fewer onsets, and params says so" onsets10.jsonl "
r = R['$ONSETS.onsets']
assert list(R) == ['$ONSETS.onsets'] and r['params']['threshold'] == 10, r['params']
assert 5 <= len(r['data']['time']) <= 16, len(r['data']['time'])
"
check "-a NAME.OUTPUT is NAME:OUTPUT" ts-analyze -a $ONSETS.onsets -o dot.jsonl clicks.pcm
jcheck "same onsets" dot.jsonl "
ref = [json.loads(l) for l in open('onsets.jsonl')][0]
assert list(R) == ['$ONSETS.onsets'] and R['$ONSETS.onsets']['data'] == ref['data']
"

# Framing: one second of silence, then a 1 kHz sine. Frame i covers [i*step, i*step+block).
ts-gen silence --duration 1 --raw >sil.raw
ts-gen sine --duration 1 --raw >sine.raw
cat sil.raw sine.raw >silsine.raw
check "powerspectrum and amplitudefollower" ts-analyze --input-raw --input-rate 44100 \
    --input-channels 1 -a $V:powerspectrum,$V:amplitudefollower -o frames.jsonl silsine.raw
jcheck "framewise: frame counts, the first frame to reach the tone, the peak bin" frames.jsonl "
p = R['$V:powerspectrum.powerspectrum']; v = V(p['id'])
assert p['frames'] == {'rate': 44100, 'block': 1024, 'step': 512}, p['frames']
assert v.shape == ((88200 - 1024) // 512 + 1, 513), v.shape
first = np.nonzero(v.sum(axis=1) > 0)[0][0]
assert first == 85, first   # 84*512+1024 = 44032 <= 44100 < 85*512+1024
assert np.argmax(v[-1]) == round(1000 * 1024 / 44100), np.argmax(v[-1])
a = R['$V:amplitudefollower.amplitude']; w = V(a['id']); f = a['frames']
assert len(w) == (88200 - f['block']) // f['step'] + 1, (len(w), f)
k = np.nonzero(w > 0)[0][0]
assert k * f['step'] + f['block'] > 44100 >= (k - 1) * f['step'] + f['block'], (k, f)
assert abs(a['params']['attack'] - 0.01) < 1e-9, a['params']
"
check "block and step set with -p" ts-analyze -a $V:powerspectrum -p $V:powerspectrum.block=2048 \
    -p $V:powerspectrum.step=1024 -o ps2048.jsonl sine.raw --input-raw --input-rate 44100 --input-channels 1
jcheck "2048-point spectra every 1024 samples" ps2048.jsonl "
p = R['$V:powerspectrum.powerspectrum']; v = V(p['id'])
assert p['frames']['block'] == 2048 and p['frames']['step'] == 1024 and p['params']['block'] == 2048
assert v.shape == ((44100 - 2048) // 1024 + 1, 1025), v.shape
assert np.argmax(v[5]) == round(1000 * 2048 / 44100)
"
ts-gen sine --duration 0.01 -o short.pcm
check "an input shorter than one block" ts-analyze -a $ONSETS -o short.jsonl short.pcm
jcheck "valid empty results" short.jsonl "
assert R['$ONSETS.onsets']['data']['time'] == [] and R['$ONSETS.detectionfunction']['data']['value'] == []
"
ts-gen sine --channels 2 --duration 1 -o stereo.pcm
check "--mix each" ts-analyze --mix each -a $V:zerocrossing:counts -o each.jsonl stereo.pcm
jcheck "one result per channel, 2000 crossings a second" each.jsonl "
assert [(r['audio']['mix'], r['audio']['channel']) for r in L] == [('each', 0), ('each', 1)]
for r in L:
    f = r['frames']; n = sum(r['data']['value'])
    assert abs(n / (len(r['data']['value']) * f['step'] / 44100) - 2000) < 20, n
"

check "--list" ts-analyze --list -o list.txt
if grep -q "^$ONSETS - Simple Percussion Onset Detector" list.txt &&
   grep -q "^    -p $ONSETS.threshold=3 " list.txt && grep -q "^    $V:powerspectrum.powerspectrum *framewise" list.txt &&
   grep -q "^exec:PROGRAM" list.txt; then pass; else fail "--list lacks the plugins: $(grep -i vamp list.txt | head -3)"; fi
check "--list --json" ts-analyze --list --json -o list.json
jcheck "--list --json has the plugins" /dev/null "
a = {d['id']: d for d in json.load(open('list.json'))}
o = a['$ONSETS']
assert o['plugin'] == 'vamp' and [x['id'] for x in o['outputs']] == ['$ONSETS.onsets', '$ONSETS.detectionfunction']
assert [(x['key'], x['default'], x['range']) for x in o['params'][:2]] == [('threshold', '3', [0, 20]), ('sensitivity', '40', [0, 100])], o['params']
assert 'level' in a and '$V:fixedtempo' in a
assert a['exec:PROGRAM [ARGS]']['plugin'] == 'exec' and 'TSPCM' in a['exec:PROGRAM [ARGS]']['description']
"
expect_fail "a missing plugin" 2 "no VAMP plugin 'nosuch' in vamp-example-plugins" \
    ts-analyze -a $V:nosuch clicks.pcm
expect_fail "a near miss" 2 "did you mean '$ONSETS'" ts-analyze -a $V:percussiononset clicks.pcm
expect_fail "a missing library" 2 "no VAMP plugin library 'nolib'" ts-analyze -a vamp:nolib:x clicks.pcm
expect_fail "a missing output" 2 "no output 'nosuch' in $ONSETS" ts-analyze -a $ONSETS:nosuch clicks.pcm
expect_fail "a malformed name" 2 "expected vamp:LIBRARY:PLUGIN" ts-analyze -a vamp:onlyone clicks.pcm
expect_fail "a parameter out of range" 2 "$ONSETS.threshold=99" ts-analyze -a $ONSETS -p $ONSETS.threshold=99 clicks.pcm
expect_fail "an unknown parameter" 2 "unknown parameter '$ONSETS.treshold'" ts-analyze -a $ONSETS -p $ONSETS.treshold=4 clicks.pcm
expect_fail "a parameter of a plugin not asked for" 2 "not asked for" ts-analyze -a level -p $ONSETS.threshold=4 clicks.pcm
VAMP_PATH=$T/none expect_fail "VAMP_PATH is honoured" 2 "$T/none" ts-analyze -a $ONSETS clicks.pcm

# ---- exec: ----------------------------------------------------------------------------
CREST="exec:$PY $TS_SRC/examples/analyzers/crest_factor.py"
ts-gen sine --duration 2 -o sine.pcm
ts-gen dc --duration 2 -o dc.pcm
ts-gen silence --duration 2 -o silence.pcm
check "the example on a sine" ts-analyze -a "$CREST --block 2048 --step 1024" -o crest.jsonl sine.pcm
jcheck "a sine's crest factor is 3.01 dB in every frame" crest.jsonl "
r = R['crest_factor']; v = V('crest_factor')
assert len(v) == (88200 - 2048) // 1024 + 1 and r['frames'] == {'rate': 44100, 'block': 2048, 'step': 1024}
assert np.all(np.abs(v - 20 * np.log10(np.sqrt(2))) < 0.02), v
assert r['unit'] == 'dB' and r['audio']['source'] == 'sine.pcm' and r['audio']['duration'] == 2
assert r['audio']['mix'] == 'all' and r['producer']['tool'] == 'ts-analyze'
assert r['params'] == {'block': 2048, 'step': 1024, 'exec': '$PY $TS_SRC/examples/analyzers/crest_factor.py --block 2048 --step 1024'}, r['params']
"
check "the example on DC and silence, with level" ts-analyze -a "level,$CREST" -o crest2.jsonl dc.pcm silence.pcm
jcheck "DC: 0 dB; silence: null; level beside it" crest2.jsonl "
assert [r['id'] for r in L] == ['level.peak', 'level.rms', 'crest_factor'] * 2, [r['id'] for r in L]
dc, sil = L[2]['data']['value'], L[5]['data']['value']
assert len(dc) == (88200 - 2048) // 1024 + 1 and max(abs(x) for x in dc) < 1e-6, dc[:3]
assert sil == [None] * len(dc), sil[:3]
"

# Programs that print a result after looking at the header: the source's name goes in the
# label, with the program's arguments (commas and all, as the -a value gave them).
cat >"$T/labels.sh" <<'EOF'
#!/bin/sh
src=$(head -c 4096 | sed -n 's/^source: //p')
cat >/dev/null
printf '{"schema":"ts-result/1","id":"who","time_mode":"global","data_mode":"label","data":{"label":"%s %s"}}\n' "$src" "$*"
case "$src" in *bad*) echo "cannot analyze $src" >&2; exit 3;; esac
EOF
chmod +x "$T/labels.sh"
check "arguments with commas, after another analyzer" ts-analyze -a "dc,exec:$T/labels.sh a,b 'c d'" -o args.jsonl sine.pcm
jcheck "the program got 'a,b' and 'c d'" args.jsonl "
assert [r['id'] for r in L] == ['dc', 'who'] and R['who']['data']['label'] == 'sine.pcm a,b c d', R['who']['data']
assert R['who']['analyzer'] == 'who' and R['who']['name'] == 'who' and R['who']['params'] == {'exec': '$T/labels.sh a,b \'c d\''}
"
cp sine.pcm bad.pcm
ts-analyze -a "exec:$T/labels.sh" sine.pcm bad.pcm dc.pcm >several.jsonl 2>several.err
s=$?
if [ "$s" = 1 ] && grep -q "on bad.pcm: exited with status 3; its stderr:" several.err &&
   grep -q "cannot analyze bad.pcm" several.err; then pass; else fail "several inputs: exit $s: $(cat several.err)"; fi
jcheck "several inputs, one failing: the others' results" several.jsonl "
assert [r['audio']['source'] for r in L] == ['sine.pcm', 'dc.pcm'], L
"
ts-gen sine --channels 2 --duration 1 -o stereo.pcm
check "--mix each: one program per channel" ts-analyze --mix each -a "exec:$T/labels.sh" -o each2.jsonl stereo.pcm
jcheck "two results, channels 0 and 1" each2.jsonl "
assert [(r['audio']['mix'], r['audio']['channel'], r['audio']['channels']) for r in L] == [('each', 0, 2), ('each', 1, 2)]
"

# A program that stops reading after the header (the pipe closes under the writer).
cat >"$T/early.sh" <<'EOF'
#!/bin/sh
head -c 10 >/dev/null
echo "leaving early" >&2
echo '{"schema":"ts-result/1","id":"early","analyzer":"early","time_mode":"event","data_mode":"value","data":{"time":[0.5,1],"value":[1,null],"strength":[3,4]}}'
EOF
chmod +x "$T/early.sh"
ts-gen noise --duration 20 -o long.pcm
check "a program that exits early" ts-analyze -a "exec:$T/early.sh" -o early.jsonl long.pcm
jcheck "its result, extra data keys kept" early.jsonl "
assert R['early']['data'] == {'time': [0.5, 1], 'value': [1, None], 'strength': [3, 4]}, R['early']['data']
"
if grep -q "leaving early" "$T/.err"; then pass; else fail "the program's stderr is not passed on: $(cat "$T/.err")"; fi

cat >"$T/fails.sh" <<'EOF'
#!/bin/sh
cat >/dev/null
echo "model file missing" >&2
exit 1
EOF
cat >"$T/garbage.sh" <<'EOF'
#!/bin/sh
cat >/dev/null
echo "Hello, I am not JSON"
EOF
cat >"$T/json.sh" <<'EOF'
#!/bin/sh
cat >/dev/null
echo '{"value": 3}'
EOF
cat >"$T/lengths.sh" <<'EOF'
#!/bin/sh
cat >/dev/null
echo '{"schema":"ts-result/1","id":"x","time_mode":"event","data_mode":"value","data":{"time":[1,2],"value":[1]}}'
EOF
cat >"$T/killed.sh" <<'EOF'
#!/bin/sh
echo "about to die" >&2
kill -9 $$
EOF
cat >"$T/nothing.sh" <<'EOF'
#!/bin/sh
cat >/dev/null
EOF
chmod +x "$T"/*.sh
expect_fail "a program that exits 1" 1 "exited with status 1; its stderr:
model file missing" ts-analyze -a "exec:$T/fails.sh" sine.pcm
grep -q "^model file missing" "$T/.err" && pass || fail "stderr not shown: $(cat "$T/.err")"
expect_fail "a program that prints garbage" 1 "printed an invalid line 1: not JSON: Hello, I am not JSON" \
    ts-analyze -a "exec:$T/garbage.sh" sine.pcm
expect_fail "a program that prints JSON that is not a ts-result" 1 "line 1: not a ts-result: missing key 'schema'" \
    ts-analyze -a "exec:$T/json.sh" sine.pcm
expect_fail "arrays of different lengths" 1 "data.value has 1 entries, data.time 2" \
    ts-analyze -a "exec:$T/lengths.sh" sine.pcm
expect_fail "a program killed by a signal" 1 "was killed by signal 9" ts-analyze -a "exec:$T/killed.sh" sine.pcm
grep -q "about to die" "$T/.err" && pass || fail "stderr of the killed program not shown"
expect_fail "a program that prints nothing" 1 "printed no result" ts-analyze -a "exec:$T/nothing.sh" sine.pcm
expect_fail "a program that does not exist" 1 "cannot run 'no-such-analyzer': No such file or directory" \
    ts-analyze -a "exec:no-such-analyzer --fast" sine.pcm
expect_fail "exec: without a program" 2 "exec: needs a program" ts-analyze -a "exec:  " sine.pcm
expect_fail "an unterminated quote" 2 "unterminated ' quote" ts-analyze -a "exec:$T/labels.sh 'a" sine.pcm
expect_fail "the example's own error" 1 "stdin is not a TSPCM stream" \
    ts-analyze -a "exec:sh -c 'echo nope | $PY $TS_SRC/examples/analyzers/crest_factor.py'" sine.pcm

finish
