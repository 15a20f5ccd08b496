#!/bin/bash
# Segmenting analyzers (silence, speech, structure) on signals whose segments are known: the
# demo's silent gap, speech synthesized by espeak-ng against the demo music and their
# concatenation, sections of noise and chords; silence, too-short inputs, bad parameters.
. "$TS_SRC/tests/cli/lib.sh"

# res FILE 'EXPR'...: each EXPR must be true, with r(ID) the result, d(ID) its data,
# seg(ID) its segments as (start, end, label) tuples, near(), np.
cat >"$T/res.py" <<'EOF'
import json, os, sys
import numpy as np
sys.path.insert(0, os.environ["TS_SRC"] + "/tests/cli")
from tsnum import results, near
rs = results(sys.argv[1])
def r(i): return rs[i]
def d(i): return rs[i]["data"]
def seg(i):
    q = d(i)
    return [(t, t + u, l) for t, u, l in zip(q["time"], q["duration"], q["label"])]
# Fraction of [0, end) where the segments' label equals want(t) (a function of time).
def agree(i, want, end, step=0.01):
    s = seg(i)
    ok = 0
    ts = np.arange(0, end, step)
    for t in ts:
        lab = next((l for a, b, l in s if a <= t < b), None)
        ok += lab == want(t)
    return ok / len(ts)
bad = [e for e in sys.argv[2:] if not eval(e)]
if bad:
    sys.exit("false: %s  (data: %s)" % ("; ".join(bad), {k: {a: b for a, b in x["data"].items() if a != "value"} for k, x in rs.items()}))
EOF
res() { local what=$1; shift; pycheck "$what" "$T/res.py" "$@"; }

# pcm.py OUT RATE 'EXPR': a mono TSPCM file of the numpy EXPR, with load(path) (a file's
# mono samples, TSPCM or 16-bit wav), tone(freqs, seconds), noise(seconds) and np in scope.
cat >"$T/pcm.py" <<'EOF'
import sys, wave
import numpy as np
sys.path.insert(0, sys.argv[4])
from tsnum import load as tsload
out, rate, expr = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def load(path):
    if path.endswith(".wav"):
        w = wave.open(path)
        assert w.getframerate() == rate, w.getframerate()
        return np.frombuffer(w.readframes(w.getnframes()), "<i2") / 32768.0
    return tsload(path)[0].mean(axis=1)
def tone(freqs, s):
    t = np.arange(int(s * rate)) / rate
    return 0.2 * sum(np.sin(2 * np.pi * f * t) for f in freqs)
def noise(s):
    return 0.1 * np.random.default_rng(3).standard_normal(int(s * rate))
x = np.asarray(eval(expr), dtype="<f4")
with open(out, "wb") as f:
    f.write(b"TSPCM 1\nrate: %d\nchannels: 1\nformat: f32le\nframes: %d\nEND\n" % (rate, len(x)))
    f.write(x.tobytes())
EOF
pcm() { "$PY" "$T/pcm.py" "$1" "$2" "$3" "$TS_SRC/tests/cli"; }

ts-gen demo --truth demo.json -o demo.pcm
ts-gen silence --duration 3 -o silence.pcm
ts-gen sine --duration 0.005 -o short.pcm
ts-gen sine --duration 0 -o empty.pcm

# --- silence ------------------------------------------------------------------------------
# The demo's gap: digital zero from the end of its last sound (a hi-hat at 19.75 s lasting
# 70 ms: 19.82 s) to 22 s, as its truth says; both ends within 50 ms of the truth.
check "silence of the demo" ts-analyze -a silence -o demo-s.jsonl demo.pcm
gap=$("$PY" -c "import json; print(*json.load(open('demo.json'))['silence'][0])")
set -- $gap
res "demo gap [$1, $2] found" demo-s.jsonl \
    "[l for a, b, l in seg('silence')] == ['sound', 'silence', 'sound']" \
    "near(seg('silence')[1][0], $1, 0.05)" \
    "near(seg('silence')[1][1], $2, 0.05)" \
    "seg('silence')[0][0] == 0 and near(seg('silence')[-1][1], 30, 1e-9)" \
    "r('silence')['params'] == {'threshold': -60, 'min_duration': 0.5, 'frame': 0.01}" \
    "r('silence')['time_mode'] == 'segment' and r('silence')['audio']['mix'] == 'all'"

# min_duration: a 0.3 s gap is sound by default, silence with min_duration=0.2. threshold:
# noise at -50 dBFS RMS is sound at -60, silence at -40.
pcm gap.pcm 44100 "np.concatenate([tone([440], 1), np.zeros(int(0.3 * rate)), tone([440], 1)])"
check "silence of a 0.3 s gap" ts-analyze -a silence -o gap1.jsonl gap.pcm
res "0.3 s gap ignored" gap1.jsonl "[l for a, b, l in seg('silence')] == ['sound']" \
    "near(seg('silence')[0][1], 2.3, 1e-9)"
check "silence min_duration=0.2" ts-analyze -a silence -p silence.min_duration=0.2 -o gap2.jsonl gap.pcm
res "0.3 s gap found" gap2.jsonl "[l for a, b, l in seg('silence')] == ['sound', 'silence', 'sound']" \
    "near(seg('silence')[1][0], 1, 0.011) and near(seg('silence')[1][1], 1.3, 0.011)" \
    "r('silence')['params']['min_duration'] == 0.2"
ts-gen noise --amplitude -50 --duration 2 -o quiet.pcm
check "silence of -50 dBFS noise" ts-analyze -a silence -o q60.jsonl quiet.pcm
res "sound at -60" q60.jsonl "[l for a, b, l in seg('silence')] == ['sound']"
check "silence threshold=-40" ts-analyze -a silence -p silence.threshold=-40 -o q40.jsonl quiet.pcm
res "silence at -40" q40.jsonl "[l for a, b, l in seg('silence')] == ['silence']"
# Every channel must be quiet: a sine on one channel of two is sound.
"$PY" - <<'EOF'
import numpy as np
n = 44100
x = np.zeros((n, 2), dtype="<f4")
x[:, 1] = 0.1 * np.sin(2 * np.pi * 440 * np.arange(n) / 44100)
with open("onech.pcm", "wb") as f:
    f.write(b"TSPCM 1\nrate: 44100\nchannels: 2\nformat: f32le\nframes: %d\nEND\n" % n)
    f.write(x.tobytes())
EOF
check "silence of a sine on one channel" ts-analyze -a silence -o onech.jsonl onech.pcm
res "one channel sounding is sound" onech.jsonl "[l for a, b, l in seg('silence')] == ['sound']"
check "silence of silence" ts-analyze -a silence -o sil-s.jsonl silence.pcm
res "all silence" sil-s.jsonl "seg('silence') == [(0, 3, 'silence')]"
check "silence of 5 ms" ts-analyze -a silence -o short-s.jsonl short.pcm
res "one short segment" short-s.jsonl "len(seg('silence')) == 1 and near(seg('silence')[0][1], 0.005, 1e-4)"
check "silence of nothing" ts-analyze -a silence -o empty-s.jsonl empty.pcm
res "no segments" empty-s.jsonl "seg('silence') == []"
expect_fail "silence.threshold=10" 2 "threshold" ts-analyze -a silence -p silence.threshold=10 demo.pcm
expect_fail "silence.min_duration=-1" 2 "min_duration" ts-analyze -a silence -p silence.min_duration=-1 demo.pcm
expect_fail "silence.frame=0" 2 "frame" ts-analyze -a silence -p silence.frame=0 demo.pcm

# --- speech -------------------------------------------------------------------------------
espeak-ng -w speech.wav "The quick brown fox jumps over the lazy dog. This is a speech clip \
made for the test of the analyzer, twenty seconds long or so, with pauses between the \
sentences. Speech has a syllable rate of about four per second, which music does not have in \
the same way. We read this text slowly and clearly, so that the detector hears words and \
silences alternate. Numbers: one, two, three, four, five, six, seven, eight, nine, ten."
ts-gen demo --rate 22050 -o demo22.pcm
pcm speech.pcm 22050 "load('speech.wav')"
pcm both.pcm 22050 "np.concatenate([load('speech.wav'), load('demo22.pcm')])"
sp=$("$PY" -c "import wave; w = wave.open('speech.wav'); print(w.getnframes() / w.getframerate())")
check "speech of espeak-ng speech" ts-analyze -a speech -o sp.jsonl speech.pcm
res "speech ($sp s) >= 90 % speech" sp.jsonl "agree('speech', lambda t: 'speech', $sp) >= 0.9" \
    "all(0 <= c <= 1 for c in d('speech')['confidence'])" \
    "r('speech')['params'] == {'window': 1, 'smooth': 2, 'modulation_threshold': 0.27, 'entropy_threshold': 0.07, 'floor': -60, 'min_duration': 1}"
for f in demo.pcm demo22.pcm; do
    check "speech of the demo ($f)" ts-analyze -a speech -o dm.jsonl $f
    res "demo ($f) >= 90 % music" dm.jsonl "agree('speech', lambda t: 'music', 30) >= 0.9"
done
check "speech of speech then music" ts-analyze -a speech -o both.jsonl both.pcm
res "speech then music, boundary within 1 s of $sp s" both.jsonl \
    "agree('speech', lambda t: 'speech' if t < $sp else 'music', $sp + 30) >= 0.9" \
    "[l for a, b, l in seg('speech')] == ['speech', 'music']" \
    "near(seg('speech')[1][0], $sp, 1)" "near(seg('speech')[-1][1], $sp + 30, 0.05)"
check "speech of silence" ts-analyze -a speech -o sil-sp.jsonl silence.pcm
res "silence: no segments" sil-sp.jsonl "seg('speech') == []"
check "speech of 5 ms" ts-analyze -a speech -o short-sp.jsonl short.pcm
res "too short: no segments" short-sp.jsonl "seg('speech') == []"
expect_fail "speech.window=0" 2 "window" ts-analyze -a speech -p speech.window=0 demo.pcm
expect_fail "speech.entropy_threshold=2" 2 "entropy_threshold" ts-analyze -a speech -p speech.entropy_threshold=2 demo.pcm
expect_fail "speech.floor=abc" 2 "floor" ts-analyze -a speech -p speech.floor=abc demo.pcm

# --- structure ----------------------------------------------------------------------------
# Noise, a chord, noise: 10 s each; and three chords of one timbre (C, F#, C major triads):
# boundaries within 1 s of 10 and 20 s, labels A B A.
pcm nsn.pcm 44100 "np.concatenate([noise(10), tone([261.63, 329.63, 392.0], 10), noise(10)])"
pcm chords.pcm 44100 "np.concatenate([tone([261.63, 329.63, 392.0], 10), tone([369.99, 466.16, 554.37], 10), tone([261.63, 329.63, 392.0], 10)])"
for f in nsn chords; do
    check "structure of $f" ts-analyze -a structure,structure.novelty -o $f.jsonl $f.pcm
    res "$f: boundaries at 10 and 20 s, A B A" $f.jsonl \
        "[l for a, b, l in seg('structure')] == ['A', 'B', 'A']" \
        "near(seg('structure')[1][0], 10, 1) and near(seg('structure')[2][0], 20, 1)" \
        "seg('structure')[0][0] == 0 and near(seg('structure')[-1][1], 30, 1e-9)" \
        "d('structure')['confidence'][0] == 1 and min(d('structure')['confidence']) > 0.5"
done
res "novelty: 60 rows of 0.5 s, peaks at 10 and 20 s" nsn.jsonl \
    "len(d('structure.novelty')['value']) == 60" \
    "r('structure.novelty')['frames'] == {'rate': 44100, 'block': 512 * 42 + 2048, 'step': 512 * 43}" \
    "all(near(t * 512 * 43 / 44100, c, 1) for t, c in zip(sorted(np.argsort(d('structure.novelty')['value'])[-2:]), [10, 20]))" \
    "r('structure')['params'] == {'n_fft': 2048, 'step': 512, 'hop': 0.5, 'kernel': 6, 'threshold': 0.15, 'merge': 0.3}"
# merge=0: every segment its own label.
check "structure merge=0" ts-analyze -a structure -p structure.merge=0 -o nsn0.jsonl nsn.pcm
res "merge=0: A B C" nsn0.jsonl "[l for a, b, l in seg('structure')] == ['A', 'B', 'C']"
check "structure of silence" ts-analyze -a structure,structure.novelty -o sil-st.jsonl silence.pcm
res "silence: one segment, novelty 0" sil-st.jsonl "seg('structure') == [(0, 3, 'A')]" \
    "max(d('structure.novelty')['value']) == 0"
check "structure of 5 ms" ts-analyze -a structure,structure.novelty -o short-st.jsonl short.pcm
res "too short: no segments, no novelty" short-st.jsonl "seg('structure') == []" \
    "d('structure.novelty')['value'] == []"
expect_fail "structure.kernel=0" 2 "kernel" ts-analyze -a structure -p structure.kernel=0 demo.pcm
expect_fail "structure.n_fft odd" 2 "n_fft" ts-analyze -a structure -p structure.n_fft=2047 demo.pcm
expect_fail "structure.hop=-1" 2 "hop" ts-analyze -a structure -p structure.hop=-1 demo.pcm

finish
