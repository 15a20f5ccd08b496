#!/bin/bash
# ts-serialize's web-player peaks: audiowaveform .dat (8/16-bit, version 1/2) and JSON, and
# wavesurfer.js peaks, from `ts-analyze -a waveform` results. Every value is checked against
# audiowaveform's rules computed in Python from the same 16-bit samples: min/max per bucket of
# samples_per_pixel (the last bucket partial), mono = sum of the channels' int16 samples / C in
# C integer division, 8-bit = the 16-bit value / 256 in C integer division. Bad inputs last.
. "$TS_SRC/tests/cli/lib.sh"

# A 16-bit stereo file whose channels differ: left a 1 kHz sine at -6 dBFS, right white noise
# at -10 dBFS RMS (odd and negative sums, so the mono mix's truncation shows), both from
# ts-gen; 13230 frames = 51 buckets of 256 and a partial one of 174. And a 16-bit mono sine.
ts-gen sine --amplitude -6 --duration 0.3 --format s16le --raw >left.raw
ts-gen noise --amplitude -10 --seed 7 --duration 0.3 --format s16le --raw >right.raw
"$PY" - <<'PY'
import array, wave
l = array.array("h", open("left.raw", "rb").read())
r = array.array("h", open("right.raw", "rb").read())
assert len(l) == len(r) == 13230
st = array.array("h")
for a, b in zip(l, r):
    st.append(a); st.append(b)
w = wave.open("st.wav", "wb"); w.setnchannels(2); w.setsampwidth(2); w.setframerate(44100)
w.writeframes(st.tobytes()); w.close()
PY
ts-gen sine --amplitude -6 --duration 0.3 --frequency 441 -o mono.wav

check "waveform mixed" ts-analyze -a waveform -p waveform.samples_per_pixel=256 st.wav -o mixed.jsonl
check "waveform each" ts-analyze -a waveform -p waveform.samples_per_pixel=256 -p waveform.channels=each st.wav -o each.jsonl
check "waveform mono" ts-analyze -a waveform -p waveform.samples_per_pixel=300 mono.wav -o mono.jsonl

# Every dat / json output, then one Python pass that checks them all.
for in in mixed each mono; do
    for bits in 8 16; do
        check "dat $in $bits" ts-serialize -f dat --bits $bits $in.jsonl -o $in.$bits.dat
        check "awf json $in $bits" ts-serialize --bits $bits $in.jsonl -o $in.$bits.awf.json
    done
    check "wavesurfer $in" ts-serialize $in.jsonl -o $in.peaks.json
done
# Version 2 forced on one channel (audiowaveform reads it), version 1 given explicitly.
check "dat v2 mixed" ts-serialize -f dat --dat-version 2 mixed.jsonl -o mixed.16.v2.dat
check "dat v1 mono 8" ts-serialize -f dat --dat-version 1 --bits 8 mono.jsonl -o mono.8.v1.dat
check "dat v2 each" ts-serialize -f dat --dat-version 2 --bits 8 each.jsonl -o each.8.v2.dat
# stdout is the same bytes as the file.
ts-serialize -f dat --bits 8 each.jsonl | cmp -s - each.8.dat && pass || fail "dat on stdout differs from -o"
ts-serialize -f audiowaveform-json mixed.jsonl | cmp -s - mixed.16.awf.json && pass || fail "awf json on stdout differs"

cat >verify.py <<'PY'
import json, struct, wave
import numpy as np
def cdiv(a, b):  # C integer division, truncated toward zero
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q
def frames(path):
    w = wave.open(path, "rb"); c = w.getnchannels(); n = w.getnframes(); rate = w.getframerate()
    s = struct.unpack("<%dh" % (n * c), w.readframes(n)); w.close()
    return rate, c, [s[i * c:(i + 1) * c] for i in range(n)]
def awf(path, spp, each):
    # audiowaveform's WaveformGenerator: 16-bit values, [min, max] per channel per bucket.
    rate, c, fr = frames(path)
    rows = c if each else 1
    out = []
    for b in range(0, len(fr), spp):
        chunk = fr[b:b + spp]
        for ch in range(rows):
            v = [f[ch] for f in chunk] if each else [cdiv(sum(f), c) for f in chunk]
            v = [max(-32768, min(32767, x)) for x in v]
            out += [min(v), max(v)]
    return rate, rows, (len(fr) + spp - 1) // spp, out
def read_dat(path):
    d = open(path, "rb").read()
    version, flags, rate, spp, length = struct.unpack_from("<iIiiI", d, 0)
    off = 20
    ch = 1
    if version == 2:
        ch, = struct.unpack_from("<i", d, 20); off = 24
    n = length * ch * 2
    fmt = "<%db" % n if flags & 1 else "<%dh" % n
    assert len(d) == off + struct.calcsize(fmt), (path, len(d), off, n)
    return version, flags, rate, spp, length, ch, list(struct.unpack_from(fmt, d, off))
cases = {"mixed": ("st.wav", 256, False), "each": ("st.wav", 256, True), "mono": ("mono.wav", 300, False)}
for name, (wav, spp, each) in cases.items():
    rate, rows, length, want16 = awf(wav, spp, each)
    want8 = [cdiv(v, 256) for v in want16]
    res = json.loads(open(name + ".jsonl").read())
    assert len(res["data"]["value"]) == length, (name, "buckets", len(res["data"]["value"]), length)
    files = [(name + ".16.dat", 16, 1 if rows == 1 else 2), (name + ".8.dat", 8, 1 if rows == 1 else 2)]
    if name == "mixed": files.append(("mixed.16.v2.dat", 16, 2))
    if name == "mono": files.append(("mono.8.v1.dat", 8, 1))
    if name == "each": files.append(("each.8.v2.dat", 8, 2))
    for f, bits, version in files:
        v, flags, r, s, l, ch, data = read_dat(f)
        assert (v, flags, r, s, l, ch) == (version, 1 if bits == 8 else 0, rate, spp, length, rows), (f, v, flags, r, s, l, ch)
        want = want8 if bits == 8 else want16
        bad = [i for i, (a, b) in enumerate(zip(data, want)) if a != b]
        assert data == want, (f, "first difference at", bad[:3], [(data[i], want[i]) for i in bad[:3]])
        # The JSON: audiowaveform's keys in its order, version 2 always, the same values.
        j = open(f"{name}.{bits}.awf.json").read()
        assert j.endswith("}\n") and j.count("\n") == 1, f
        doc = json.loads(j)
        assert list(doc) == ["version", "channels", "sample_rate", "samples_per_pixel", "bits", "length", "data"], list(doc)
        assert [doc[k] for k in list(doc)[:6]] == [2, rows, rate, spp, bits, length], (f, doc["version"])
        assert doc["data"] == want, f
    # wavesurfer: one array per channel, min and max interleaved, the result's values.
    ws = json.load(open(name + ".peaks.json"))
    assert list(ws) == ["channels", "sample_rate", "samples_per_pixel", "length", "duration", "peaks"], list(ws)
    assert (ws["channels"], ws["sample_rate"], ws["samples_per_pixel"], ws["length"]) == (rows, rate, spp, length)
    assert ws["duration"] == res["audio"]["duration"] == len(frames(wav)[2]) / rate, ws["duration"]
    assert len(ws["peaks"]) == rows and all(len(p) == 2 * length for p in ws["peaks"])
    for c in range(rows):
        got = ws["peaks"][c]
        exp = [x for row in res["data"]["value"] for x in row[2 * c:2 * c + 2]]
        assert got == exp, (name, c)
        # and they are audiowaveform's 16-bit values / 32768 for a 16-bit source's channels;
        # the exact mono mean truncates to them.
        ref = [want16[i * 2 * rows + 2 * c + k] for i in range(length) for k in (0, 1)]
        for g, w in zip(got, ref):
            g = float(np.float32(g))  # the result's float32 value, exactly
            assert int(g * 32768) == w and (g * 32768 == w or not (each or wav == "mono.wav")), (name, g, w)
print("ok")
PY
out=$("$PY" verify.py 2>&1) && [ "$out" = ok ] && pass || fail "peaks values: $out"

# The conversion rules at their edges, from a hand-made result: 32768 * v truncated toward
# zero and clamped to int16 (1.0 and 1.5 -> 32767, -1.5 -> -32768), a mixed mean -1.5/32768
# -> -1 (C division of -3 by 2), 8-bit -255..255 -> 0, -256 -> -1, -257 -> -1, 32767 -> 127.
cat >edge.jsonl <<'JL'
{"schema":"ts-result/1","id":"waveform","analyzer":"waveform","name":"Waveform peaks","unit":"","description":"","time_mode":"framewise","data_mode":"value","audio":{"source":"e.wav","sha1":null,"rate":8000,"channels":1,"start":0,"duration":0.5,"mix":"all"},"frames":{"rate":8000,"block":1000,"step":1000},"params":{"channels":"mixed","pixels_per_second":0.0,"samples_per_pixel":1000},"producer":{"tool":"ts-analyze","version":"0.1.0"},"data":{"value":[[-1.5,1.5],[-1.0,1.0],[-4.57763671875e-05,4.57763671875e-05],[-0.0077819824,0.0077819824],[-0.0078125,0.0078125],[-0.007843017578125,0.007843017578125]],"columns":["min","max"]}}
JL
check "edge dat 16" ts-serialize -f dat edge.jsonl -o e16.dat
check "edge dat 8" ts-serialize -f dat --bits 8 edge.jsonl -o e8.dat
check "edge awf 8" ts-serialize -f audiowaveform-json --bits 8 edge.jsonl -o e8.awf.json
"$PY" -c '
import struct, json
d = open("e16.dat", "rb").read()
assert struct.unpack("<iIiiI", d[:20]) == (1, 0, 8000, 1000, 6), struct.unpack("<iIiiI", d[:20])
v = list(struct.unpack("<12h", d[20:]))
assert v == [-32768, 32767, -32768, 32767, -1, 1, -255, 255, -256, 256, -257, 257], v
e = open("e8.dat", "rb").read()
assert struct.unpack("<iIiiI", e[:20]) == (1, 1, 8000, 1000, 6) and len(e) == 32
w = list(struct.unpack("<12b", e[20:]))
assert w == [-128, 127, -128, 127, 0, 0, 0, 0, -1, 1, -1, 1], w
assert json.load(open("e8.awf.json"))["data"] == w
' && pass || fail "edge values"

# -o DIR/ writes one file per result, so several waveform results need no --result.
mkdir outdir
cat mixed.jsonl each.jsonl >two.jsonl
check "dat to a folder" ts-serialize -f dat two.jsonl -o outdir/
[ "$(ls outdir | sort | tr '\n' ' ')" = "st.waveform-2.dat st.waveform.dat " ] && pass || fail "folder: $(ls outdir)"
cmp -s outdir/st.waveform.dat mixed.16.dat && cmp -s outdir/st.waveform-2.dat each.16.dat && pass || fail "folder files differ"

# An empty input: no bucket; audiowaveform data of length 0, wavesurfer refuses.
ts-gen silence --duration 0 --format s16le | ts-analyze -a waveform - >empty.jsonl
check "empty dat" ts-serialize -f dat empty.jsonl -o empty.dat
"$PY" -c '
import struct; d = open("empty.dat", "rb").read()
assert struct.unpack("<iIiiI", d) == (1, 0, 44100, 256, 0), d' && pass || fail "empty dat header"
expect_fail "wavesurfer empty" 1 "no bucket" ts-serialize -f wavesurfer empty.jsonl -o empty.peaks.json
[ ! -e empty.peaks.json ] && pass || fail "wavesurfer empty left a file"

# Bad inputs: exit status, the message naming the result, empty stdout, no file.
ts-gen sine --duration 0.1 | ts-analyze -a level,waveform - >lw.jsonl
for f in dat audiowaveform-json wavesurfer; do
    expect_fail "$f of level.peak" 1 "result level.peak is not a waveform result" ts-serialize -f $f --result level.peak lw.jsonl -o bad.out
    [ ! -e bad.out ] && pass || fail "$f: a file was left"
    expect_fail "$f stdout level" 1 "level.peak" ts-serialize -f $f --result 'level.*' lw.jsonl
    expect_fail "$f two waveforms" 2 "--result" ts-serialize -f $f two.jsonl -o bad.out
    [ ! -e bad.out ] && pass || fail "$f two: a file was left"
done
expect_fail "dat v1 two channels" 2 "version 1 holds one channel, and result waveform has 2" \
    ts-serialize -f dat --dat-version 1 each.jsonl -o bad.dat
[ ! -e bad.dat ] && pass || fail "dat v1: a file was left"
expect_fail "--bits 12" 2 "--bits" ts-serialize -f dat --bits 12 mixed.jsonl -o bad.dat
[ ! -e bad.dat ] && pass || fail "--bits 12: a file was left"
# A waveform result whose rows are not min/max pairs, and one holding null.
sed 's/"value":\[.*\],"columns":\["min","max"\]/"value":[[0.1,0.2,0.3],[0.1,0.2,0.3]]/' edge.jsonl >odd.jsonl
expect_fail "odd width" 1 "result waveform is not a waveform result" ts-serialize -f dat odd.jsonl -o bad.dat
sed 's/\[-1.5,1.5\]/[null,1.5]/' edge.jsonl >null.jsonl
expect_fail "null value" 1 "bucket 0 holds null" ts-serialize -f audiowaveform-json null.jsonl -o bad.awf.json
[ ! -e bad.dat ] && [ ! -e bad.awf.json ] && pass || fail "a file was left"

# ts-analyze -f dat takes ts-serialize's --bits and --dat-version (one declaration): the same
# bytes as through the JSON Lines, and the header fields asked for.
for opt in --bits --dat-version; do
    a=$(ts-analyze --help | grep -E -A1 "^ +$opt "); s=$(ts-serialize --help | grep -E -A1 "^ +$opt ")
    [ -n "$a" ] && [ "$a" = "$s" ] && pass || fail "$opt help: '$a' vs '$s'"
done
check "ts-analyze -f dat --bits 8" ts-analyze -a waveform -p waveform.samples_per_pixel=256 -f dat --bits 8 st.wav -o direct.8.dat
cmp -s direct.8.dat mixed.8.dat && pass || fail "ts-analyze --bits 8 differs from ts-serialize --bits 8"
check "ts-analyze -o .dat --bits 8 --dat-version 2" ts-analyze -a waveform -p waveform.samples_per_pixel=300 --bits 8 --dat-version 2 mono.wav -o direct.8.v2.dat
check "ts-analyze each, --dat-version 2" ts-analyze -a waveform -p waveform.samples_per_pixel=256 -p waveform.channels=each -f dat --dat-version 2 st.wav -o direct.each.dat
check "ts-analyze --bits 8 awf json" ts-analyze -a waveform -p waveform.samples_per_pixel=256 --bits 8 st.wav -o direct.8.awf.json
"$PY" -c '
import json, struct
d = open("direct.8.v2.dat", "rb").read()
version, flags, rate, spp, length, ch = struct.unpack_from("<iIiiIi", d, 0)
assert (version, flags & 1, rate, spp, ch) == (2, 1, 44100, 300, 1), (version, flags, rate, spp, ch)
assert length == 45 and len(d) == 24 + 2 * length, (length, len(d))
e = open("direct.each.dat", "rb").read()
h = struct.unpack_from("<iIiiIi", e, 0)
assert h == (2, 0, 44100, 256, 52, 2) and len(e) == 24 + 52 * 2 * 2 * 2, h
assert e == open("each.16.dat", "rb").read()
assert json.load(open("direct.8.awf.json"))["bits"] == 8
' && pass || fail "ts-analyze dat headers"
expect_fail "ts-analyze --bits 12" 2 "--bits" ts-analyze -a waveform -f dat --bits 12 st.wav -o bad.dat
expect_fail "ts-analyze --dat-version 1, two channels" 2 "version 1 holds one channel" ts-analyze -a waveform -p waveform.channels=each -f dat --dat-version 1 st.wav -o bad.dat
[ ! -e bad.dat ] && pass || fail "ts-analyze: bad.dat left behind"
ts-analyze -a waveform -p waveform.samples_per_pixel=256 --compact -f json st.wav >direct.json &&
    [ "$(wc -l <direct.json)" = 1 ] && ts-serialize -f json --compact mixed.jsonl | cmp -s - direct.json && pass || fail "ts-analyze --compact"

finish
