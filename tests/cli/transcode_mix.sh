#!/bin/bash
# ts-transcode and ts-decode over mixed inputs: several inputs of different codecs, rates and
# layouts in one run (also under valgrind), two inputs of one stem refused before anything is
# written, the ITU stereo downmix of surround layouts against ffmpeg -ac 2, and two-pass
# loudness normalisation (--normalize, --true-peak).
. "$TS_SRC/tests/cli/lib.sh"

# lufs FILE: integrated loudness and true peak ("I TP") of a file, by ts-analyze.
lufs() {
    ts-analyze -a loudness.integrated,loudness.true_peak "$1" |
        jq -r '.data.value' | paste -sd' '
}
# near "what" VALUE WANT TOL
near() {
    if awk -v v="$2" -v w="$3" -v t="$4" 'BEGIN { exit !(v ~ /^-?[0-9]/ && v + 0 >= w - t && v + 0 <= w + t) }'
    then pass; else fail "$1: $2, want $3 ± $4"; fi
}

# --- several inputs: codecs, rates and layouts side by side ----------------------------------
# An mp3 at 44.1 kHz stereo, a mono wav at 8 kHz, an m4a and a 5.1 flac at 48 kHz: the FFmpeg
# source of each is made and released in turn (a layout copied into an uninitialised one
# once freed a stray pointer here).
ts-gen sine --frequency 440 --duration 2 --channels 2 -o a.wav && ts-transcode a.wav -o a.mp3
ts-gen sine --frequency 300 --duration 2 --rate 8000 -o speech-8k-mono.wav
ts-gen sine --frequency 500 --duration 2 --channels 2 --rate 48000 -o b.wav && ts-transcode b.wav -o b.m4a
ffmpeg -nostdin -v error -y -f lavfi -i "aevalsrc=0.1*sin(2*PI*600*t):c=5.1:s=48000:d=2" c51.flac
check "several inputs to ogg" ts-transcode -f ogg a.mp3 speech-8k-mono.wav b.m4a c51.flac -o out/
same() { if [ "$2" = "$3" ]; then pass; else fail "$1: got '$2', want '$3'"; fi; }
same "four outputs, no temporary file" "$(ls -A out | tr '\n' ' ')" "a.ogg b.ogg c51.ogg speech-8k-mono.ogg "
for f in a b c51 speech-8k-mono; do
    ts-decode "out/$f.ogg" >"$f.tspcm" 2>/dev/null || fail "out/$f.ogg does not decode"
done
num "mp3 to ogg: stereo 44.1 kHz, 440 Hz" expect a.tspcm "channels == 2" "rate == 44100" "abs(freq - 440) < 1"
num "8 kHz mono wav to ogg: mono, 8 kHz, 300 Hz" expect speech-8k-mono.tspcm "channels == 1" "rate == 8000" "abs(freq - 300) < 1"
num "m4a to ogg: 500 Hz" expect b.tspcm "channels == 2" "rate == 48000" "abs(freq - 500) < 1"
num "5.1 flac to ogg: six channels" expect c51.tspcm "channels == 6" "abs(freq - 600) < 1"
check "several inputs to mp3 and opus" ts-transcode -f opus a.mp3 speech-8k-mono.wav b.m4a -o 'o2/{stem}.opus'
same "three opus files" "$(ls -A o2 | tr '\n' ' ')" "a.opus b.opus speech-8k-mono.opus "
# (valgrind cannot run the sanitizer build, which checks the same run with ASan instead)
if ldd "$(command -v ts-transcode)" | grep -q libasan; then
    pass
elif command -v valgrind >/dev/null; then
    check "several inputs under valgrind (no invalid read, write or free)" \
        valgrind -q --error-exitcode=99 --leak-check=no ts-transcode -f ogg a.mp3 speech-8k-mono.wav b.m4a -o vg/
else
    fail "valgrind is not installed (scripts/setup installs it)"
fi

# --- two inputs of one stem: refused before anything is written ------------------------------
ts-transcode a.wav -o speech.mp3 && ts-transcode a.wav -o speech.opus
expect_fail "two inputs of one stem" 2 "speech.mp3 and speech.opus would both be written to same/speech.ogg" \
    ts-transcode -f ogg a.wav speech.mp3 speech.opus -o same/
same "nothing written for a refused stem clash" "$(ls -A same 2>/dev/null | wc -l)" 0
expect_fail "two inputs of one stem, pattern" 2 "would both be written to p/speech.flac" \
    ts-transcode speech.mp3 speech.opus -o 'p/{stem}.flac'

# --- the ITU stereo downmix -----------------------------------------------------------------
# Six channels with a sine of its own each: ts-decode --channels 2 gives ffmpeg -ac 2's 16-bit
# output within its rounding (L = (FL + 0.707 FC + 0.707 BL) / 2.414, the LFE left out).
ffmpeg -nostdin -v error -y -f lavfi -i "aevalsrc=0.3*sin(2*PI*300*t)|0.2*sin(2*PI*500*t)|0.25*sin(2*PI*700*t)|0.4*sin(2*PI*50*t)|0.1*sin(2*PI*900*t)|0.15*sin(2*PI*1100*t):c=5.1:s=48000:d=1" -c:a pcm_f32le m51.wav
for layout in 5.1 "5.1(side)" 7.1 5.0; do
    ffmpeg -nostdin -v error -y -i m51.wav -af "channelmap=channel_layout=$layout" -c:a pcm_f32le "m-$layout.wav" 2>/dev/null ||
        ffmpeg -nostdin -v error -y -f lavfi -i "aevalsrc=0.3*sin(2*PI*300*t)|0.2*sin(2*PI*500*t)|0.25*sin(2*PI*700*t)|0.1*sin(2*PI*900*t)|0.15*sin(2*PI*1100*t):c=$layout:s=48000:d=1" -c:a pcm_f32le "m-$layout.wav"
    ffmpeg -nostdin -v error -y -i "m-$layout.wav" -ac 2 -c:a pcm_s16le "ff-$layout.wav"
    check "downmix $layout" ts-decode --channels 2 "m-$layout.wav" -o "ts-$layout.tspcm"
    ts-decode "ff-$layout.wav" -o "ff-$layout.tspcm"
    num "downmix of $layout as ffmpeg -ac 2" compare "ts-$layout.tspcm" "ff-$layout.tspcm" 3.1e-5
    num "downmix of $layout: stereo" expect "ts-$layout.tspcm" "channels == 2" "h.get('layout') is None"
done
check "downmix to an mp3" ts-transcode --channels 2 m-5.1.wav -o m51.mp3
num "the mp3 of a 5.1 downmix is stereo" expect <(ts-decode m51.mp3) "channels == 2"
expect_fail "5.1 to mp3 without a downmix" 2 "--channels 2 downmixes to stereo" ts-transcode m-5.1.wav -o x.mp3
ts-gen sine --duration 1 --channels 12 -o twelve.tspcm 2>/dev/null ||
    "$PY" -c "import sys; sys.stdout.buffer.write(b'TSPCM 1\nrate: 8000\nchannels: 12\nformat: f32le\nframes: 8000\nEND\n' + bytes(8000 * 12 * 4))" >twelve.tspcm
expect_fail "12 channels of no known layout to stereo" 2 "layout is unknown" ts-decode --channels 2 twelve.tspcm

# --- loudness normalisation ------------------------------------------------------------------
# A 1 kHz stereo sine at -30 dBFS reads -30.0 LUFS; brought to -16 it reads -16.0.
ts-gen sine --frequency 1000 --amplitude -30 --duration 10 --channels 2 -o quiet.wav
check "normalize to -16" ts-transcode --normalize -16 quiet.wav -o n16.flac
read -r i tp <<<"$(lufs n16.flac)"
near "normalised to -16 LUFS" "$i" -16.0 0.05
near "normalised: the sine's true peak is now -16 dBTP" "$tp" -16.0 0.1
check "normalize to -23 as opus" ts-transcode --normalize -23 quiet.wav -o n23.opus
read -r i tp <<<"$(lufs n23.opus)"
near "normalised to -23 LUFS (opus)" "$i" -23.0 0.1
# A loud input comes down.
ts-gen sine --frequency 1000 --amplitude -3 --duration 10 --channels 2 -o loud.wav
check "normalize a loud input" ts-transcode --normalize -16 loud.wav -o down.flac
read -r i tp <<<"$(lufs down.flac)"
near "a loud input brought down to -16" "$i" -16.0 0.05
# Clicks: quiet on average, sharp peaks. -16 LUFS would put the peaks above 0 dBTP, so the gain
# stops where the true peak reaches --true-peak, and a warning says what was reached.
ts-gen clicks --tempo 60 --duration 10 -o clicks.wav
read -r ci ctp <<<"$(lufs clicks.wav)"
ts-transcode --normalize -16 --true-peak -2 clicks.wav -o c.flac 2>c.err
same "limited normalisation succeeds" "$?" 0
grep -q "not -16.0: the gain stops at" c.err && pass || fail "no warning of the limited gain: $(cat c.err)"
read -r i tp <<<"$(lufs c.flac)"
near "limited by the true peak: -2 dBTP" "$tp" -2.0 0.1
want=$(awk -v i="$ci" -v t="$ctp" 'BEGIN { print i + (-2 - t) }')
near "limited: the loudness the gain allowed" "$i" "$want" 0.05
# Silence stays silence, with a warning; stdin and a lone --true-peak are usage errors.
ts-gen silence --duration 2 -o sil.wav
ts-transcode --normalize -16 sil.wav -o sil.flac 2>sil.err && pass || fail "silence did not encode"
grep -q "not normalised" sil.err && pass || fail "no warning for silence: $(cat sil.err)"
expect_fail "--normalize from stdin" 2 "not stdin" ts-transcode --normalize -16 -f flac -
expect_fail "--true-peak alone" 2 "--true-peak" ts-transcode --true-peak -1 quiet.wav -o x.flac
expect_fail "--normalize out of range" 2 "--normalize" ts-transcode --normalize 5 quiet.wav -o x.flac
[ ! -e x.flac ] && pass || fail "a refused run left x.flac"

# --- an encoder's refusal gives its reason, not "Invalid argument" ---------------------------
ts-gen sine --rate 700000 --duration 0.1 -o r700k.tspcm
expect_fail "flac at 700 kHz" 1 "700000 Hz not supported" ts-transcode r700k.tspcm -o r.flac
ts-gen sine --rate 1536000 --duration 0.05 -o r1536k.tspcm
expect_fail "ogg at 1.536 MHz" 1 "encoder setup failed" ts-transcode r1536k.tspcm -o r.ogg
if grep -q "Invalid argument" "$T/.err"; then fail "still 'Invalid argument': $(cat "$T/.err")"; else pass; fi
[ ! -e r.flac ] && [ ! -e r.ogg ] && pass || fail "a refused encoding left a file"

finish
