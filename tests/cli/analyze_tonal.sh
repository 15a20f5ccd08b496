#!/bin/bash
# key and tuning on signals of known content: the demo piece (A minor), I-IV-V-I and
# i-iv-V-i cadences synthesized here in 8 keys, sines tuned to 440, 432 and 445 Hz; silence,
# a too-short input, parameters echoed and bad parameters.
. "$TS_SRC/tests/cli/lib.sh"

# res FILE 'EXPR'...: each EXPR must be true, with r(ID) the result, d(ID) its data, near().
cat >"$T/res.py" <<'EOF'
import json, os, sys
sys.path.insert(0, os.environ["TS_SRC"] + "/tests/cli")
from tsnum import results, near
rs = results(sys.argv[1])
def r(i): return rs[i]
def d(i): return rs[i]["data"]
bad = [e for e in sys.argv[2:] if not eval(e)]
if bad:
    sys.exit("false: %s  (data: %s)" % ("; ".join(bad), {k: {a: b for a, b in x["data"].items() if a != "chroma"} for k, x in rs.items()}))
EOF
res() { local what=$1; shift; pycheck "$what" "$T/res.py" "$@"; }

# gen.py KIND OUT ARGS: writes a TSPCM file at 44.1 kHz.
#   cadence OUT TONIC_MIDI major|minor: I-IV-V-I (minor: i-iv-V-i, with the leading tone),
#     1.5 s per chord, each note a tone of 4 harmonics (1, 1/2, 1/3, 1/4), the root doubled
#     an octave below.
#   notes OUT A4 SEMITONES...: 2 s of a chord of sines at A4 * 2^(s/12), then each alone.
cat >"$T/gen.py" <<'EOF'
import sys
import numpy as np
rate = 44100
def write(path, x):
    x = (0.8 * x / np.max(np.abs(x))).astype("<f4")
    with open(path, "wb") as f:
        f.write(b"TSPCM 1\nrate: 44100\nchannels: 1\nformat: f32le\nframes: %d\nEND\n" % len(x))
        f.write(x.tobytes())
def tone(midi, dur, a4=440.0, harmonics=4):
    t = np.arange(int(dur * rate)) / rate
    f = a4 * 2 ** ((midi - 69) / 12)
    env = np.minimum(1, t / 0.01) * np.minimum(1, (dur - t) / 0.05)
    return env * sum(np.sin(2 * np.pi * k * f * t) / k for k in range(1, harmonics + 1) if k * f < rate / 2)
kind, out = sys.argv[1], sys.argv[2]
if kind == "cadence":
    tonic, mode = int(sys.argv[3]), sys.argv[4]
    third = 4 if mode == "major" else 3
    chords = [[0, third, 7], [5, 9 if mode == "major" else 8, 12], [7, 11, 14], [0, third, 7]]
    x = np.concatenate([sum(tone(tonic + n, 1.5) for n in c + [c[0] - 12]) for c in chords])
    write(out, x)
else:
    a4 = float(sys.argv[3])
    semis = [int(s) for s in sys.argv[4:]]
    t = np.arange(2 * rate) / rate
    parts = [sum(np.sin(2 * np.pi * a4 * 2 ** (s / 12) * t) for s in semis)]
    parts += [np.sin(2 * np.pi * a4 * 2 ** (s / 12) * t) for s in semis]
    write(out, np.concatenate(parts))
EOF

# --- key ---------------------------------------------------------------------------------
ts-gen demo --truth demo.json -o demo.pcm
check "key of the demo" ts-analyze -a key -o demo.jsonl demo.pcm
want=$("$PY" -c "import json; print(json.load(open('demo.json'))['key'])")
res "demo key is the truth's ($want)" demo.jsonl \
    "d('key')['label'] == '$want'" "d('key')['strength'] > 0.7" \
    "r('key')['data_mode'] == 'label' and r('key')['time_mode'] == 'global'" \
    "r('key')['params'] == {'n_fft': 4096, 'step': 512, 'fmin': 100, 'fmax': 2000, 'range': 60, 'profile': 'kostka-payne', 'weight': 'magnitude', 'persist': 0.25, 'harmonics': 4, 'decay': 0.6}" \
    "len(d('key')['chroma']) == 12 and near(sum(d('key')['chroma']), 1, 1e-9)" \
    "max(range(12), key=lambda i: d('key')['chroma'][i]) == 9"
for p in krumhansl temperley edma bellman-budge albrecht-shanahan; do
    check "key of the demo, profile $p" ts-analyze -a key -p key.profile=$p -o demo-$p.jsonl demo.pcm
    res "demo key with $p" demo-$p.jsonl "d('key')['label'] == '$want'" "r('key')['params']['profile'] == '$p'"
done

# Cadences: tonic MIDI number, mode, the expected label.
while read -r midi mode label; do
    "$PY" "$T/gen.py" cadence cad.pcm "$midi" "$mode"
    for p in krumhansl temperley edma kostka-payne bellman-budge albrecht-shanahan; do
        check "key of a $label cadence ($p)" ts-analyze -a key -p key.profile=$p -o cad.jsonl cad.pcm
        res "cadence in $label ($p)" cad.jsonl "d('key')['label'] == '$label'" "d('key')['strength'] > 0.6" \
            "d('key')['runner_up'] not in ('', '$label')" \
            "0 < d('key')['runner_up_strength'] < d('key')['strength']"
    done
done <<'EOF'
60 major C major
67 major G major
63 major Eb major
70 major Bb major
68 major Ab major
61 major Db major
69 major A major
69 minor A minor
64 minor E minor
60 minor C minor
66 minor F# minor
70 minor Bb minor
63 minor Eb minor
61 minor C# minor
EOF

# Silence and a too-short input: no peaks, an empty label and null strength.
ts-gen silence --duration 2 -o silence.pcm
ts-gen sine --frequency 440 --duration 0.05 -o short.pcm
for f in silence short; do
    check "key and tuning of $f" ts-analyze -a key,tuning -o $f.jsonl $f.pcm
    res "$f: no key, no tuning" $f.jsonl "d('key')['label'] == '' and d('key')['strength'] is None" \
        "d('key')['runner_up'] is None and d('key')['runner_up_strength'] is None" \
        "d('tuning')['value'] is None"
done

# --- tuning ------------------------------------------------------------------------------
# A 440 Hz sine, and chords / notes on grids of 432 and 445 Hz, within 1 Hz (about 4 cents).
ts-gen sine --frequency 440 --duration 3 -o a440.pcm
check "tuning of a 440 Hz sine" ts-analyze -a tuning -o a440.jsonl a440.pcm
res "440 Hz" a440.jsonl "near(d('tuning')['value'], 440, 1)" "r('tuning')['unit'] == 'Hz'" \
    "d('tuning')['coherence'] > 0.99" \
    "r('tuning')['params'] == {'n_fft': 4096, 'step': 512, 'fmin': 60, 'fmax': 5000, 'range': 60}"
for a4 in 432 445 440; do
    "$PY" "$T/gen.py" notes n$a4.pcm $a4 -21 -9 -5 0 3 7 10
    check "tuning of notes on A4 = $a4 Hz" ts-analyze -a tuning -o n$a4.jsonl n$a4.pcm
    res "A4 = $a4 Hz within 1 Hz" n$a4.jsonl "near(d('tuning')['value'], $a4, 1)"
done
# The demo is tuned to 440; so are the cadences (harmonics included).
check "tuning of the demo" ts-analyze -a tuning -o demo-t.jsonl demo.pcm
res "demo 440 Hz" demo-t.jsonl "near(d('tuning')['value'], 440, 1)"
check "tuning of a cadence" ts-analyze -a tuning -o cad-t.jsonl cad.pcm
res "cadence 440 Hz" cad-t.jsonl "near(d('tuning')['value'], 440, 1)"
# key and tuning with their defaults share chroma's STFT: same numbers together or alone.
check "key,tuning,chroma together" ts-analyze -a key,tuning,chroma -o all.jsonl demo.pcm
res "shared STFT gives the same values" all.jsonl \
    "d('tuning')['value'] == json.load(open('demo-t.jsonl'))['data']['value']" \
    "d('key')['label'] == '$want'"

# --- bad parameters ----------------------------------------------------------------------
expect_fail "key.profile=bogus" 2 "profile" ts-analyze -a key -p key.profile=bogus demo.pcm
expect_fail "key.n_fft odd" 2 "n_fft" ts-analyze -a key -p key.n_fft=1001 demo.pcm
expect_fail "key.fmax below fmin" 2 "fmax" ts-analyze -a key -p key.fmin=500 -p key.fmax=100 demo.pcm
expect_fail "key.range=0" 2 "range" ts-analyze -a key -p key.range=0 demo.pcm
expect_fail "key.harmonics=0" 2 "harmonics" ts-analyze -a key -p key.harmonics=0 demo.pcm
expect_fail "key.decay=2" 2 "decay" ts-analyze -a key -p key.decay=2 demo.pcm
expect_fail "key.weight=bogus" 2 "weight" ts-analyze -a key -p key.weight=bogus demo.pcm
expect_fail "tuning.step=0" 2 "step" ts-analyze -a tuning -p tuning.step=0 demo.pcm
expect_fail "tuning.n_fft=8" 2 "n_fft" ts-analyze -a tuning -p tuning.n_fft=8 demo.pcm
expect_fail "tuning.fmin=-1" 2 "fmin" ts-analyze -a tuning -p tuning.fmin=-1 demo.pcm

finish
