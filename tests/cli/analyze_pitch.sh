#!/bin/bash
# pitch and notes on signals of exact ground truth: sines from 55 Hz to 2 kHz (every frame
# within 0.5 %), the demo piece's melody scored with mir_eval's melody and transcription rules
# (written in numpy below), silence, a too-short input, and bad parameters.
. "$TS_SRC/tests/cli/lib.sh"

# jcheck "what" RESULTS.jsonl 'PYTHON': runs PYTHON with R (result id -> parsed result), V(id)
# (data.value as a float array), T (the demo's truth, when truth.json exists), the scorers
# below and np; it must not raise.
cat >"$T/jcheck.py" <<'EOF'
import json, os, sys
import numpy as np
sys.path.insert(0, os.environ["TS_SRC"] + "/tests/cli")
from tsnum import results, values
R = results(sys.argv[1])
def V(i):
    return values(R[i])
T = json.load(open("truth.json")) if os.path.exists("truth.json") else None

def centres(i):
    # A pitch frame's estimate describes its centre: (i*step + block/2) / rate.
    f = R[i]["frames"]
    return (np.arange(len(V(i))) * f["step"] + f["block"] / 2) / f["rate"]

def melody(i="pitch.f0"):
    # mir_eval.melody: reference f0 at each estimate time (the note sounding there, else
    # unvoiced); voicing recall = voiced estimates over voiced reference frames; raw pitch
    # accuracy = reference-voiced frames whose estimate is within 50 cents (an unvoiced
    # estimate, f0 0, counts as wrong); voicing false alarm over unvoiced reference frames.
    t, f = centres(i), V(i)
    ref = np.zeros(len(t))
    for n in T["notes"]:
        ref[(t >= n["onset"]) & (t < n["onset"] + n["duration"])] = n["frequency"]
    rv, ev = ref > 0, f > 0
    cents = np.full(len(f), np.inf)
    both = rv & ev
    cents[both] = 1200 * np.abs(np.log2(f[both] / ref[both]))
    return (cents[rv] <= 50).mean(), ev[rv].mean(), ev[~rv].mean()

def transcription(i="notes", pitch=True, offset=False):
    # mir_eval.transcription: a reference and an estimated note match when their onsets are
    # within 50 ms, (pitch) their pitches within 50 cents, (offset) their offsets within
    # max(50 ms, 0.2 x the reference's duration); one-to-one, greedily by onset distance
    # (the notes are far apart, so this is the maximum matching). Returns P, R, F.
    r = R[i]["data"]
    est = list(zip(r["time"], r["duration"], r["value"]))
    ref = [(n["onset"], n["duration"], n["midi"]) for n in T["notes"]]
    pairs = []
    for a, (ro, rd, rm) in enumerate(ref):
        for b, (eo, ed, em) in enumerate(est):
            ok = abs(eo - ro) <= 0.05
            ok = ok and (not pitch or abs(em - rm) * 100 <= 50)
            ok = ok and (not offset or abs(eo + ed - ro - rd) <= max(0.05, 0.2 * rd))
            if ok:
                pairs.append((abs(eo - ro), a, b))
    used_r, used_e = set(), set()
    for _, a, b in sorted(pairs):
        if a not in used_r and b not in used_e:
            used_r.add(a); used_e.add(b)
    m = len(used_r)
    p, rc = m / max(len(est), 1), m / max(len(ref), 1)
    return p, rc, (2 * p * rc / (p + rc) if m else 0.0)

exec(sys.argv[2])
EOF
jcheck() { pycheck "$1" "$T/jcheck.py" "$2" "$3"; }

# --- sines: every frame voiced and within 0.5 % ----------------------------------------
for m in yin yinfft; do
    for f in 55 82.41 110 220 440 1000 1500 2000; do
        ts-gen sine --frequency $f --duration 1 -o s.pcm
        check "$m on a $f Hz sine" ts-analyze -a pitch -p pitch.method=$m -o s.jsonl s.pcm
        jcheck "$m: f0 of a $f Hz sine" s.jsonl "
f = V('pitch.f0')
assert len(f) == (44100 - 2048) // 256 + 1, len(f)
assert np.all(V('pitch.voiced') == 1), V('pitch.voiced').min()
err = np.abs(f / $f - 1)
assert err.max() < 0.005, (f.min(), f.max())
# yinfft's ear weighting (-37 dB at 50 Hz) leaves a low pure tone less periodic in d'.
assert V('pitch.confidence').min() > (0.9 if '$m' == 'yin' or $f >= 220 else 0.5), V('pitch.confidence').min()
"
    done
done
jcheck "pitch results: ids, units, framing, params" s.jsonl "
assert list(R) == ['pitch.f0', 'pitch.confidence', 'pitch.voiced'], list(R)
assert R['pitch.f0']['unit'] == 'Hz' and R['pitch.f0']['time_mode'] == 'framewise'
assert R['pitch.f0']['frames'] == {'rate': 44100, 'block': 2048, 'step': 256}
p = R['pitch.f0']['params']
assert p['method'] == 'yinfft' and p['fmin'] == 50 and p['fmax'] == 2500, p
"
# Above 2 kHz (fmax raised): a period between lags leaves a multiple of it lowest in d';
# yinfft's refinement takes the sub-multiple (aubio reads 1000 Hz for 3 kHz).
for m in yin yinfft; do
    for f in 2500 3000 4000; do
        ts-gen sine --frequency $f --duration 0.5 -o hi.pcm
        check "$m on a $f Hz sine" ts-analyze -a pitch.f0 -p pitch.method=$m -p pitch.fmax=5000 -o hi.jsonl hi.pcm
        jcheck "$m: f0 of a $f Hz sine" hi.jsonl "
f = V('pitch.f0'); assert np.abs(f / $f - 1).max() < 0.005, (f.min(), f.max())"
    done
done
# A weak fundamental: 698.46 Hz 18 dB under its third harmonic (a clarinet's high register
# is like this). d'(tau/3) is low (0.05) but well above d'(tau): the sub-multiple rule must
# not take it (it read 2096 Hz, a twelfth up, before it compared the two).
sox -n -r 44100 -b 16 -c 1 weak.wav synth 0.5 sine 698.46 sine 2095.38 remix 1v0.1,2v0.8
check "yinfft on a weak fundamental" ts-analyze -a pitch.f0 -o weak.jsonl weak.wav
jcheck "weak fundamental: f0 698.46 Hz in every frame" weak.jsonl "
f = V('pitch.f0'); assert np.abs(f / 698.46 - 1).max() < 0.005, (f.min(), f.max())"

# A change of note inside a frame: 440 Hz, then 660 Hz 6 dB softer from 0.5 s. The common
# period, 220 Hz, is the whole frame's best lag while it holds both (with follow=false and no
# running median this reads 220 Hz up to 11 ms past the change); the frame's newest quarter,
# periodic at a third of that lag where its oldest is not, marks the change, and the newest
# half gives the new note from the first frame centred after the change; the old one holds up
# to 25 ms before it.
sox -n -r 44100 -b 16 -c 1 a.wav synth 0.5 sine 440 vol 0.5
sox -n -r 44100 -b 16 -c 1 b.wav synth 0.5 sine 660 vol 0.25
sox a.wav b.wav change.wav
check "yinfft on a change of note" ts-analyze -a pitch.f0 -o change.jsonl change.wav
check "yinfft on a change of note, follow=false" ts-analyze -a pitch.f0 -p pitch.follow=false -p pitch.median=0 -o change0.jsonl change.wav
jcheck "change of note, follow=false, median=0: 220 Hz read after the change" change0.jsonl "
t, f = centres('pitch.f0') - 0.5, V('pitch.f0')
near = f[(t > 0) & (t < 0.05)]
assert np.sum(np.abs(near / 220 - 1) < 0.01) >= 2, near"
jcheck "change of note: 440 Hz, then 660 Hz from the first frame centred after it" change.jsonl "
t, f = centres('pitch.f0') - 0.5, V('pitch.f0')
old, new = f[t <= -0.025], f[(t > 0) & (t < 0.45)]
assert len(old) > 50 and np.abs(old / 440 - 1).max() < 0.005, (old.min(), old.max())
assert len(new) > 50 and np.abs(new / 660 - 1).max() < 0.005, (new.min(), new.max())"

# The attack rule: G4 (392 Hz, three harmonics) ends at 0.45 s and rings on (its level falls
# by e every 50 ms); D4 (293.66 Hz) starts at 0.5 s with a 40 ms linear attack, as a bowed or
# blown note. Without the rule the frame centred 5 ms after the onset still reads the old
# note's period (377.8 Hz: 1.6 semitones under G4); with it the flux's onset (found at the
# centre of the frame 6.6 ms before the note, while the old note still rings alone) gives the
# frames centred within 23 ms after it the pitch of the first frame that starts there, 294.1 Hz.
"$PY" - <<'PYEOF'
import numpy as np, wave
t = np.arange(44100) / 44100
tone = lambda f: sum(np.sin(2 * np.pi * f * h * t) / h for h in (1, 2, 3))
x = tone(392.0) * np.where(t < 0.45, 1, np.exp(-(t - 0.45) / 0.05)) + tone(293.66) * np.clip((t - 0.5) / 0.04, 0, 1)
w = wave.open("attack.wav", "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(44100)
w.writeframes((x / np.abs(x).max() * 0.5 * 32767).astype("<i2").tobytes()); w.close()
PYEOF
check "yinfft on a slow attack" ts-analyze -a pitch.f0 -o attack.jsonl attack.wav
check "yinfft on a slow attack, attack=false" ts-analyze -a pitch.f0 -p pitch.attack=false -o attack0.jsonl attack.wav
jcheck "slow attack: 293.66 Hz from the onset on, 392 Hz up to 10 ms before it" attack.jsonl "
t, f = centres('pitch.f0') - 0.5, V('pitch.f0')
old, new = f[(t > -0.1) & (t < -0.01)], f[(t >= 0) & (t < 0.1)]
assert len(old) > 10 and np.abs(old / 392 - 1).max() < 0.001, (old.min(), old.max())
assert len(new) > 10 and np.abs(new / 293.66 - 1).max() < 0.002, (new.min(), new.max())"
jcheck "slow attack, attack=false: the old note's period 5 ms after the onset" attack0.jsonl "
t, f = centres('pitch.f0') - 0.5, V('pitch.f0')
first = f[(t >= 0) & (t < 0.008)]
assert len(first) == 1 and 370 < first[0] < 385, first"

# A note that ends is not followed: 440 Hz stops at 0.5 s over a 110 Hz bass 14 dB under it;
# the frames centred before the end read 440 Hz though their newest samples hold the bass
# alone (a newest quarter 7 dB or more under the oldest is an ending note: the frame's centre
# is measured, not its newest samples).
sox -n -r 44100 -b 16 -c 1 lead.wav synth 0.5 sine 440 vol 0.5
sox -n -r 44100 -b 16 -c 1 rest.wav trim 0 0.5
sox lead.wav rest.wav lead2.wav
sox -n -r 44100 -b 16 -c 1 bass.wav synth 1 sine 110 vol 0.1
sox -m lead2.wav bass.wav ending.wav
check "yinfft on a note that ends" ts-analyze -a pitch.f0 -o ending.jsonl ending.wav
jcheck "a note that ends: 440 Hz up to it, the bass after" ending.jsonl "
t, f = centres('pitch.f0') - 0.5, V('pitch.f0')
lead, bass = f[t < 0], f[t > 0.025]
assert len(lead) > 80 and np.abs(lead / 440 - 1).max() < 0.005, (lead.min(), lead.max())
assert len(bass) > 60 and np.abs(bass / 110 - 1).max() < 0.005, (bass.min(), bass.max())"

# A note ringing on under the next: 1046.5 Hz (C6) 6 dB under 1396.9 Hz (F6), a fourth (3:4).
# Their common period, 349.2 Hz, is d''s least lag (aubio's and refine=false's answer); the
# sub-multiple's first three harmonics hold more than 2.5 times the salience of 349.2 Hz's
# (whose fundamental and second harmonic are missing), so F6 is read, its period from its
# spectral peak (d' and the time-domain difference, skewed by C6, read 1357 Hz).
sox -n -r 44100 -b 16 -c 1 ringing.wav synth 0.5 sine 1046.5 sine 1396.91 remix 1v0.25,2v0.5
check "yinfft on two notes, one ringing" ts-analyze -a pitch.f0 -o ringing.jsonl ringing.wav
check "yinfft on two notes, refine=false" ts-analyze -a pitch.f0 -p pitch.refine=false -o ringing0.jsonl ringing.wav
jcheck "two notes: the upper one, 1396.9 Hz, in every frame" ringing.jsonl "
f = V('pitch.f0'); assert len(f) > 70 and np.abs(f / 1396.91 - 1).max() < 0.001, (f.min(), f.max())"
jcheck "two notes, refine=false: their common period, 349.2 Hz" ringing0.jsonl "
f = V('pitch.f0'); assert np.abs(f / 349.23 - 1).max() < 0.005, (f.min(), f.max())"

# The running median (0.03 s: 5 frames on either side) narrows a vibrato: 440 Hz with 6 Hz
# vibrato of +-50 cents reads +-48 cents without it (the frame's average), +-41 with it.
"$PY" - <<'PYEOF'
import numpy as np, wave
t = np.arange(88200) / 44100
phase = 2 * np.pi * np.cumsum(440 * 2 ** (50 * np.sin(2 * np.pi * 6 * t) / 1200)) / 44100
w = wave.open("vibrato.wav", "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(44100)
w.writeframes((0.5 * np.sin(phase) * 32767).astype("<i2").tobytes()); w.close()
PYEOF
check "yinfft on a vibrato" ts-analyze -a pitch.f0 -o vib.jsonl vibrato.wav
check "yinfft on a vibrato, median=0" ts-analyze -a pitch.f0 -p pitch.median=0 -o vib0.jsonl vibrato.wav
jcheck "vibrato: +-41 cents with the median" vib.jsonl "
c = 1200 * np.log2(V('pitch.f0')[20:-20] / 440); assert 40 < c.max() < 42 and -42 < c.min() < -40, (c.min(), c.max())"
jcheck "vibrato: +-48 cents without" vib0.jsonl "
c = 1200 * np.log2(V('pitch.f0')[20:-20] / 440); assert 47.5 < c.max() < 49 and -49 < c.min() < -47.5, (c.min(), c.max())"

# Small blocks: with block 64 or 96 the newest half's lags (up to 15 or 23) lie below the
# lowest searched (17, fmax 2500 Hz), so no newest half is analysed; notes changing between
# 1500 and 2200 Hz every 0.1 s read within 0.1 % in every frame inside a note.
sox -n -r 44100 -b 16 -c 1 c1.wav synth 0.1 sine 1500 vol 0.5
sox -n -r 44100 -b 16 -c 1 c2.wav synth 0.1 sine 2200 vol 0.5
sox c1.wav c2.wav c1.wav c2.wav steps.wav
for b in 64 96 128; do
    check "yinfft, block $b, on changing notes" ts-analyze -a pitch.f0 -p pitch.block=$b -p pitch.step=8 -o steps.jsonl steps.wav
    jcheck "block $b: 1500 and 2200 Hz in turn" steps.jsonl "
f = V('pitch.f0'); start = np.arange(len(f)) * 8 / 44100; end = start + $b / 44100
for k in range(4):
    inside = (start >= 0.1 * k + 0.002) & (end <= 0.1 * k + 0.098)
    ref = 1500 if k % 2 == 0 else 2200
    assert inside.sum() > 400 and np.abs(f[inside] / ref - 1).max() < 0.001, (k, f[inside].min(), f[inside].max())"
done

# The lag range: at 96 kHz a block of 2048 reaches down to 94 Hz only (lag 1022), a block of
# 4096 to 47 Hz; fmax below a sine keeps f0 under it.
ts-gen sine --frequency 55 --rate 96000 --duration 1 -o s96.pcm
check "yin at 96 kHz, block 4096" ts-analyze -a pitch -p pitch.method=yin -p pitch.block=4096 -o s96.jsonl s96.pcm
jcheck "55 Hz at 96 kHz" s96.jsonl "
f = V('pitch.f0'); assert np.abs(f / 55 - 1).max() < 0.005, (f.min(), f.max())"
check "a 1 kHz sine with fmax 500" ts-analyze -a pitch -p pitch.fmax=500 -p pitch.method=yin -o lo.jsonl s.pcm
jcheck "fmax bounds the f0" lo.jsonl "f = V('pitch.f0'); assert np.all(f <= 1000 / 2 * 1.01), f.max()"

# Only the outputs asked for.
check "-a pitch.f0" ts-analyze -a pitch.f0 -o f0.jsonl s.pcm
jcheck "pitch.f0 alone" f0.jsonl "assert list(R) == ['pitch.f0'], list(R)"

# --- the demo's melody ----------------------------------------------------------------
# The demo mixes the lead with bass, chords' roots and drums: both trackers are scored on the
# mix itself (aubio's yinfft scores 0.99 on it too, see bench/pitch.sh).
ts-gen demo --truth truth.json -o demo.pcm
check "pitch of the demo (yinfft)" ts-analyze -a pitch -o demo.jsonl demo.pcm
jcheck "yinfft: raw pitch accuracy >= 95 %, voicing recall >= 90 %" demo.jsonl "
rpa, vr, vfa = melody(); print('yinfft RPA %.4f VR %.4f VFA %.4f' % (rpa, vr, vfa))
assert rpa >= 0.95 and vr >= 0.90, (rpa, vr)
"
# Plain YIN has no ear weighting: in the frames where a lead note starts (the window still
# half in the 50 ms gap before it) it finds the bass; its scores are lower (0.886 and 0.945
# with its default threshold 0.15, aubio's yin 0.888 and 0.998).
check "pitch of the demo (yin)" ts-analyze -a pitch -p pitch.method=yin -o demo-yin.jsonl demo.pcm
jcheck "yin: raw pitch accuracy >= 85 %, voicing recall >= 90 %" demo-yin.jsonl "
rpa, vr, vfa = melody(); print('yin RPA %.4f VR %.4f VFA %.4f' % (rpa, vr, vfa))
assert rpa >= 0.85 and vr >= 0.90, (rpa, vr)
"
jcheck "the demo's silent gap (20-22 s) is unvoiced" demo.jsonl "
t = centres('pitch.f0'); gap = (t > 20.05) & (t < 21.95)
assert np.all(V('pitch.f0')[gap] == 0) and np.all(V('pitch.voiced')[gap] == 0)
assert np.all(V('pitch.confidence')[gap] == 0)
"

# --- notes ----------------------------------------------------------------------------
check "notes of the demo" ts-analyze -a notes -o notes.jsonl demo.pcm
jcheck "notes: onset F >= 0.9, with pitch F >= 0.9" notes.jsonl "
r = R['notes']; assert r['time_mode'] == 'segment' and r['unit'] == 'MIDI'
po, ro, fo = transcription(pitch=False)
pp, rp, fp = transcription()
_, _, ff = transcription(offset=True)
print('notes: onset P %.3f R %.3f F %.3f; onset+pitch F %.3f; onset+pitch+offset F %.3f' % (po, ro, fo, fp, ff))
assert fo >= 0.9 and fp >= 0.9, (fo, fp)
assert len(r['data']['time']) == len(r['data']['duration']) == len(r['data']['value'])
assert all(d > 0 for d in r['data']['duration'])
"
# A note repeated at the same pitch (76 at 11.5 s and at 12.0 s) is two notes; a kick drum
# on a held note (69 from 6.0 to 7.95 s, kick at 7.0 s) does not split it.
jcheck "notes: repeated pitch split, held note whole" notes.jsonl "
d = R['notes']['data']; t, v = np.array(d['time']), np.array(d['value'])
assert np.sum((np.abs(t - 11.5) < 0.05) & (v == 76)) == 1 and np.sum((np.abs(t - 12.0) < 0.05) & (v == 76)) == 1, t
held = np.where(np.abs(t - 6.0) < 0.05)[0]; assert len(held) == 1 and v[held[0]] == 69
assert d['duration'][held[0]] > 1.8 and not np.any((t > 6.1) & (t < 7.9)), t
"
check "notes with onset_db=0 (pitch changes only)" ts-analyze -a notes -p notes.onset_db=0 -o notes0.jsonl demo.pcm
jcheck "without energy onsets the repeated 76 is still split by the bass in the gap" notes0.jsonl "
_, _, fp = transcription(); assert fp >= 0.9, fp"

# --- silence, short input -------------------------------------------------------------
ts-gen silence --duration 2 -o silence.pcm
check "pitch of silence" ts-analyze -a pitch,notes -o sil.jsonl silence.pcm
jcheck "silence: all unvoiced, f0 0, no notes" sil.jsonl "
f = V('pitch.f0'); assert len(f) == (88200 - 2048) // 256 + 1
assert np.all(f == 0) and np.all(V('pitch.voiced') == 0) and np.all(V('pitch.confidence') == 0)
assert R['notes']['data']['time'] == []
"
ts-gen sine --frequency 440 --duration 0.04 -o short.pcm # 1764 frames < one block
check "pitch of a too-short input" ts-analyze -a pitch,notes -o short.jsonl short.pcm
jcheck "too short: empty results" short.jsonl "
assert all(len(V(i)) == 0 for i in ['pitch.f0', 'pitch.confidence', 'pitch.voiced'])
assert R['notes']['data']['time'] == [] and R['notes']['data']['value'] == []
"
# Quiet noise: below the silence level, unvoiced.
ts-gen noise --amplitude -70 --duration 1 -o quiet.pcm
check "pitch of noise at -70 dBFS" ts-analyze -a pitch -o quiet.jsonl quiet.pcm
jcheck "noise under the silence level is unvoiced" quiet.jsonl "assert np.all(V('pitch.f0') == 0)"

# NaN and infinite samples: the frames holding one are unvoiced, the others tracked.
"$PY" - <<'PYEOF'
import numpy as np
x = (0.1 * np.sin(2 * np.pi * 440 * np.arange(44100) / 44100)).astype("<f4")
x[10000], x[30000] = np.nan, np.inf
with open("nan.pcm", "wb") as f:
    f.write(b"TSPCM 1\nrate: 44100\nchannels: 1\nformat: f32le\nframes: %d\nEND\n" % len(x))
    f.write(x.tobytes())
PYEOF
for m in yin yinfft; do
    check "$m on NaN and Inf samples" ts-analyze -a pitch,notes -p pitch.method=$m -p notes.method=$m -o nan.jsonl nan.pcm
    jcheck "$m: frames with NaN or Inf unvoiced, the rest at 440 Hz" nan.jsonl "
f = V('pitch.f0'); start = np.arange(len(f)) * 256
bad = ((start <= 10000) & (start + 2048 > 10000)) | ((start <= 30000) & (start + 2048 > 30000))
assert np.all(f[bad] == 0) and np.all(np.abs(f[~bad] / 440 - 1) < 0.005), f
assert np.all(np.isfinite(V('pitch.confidence')))
n = V('notes'); assert 1 <= len(n) <= 3 and np.all(n == 69), n
"
done

# --- bad parameters -------------------------------------------------------------------
expect_fail "unknown method" 2 "pitch.method" ts-analyze -a pitch -p pitch.method=pyin s.pcm
expect_fail "odd block" 2 "pitch.block" ts-analyze -a pitch -p pitch.block=2047 s.pcm
expect_fail "block too small" 2 "pitch.block" ts-analyze -a pitch -p pitch.block=8 s.pcm
expect_fail "step 0" 2 "pitch.step" ts-analyze -a pitch -p pitch.step=0 s.pcm
expect_fail "fmin 0" 2 "pitch.fmin" ts-analyze -a pitch -p pitch.fmin=0 s.pcm
expect_fail "fmax not above fmin" 2 "pitch.fmax" ts-analyze -a pitch -p pitch.fmin=500 -p pitch.fmax=400 s.pcm
expect_fail "fmax equal to fmin" 2 "notes.fmax" ts-analyze -a notes -p notes.fmin=300 -p notes.fmax=300 s.pcm
expect_fail "threshold above 1" 2 "pitch.threshold" ts-analyze -a pitch -p pitch.threshold=1.5 s.pcm
expect_fail "silence above 0 dBFS" 2 "pitch.silence" ts-analyze -a pitch -p pitch.silence=3 s.pcm
expect_fail "median negative" 2 "pitch.median" ts-analyze -a pitch -p pitch.median=-0.01 s.pcm
expect_fail "attack not a boolean" 2 "pitch.attack" ts-analyze -a pitch -p pitch.attack=maybe s.pcm
expect_fail "notes has no attack rule" 2 "notes.attack" ts-analyze -a notes -p notes.attack=true s.pcm
expect_fail "notes median not a number" 2 "notes.median" ts-analyze -a notes -p notes.median=wide s.pcm
expect_fail "notes split 0" 2 "notes.split" ts-analyze -a notes -p notes.split=0 s.pcm
expect_fail "notes min_duration negative" 2 "notes.min_duration" ts-analyze -a notes -p notes.min_duration=-1 s.pcm
expect_fail "unknown output" 2 "pitch" ts-analyze -a pitch.pitch s.pcm

finish
