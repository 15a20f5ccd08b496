#!/bin/bash
# ts-gen: exact lengths, levels and frequencies of each signal, the formats it writes (TSPCM,
# s16le, raw, wav/flac/aiff/ogg read back by ffmpeg), the demo's ground truth, and every usage
# or output error failing with its status and nothing on stdout.
. "$TS_SRC/tests/cli/lib.sh"

# gen "what" FILE ARGS...: ts-gen ARGS > FILE must succeed.
gen() {
    local what=$1 file=$2; shift 2
    if ts-gen "$@" >"$file" 2>"$T/.err"; then pass; else fail "$what (exit $?): $(head -c 300 "$T/.err")"; fi
}
# json "what" FILE 'PYTHON': FILE is JSON (d) passing the assertions.
json() {
    local what=$1 file=$2 code=$3 msg
    if msg=$("$PY" -c "
import json, sys
d = json.load(open(sys.argv[1]))
$code" "$file" 2>&1); then pass; else fail "$what: $msg"; fi
}
ffdecode() { ffmpeg -nostdin -v error -i "$1" -f f32le - >"$2" || echo "FAIL: ffmpeg cannot decode $1" >&2; }

# Lengths, rates, channels, and the header.
gen "sine at 8 kHz" s8k.tspcm sine --duration 1 --rate 8000
num "1 s at 8000 Hz is 8000 frames" expect s8k.tspcm 'frames == 8000' 'rate == 8000' 'channels == 1' \
    "h['frames'] == '8000'" "h['format'] == 'f32le'" "h['generator'] == 'sine'" "'source' not in h" \
    "h['history'] == 'ts-gen sine --duration 1 --rate 8000'"
gen "options before KIND" before.tspcm --rate 8000 --duration 0.5 sine
num "options before KIND apply" expect before.tspcm 'frames == 4000' 'rate == 8000'
gen "default sine" s.tspcm sine
num "1 kHz at -20 dBFS: peak -20.00, RMS -23.01" expect s.tspcm 'frames == 44100' 'rate == 44100' \
    'abs(peak_db + 20) < 0.01' 'abs(rms_db + 23.0103) < 0.01' 'abs(freq - 1000) < 0.5'
gen "440 Hz sine" a440.tspcm sine --frequency 440 --duration 2
num "440 Hz sine has its frequency" expect a440.tspcm 'abs(freq - 440) < 0.5'
gen "-6 dBFS sine" loud.tspcm sine --amplitude -6 --duration 0.5
num "-6 dBFS sine peaks at -6" expect loud.tspcm 'abs(peak_db + 6) < 0.01' 'abs(rms_db + 9.0103) < 0.01'
gen "stereo sine" st.tspcm sine --channels 2 --duration 0.5
num "stereo: 2 identical channels" expect st.tspcm 'channels == 2' 'frames == 22050' \
    'np.array_equal(x[:, 0], x[:, 1])'
gen "no history" nh.tspcm sine --no-history --duration 0.1
num "--no-history leaves no history line" expect nh.tspcm "'history' not in h" 'frames == 4410'
gen "zero duration" empty.tspcm sine --duration 0
num "--duration 0 is a header and no samples" expect empty.tspcm 'frames == 0' "h['frames'] == '0'"

# Sample formats.
gen "s16le sine" s16.tspcm sine --format s16le
num "s16le header" expect s16.tspcm "h['format'] == 's16le'" 'frames == 44100'
check "s16le decodes to the f32le samples within 1/32768" "$PY" "$HELP" compare s.tspcm s16.tspcm 3.0517578125e-05
gen "raw stereo" raw.f32 sine --raw --channels 2 --duration 0.25
check "--raw is frames x channels x 4 bytes" test "$(stat -c %s raw.f32)" = $((11025 * 2 * 4))
gen "stereo again" st2.tspcm sine --channels 2 --duration 0.25
check "--raw holds the TSPCM samples" "$PY" "$HELP" compare raw.f32 st2.tspcm 0 2

# Audio files, read back by ffmpeg.
check "sine to wav, options after KIND" ts-gen sine --frequency 440 --channels 2 -o x.wav
ts-gen sine --frequency 440 --channels 2 >x.tspcm
ffdecode x.wav x.f32
check "the wav decodes to the same samples within 1e-4" "$PY" "$HELP" compare x.f32 x.tspcm 1e-4 2
check "the wav is 16-bit PCM at 44100 Hz" sh -c \
    'ffprobe -v error -show_entries stream=codec_name,sample_rate,channels -of csv=p=0 x.wav | grep -qx "pcm_s16le,44100,2"'
check "float wav" ts-gen sine --frequency 440 --channels 2 --format f32le -o xf.wav
ffdecode xf.wav xf.f32
check "the float wav holds the exact samples" "$PY" "$HELP" compare xf.f32 x.tspcm 0 2
check "float wav codec" sh -c \
    'ffprobe -v error -show_entries stream=codec_name -of csv=p=0 xf.wav | grep -qx pcm_f32le'
for ext in flac aiff aif; do
    check "sine to $ext" ts-gen sine --frequency 440 --channels 2 -o "x.$ext"
    ffdecode "x.$ext" "x.$ext.f32"
    check "the $ext decodes to the same samples" "$PY" "$HELP" compare "x.$ext.f32" x.tspcm 1e-4 2
done
check "sine to ogg" ts-gen sine --frequency 440 --duration 2 -o x.ogg
check "the ogg is Vorbis" sh -c \
    'ffprobe -v error -show_entries stream=codec_name -of csv=p=0 x.ogg | grep -qx vorbis'
ffdecode x.ogg xo.f32
num "the ogg keeps its frequency and level" expect xo.f32 'abs(np.sqrt(np.mean(x**2)) - 0.0707) < 0.005'
check "the same command makes the same wav" sh -c \
    'ts-gen noise --seed 3 --no-history -o n1.wav && ts-gen noise --seed 3 --no-history -o n2.wav && cmp -s n1.wav n2.wav'

# Noise, sweep, clicks, silence, dc.
gen "white noise" w1.tspcm noise --duration 2
gen "white noise again" w2.tspcm noise --duration 2
gen "white noise, seed 2" w3.tspcm noise --duration 2 --seed 2
check "noise: same seed, same bytes" cmp -s w1.tspcm w2.tspcm
check "noise: another seed, other samples" sh -c '! cmp -s w1.tspcm w3.tspcm'
num "white noise RMS is --amplitude (-20 dBFS)" expect w1.tspcm 'abs(rms_db + 20) < 0.2' \
    'abs(peak_db - (-20 + 4.77)) < 0.05'
gen "pink noise" pink.tspcm noise --color pink --amplitude -30 --duration 4
num "pink noise RMS is --amplitude" expect pink.tspcm 'abs(rms_db + 30) < 0.5'
gen "sweep" sw.tspcm sweep --from 100 --to 1000 --duration 2
num "sweep peaks at -20 dBFS" expect sw.tspcm 'abs(peak_db + 20) < 0.01' 'frames == 88200'
num "log sweep: 316 Hz at mid-time" expect sw.tspcm \
    'abs(np.sum(np.diff(np.signbit(x[44100-2205:44100+2205, 0]).astype(int)) == -1) / 0.1 - 316.2) < 15'
gen "clicks" clk.tspcm clicks --duration 4 --truth clk.json
num "clicks peak at -20 dBFS, one every 0.5 s" expect clk.tspcm 'abs(peak_db + 20) < 0.01' \
    'list(np.nonzero(np.abs(x[:, 0]) >= 0.099)[0]) == [i * 22050 for i in range(8)]'
json "clicks truth" clk.json "
assert d['kind'] == 'clicks' and d['tempo'] == 120 and d['rate'] == 44100, d
assert d['beats'] == [i * 0.5 for i in range(8)] and d['onsets'] == d['beats'], d"
gen "silence" z.tspcm silence --duration 0.5 --channels 3
num "silence is zeros" expect z.tspcm 'frames == 22050' 'channels == 3' 'not x.any()'
gen "dc" dc.tspcm dc --level -0.25 --duration 0.1
num "dc is its level" expect dc.tspcm 'np.all(x == -0.25)'

# The demo and its ground truth.
gen "demo with truth" demo.tspcm demo --truth demo.json
num "demo: 30 s, peak below -1 dBFS, digital zero from 19.82 (the last hihat's end) to 22.0 s" expect demo.tspcm \
    'frames == 1323000' 'rate == 44100' 'peak_db < -1' 'peak_db > -6' \
    'not x[874062:970200].any()' 'x[874062 - 20:874062].any()' 'np.abs(x[:882000]).max() > 0.1' 'np.abs(x[970200:]).max() > 0.1'
json "demo truth" demo.json "
assert d['tempo'] == 120 and d['key'] == 'A minor' and d['duration'] == 30 and d['rate'] == 44100, d
assert d['silence'] == [[19.82, 22.0]], d['silence']
assert d['beats'] == [i * 0.5 for i in range(60)], d['beats']
assert all(b - a >= 0.03 for a, b in zip(d['onsets'], d['onsets'][1:])), 'onsets not merged'
pcs = {n['midi'] % 12 for n in d['notes']}
assert pcs <= {9, 11, 0, 2, 4, 5, 7, 8} and 8 in pcs, pcs
assert all(n['duration'] >= 0.45 and abs(n['frequency'] - 440 * 2 ** ((n['midi'] - 69) / 12)) < 1e-6 for n in d['notes'])
assert not any(20 < n['onset'] + n['duration'] and n['onset'] < 22 for n in d['notes'])"
gen "demo at 22050 Hz" demo22.tspcm demo --rate 22050 --duration 10
num "demo honours --rate and --duration" expect demo22.tspcm 'rate == 22050' 'frames == 220500'
check "truth to stdout" sh -c 'ts-gen sine --truth - -o t.tspcm | python3 -c "import json,sys; assert json.load(sys.stdin)[\"rms_db\"] < -23"'

# A closed pipe ends the tool quietly; an interrupted run leaves no file behind.
ts-gen noise --duration 600 2>/dev/null | head -c 1000 >/dev/null
check "ts-gen exits 0 when the reader goes away" test "${PIPESTATUS[0]}" = 0
mkdir int
ts-gen sine --rate 8000 --duration 86400 -o int/long.tspcm 2>/dev/null &
pid=$!
for _ in $(seq 50); do [ -n "$(ls -A int)" ] && break; sleep 0.1; done # writing has begun
kill -TERM $pid
wait $pid
check "SIGTERM exits 130" test $? = 130
check "an interrupted run leaves nothing" test -z "$(ls -A int)"

# Usage errors: status 2, nothing on stdout, a message that names the problem.
expect_fail "--rate 0" 2 rate ts-gen sine --rate 0
expect_fail "--channels 0" 2 channels ts-gen sine --channels 0
expect_fail "--channels 65" 2 channels ts-gen sine --channels 65
expect_fail "negative --duration" 2 duration ts-gen sine --duration -1
expect_fail "absurd --duration" 2 duration ts-gen sine --duration 1e9
expect_fail "unknown KIND" 2 triangle ts-gen triangle
expect_fail "no KIND" 2 ubcommand ts-gen --duration 1
expect_fail "--frequency above Nyquist" 2 Nyquist ts-gen sine --rate 8000 --frequency 5000
expect_fail "--frequency at Nyquist" 2 Nyquist ts-gen sine --rate 8000 --frequency 4000
expect_fail "sweep --to above Nyquist" 2 Nyquist ts-gen sweep --rate 8000 --to 5000
expect_fail "an option of another KIND" 2 frequency ts-gen noise --frequency 100
expect_fail "--amplitude above 0 dBFS" 2 amplitude ts-gen sine --amplitude 3
expect_fail "--amplitude on silence" 2 amplitude ts-gen silence --amplitude -6
expect_fail "--level out of range" 2 level ts-gen dc --level 2
expect_fail "--color unknown" 2 color ts-gen noise --color blue
expect_fail "--raw into a wav" 2 raw ts-gen sine --raw -o r.wav
check "--raw into a wav made no file" test ! -e r.wav
expect_fail "signal and truth both on stdout" 2 truth ts-gen demo --truth -
if command -v script >/dev/null; then
    script -qec "$TS_BIN/ts-gen sine" /dev/null </dev/null >tty.out 2>&1
    check "TSPCM to a terminal is refused (usage error)" test $? = 2
    check "the refusal says why" grep -q terminal tty.out
fi

# Output errors: status 1, nothing left behind.
mkdir ro
expect_fail "-o into a missing folder" 1 no/such/x.wav ts-gen sine -o ro/no/such/x.wav
expect_fail "-o into a missing folder (TSPCM)" 1 no/such ts-gen sine -o ro/no/such/x.tspcm
expect_fail "-o names a folder" 1 ro ts-gen sine -o ro
expect_fail "--truth into a missing folder" 1 no/such ts-gen demo -o ro/demo.wav --truth ro/no/such/t.json
check "failed outputs left no file" test -z "$(find ro -type f)"

finish
