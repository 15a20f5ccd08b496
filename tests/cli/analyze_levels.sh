#!/bin/bash
# Level analyzers (level, dc, stats, waveform, rms, zcr) on signals whose values are known:
# sines, square waves, constants, silence, and stats against `sox X -n stats` itself.
. "$TS_SRC/tests/cli/lib.sh"

# res.py FILE 'EXPR'...: FILE holds ts-result JSON lines; each EXPR must be true, with
# v(ID) the data value of result ID, r(ID) the whole result, near(a, b, tol), np.
cat >"$T/res.py" <<'EOF'
import json, os, sys
import numpy as np
sys.path.insert(0, os.environ["TS_SRC"] + "/tests/cli")
from tsnum import results, near
rs = results(sys.argv[1], by_channel=True)
def r(i): return rs[i]
def v(i): return rs[i]["data"]["value"]
env = dict(r=r, v=v, near=near, np=np, rs=rs)
bad = [e for e in sys.argv[2:] if not eval(e, env)]
if bad:
    shown = {k: (x["data"]["value"] if not isinstance(x["data"]["value"], list) or len(x["data"]["value"]) < 8
                 else "[%d values]" % len(x["data"]["value"])) for k, x in rs.items()}
    sys.exit("false: %s  (values: %s)" % ("; ".join(bad), shown))
EOF
res() { local what=$1; shift; pycheck "$what" "$T/res.py" "$@"; }

# mkpcm FILE RATE CHANNELS 'EXPR': a float TSPCM file whose samples are the numpy EXPR of
# n (frame numbers 0..N-1, N given as the 5th argument), shape (N,) or (N, CHANNELS).
mkpcm() {
    "$PY" - "$@" <<'EOF'
import sys
import numpy as np
path, rate, ch, expr, frames = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
n = np.arange(frames)
x = np.asarray(eval(expr), dtype="<f4").reshape(frames, ch)
with open(path, "wb") as f:
    f.write(("TSPCM 1\nrate: %d\nchannels: %d\nformat: f32le\nframes: %d\nEND\n" % (rate, ch, frames)).encode())
    f.write(x.tobytes())
EOF
}

# --- level ----------------------------------------------------------------------------
ts-gen sine --frequency 1000 --amplitude -20 >sine20.tspcm
check "level of a sine" ts-analyze -a level sine20.tspcm -o level.jsonl
res "1 kHz sine at -20 dBFS: peak -20.00, RMS -23.01" level.jsonl \
    'near(v("level.peak"), -20.0, 0.01)' 'near(v("level.rms"), -23.01, 0.01)' \
    'r("level.rms")["unit"] == "dBFS" and r("level.rms")["audio"]["mix"] == "all"'

ts-gen silence --duration 0.5 >silence.tspcm
check "level of silence" ts-analyze -a level silence.tspcm -o level0.jsonl
res "silence: peak and RMS are null, and the description says why" level0.jsonl \
    'v("level.peak") is None and v("level.rms") is None' \
    '"silence" in r("level.peak")["description"] and "silence" in r("level.rms")["description"]'

# A full-scale square wave, 1 kHz-ish (22 samples up, 22 down): peak = RMS = 1.
mkpcm square.tspcm 44100 1 'np.where((n // 22) % 2 == 0, 1.0, -1.0)' 44100
check "level and stats of a square wave" ts-analyze -a level,stats square.tspcm -o square.jsonl
res "full-scale square: crest factor 1, RMS 0 dBFS" square.jsonl \
    'near(v("stats.crest_factor"), 1.0, 0.001)' 'near(v("level.rms"), 0.0, 0.001)' \
    'near(v("stats.rms_level"), 0.0, 0.001)' 'near(v("level.peak"), 0.0, 0.001)' \
    'v("stats.flat_factor") > 20' 'v("stats.zero_crossings") == (44100 - 1) // 22'

# --- dc -----------------------------------------------------------------------------------
ts-gen dc --level 0.25 --channels 2 >dc25.tspcm
check "dc of a constant" ts-analyze -a dc dc25.tspcm -o dc25.jsonl
res "constant 0.25: 25 %" dc25.jsonl 'near(v("dc"), 25.0, 0.01)' 'r("dc")["unit"] == "%"'
check "dc of a sine" ts-analyze -a dc sine20.tspcm -o dc0.jsonl
res "sine over whole periods: about 0 %" dc0.jsonl 'near(v("dc"), 0.0, 0.01)'
# The mean over all channels: 0.5 in one channel, -0.25 in the other.
mkpcm dc2.tspcm 8000 2 'np.stack([np.full(len(n), 0.5), np.full(len(n), -0.25)], 1)' 8000
check "dc of two channels" ts-analyze -a dc,stats.dc_offset dc2.tspcm -o dc2.jsonl
res "dc is the mean of all samples; stats.dc_offset the channel mean farthest from 0 (sox)" \
    dc2.jsonl 'near(v("dc"), 12.5, 1e-9)' 'near(v("stats.dc_offset"), 0.5, 1e-9)'

# --- stats against sox ------------------------------------------------------------------
# soxcmp WHAT AUDIO [--mix each]: every stats figure against sox's Overall column (with
# --mix each: against its per-channel columns), to sox's printed precision.
soxcmp() {
    local what=$1 audio=$2
    shift 2
    if ! ts-analyze -a stats "$@" "$audio" >"$T/cmp.jsonl" 2>"$T/.err"; then
        fail "$what: ts-analyze failed: $(head -c 300 "$T/.err")"
        return
    fi
    if ! sox "$audio" -n stats 2>"$T/sox.txt"; then
        fail "$what: sox failed: $(head -c 300 "$T/sox.txt")"
        return
    fi
    if out=$("$PY" - "$T/cmp.jsonl" "$T/sox.txt" "$(soxi -c "$audio")" "$(soxi -s "$audio")" \
        "$(soxi -r "$audio")" <<'EOF' 2>&1
import json, math, sys
res_path, sox_path, channels, frames, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
ours = {}  # column -> figure -> value; column 0 is Overall, 1.. the channels
for line in open(res_path):
    r = json.loads(line)
    col = r["audio"].get("channel", -1) + 1
    ours.setdefault(col, {})[r["id"].split(".", 1)[1]] = r["data"]["value"]
labels = ["DC offset", "Min level", "Max level", "Pk lev dB", "RMS lev dB", "RMS Pk dB",
          "RMS Tr dB", "Crest factor", "Flat factor", "Pk count", "Bit-depth", "Num samples",
          "Length s"]
rows = {}
for line in open(sox_path):
    for label in labels:
        if line.startswith(label):
            rows[label] = line[len(label):].split()
def unsig(s):  # sox's 3 significant figures with a k/M suffix
    mult = {"k": 1e3, "M": 1e6, "G": 1e9}.get(s[-1], 1)
    return float(s.rstrip("kMG")) * mult
def sig3_ulp(x):
    return 10 ** (math.floor(math.log10(abs(x))) - 2) if x else 1
errors = []
def cmp(name, a, b, tol):
    if b is None or (isinstance(b, float) and math.isinf(b)):
        if a is not None:
            errors.append("%s: %r, sox %r" % (name, a, b))
    elif a is None or abs(a - b) > tol:
        errors.append("%s: %r, sox %r (tol %g)" % (name, a, b, tol))
def db(s):
    return float("-inf") if s in ("-inf", "-") else float(s)
cols = [0] if 0 in ours else list(range(1, channels + 1))
for col in cols:
    o = ours[col]
    # sox prints Overall first when there are several channels, then one column each.
    i = 0 if channels == 1 else (0 if col == 0 else col)
    f = lambda row: rows[row][i]
    cmp("dc_offset", o["dc_offset"], float(f("DC offset")), 1e-4)
    cmp("min_level", o["min_level"], float(f("Min level")), 1e-4)
    cmp("max_level", o["max_level"], float(f("Max level")), 1e-4)
    for ours_id, row in (("peak_level", "Pk lev dB"), ("rms_level", "RMS lev dB"),
                         ("rms_peak", "RMS Pk dB"), ("rms_trough", "RMS Tr dB")):
        cmp(ours_id, o[ours_id], db(f(row)), 0.01)
    crest = rows["Crest factor"][i]
    if crest == "-":  # sox gives no Overall crest factor for several channels
        pk, rms = db(f("Pk lev dB")), db(f("RMS lev dB"))
        cmp("crest_factor", o["crest_factor"], 10 ** ((pk - rms) / 20), 0.003 * o["crest_factor"])
    else:
        cmp("crest_factor", o["crest_factor"], float(crest), 0.01)
    cmp("flat_factor", o["flat_factor"], float(f("Flat factor")), 0.01)
    pc = unsig(f("Pk count"))
    cmp("peak_count", o["peak_count"], pc, sig3_ulp(pc) / 2 + 1e-9)
    if "/".join(str(b) for b in o["bit_depth"]) != f("Bit-depth"):
        errors.append("bit_depth: %r, sox %s" % (o["bit_depth"], f("Bit-depth")))
    if o["samples"] != frames or o["length"] != frames / rate:
        errors.append("samples/length: %r %r, want %d %r" % (o["samples"], o["length"], frames, frames / rate))
    cmp("samples (sox)", o["samples"], unsig(rows["Num samples"][0]), sig3_ulp(frames) / 2 + 1e-9)
    cmp("length (sox)", o["length"], float(rows["Length s"][0]), 0.0005 + 1e-12)
if errors:
    sys.exit("; ".join(errors))
EOF
    ); then pass; else fail "$what: $out"; fi
}

ts-gen sine --amplitude -6 --channels 2 -o sine.wav
soxcmp "stats of a stereo sine = sox stats" sine.wav
ts-gen noise --color pink --duration 5 -o pink.wav
soxcmp "stats of pink noise = sox stats" pink.wav
ts-gen demo -o demo.wav
soxcmp "stats of the demo piece = sox stats" demo.wav
ts-gen sweep --duration 0.2 -o short.wav
soxcmp "stats of 0.2 s (shorter than 5 RMS windows) = sox stats" short.wav
# Clipped: runs of samples at the extremes (flat factor, peak count).
ts-gen sine --amplitude -1 -o loud.wav
sox -D loud.wav clipped.wav vol 1.5 2>/dev/null
soxcmp "stats of a clipped sine = sox stats" clipped.wav
# Different channels: per-channel extremes, DC and windows combined as sox does, in
# blocks that are not multiples of the vector width.
ts-gen noise --color white --amplitude -12 --duration 1.3 -o white.wav
sox -M pink.wav white.wav sine.wav mixed.wav trim 0 1.2345 2>/dev/null
soxcmp "stats of 4 different channels = sox stats Overall" mixed.wav
soxcmp "stats --mix each = sox stats per channel" mixed.wav --mix each
ts-gen silence --duration 0.5 -o silence.wav
soxcmp "stats of silence = sox stats" silence.wav

check "stats of the demo piece" ts-analyze -a stats demo.wav -o demo.jsonl
res "demo: samples and length exact" demo.jsonl \
    'v("stats.samples") == 1323000 and v("stats.length") == 30.0' \
    'r("stats.length")["unit"] == "s" and r("stats.peak_level")["unit"] == "dBFS"'
ts-gen silence --duration 0 >empty.tspcm
check "stats of an empty input" ts-analyze -a stats,rms,zcr,waveform empty.tspcm -o empty.jsonl
res "empty input: null figures, zero counts, empty arrays" empty.jsonl \
    'v("stats.samples") == 0 and v("stats.rms_level") is None and v("stats.peak_level") is None' \
    'v("rms") == [] and v("zcr") == [] and v("waveform") == []'

# --- waveform -----------------------------------------------------------------------------
# 1 s of silence then 1 s of a full-scale 1 kHz sine (10 periods per 441-sample bucket).
mkpcm silsine.tspcm 44100 1 'np.where(n < 44100, 0.0, np.sin(2 * np.pi * 1000 * (n - 44100) / 44100))' 88200
check "waveform, 441 samples per pixel" \
    ts-analyze -a waveform -p waveform.samples_per_pixel=441 silsine.tspcm -o wf.jsonl
res "200 buckets: silence [0, 0], then [-1, 1]" wf.jsonl \
    'len(v("waveform")) == 200' 'all(b == [0, 0] for b in v("waveform")[:100])' \
    'all(near(b[0], -1, 0.01) and near(b[1], 1, 0.01) for b in v("waveform")[100:])' \
    'r("waveform")["frames"] == {"rate": 44100, "block": 441, "step": 441}' \
    'r("waveform")["data"]["columns"] == ["min", "max"]'
check "waveform, 100 pixels per second" \
    ts-analyze -a waveform -p waveform.pixels_per_second=100 silsine.tspcm -o wf100.jsonl
if "$PY" -c 'import json, sys; d = lambda f: [json.loads(l)["data"] for l in open(f)]
sys.exit(d(sys.argv[1]) != d(sys.argv[2]))' wf.jsonl wf100.jsonl; then
    pass
else
    fail "waveform: pixels_per_second=100 differs from samples_per_pixel=441"
fi
ts-gen sine --channels 2 >stereo.tspcm
check "waveform of each channel" \
    ts-analyze -a waveform -p waveform.channels=each -p waveform.samples_per_pixel=441 stereo.tspcm -o wfe.jsonl
res "channels=each: [min0, max0, min1, max1] per bucket" wfe.jsonl \
    'len(v("waveform")) == 100 and all(len(b) == 4 for b in v("waveform"))' \
    'r("waveform")["data"]["columns"] == ["min0", "max0", "min1", "max1"]'
mkpcm short1000.tspcm 44100 1 'np.sin(n / 10.0) * 0.5' 1000
check "waveform of 1000 samples" ts-analyze -a waveform short1000.tspcm -o wf1000.jsonl
res "1000 samples at 256 per pixel: 4 buckets, the last partial" wf1000.jsonl \
    'len(v("waveform")) == 4' 'r("waveform")["params"]["samples_per_pixel"] == 256'
# Against numpy on random channels in 16-bit steps, buckets of an odd size: each channel's
# extremes, and the mixed extremes of the exact mean, so that trunc(32768 v) is
# audiowaveform's (sum of int16) / channels.
for ch in 1 2 3; do
    mkpcm "rand$ch.tspcm" 8000 $ch \
        "np.random.default_rng($ch).integers(-32768, 32768, (len(n), $ch)) / 32768.0" 10007
    for mode in each mixed; do
        ts-analyze -a waveform -p waveform.channels=$mode -p waveform.samples_per_pixel=301 \
            "rand$ch.tspcm" >"wf$ch$mode.jsonl" 2>"$T/.err" ||
            fail "waveform $mode of $ch random channels: $(head -c 300 "$T/.err")"
    done
    if out=$("$PY" - $ch "wf${ch}each.jsonl" "wf${ch}mixed.jsonl" 2>&1 <<'EOF'

import json, sys
import numpy as np
ch = int(sys.argv[1])
s = np.random.default_rng(ch).integers(-32768, 32768, (10007, ch))
# Values are written as the shortest decimal of their float32: read them back as float32.
each = np.array(json.loads(open(sys.argv[2]).read())["data"]["value"], dtype=np.float32)
mixed = np.array(json.loads(open(sys.argv[3]).read())["data"]["value"], dtype=np.float32)
assert each.shape == (34, 2 * ch) and mixed.shape == (34, 2), (each.shape, mixed.shape)
mean = np.trunc(s.sum(axis=1) / ch).astype(int)  # audiowaveform: int sum / channels
for i in range(34):
    b = s[i * 301:(i + 1) * 301]
    want = np.ravel([[b[:, c].min(), b[:, c].max()] for c in range(ch)])
    assert np.array_equal(each[i].astype(np.float64) * 32768, want), (i, each[i], want)
    m = mean[i * 301:(i + 1) * 301]
    got = np.trunc(mixed[i].astype(np.float64) * 32768).astype(int)
    assert list(got) == [m.min(), m.max()], (i, got, m.min(), m.max())
EOF
    ); then pass; else fail "waveform of $ch random channels differs from numpy: $out"; fi
done

# --- rms and zcr --------------------------------------------------------------------------
ts-gen sine --frequency 1000 --amplitude -6 >sine6.tspcm
check "rms and zcr of a sine" ts-analyze -a rms,zcr sine6.tspcm -o rz.jsonl
res "sine of peak A: rms A/sqrt(2) in every frame; 1 kHz: 2000/44100 crossings per sample" rz.jsonl \
    'len(v("rms")) == (44100 - 2048) // 512 + 1 == len(v("zcr"))' \
    'all(near(x, 10 ** (-6 / 20) / 2 ** 0.5, 0.01 * 10 ** (-6 / 20) / 2 ** 0.5) for x in v("rms"))' \
    'all(near(x, 2000 / 44100, 0.02 * 2000 / 44100) for x in v("zcr"))' \
    'r("rms")["frames"] == {"rate": 44100, "block": 2048, "step": 512} and r("rms")["unit"] == ""'
check "rms and zcr with block 1024 step 1000" ts-analyze -a rms,zcr -p rms.block=1024 \
    -p rms.step=1000 -p zcr.block=1024 -p zcr.step=1000 sine6.tspcm -o rz2.jsonl
res "frame count = floor((N - block) / step) + 1" rz2.jsonl \
    'len(v("rms")) == (44100 - 1024) // 1000 + 1 == len(v("zcr"))' \
    'r("rms")["params"] == {"block": 1024, "step": 1000}'
check "rms and zcr of 1000 samples" ts-analyze -a rms,zcr short1000.tspcm -o rz0.jsonl
res "shorter than a block: empty arrays" rz0.jsonl 'v("rms") == [] and v("zcr") == []'

# --- bad parameters -----------------------------------------------------------------------
expect_fail "waveform.samples_per_pixel=0" 2 samples_per_pixel \
    ts-analyze -a waveform -p waveform.samples_per_pixel=0 sine20.tspcm
expect_fail "waveform.pixels_per_second above the rate" 2 pixels_per_second \
    ts-analyze -a waveform -p waveform.pixels_per_second=50000 sine20.tspcm
expect_fail "waveform.channels=both" 2 channels \
    ts-analyze -a waveform -p waveform.channels=both sine20.tspcm
expect_fail "rms.block=abc" 2 rms.block ts-analyze -a rms -p rms.block=abc sine20.tspcm
expect_fail "zcr.step=0" 2 zcr.step ts-analyze -a zcr -p zcr.step=0 sine20.tspcm
expect_fail "stats.window=0" 2 stats.window ts-analyze -a stats -p stats.window=0 sine20.tspcm
expect_fail "stats.bogus" 2 stats.bogus ts-analyze -a stats.bogus sine20.tspcm

finish
