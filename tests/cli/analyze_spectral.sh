#!/bin/bash
# The STFT analyzers (spectrogram, spectral, mel, mfcc, chroma) on signals of known content:
# real values, the sharing of one STFT, the framing, and bad parameters. MFCC and mel are
# checked against a numpy re-implementation of librosa's formulas (written below).
. "$TS_SRC/tests/cli/lib.sh"

# jcheck "what" RESULTS.jsonl 'PYTHON': runs PYTHON with R (result id -> parsed result),
# V(id) (its data.value as a float array, null -> nan), Y(id) and np; it must not raise.
cat >"$T/jcheck.py" <<'EOF'
import json, os, sys
import numpy as np
sys.path.insert(0, os.environ["TS_SRC"] + "/tests/cli")
from tsnum import results, values
R = results(sys.argv[1])
def V(i):
    return values(R[i])
def Y(i):
    return values(R[i], "y")
exec(sys.argv[2])
EOF
jcheck() { pycheck "$1" "$T/jcheck.py" "$2" "$3"; }

# The numpy reference: the normalised STFT power, librosa's mel filterbank, power_to_db,
# the orthonormal DCT-II and the savgol-style deltas, each written from its formula.
cat >"$T/ref.py" <<'EOF'
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from tsnum import load

def stft_power(x, n_fft=2048, step=512):
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)  # periodic hann
    n = (len(x) - n_fft) // step + 1
    frames = np.stack([x[i * step:i * step + n_fft] * w for i in range(n)])
    return np.abs(np.fft.rfft(frames, axis=1)) ** 2 * (2 / w.sum()) ** 2

def hz_to_mel(f):
    f = np.asanyarray(f, dtype=float)
    return np.where(f >= 1000, 15 + np.log(np.maximum(f, 1e-10) / 1000) / (np.log(6.4) / 27),
                    f / (200 / 3))

def mel_to_hz(m):
    m = np.asanyarray(m, dtype=float)
    return np.where(m >= 15, 1000 * np.exp(np.log(6.4) / 27 * (m - 15)), m * 200 / 3)

def mel_bank(rate, n_fft, bands=40, fmin=0.0, fmax=None):
    fmax = rate / 2 if fmax is None else fmax
    fft_f = np.linspace(0, rate / 2, n_fft // 2 + 1)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), bands + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_f)
    wts = np.zeros((bands, len(fft_f)))
    for i in range(bands):
        wts[i] = np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]))
    return wts * (2.0 / (mel_f[2:bands + 2] - mel_f[:bands]))[:, None], mel_f[1:-1]

def dct_ortho(x, n_out):
    n = x.shape[1]
    k = np.arange(n_out)[:, None]
    basis = np.cos(np.pi * k * (2 * np.arange(n)[None, :] + 1) / (2 * n))
    basis *= np.where(k == 0, np.sqrt(1 / n), np.sqrt(2 / n))
    return x @ basis.T

def deltas(c, order, width=9):
    # savgol_filter(c, width, polyorder=order, deriv=order, axis=0, mode='interp'):
    # a polynomial fit per window, its derivative at the window's centre, the edge frames
    # taking the fit of the first or last window.
    n, h = len(c), width // 2
    out = np.zeros_like(c)
    t = np.arange(width) - h
    for i in range(n):
        s = min(max(i - h, 0), n - width)
        for j in range(c.shape[1]):
            p = np.polyder(np.polyfit(t, c[s:s + width, j], order), order)
            out[i, j] = np.polyval(p, (i - s) - h)
    return out

x, h = load(sys.argv[2])
mono = x.mean(axis=1)
rate = int(h["rate"])
P = stft_power(mono)
W, centres = mel_bank(rate, 2048)
mel = P @ W.T
mfcc = dct_ortho(10 * np.log10(np.maximum(mel, 1e-10)), 13)
np.save(sys.argv[3] + ".mel.npy", mel)
np.save(sys.argv[3] + ".centres.npy", centres)
np.save(sys.argv[3] + ".mfcc.npy", np.hstack([mfcc, deltas(mfcc, 1), deltas(mfcc, 2)]))
EOF

# --- inputs ---------------------------------------------------------------------------
for f in 440 1000 5000; do
    ts-gen sine --frequency $f --duration 2 -o sine$f.pcm
done
ts-gen sine --frequency 1000 --rate 16000 --amplitude 0 --duration 1 -o bin64.pcm # bin 64 of 1024
ts-gen noise --color white --seed 7 --duration 5 -o white.pcm
ts-gen silence --duration 1 -o silence.pcm
ts-gen sweep --from 100 --to 8000 --duration 2 --channels 2 -o sweep.pcm
# White noise brick-wall low-passed at 4 kHz (numpy FFT), as TSPCM.
"$PY" - white.pcm lowpass.pcm "$TS_SRC/tests/cli" <<'EOF'
import sys
import numpy as np
sys.path.insert(0, sys.argv[3])
from tsnum import load
x, h = load(sys.argv[1])
X = np.fft.rfft(x[:, 0])
X[np.fft.rfftfreq(len(x), 1 / 44100) > 4000] = 0
y = np.fft.irfft(X, len(x)).astype("<f4")
with open(sys.argv[2], "wb") as f:
    f.write(b"TSPCM 1\nrate: 44100\nchannels: 1\nformat: f32le\nframes: %d\nEND\n" % len(y))
    f.write(y.tobytes())
EOF

# --- spectral -------------------------------------------------------------------------
# A pure sine's centroid is its frequency within one bin (44100/2048 = 21.5 Hz), and its
# flatness is tiny; its rolloff is at the sine.
for f in 440 1000 5000; do
    check "spectral of a $f Hz sine" ts-analyze -a spectral -o s$f.jsonl sine$f.pcm
    jcheck "centroid of $f Hz" s$f.jsonl "
c = V('spectral.centroid'); assert len(c) == 169, len(c)
assert np.all(np.abs(c - $f) < 44100 / 2048), (c.min(), c.max())
assert V('spectral.flatness').max() < 0.01, V('spectral.flatness').max()
assert np.all(np.abs(V('spectral.rolloff') - $f) <= 44100 / 2048), V('spectral.rolloff')[:3]
assert V('spectral.entropy').max() < 0.2 and V('spectral.crest').min() > 100
assert R['spectral.centroid']['unit'] == 'Hz' and R['spectral.flatness']['unit'] == ''
"
done
jcheck "spectral outputs: the 13 ids, units, params" s1000.jsonl "
ids = ['centroid', 'spread', 'skewness', 'kurtosis', 'flatness', 'rolloff', 'flux', 'slope',
       'decrease', 'crest', 'energy', 'hfc', 'entropy']
assert list(R) == ['spectral.' + i for i in ids], list(R)
for i in ids:
    r = R['spectral.' + i]
    assert r['time_mode'] == 'framewise' and r['frames'] == {'rate': 44100, 'block': 2048, 'step': 512}
    assert r['params']['n_fft'] == 2048 and r['params']['window'] == 'hann' and r['params']['rolloff'] == 0.85
    assert r['description'], i
# -20 dBFS sine: m = 0.1 at its bin, energy 0.1^2 * (sum of the hann main lobe squared, about 1.5)
e = V('spectral.energy'); assert np.all(np.abs(e - 0.015) < 0.0015), e[:3]
assert V('spectral.flux')[0] == 0 and V('spectral.flux').max() < 1e-4
"

# White noise: magnitudes are Rayleigh-distributed, so the geometric / arithmetic mean of
# the magnitudes is 2 exp(-gamma/2) / sqrt(pi) = 0.8455 (see the flatness description).
check "spectral of white noise" ts-analyze -a spectral -o white.jsonl white.pcm
jcheck "white noise: flat, centred, entropy near 1" white.jsonl "
fl = V('spectral.flatness')
assert abs(fl.mean() - 0.8455) < 0.01 and fl.min() > 0.8, (fl.mean(), fl.min())
c = V('spectral.centroid'); assert abs(c.mean() - 11025) < 200, c.mean()
s = V('spectral.spread'); assert abs(s.mean() - 22050 / 12 ** 0.5) < 200, s.mean()
k = V('spectral.kurtosis'); assert abs(k.mean() - 1.8) < 0.05, k.mean()
assert abs(V('spectral.skewness').mean()) < 0.05
assert abs(V('spectral.rolloff').mean() - 0.85 * 22050) < 300, V('spectral.rolloff').mean()
assert V('spectral.entropy').mean() > 0.9
assert abs(V('spectral.slope').mean()) < 1e-9
"

# Band-limited noise: 85 % of the energy lies below 0.85 * 4 kHz, 99 % below 0.99 * 4 kHz.
check "spectral rolloff 0.85 of noise low-passed at 4 kHz" \
    ts-analyze -a spectral.rolloff -o lp85.jsonl lowpass.pcm
jcheck "rolloff 0.85 ~ 3.4 kHz" lp85.jsonl "
r = np.median(V('spectral.rolloff')); assert 0.85 * 4000 * 0.9 < r < 4000 * 1.05 and abs(r - 3400) < 150, r
assert list(R) == ['spectral.rolloff']
"
check "spectral rolloff 0.99" ts-analyze -a spectral.rolloff -p spectral.rolloff=0.99 -o lp99.jsonl lowpass.pcm
jcheck "rolloff 0.99 within 5 % of 4 kHz" lp99.jsonl "
r = np.median(V('spectral.rolloff')); assert abs(r - 4000) < 0.05 * 4000, r
assert R['spectral.rolloff']['params']['rolloff'] == 0.99
"

# Silence: the shape descriptors are 0, never null.
check "spectral of silence" ts-analyze -a spectral -o sil.jsonl silence.pcm
jcheck "silence gives zeros" sil.jsonl "
for i, r in R.items():
    v = V(i); assert len(v) == 83 and np.all(v == 0), (i, v[:3])
"

# Output selection: -p spectral.outputs, -a spectral.NAME, and both (their intersection).
check "-p spectral.outputs=centroid,flatness" \
    ts-analyze -a spectral -p spectral.outputs=centroid,flatness -o two.jsonl sine440.pcm
jcheck "exactly 2 results" two.jsonl "assert list(R) == ['spectral.centroid', 'spectral.flatness'], list(R)"
check "-a spectral.centroid,spectral.rolloff with outputs=centroid,flatness" \
    ts-analyze -a spectral.centroid,spectral.rolloff -p spectral.outputs=centroid,flatness -o one.jsonl sine440.pcm
jcheck "their intersection" one.jsonl "assert list(R) == ['spectral.centroid'], list(R)"
check "-a spectral.flux" ts-analyze -a spectral.flux -o flux.jsonl white.pcm
jcheck "flux alone, first frame 0" flux.jsonl "
f = V('spectral.flux'); assert list(R) == ['spectral.flux'] and f[0] == 0 and f[1:].min() > 0.01, f[:3]"

# --- spectrogram ----------------------------------------------------------------------
check "spectrogram of a 1 kHz sine" ts-analyze -a spectrogram -o sg.jsonl sine1000.pcm
jcheck "max bin, y, frame count" sg.jsonl "
v = V('spectrogram'); y = Y('spectrogram')
N = 88200
assert v.shape == ((N - 2048) // 512 + 1, 1025), v.shape
assert len(y) == 1025 and y[1] == 44100 / 2048 and y[-1] == 22050
assert np.all(v.argmax(axis=1) == round(1000 * 2048 / 44100)), v.argmax(axis=1)[:3]
# -20 dBFS, 0.44 bin off-centre: the hann scalloping loss is about 1.1 dB there
assert abs(v.max() - (-20 - 1.1)) < 0.3, v.max()
assert v.min() >= -120
r = R['spectrogram']; assert r['params']['scale'] == 'db' and r['frames']['block'] == 2048
"
check "spectrogram n_fft 1024 step 300 rect linear" ts-analyze -a spectrogram -p spectrogram.n_fft=1024 \
    -p spectrogram.step=300 -p spectrogram.window=rect -p spectrogram.scale=linear -o sg2.jsonl sine1000.pcm
jcheck "framing follows the parameters" sg2.jsonl "
v = V('spectrogram'); assert v.shape == ((88200 - 1024) // 300 + 1, 513), v.shape
assert len(Y('spectrogram')) == 513 and np.all(v.argmax(axis=1) == round(1000 * 1024 / 44100))
assert R['spectrogram']['frames'] == {'rate': 44100, 'block': 1024, 'step': 300}
"
# A full-scale sine on a bin centre (1 kHz at 16 kHz, n_fft 1024: bin 64) reads 1.0 / 0 dB.
for w in hann hamming blackman rect; do
    check "spectrogram linear, $w" ts-analyze -a spectrogram -p spectrogram.n_fft=1024 \
        -p spectrogram.window=$w -p spectrogram.scale=linear -o lin-$w.jsonl bin64.pcm
    jcheck "full-scale sine = 1.0 ($w)" lin-$w.jsonl "
v = V('spectrogram'); assert np.all(np.abs(v[:, 64] - 1) < 1e-3), v[:, 64].min()"
done
check "spectrogram db of a bin-centred full-scale sine" \
    ts-analyze -a spectrogram -p spectrogram.n_fft=1024 -o db64.jsonl bin64.pcm
jcheck "0 dB at bin 64" db64.jsonl "v = V('spectrogram'); assert np.all(np.abs(v[:, 64]) < 0.01)"
check "spectrogram of silence" ts-analyze -a spectrogram -o sgsil.jsonl silence.pcm
jcheck "silence is the -120 dB floor" sgsil.jsonl "assert np.all(V('spectrogram') == -120)"

# --- mel ------------------------------------------------------------------------------
check "mel of a 1 kHz sine" ts-analyze -a mel -o mel.jsonl sine1000.pcm
jcheck "the band holding 1 kHz peaks" mel.jsonl "
v = V('mel'); y = Y('mel'); assert v.shape == (169, 40) and len(y) == 40
b = v.mean(axis=0).argmax()
assert y[b - 1] < 1000 < y[b + 1], (b, y[b - 1:b + 2])
assert b == np.abs(y - 1000).argmin()
assert R['mel']['params']['bands'] == 40 and R['mel']['params']['scale'] == 'slaney'
"
check "mel htk, 20 bands, 300-3400 Hz" ts-analyze -a mel -p mel.scale=htk -p mel.bands=20 \
    -p mel.fmin=300 -p mel.fmax=3400 -o melhtk.jsonl sine1000.pcm
jcheck "htk centres span fmin..fmax in mel" melhtk.jsonl "
y = Y('mel'); m = 2595 * np.log10(1 + y / 700)
lo, hi = 2595 * np.log10(1 + 300 / 700), 2595 * np.log10(1 + 3400 / 700)
assert len(y) == 20 and np.allclose(m, lo + (hi - lo) * np.arange(1, 21) / 21, rtol=1e-9), m
assert np.abs(y - 1000)[V('mel').mean(axis=0).argmax()] == np.abs(y - 1000).min()
"

# --- mfcc and mel against the numpy reference --------------------------------------------
check "numpy reference of a stereo sweep" "$PY" "$T/ref.py" "$TS_SRC/tests/cli" sweep.pcm ref
check "mel, mfcc with deltas of the sweep" \
    ts-analyze -a mel,mfcc -p mfcc.deltas=true -o mfcc.jsonl sweep.pcm
jcheck "mel = numpy/librosa formula" mfcc.jsonl "
ref = np.load('ref.mel.npy'); v = V('mel')
assert v.shape == ref.shape, (v.shape, ref.shape)
big = ref > 1e-6 * ref.max()
assert np.allclose(v[big], ref[big], rtol=1e-3), np.abs(v[big] / ref[big] - 1).max()
assert np.allclose(Y('mel'), np.load('ref.centres.npy'), rtol=1e-9)
"
jcheck "mfcc and deltas = numpy formulas (1e-3 relative)" mfcc.jsonl "
ref = np.load('ref.mfcc.npy'); v = V('mfcc')
assert v.shape == ref.shape == (169, 39), (v.shape, ref.shape)
for a, b, name in ((0, 13, 'mfcc'), (13, 26, 'delta'), (26, 39, 'delta-delta')):
    r, x = ref[:, a:b], v[:, a:b]
    err = np.abs(x - r).max() / np.abs(r).max()
    assert err < 1e-3, (name, err)
assert np.allclose(v[:, :13], ref[:, :13], rtol=1e-3, atol=1e-3 * np.abs(ref[:, :13]).max())
"
check "mfcc --mix each of the stereo sweep" ts-analyze --mix each -a mfcc -o each.jsonl sweep.pcm
"$PY" -c 'import sys; l = open(sys.argv[1]).read().splitlines(); open(sys.argv[2], "w").write(l[1] + "\n")' \
    each.jsonl each1.jsonl
jcheck "channel 1 alone = the mono mix of identical channels" each1.jsonl "
ref = np.load('ref.mfcc.npy')[:, :13]; v = V('mfcc')
assert R['mfcc']['audio']['channel'] == 1 and v.shape == ref.shape
assert np.abs(v - ref).max() < 1e-3 * np.abs(ref).max()
"
check "mfcc of silence" ts-analyze -a mfcc -p mfcc.deltas=true -o mfccsil.jsonl silence.pcm
jcheck "finite: c0 = -100 sqrt(40), the rest 0" mfccsil.jsonl "
v = V('mfcc'); assert v.shape == (83, 39) and np.all(np.isfinite(v))
assert 'null' not in json.dumps(R['mfcc']['data'])
assert np.allclose(v[:, 0], -100 * 40 ** 0.5, rtol=1e-6) and np.abs(v[:, 1:]).max() < 1e-3
"
# Shorter than 9 frames: the deltas fit one window over all of them.
ts-gen sine --frequency 440 --duration 0.1 -o short.pcm # 4410 samples: 5 frames
check "mfcc deltas of 5 frames" ts-analyze -a mfcc -p mfcc.deltas=true -o short.jsonl short.pcm
jcheck "deltas of a steady sine are ~0" short.jsonl "
v = V('mfcc'); assert v.shape == (5, 39) and np.all(np.isfinite(v)), v.shape
assert np.abs(v[:, 13:]).max() < 0.05 * np.abs(v[:, :13]).max()
"
ts-gen sine --duration 0.02 -o tiny.pcm # 882 samples: shorter than one frame
check "inputs shorter than n_fft" ts-analyze -a spectral.centroid,mfcc,chroma,spectrogram,mel -o tiny.jsonl tiny.pcm
jcheck "give empty arrays" tiny.jsonl "
assert len(R) == 5
for i in R: assert R[i]['data']['value'] == [], i
"

# --- chroma ---------------------------------------------------------------------------
check "chroma of a 440 Hz sine" ts-analyze -a chroma -o chroma.jsonl sine440.pcm
jcheck "A (9) is the max, normalised to 1" chroma.jsonl "
v = V('chroma'); assert v.shape[1] == 12 and len(v) == (88200 - 4096) // 512 + 1, v.shape
assert np.all(v.argmax(axis=1) == 9) and np.allclose(v.max(axis=1), 1)
assert R['chroma']['data']['labels'][9] == 'A' and R['chroma']['data']['labels'][0] == 'C'
assert list(Y('chroma')) == list(range(12)) and R['chroma']['params']['n_fft'] == 4096
"
check "chroma of a 1 kHz sine (B5 is 987.8 Hz)" ts-analyze -a chroma -o chroma1k.jsonl sine1000.pcm
jcheck "B (11)" chroma1k.jsonl "assert np.all(V('chroma').argmax(axis=1) == 11)"
check "chroma with tuning 415 Hz" ts-analyze -a chroma -p chroma.tuning=415 -o ch415.jsonl sine440.pcm
jcheck "440 Hz is A# (10) when A is 415 Hz" ch415.jsonl "assert np.all(V('chroma').argmax(axis=1) == 10)"
check "chroma of silence" ts-analyze -a chroma -o chsil.jsonl silence.pcm
jcheck "all zero" chsil.jsonl "assert np.all(V('chroma') == 0)"

# --- one STFT shared ------------------------------------------------------------------
# ts-analyze -v ends with "... N framer(s), M STFT(s)" on stderr.
stfts() { # ANALYZERS [ARGS...]: prints the STFT count of a verbose run
    local a=$1; shift
    ts-analyze -v -a "$a" "$@" -o /dev/null sine440.pcm 2>&1 | sed -n 's/.* \([0-9]*\) STFT(s).*/\1/p'
}
check "-a spectral,mfcc shares 1 STFT" test "$(stfts spectral,mfcc)" = 1
check "-a spectral,mfcc,mel,spectrogram: still 1 STFT" test "$(stfts spectral,mfcc,mel,spectrogram)" = 1
check "chroma's n_fft 4096 makes a second STFT" test "$(stfts spectral,mfcc,chroma)" = 2
check "-p mfcc.n_fft=1024 makes a second STFT" test "$(stfts spectral,mfcc -p mfcc.n_fft=1024)" = 2
check "-p mel.window=hamming makes a second STFT" test "$(stfts spectral,mel -p mel.window=hamming)" = 2

# --- bad parameters -------------------------------------------------------------------
expect_fail "odd n_fft" 2 even ts-analyze -a spectrogram -p spectrogram.n_fft=1001 sine440.pcm
expect_fail "n_fft too small" 2 spectral.n_fft ts-analyze -a spectral -p spectral.n_fft=8 sine440.pcm
expect_fail "n_fft too large" 2 mfcc.n_fft ts-analyze -a mfcc -p mfcc.n_fft=131072 sine440.pcm
expect_fail "step 0" 2 mel.step ts-analyze -a mel -p mel.step=0 sine440.pcm
expect_fail "unknown output in the list" 2 "did you mean 'centroid'" \
    ts-analyze -a spectral -p spectral.outputs=centroidd sine440.pcm
expect_fail "no output in common" 2 spectral \
    ts-analyze -a spectral.centroid -p spectral.outputs=flatness sine440.pcm
expect_fail "unknown mel scale" 2 mel.scale ts-analyze -a mel -p mel.scale=foo sine440.pcm
expect_fail "unknown window" 2 "did you mean 'hann'" ts-analyze -a spectral -p spectral.window=han sine440.pcm
expect_fail "unknown spectrogram scale" 2 spectrogram.scale ts-analyze -a spectrogram -p spectrogram.scale=log sine440.pcm
expect_fail "rolloff above 1" 2 spectral.rolloff ts-analyze -a spectral -p spectral.rolloff=1.5 sine440.pcm
expect_fail "more coefficients than bands" 2 mfcc.coefficients \
    ts-analyze -a mfcc -p mfcc.bands=20 -p mfcc.coefficients=30 sine440.pcm
expect_fail "fmax not above fmin" 2 mel.fmax ts-analyze -a mel -p mel.fmin=5000 -p mel.fmax=4000 sine440.pcm
expect_fail "fmax above half the rate (of this input)" 1 "half the sample rate" \
    ts-analyze -a mel -p mel.fmax=30000 sine440.pcm
expect_fail "deltas not a boolean" 2 mfcc.deltas ts-analyze -a mfcc -p mfcc.deltas=maybe sine440.pcm
expect_fail "chroma tuning 0" 2 chroma.tuning ts-analyze -a chroma -p chroma.tuning=0 sine440.pcm

finish
