#!/bin/bash
# ts-decode: every fixture format matches FFmpeg's own decoding; shaping (rate, channels,
# start, duration) is exact; stdin, URL and raw inputs; atomic -o; the header's facts.
. "$TS_SRC/tests/cli/lib.sh"
DATA="$TS_SRC/tests/data"

# Every codec fixture decodes to FFmpeg's samples within 1e-6, with the right channel count
# and, where the header states frames, exactly that many.
for f in stereo-s16.wav stereo-s24.wav stereo-f32.wav mono-s16.wav six-channel.wav stereo.aiff \
    stereo.flac stereo.mp3 mono.mp3 stereo.ogg stereo.opus stereo.m4a stereo.webm video.mkv; do
    ts-decode --no-sha1 "$DATA/$f" >"$f.tspcm" 2>"$f.err" || fail "$f: exit $?: $(cat "$f.err")"
    ffmpeg -nostdin -v error -i "$DATA/$f" -f f32le "$f.ref" -y
    ch=$(grep -a -m1 '^channels: ' "$f.tspcm" | cut -d' ' -f2)
    num "$f matches ffmpeg" compare "$f.tspcm" "$f.ref" 1e-6 "$ch"
    num "$f header frames" expect "$f.tspcm" "h['frames'] == 'unknown' or int(h['frames']) == frames"
done
num "mono stays mono" expect mono-s16.wav.tspcm 'channels == 1' 'rate == 44100' 'frames == 22050'
num "6 channels at 48 kHz" expect six-channel.wav.tspcm 'channels == 6' 'rate == 48000' 'frames == 24000'
num "24-bit wav keeps its level" expect stereo-s24.wav.tspcm 'abs(np.max(x[:,0]) - 0.5) < 1e-4' 'abs(np.max(x[:,1]) - 0.25) < 1e-4'
num "wav, flac and mp3 state exact frames" expect stereo.flac.tspcm "h['frames'] == '22050'"
num "mp3 frames exact (encoder delay and padding removed)" expect stereo.mp3.tspcm "h['frames'] == '22050'" 'frames == 22050'
num "the audio of a video file" expect video.mkv.tspcm 'channels == 2' 'frames == 22050' 'abs(freq - 440) < 2'

# Header facts: source, sha1 of the input bytes, tags, history.
sum=$(sha1sum "$DATA/stereo.flac" | cut -d' ' -f1)
ts-decode "$DATA/stereo.flac" >h.tspcm
num "sha1 of the source bytes" expect h.tspcm "h['sha1'] == '$sum'" "h['source'].endswith('stereo.flac')"
num "container tags as tag.*" expect h.tspcm "h['tag.title'] == 'Fixture tone'" "h['tag.artist'] == 'TimeSide tests'"
num "history names the command" expect h.tspcm "h['history'].startswith('ts-decode ')"
ts-decode --no-sha1 --no-history "$DATA/stereo.flac" >nh.tspcm
num "--no-sha1 --no-history" expect nh.tspcm "'sha1' not in h" "'history' not in h"

# --start/--duration are sample-exact, also for mp3 with its encoder delay.
for f in stereo-s16.wav stereo.mp3 stereo.ogg; do
    ts-decode --start 0.25 --duration 0.1 "$DATA/$f" >cut.tspcm
    num "$f: --duration 0.1 gives 4410 frames" expect cut.tspcm 'frames == 4410' "h['frames'] in ('4410', 'unknown')" "h['start'] == '0.25'"
    /usr/bin/python3 - "$f.tspcm" cut.tspcm <<'PY' && pass || fail "$f: --start 0.25 begins at frame 11025"
import sys
sys.path.insert(0, __import__('os').environ['TS_SRC'] + '/tests/cli')
from tsnum import load
import numpy as np
full, _ = load(sys.argv[1]); cut, _ = load(sys.argv[2])
assert np.max(np.abs(full[11025:11025 + 4410] - cut)) < 1e-6
PY
done
# --start seeks in an mp3 file (a byte seek 32 packets early, decoding and dropping up to
# the frame): the same samples as reading through, to the end, for CBR, VBR, MPEG-2 and
# 2.5 rates, a low bit rate that leans on the bit reservoir, and an ID3 tag in front.
ts-gen noise --color pink --duration 12 --channels 2 | ts-transcode -f mp3 --bitrate 128k -o cbr.mp3
ts-gen sweep --duration 12 --rate 22050 | ts-transcode -f mp3 --tag title=Sweep -o vbr22.mp3
ts-gen noise --duration 12 --rate 8000 | ts-transcode -f mp3 --bitrate 8k -o low8.mp3
for f in cbr.mp3 vbr22.mp3 low8.mp3; do
    ts-decode --raw "$f" >full.raw
    for st in 0.3 2.5 7.777 11.9; do
        for extra in "" "--duration 0.5" "--mono"; do
            ts-decode --raw --start $st $extra "$f" >seek.raw 2>seek.err
            ts-decode "$f" | ts-decode --raw --start $st $extra - >through.raw 2>&1
            if [ -s seek.raw ] && cmp -s seek.raw through.raw; then pass; else
                fail "$f --start $st $extra: differs from reading through: $(head -c 300 seek.err)"; fi
        done
    done
done
if ts-decode --verbose --start 7.777 cbr.mp3 2>&1 >/dev/null | grep -q "cbr.mp3: seeking to frame 342966 from byte"; then pass; else
    fail "no seek in an mp3"; fi
if ts-decode --verbose --start 0.3 cbr.mp3 2>&1 >/dev/null | grep -q "seeking"; then
    fail "a seek 0.3 s in, nearer than its 32 packets of margin"; else pass; fi

ts-decode --start 0.4 --duration 5 "$DATA/stereo-s16.wav" >tail.tspcm
num "--duration past the end stops at the end" expect tail.tspcm 'frames == 4410' "h['frames'] == '4410'"

# Resampling keeps frequency and level; the length is exact.
ts-decode --rate 48000 "$DATA/mono-s16.wav" >r48.tspcm
num "--rate 48000: length, frequency, level" expect r48.tspcm 'rate == 48000' 'frames == 24000' 'abs(freq - 440) < 0.5' 'abs(rms_db - 20*np.log10(0.5/np.sqrt(2))) < 0.02'
ts-decode --rate 22050 "$DATA/stereo.mp3" >r22.tspcm
num "--rate 22050 from mp3" expect r22.tspcm 'rate == 22050' 'frames == 11025'

# Channels: the mean for mono, copies from mono; other mappings refused.
ts-decode --mono "$DATA/stereo-f32.wav" >m.tspcm
/usr/bin/python3 - stereo-f32.wav.tspcm m.tspcm <<'PY' && pass || fail "--mono is the mean of L and R"
import sys, os
sys.path.insert(0, os.environ['TS_SRC'] + '/tests/cli')
from tsnum import load
import numpy as np
st, _ = load(sys.argv[1]); m, _ = load(sys.argv[2])
assert m.shape[1] == 1 and np.max(np.abs(m[:, 0] - (st[:, 0] + st[:, 1]) / 2)) < 1e-6
PY
ts-decode --channels 2 "$DATA/mono-s16.wav" >c2.tspcm
num "--channels 2 from mono copies" expect c2.tspcm 'channels == 2' 'np.array_equal(x[:,0], x[:,1])'
expect_fail "--channels 3 from 6 channels is refused" 2 "channels" ts-decode --channels 3 "$DATA/six-channel.wav"
ts-decode --channels 2 "$DATA/six-channel.wav" >six2.tspcm
num "--channels 2 from 6 channels is the stereo downmix" expect six2.tspcm 'channels == 2' "h.get('layout') is None"

# Sample format s16le and headerless output.
ts-decode --format s16le "$DATA/stereo-s16.wav" >s16.tspcm
num "s16le output equals the 16-bit source" compare s16.tspcm stereo-s16.wav.tspcm 1e-9
ts-decode --raw "$DATA/stereo-s16.wav" >raw.f32
[ "$(stat -c %s raw.f32)" = $((22050 * 2 * 4)) ] && pass || fail "--raw writes samples only"
num "--raw samples" compare raw.f32 stereo-s16.wav.ref 1e-6 2
ts-decode --input-raw --input-rate 44100 --input-channels 2 raw.f32 >fromraw.tspcm
num "raw input back to TSPCM" expect fromraw.tspcm 'frames == 22050' 'rate == 44100' "h['frames'] == '22050'"
sox -t f32 -r 44100 -c 2 raw.f32 -t f32 sox.f32 2>/dev/null && ts-decode --input-raw --input-rate 44100 --input-channels 2 - <sox.f32 >fromsox.tspcm
num "sox -t f32 interop" compare fromsox.tspcm stereo-s16.wav.ref 1e-6 2

# stdin: TSPCM recognised by its magic; media bytes decoded.
ts-decode <stereo.flac.tspcm >again.tspcm
num "TSPCM on stdin passes through" compare again.tspcm stereo.flac.tspcm 0
[ "$(grep -ac '^history: ' again.tspcm)" = 2 ] && pass || fail "history gains a line per tool"
for f in stereo.mp3 stereo.flac stereo.ogg; do
    ts-decode - <"$DATA/$f" >stdin.tspcm
    num "$f bytes on stdin" compare stdin.tspcm "$f.tspcm" 1e-6
done
# Through a pipe FFmpeg's mp3 demuxer cannot see the end to trim the encoder padding: the
# start is exact and the padding stays at the end, as with ffmpeg itself.
cat "$DATA/stereo.mp3" | ts-decode >pipe.tspcm
cat "$DATA/stereo.mp3" | ffmpeg -nostdin -v error -i - -f f32le pipe.ref
num "mp3 bytes through a pipe match ffmpeg" compare pipe.tspcm pipe.ref 1e-6 2
num "mp3 through a pipe starts exactly" expect pipe.tspcm 'frames >= 22050' "__import__('tsnum').load('stereo.mp3.tspcm')[0].shape[0] == 22050" "np.max(np.abs(x[:22050] - __import__('tsnum').load('stereo.mp3.tspcm')[0])) < 1e-6"
num "a pipe's length is unknown up front" expect pipe.tspcm "h['frames'] == 'unknown'" "'source' not in h"
ts-decode - <"$DATA/stereo.m4a" >m4a.tspcm
num "m4a on stdin (seekable)" compare m4a.tspcm stereo.m4a.tspcm 1e-6
ts-decode -o patched.tspcm - <"$DATA/stereo.ogg"
num "-o patches the frame count of a piped input" expect patched.tspcm "h['frames'] == str(frames)" 'frames == 21922'

# URL input from a local HTTP server.
port=$((20000 + RANDOM % 20000))
(cd "$DATA" && exec /usr/bin/python3 -m http.server "$port" --bind 127.0.0.1) >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.1; done
ts-decode "http://127.0.0.1:$port/stereo.flac" >url.tspcm
num "http URL input" compare url.tspcm stereo.flac.tspcm 1e-6
num "a URL is the source" expect url.tspcm "h['source'] == 'http://127.0.0.1:$port/stereo.flac'"
expect_fail "a URL that is not found" 1 "127.0.0.1" ts-decode "http://127.0.0.1:$port/missing.flac"
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null

# -o is atomic: the file appears complete, and temporary files are gone.
ts-decode -o out.tspcm "$DATA/stereo.flac"
num "-o writes the stream" compare out.tspcm stereo.flac.tspcm 0
[ -z "$(ls -A | grep '\.tmp-')" ] && pass || fail "temporary files left behind"

# A closed pipe ends quietly with success.
ts-decode "$DATA/six-channel.wav" 2>pipe.err | head -c 10 >/dev/null
[ "${PIPESTATUS[0]}" = 0 ] && [ ! -s pipe.err ] && pass || fail "closed pipe: status ${PIPESTATUS[0]}, $(cat pipe.err)"

# --progress into a file (a cron log): plain lines at each tenth, no carriage return or escape.
ts-gen sine --duration 20 -o prog.wav
ts-decode --progress prog.wav -o prog.tspcm 2>prog.log && pass || fail "--progress into a file"
if grep -q $'[\r\033]' prog.log; then fail "--progress into a file wrote terminal controls: $(cat -A prog.log | head -3)"; else pass; fi
[ "$(tail -n 1 prog.log)" = "decoding prog.wav: 100%" ] && [ "$(wc -l <prog.log)" = 10 ] && pass ||
    fail "--progress into a file: want ten lines ending at 100%: $(cat prog.log)"

finish
