#!/bin/bash
# ts-info: real facts about media made here with ffmpeg (lavfi), TSPCM and raw input, and
# every bad input failing with its name on stderr and nothing on stdout.
. "$TS_SRC/tests/cli/lib.sh"

mk() { ffmpeg -nostdin -y -v error "$@" || { echo "FAIL: cannot make input: ffmpeg $*" >&2; exit 1; }; }
sine="sine=frequency=1000:duration=2"
mk -f lavfi -i "$sine" -ac 2 x.wav
# One ffmpeg run, one input, many outputs (each output's options come before its name).
mk -i x.wav x.flac -c:a libmp3lame x.mp3 -c:a libvorbis x.ogg -c:a libopus x.opus -c:a aac x.m4a \
    -f f32le x.f32 -f s16le x.s16 -metadata title="Hello World" -metadata artist=TimeSide tagged.flac \
    -metadata title="Hello World" tagged.mp3
mk -f lavfi -i "$sine" -ac 6 six.wav
mk -f lavfi -i sine=frequency=1000:duration=1 -f lavfi -i sine=frequency=500:duration=1:sample_rate=22050 \
    -map 0 -map 1 -c:a flac two.mka
mk -f lavfi -i testsrc=duration=1:size=64x64 -f lavfi -i sine=duration=1 -c:v mpeg4 -shortest v.mp4
mk -f lavfi -i testsrc=duration=1:size=64x64 -c:v mpeg4 silent.mp4
ts-decode x.wav >x.tspcm || { echo "FAIL: ts-decode x.wav" >&2; exit 1; }
sha() { sha1sum "$1" | cut -c1-40; }

# info "what" 'PYTHON' COMMAND...: the command exits 0 and its stdout passes the Python
# assertions, which see it as text (out) and, read as JSON Lines, as ds (every object) and d
# (the first).
info() {
    local what=$1 code=$2; shift 2
    if ! "$@" >"$T/.out" 2>"$T/.err"; then fail "$what (exit $?): $(head -c 300 "$T/.err")"; return; fi
    local msg
    if msg=$("$PY" -c "
import json, os, sys
out = open(sys.argv[1]).read()
try:
    ds = [json.loads(l) for l in out.splitlines()]
except ValueError:
    ds = []
d = ds[0] if ds else None
$code" "$T/.out" 2>&1); then pass; else fail "$what: $msg"; fi
}

# Media files: what the container says, exact where the length is certain.
info "wav facts" "
assert d['source'] == 'x.wav' and d['container'] == 'wav', d
assert d['codec'] == 'pcm_s16le' and d['codec_long'].startswith('PCM signed 16-bit'), d
assert d['sample_format'] == 's16' and d['bits_per_sample'] == 16, d
assert d['rate'] == 44100 and d['channels'] == 2 and d['channel_layout'] == 'stereo', d
assert d['duration'] == 2.0 and d['duration_exact'] is True and d['frames'] == 88200, d
assert d['bit_rate'] == 1411200 and d['size'] == os.path.getsize('x.wav'), d
assert d['streams'] == 1 and d['stream'] == 0 and d['video'] is False, d
assert d['sha1'] == '$(sha x.wav)', d
assert 'origin' not in d and 'history' not in d, d" ts-info x.wav
info "flac facts" "
assert d['container'] == 'flac' and d['codec'] == 'flac' and d['bits_per_sample'] == 16, d
assert d['duration'] == 2.0 and d['duration_exact'] is True and d['frames'] == 88200, d
assert d['sha1'] == '$(sha x.flac)', d" ts-info x.flac
info "mp3 facts" "
assert d['container'] == 'mp3' and d['codec'] == 'mp3' and d['sample_format'] == 'fltp', d
assert d['bits_per_sample'] is None and d['rate'] == 44100 and d['channels'] == 2, d
assert abs(d['duration'] - 2.0) < 0.05 and d['bit_rate'] > 0, d" ts-info x.mp3
info "ogg vorbis facts" "
assert d['container'] == 'ogg' and d['codec'] == 'vorbis' and abs(d['duration'] - 2.0) < 0.05, d
assert d['rate'] == 44100 and d['channels'] == 2, d" ts-info x.ogg
info "opus facts" "
assert d['container'] == 'ogg' and d['codec'] == 'opus' and d['rate'] == 48000, d
assert abs(d['duration'] - 2.0) < 0.05, d" ts-info x.opus
info "m4a facts: FFmpeg's container name kept" "
assert d['container'] == 'mov,mp4,m4a,3gp,3g2,mj2' and d['codec'] == 'aac', d
assert abs(d['duration'] - 2.0) < 0.05 and d['channels'] == 2, d" ts-info x.m4a
info "6-channel wav" "
assert d['channels'] == 6 and d['channel_layout'] == '5.1', d
assert d['duration'] == 2.0 and d['duration_exact'] is True, d" ts-info six.wav
info "flac tags" "
assert d['tags']['title'] == 'Hello World' and d['tags']['artist'] == 'TimeSide', d" ts-info tagged.flac
info "mp3 tags" "assert d['tags']['title'] == 'Hello World', d" ts-info tagged.mp3
info "--no-sha1 gives null" "assert d['sha1'] is None and d['size'] > 0, d" ts-info --no-sha1 x.wav
info "several inputs: JSON Lines in order" "
assert [x['source'] for x in ds] == ['x.wav', 'x.flac', 'x.mp3'], ds
assert [x['codec'] for x in ds] == ['pcm_s16le', 'flac', 'mp3'], ds" ts-info x.wav x.flac x.mp3
info "--stream picks the Nth audio stream" "
assert d['streams'] == 2 and d['stream'] == 1 and d['rate'] == 22050, d" ts-info --stream 1 two.mka
info "best stream by default" "assert d['streams'] == 2 and d['stream'] == 0, d" ts-info two.mka
info "video file: its audio, video true" "
assert d['video'] is True and d['codec'] == 'aac' and d['streams'] == 1, d" ts-info v.mp4

# The committed codec fixtures: an exact length is the count ts-decode gives, an estimate is
# within 50 ms of it.
DATA="$TS_SRC/tests/data"
for f in mono-s16.wav stereo-s24.wav stereo-f32.wav six-channel.wav stereo.aiff stereo.flac \
    stereo.mp3 mono.mp3 stereo.ogg stereo.opus stereo.m4a stereo.webm; do
    ts-decode --no-sha1 "$DATA/$f" >"$f.tspcm" 2>/dev/null
    info "$f: ts-info's length is ts-decode's" "
sys.path.insert(0, os.environ['TS_SRC'] + '/tests/cli')
from tsnum import load
x, h = load('$f.tspcm')
n = x.shape[0]
assert n > 0 and d['rate'] == int(h['rate']) and d['channels'] == x.shape[1], (d, h)
if d['duration_exact']:
    assert d['frames'] == n and d['duration'] == n / d['rate'], (d, n)
else:
    assert d['frames'] is None and abs(d['duration'] - n / d['rate']) < 0.05, (d, n)" \
        ts-info --no-sha1 "$DATA/$f"
done
info "fixtures that state their length are exact" "
assert [x['duration_exact'] for x in ds] == [True] * 5, ds" \
    ts-info "$DATA/stereo-s16.wav" "$DATA/stereo.aiff" "$DATA/stereo.flac" "$DATA/stereo.mp3" "$DATA/mono.mp3"

# stdin: media bytes through libavformat, no size or hash.
info "mp3 on stdin" "
assert d['source'] == '-' and d['codec'] == 'mp3' and d['rate'] == 44100, d
assert d['sha1'] is None and d['size'] is None, d" bash -c 'cat x.mp3 | ts-info'
info "flac on stdin: the header's length is exact" "
assert d['duration'] == 2.0 and d['duration_exact'] is True, d" bash -c 'cat x.flac | ts-info -'

# TSPCM: the header's facts; sha1 hashes the stream file, source_sha1 is the header's.
info "TSPCM file" "
assert d['container'] == 'tspcm' and d['codec'] == 'pcm_f32le' and d['sample_format'] == 'flt', d
assert d['rate'] == 44100 and d['channels'] == 2 and d['bits_per_sample'] == 32, d
assert d['duration'] == 2.0 and d['duration_exact'] is True and d['frames'] == 88200, d
assert d['origin'] == 'x.wav' and d['source_sha1'] == '$(sha x.wav)', d
assert d['sha1'] == '$(sha x.tspcm)' and d['history'] == ['ts-decode x.wav'], d" ts-info x.tspcm
info "TSPCM on stdin" "
assert d['source'] == '-' and d['container'] == 'tspcm' and d['duration'] == 2.0, d
assert d['sha1'] is None and d['source_sha1'] == '$(sha x.wav)', d" bash -c 'ts-decode x.wav | ts-info'
info "s16le TSPCM" "assert d['codec'] == 'pcm_s16le' and d['bits_per_sample'] == 16, d" \
    bash -c 'ts-decode --format s16le x.wav | ts-info'
cat x.wav | ts-decode >unknown.tspcm
info "TSPCM file, frames unknown: length from its size" "
assert d['duration'] == 2.0 and d['duration_exact'] is True and d['frames'] == 88200, d" \
    ts-info unknown.tspcm
info "TSPCM pipe, frames unknown: duration null" "
assert d['duration'] is None and d['duration_exact'] is False and d['frames'] is None, d" \
    bash -c 'cat unknown.tspcm | ts-info -'

# Raw input: the length from the file's size.
info "raw f32le" "
assert d['container'] == 'f32le' and d['codec'] == 'pcm_f32le' and d['rate'] == 44100, d
assert d['duration'] == 2.0 and d['duration_exact'] is True and d['frames'] == 88200, d" \
    ts-info --input-raw --input-rate 44100 --input-channels 2 x.f32
info "raw s16le at another rate" "assert d['duration'] == 1.0 and d['codec'] == 'pcm_s16le', d" \
    ts-info --input-raw --input-rate 88200 --input-channels 2 --input-format s16le x.s16

# The human view: aligned key: value lines, a blank line between inputs.
info "--text" "
blocks = out.rstrip('\n').split('\n\n')
assert len(blocks) == 2, blocks
for b in blocks:
    lines = b.split('\n')
    assert any(l.startswith('duration:') for l in lines), lines
    cols = {len(l) - len(l.split(':', 1)[1].lstrip()) for l in lines}
    assert len(cols) == 1, lines
assert 'tag.title:' in blocks[1] and 'duration_exact:' in blocks[0]" ts-info --text x.wav tagged.flac

# -o: written atomically; nothing appears when no input could be described.
check "-o FILE" ts-info -o out.jsonl x.wav x.flac
num_lines=$(wc -l <out.jsonl 2>/dev/null)
[ "$num_lines" = 2 ] && [ ! -s "$T/.out" ] && pass || fail "-o FILE: $num_lines lines in out.jsonl"
ts-info -o none.jsonl missing.wav 2>/dev/null
[ ! -e none.jsonl ] && pass || fail "-o FILE with only a failing input left a file"

# Bad inputs: status, empty stdout, the input named.
: >empty.wav
mkdir -p adir
"$PY" -c "import random, sys; random.seed(7); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(20000)))" >random.bin
head -c 15000 x.mp3 >cut.mp3
head -c 100001 x.tspcm >cut.tspcm
head -c 1001 x.f32 >odd.f32
printf 'TSPCM 1\nrate: 44100\nchannels: 1\n' >nohead.tspcm
expect_fail "missing file" 1 missing.wav ts-info missing.wav
expect_fail "a directory" 1 adir ts-info adir
expect_fail "empty file" 1 empty.wav ts-info empty.wav
expect_fail "random bytes" 1 random.bin ts-info random.bin
expect_fail "/dev/null" 1 /dev/null ts-info /dev/null
expect_fail "empty stdin" 1 stdin ts-info -
expect_fail "truncated mp3" 1 cut.mp3 ts-info cut.mp3
expect_fail "truncated mp3 fixture" 1 broken-truncated.mp3 ts-info "$DATA/broken-truncated.mp3"
expect_fail "mkv without audio fixture" 1 broken-no-audio.mkv ts-info "$DATA/broken-no-audio.mkv"
expect_fail "truncated TSPCM" 1 cut.tspcm ts-info cut.tspcm
expect_fail "TSPCM header without END" 1 nohead.tspcm ts-info nohead.tspcm
expect_fail "raw file not whole frames" 1 odd.f32 ts-info --input-raw --input-rate 8000 --input-channels 2 odd.f32
expect_fail "video without audio" 1 silent.mp4 ts-info silent.mp4
expect_fail "--input-raw without --input-rate" 2 --input-rate ts-info --input-raw --input-channels 2 x.f32
expect_fail "unknown option" 2 --no-such-option ts-info --no-such-option x.wav
# A stream the input lacks is a usage error (2), as in ts-decode.
expect_fail "--stream 5 on a one-stream file" 2 x.wav ts-info --stream 5 x.wav
expect_fail "--stream 1 on TSPCM" 2 x.tspcm ts-info --stream 1 x.tspcm

# One bad input among good ones: the good ones reported, exit 1, the bad one named.
ts-info x.wav missing.wav >mixed.out 2>mixed.err
s=$?
if [ "$s" = 1 ] && [ "$(wc -l <mixed.out)" = 1 ] && grep -q '"source":"x.wav"' mixed.out &&
    grep -q "^ts-info: error: missing.wav:" mixed.err; then pass; else
    fail "mixed run: exit $s, $(wc -l <mixed.out) lines, stderr: $(head -c 200 mixed.err)"; fi

finish
