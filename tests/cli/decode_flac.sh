#!/bin/bash
# FLAC files are decoded by libFLAC (decode/flac_source.cpp) and must give exactly what the
# FFmpeg path gives (TS_DECODE_NATIVE=0): the same TSPCM stream byte for byte (samples,
# frames, sha1, tags named, joined and ordered as libavformat does), the same transcoded
# bytes, the same analysis. Metadata FFmpeg would read differently (chapters, cover art in
# comments, a channel mask, an ID3 tag in front, unknown blocks) goes to FFmpeg.
. "$TS_SRC/tests/cli/lib.sh"

# The audio: a sine per channel over pink noise at different levels, with full scale at the
# start, encoded by FFmpeg's flac encoder, by libFLAC (the flac tool) and by libsndfile.
cat >wav.py <<'PY'
import math, random, struct, sys
path, bits, ch, rate, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
random.seed(7)
full = (1 << (bits - 1)) - 1
frames = []
for i in range(n):
    for c in range(ch):
        v = 0.6 / (c + 1) * math.sin(2 * math.pi * 331 * (c + 1) * i / rate) + 0.05 * random.uniform(-1, 1)
        if i == 0: v = -1.0
        if i == 1: v = 1.0
        frames.append(max(-full - 1, min(full, int(round(v * full)))))
width = (bits + 7) // 8
data = b''.join(x.to_bytes(4, 'little', signed=True)[:width] for x in frames) if width != 1 else bytes(x + 128 for x in frames)
fmt = struct.pack('<HHIIHH', 1, ch, rate, rate * ch * width, ch * width, width * 8)
body = b'WAVE' + b'fmt ' + struct.pack('<I', 16) + fmt + b'data' + struct.pack('<I', len(data)) + data
open(path, 'wb').write(b'RIFF' + struct.pack('<I', len(body)) + body)
PY

# meta.py CASE IN OUT: IN's audio frames behind the metadata blocks of CASE (STREAMINFO
# taken from IN).
cat >meta.py <<'PY'
import base64, struct, sys
case, src, dst = sys.argv[1:4]
raw = open(src, 'rb').read()
assert raw[:4] == b'fLaC'
pos, blocks = 4, []
while True:
    h = raw[pos]; n = int.from_bytes(raw[pos + 1:pos + 4], 'big')
    blocks.append((h & 0x7f, raw[pos + 4:pos + 4 + n])); pos += 4 + n
    if h & 0x80: break
audio = raw[pos:]
info = blocks[0][1]

def comments(items, vendor=b'vendor 1.0', count=None):
    body = struct.pack('<I', len(vendor)) + vendor + struct.pack('<I', len(items) if count is None else count)
    for it in items:
        it = it.encode() if isinstance(it, str) else it
        body += struct.pack('<I', len(it)) + it
    return (4, body)

def picture(data_len=None, mime=b'image/png', desc=b'front', data=b'\x89PNG\r\n\x1a\n' + b'\0' * 40):
    body = struct.pack('>I', 3) + struct.pack('>I', len(mime)) + mime + struct.pack('>I', len(desc)) + desc
    body += struct.pack('>IIII', 16, 16, 24, 0) + struct.pack('>I', len(data) if data_len is None else data_len) + data
    return (6, body)

seektable = (3, struct.pack('>QQH', 0, 0, 4096))
cases = {
    'plain-tags': [comments(['TITLE=A title', 'ARTIST=Ann', 'ALBUM=Côté Été', 'DATE=2026'])],
    'lower-keys': [comments(['title=lower', 'Artist=Mixed', 'album=x=y=z'])],
    'renamed': [comments(['ALBUMARTIST=Band', 'TRACKNUMBER=3/12', 'DISCNUMBER=1', 'DESCRIPTION=About'])],
    'duplicates': [comments(['ARTIST=One', 'TITLE=T', 'ARTIST=Two', 'GENRE=G', 'artist=Three'])],
    'collision': [comments(['COMMENT=first', 'TITLE=t', 'DESCRIPTION=second', 'ALBUM=a'])],
    'odd-entries': [comments(['NOEQUALS', '=novalue', 'EMPTY=', 'GOOD=yes', b'NUL=before\0after', 'SP ACE=s', 'DOT.KEY=d'])],
    'short-count': [comments(['TITLE=one', 'ARTIST=two'], count=5)],
    'long-count': [comments(['TITLE=one', 'ARTIST=two'], count=1)],
    'vendor-overrun': [(4, struct.pack('<I', 1000) + b'abc' + struct.pack('<I', 0))],
    'tiny-comment': [(4, b'\1\0\0')],
    'no-comment': [],
    'padding-app-seek': [(2, b'TEST' + b'\1\2\3'), seektable, comments(['TITLE=t']), (1, b'\0' * 100)],
    'picture': [comments(['TITLE=with art']), picture()],
    'picture-short': [picture(data=b'', data_len=0), comments(['TITLE=t'])],
    'picture-unknown-mime': [picture(mime=b'text/plain'), comments(['TITLE=t'])],
    'picture-long-desc': [(6, struct.pack('>II', 3, 9) + b'image/png' + struct.pack('>I', 500) + b'd' * 30), comments(['TITLE=t'])],
    'channel-mask': [comments(['WAVEFORMATEXTENSIBLE_CHANNEL_MASK=0x3', 'TITLE=t', 'ARTIST=a', 'ALBUM=b'])],
    'channel-mask-bad': [comments(['WAVEFORMATEXTENSIBLE_CHANNEL_MASK=0x80000', 'TITLE=t', 'ARTIST=a'])],
    'channel-mask-zero': [comments(['TITLE=t', 'waveformatextensible_channel_mask=0', 'ARTIST=a'])],
    # FFmpeg reads these differently: left to it
    'picture-overrun': [comments(['TITLE=t']), picture(data_len=4000)],
    'comment-picture': [comments(['TITLE=t', 'METADATA_BLOCK_PICTURE=' + base64.b64encode(picture()[1]).decode()])],
    'chapters': [comments(['TITLE=t', 'CHAPTER001=00:00:00.000', 'CHAPTER001NAME=Intro'])],
    'two-comments': [comments(['TITLE=a']), comments(['ARTIST=b'])],
    'reserved-block': [(9, b'abcd'), comments(['TITLE=t'])],
    'unknown-length': [comments(['TITLE=t'])],
    'id3-in-front': [comments(['TITLE=t'])],
}
blocks_out = [(0, info)] + cases[case]
if case == 'unknown-length':
    b = bytearray(info); b[13] &= 0xf0; b[14:18] = b'\0\0\0\0'; blocks_out[0] = (0, bytes(b))
out = b'fLaC'
for i, (t, body) in enumerate(blocks_out):
    out += bytes([t | (0x80 if i == len(blocks_out) - 1 else 0)]) + len(body).to_bytes(3, 'big') + body
out += audio
if case == 'id3-in-front':
    frame = b'TIT2' + struct.pack('>I', 6) + b'\0\0' + b'\0ID3 t'
    out = b'ID3\4\0\0' + bytes([0, 0, 0, len(frame)]) + frame + out
open(dst, 'wb').write(out)
if case == 'list':
    pass
PY
native_cases="plain-tags lower-keys renamed duplicates collision odd-entries short-count long-count
vendor-overrun tiny-comment no-comment padding-app-seek picture picture-short picture-unknown-mime
picture-long-desc channel-mask channel-mask-bad channel-mask-zero"
ffmpeg_cases="picture-overrun comment-picture chapters two-comments reserved-block
unknown-length id3-in-front"

loaded_media() { # loaded_media CMD...: true when the command loads media.so
    LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -q '/media\.so'
}

# same NAME.flac: ts-decode's stream and exit status the same natively and through FFmpeg.
same() {
    local c=${1%.flac} sn sf
    ts-decode "$1" >"$c.native" 2>"$c.native.err"; sn=$?
    TS_DECODE_NATIVE=0 ts-decode "$1" >"$c.ffmpeg" 2>"$c.ffmpeg.err"; sf=$?
    if [ "$sn" != 0 ] || [ "$sf" != 0 ]; then
        fail "$c: exit $sn natively, $sf through FFmpeg: $(cat "$c.native.err" "$c.ffmpeg.err" | head -c 300)"
    elif cmp -s "$c.native" "$c.ffmpeg"; then pass; else
        fail "$c: the TSPCM streams differ: $(diff <(head -c 2000 "$c.native" | grep -a '^tag\|^frames') \
            <(head -c 2000 "$c.ffmpeg" | grep -a '^tag\|^frames') | head -c 600)"
    fi
}

# Encoders and layouts.
$PY wav.py s16-stereo.wav 16 2 44100 30001
$PY wav.py s24-stereo.wav 24 2 48000 30001
$PY wav.py s16-mono.wav 16 1 22050 20000
$PY wav.py s16-six.wav 16 6 48000 9000
$PY wav.py u8-mono.wav 8 1 8000 8001
ff=(ffmpeg -nostdin -v error -y)
"${ff[@]}" -i s16-stereo.wav -c:a flac ff16.flac
"${ff[@]}" -i s24-stereo.wav -c:a flac -compression_level 12 ff24.flac
"${ff[@]}" -i s16-mono.wav -c:a flac -compression_level 0 -metadata title='FFmpeg title' \
    -metadata album_artist=AA -metadata track=4 ffmono.flac
"${ff[@]}" -i s16-six.wav -c:a flac ffsix.flac
flac -s -f -8 s16-stereo.wav -o ref16.flac
flac -s -f -5 s24-stereo.wav -o ref24.flac
flac -s -f -0 u8-mono.wav -o ref8.flac
ts-gen sine --duration 0.2 | ts-graph waveform --width 32 --height 16 -o cover.png
flac -s -f --padding=0 --tag=ARTIST=One --tag=ARTIST=Two --tag=Title=Ref --picture="3|image/png|cover||cover.png" \
    s16-mono.wav -o reftags.flac
for n in 3 4 5 6 7 8; do
    $PY wav.py "ch$n.wav" 16 "$n" 32000 5001 && flac -s -f --channel-map=none "ch$n.wav" -o "ref-ch$n.flac"
done
ts-gen noise --color pink --duration 1.5 --channels 2 -o sndfile16.flac
ts-gen sweep --duration 1 --format f32le -o sndfile24.flac
encoded="ff16 ff24 ffmono ffsix ref16 ref24 ref8 reftags ref-ch3 ref-ch4 ref-ch5 ref-ch6 ref-ch7 ref-ch8 sndfile16 sndfile24"
for c in $encoded; do
    if [ -s "$c.flac" ]; then same "$c.flac"; else fail "$c: cannot make the file"; fi
done

# Metadata, native and not.
for c in $native_cases $ffmpeg_cases; do
    $PY meta.py "$c" ff16.flac "$c.flac" || { fail "$c: cannot make the file"; continue; }
    same "$c.flac"
done

# Which path each file takes: the plain ones never load the media module.
for c in $encoded $native_cases; do
    if loaded_media ts-decode "$c.flac"; then fail "$c: plain, yet the media module was loaded"; else pass; fi
done
for c in $ffmpeg_cases; do
    if loaded_media ts-decode "$c.flac"; then pass; else fail "$c: not plain, yet read without FFmpeg"; fi
done
if TS_DECODE_NATIVE=0 loaded_media ts-decode ff16.flac; then pass; else fail "TS_DECODE_NATIVE=0 is not obeyed"; fi

# ts-info's facts: the same JSON either way (codec, sample format, bits, layout, bit rate,
# exact frames, tags, sha1); read without FFmpeg but where a channel mask names the layout.
for c in $encoded $native_cases $ffmpeg_cases; do
    ts-info "$c.flac" >"$c.info.native" 2>&1; TS_DECODE_NATIVE=0 ts-info "$c.flac" >"$c.info.ffmpeg" 2>&1
    if cmp -s "$c.info.native" "$c.info.ffmpeg"; then pass; else
        fail "ts-info $c differs: $(diff "$c.info.native" "$c.info.ffmpeg" | head -c 600)"; fi
done
for c in $encoded $native_cases; do
    case $c in ffsix | channel-mask*) continue ;; esac
    if loaded_media ts-info "$c.flac"; then fail "ts-info $c: plain, yet the media module was loaded"; else pass; fi
done
if loaded_media ts-info channel-mask.flac; then pass; else fail "ts-info channel-mask: read without FFmpeg"; fi
if $PY -c '
import json, sys
j = json.loads(open(sys.argv[1]).read())
want = dict(container="flac", codec="flac", sample_format="s32", bits_per_sample=24, frames=30001,
            rate=48000, channels=2, channel_layout="stereo", streams=1, duration_exact=True)
bad = {k: (j.get(k), v) for k, v in want.items() if j.get(k) != v}
assert not bad, bad
' ref24.info.native; then pass; else fail "ts-info of a 24-bit flac: $(cat ref24.info.native)"; fi

# Values: exact conversions (16-bit: x / 32768; 8-bit: x / 128; 24-bit: x / 2^23), the
# frame count, the tags as libavformat names and joins them.
num "16-bit full scale" expect ref16.native 'x[0,0] == -32767/32768' 'x[1,0] == 32767/32768' \
    'frames == 30001' 'rate == 44100' 'channels == 2'
num "8-bit full scale" expect ref8.native 'x[0,0] == -127/128' 'x[1,0] == 127/128' 'frames == 8001' 'rate == 8000'
num "24-bit full scale" expect ff24.native 'x[0,1] == -8388607/8388608' 'x[1,1] == 8388607/8388608' 'rate == 48000'
num "six channels" expect ffsix.native 'channels == 6' 'frames == 9000'
num "tags renamed" expect renamed.native "h['tag.album_artist'] == 'Band'" "h['tag.track'] == '3/12'" \
    "h['tag.disc'] == '1'" "h['tag.comment'] == 'About'"
num "a repeated key's values joined by ';'" expect duplicates.native "h['tag.artist'] == 'One;Two;Three'" \
    "h['tag.title'] == 'T'" "h['tag.genre'] == 'G'"
num "values to their NUL, '=' kept in values" expect odd-entries.native "h['tag.nul'] == 'before'" \
    "h['tag.good'] == 'yes'" "h['tag.sp_ace'] == 's'" "'tag.empty' not in h"
num "a valid channel mask is no tag" expect channel-mask.native "'tag.waveformatextensible_channel_mask' not in h" \
    "h['tag.album'] == 'b'"
num "an invalid one is" expect channel-mask-bad.native "h['tag.waveformatextensible_channel_mask'] == '0x80000'"
num "lower-case keys" expect lower-keys.native "h['tag.title'] == 'lower'" "h['tag.album'] == 'x=y=z'"
num "the flac tool's tags" expect reftags.native "h['tag.artist'] == 'One;Two'" "h['tag.title'] == 'Ref'"
if grep -aq '^sha1: [0-9a-f]\{40\}$' ff16.native; then pass; else fail "no sha1 in the header"; fi

# Bit depth as the FFmpeg path gives it: transcoding keeps it, byte for byte.
for c in ff24 ref8 ff16 sndfile24; do
    ts-transcode -f wav "$c.flac" -o "$c.n.wav" 2>/dev/null
    TS_DECODE_NATIVE=0 ts-transcode -f wav "$c.flac" -o "$c.f.wav" 2>/dev/null
    if [ -s "$c.n.wav" ] && cmp -s "$c.n.wav" "$c.f.wav"; then pass; else fail "$c: transcoded wav differs"; fi
done
ts-analyze -a level,rms,spectral ff24.flac >a.native 2>/dev/null
TS_DECODE_NATIVE=0 ts-analyze -a level,rms,spectral ff24.flac >a.ffmpeg 2>/dev/null
if [ -s a.native ] && cmp -s a.native a.ffmpeg; then pass; else fail "ts-analyze results differ"; fi
# --start and --duration on the native source
ts-decode --start 0.25 --duration 0.1 ff16.flac >cut.native
TS_DECODE_NATIVE=0 ts-decode --start 0.25 --duration 0.1 ff16.flac >cut.ffmpeg
if cmp -s cut.native cut.ffmpeg && grep -aq '^frames: 4410$' cut.native; then pass; else fail "--start/--duration differ"; fi

size=$(stat -c %s ff16.flac)
cp ff16.flac corrupt.flac
printf '\377\377\377\377\377\377\377\377' | dd of=corrupt.flac bs=1 seek=$((size / 2)) conv=notrunc status=none

# --start seeks in WAV and FLAC files instead of decoding what it skips (libFLAC's seek is
# sample-exact): the same stream as reading through, in the middle of a block or on its
# edge, mixed, cut.
for f in ff24.flac ref16.flac ref-ch6.flac reftags.flac s24-stereo.wav; do
    for st in 0.00003 0.2 0.5113; do
        for extra in "" "--mono" "--duration 0.05"; do
            ts-decode --start $st $extra "$f" >seek.native 2>&1
            TS_DECODE_NATIVE=0 ts-decode --start $st $extra "$f" >seek.ffmpeg 2>&1
            if [ -s seek.native ] && cmp -s seek.native seek.ffmpeg; then pass; else
                fail "$f --start $st $extra: differs from reading through"; fi
        done
    done
done
if ts-decode --verbose --start 0.2 ff24.flac 2>&1 >/dev/null | grep -q "ff24.flac: seeking to frame 9600"; then pass; else
    fail "no seek in a FLAC file"; fi
# ...without decoding it: damage in the part skipped goes unseen.
if ts-decode --start 0.6 corrupt.flac >seek.out 2>seek.err && grep -aq '^frames: 3541$' seek.out; then pass; else
    fail "--start past damage: $(cat seek.err)"; fi

# Bytes after the audio (an ID3v1 tag): ignored, as FFmpeg does.
{ cat ff16.flac; printf 'TAG%125s' x; } >id3v1.flac
same id3v1.flac

# Damage: a clear error naming the input, no stream on stdout.
head -c $((size - 3000)) ff16.flac >cut.flac
expect_fail "a FLAC file cut short" 1 "cut.flac: truncated: the container declares 30001 frames" ts-decode cut.flac
# ts-info judges it as ts-decode does (it exited 0 with the declared length), without a decode.
expect_fail "ts-info of a FLAC file cut short" 1 "cut.flac: truncated: the container declares 30001 frames" ts-info cut.flac
for n in 100 1000 20000; do
    head -c $((size - n)) ff16.flac >cut$n.flac
    expect_fail "ts-info of a FLAC file less $n bytes" 1 "cut$n.flac: truncated" ts-info cut$n.flac
done
TS_DECODE_NATIVE=0 ts-decode cut.flac >/dev/null 2>&1; s=$?
if [ "$s" = 1 ]; then pass; else fail "the FFmpeg path took a cut FLAC file (exit $s)"; fi
expect_fail "a corrupt FLAC frame" 1 "corrupt.flac: corrupt FLAC data at " ts-decode corrupt.flac
$PY -c '
import sys
b = bytearray(open("ff16.flac", "rb").read()); b[len(b) * 2 // 3] ^= 0x10
open("crc.flac", "wb").write(b)'
expect_fail "one bit changed in a frame" 1 "crc.flac: corrupt FLAC data at " ts-decode crc.flac
if grep -q "(frame [0-9]*): a frame whose CRC does not match its bytes" "$T/.err"; then pass; else fail "crc: $(cat "$T/.err")"; fi
if TS_DECODE_NATIVE=0 ts-decode crc.flac >/dev/null 2>&1; then pass; else fail "TS_DECODE_NATIVE=0 does not salvage a damaged frame"; fi
expect_fail "a corrupt FLAC frame, to a file" 1 "corrupt.flac" ts-decode corrupt.flac -o corrupt.tspcm
if [ -e corrupt.tspcm ]; then fail "a partial output was left"; else pass; fi
# Damaged anywhere (seeded byte changes in the metadata and the frames, cuts, garbage): an
# exit of 0 or 1 with a message, never a crash or a hang. (FFmpeg's decoder, unlike libFLAC,
# checks no frame CRC: it passes many of these on with exit 0.)
cat >damage.py <<'PY'
import random, sys
src, n = sys.argv[1], int(sys.argv[2])
raw = open(src, 'rb').read()
rng = random.Random(11)
for i in range(n):
    b = bytearray(raw)
    kind = i % 4
    if kind == 0:   # a few bytes of the metadata blocks
        for _ in range(3): b[rng.randrange(4, 200)] = rng.randrange(256)
    elif kind == 1: # bytes in the frames
        for _ in range(8): b[rng.randrange(200, len(b))] = rng.randrange(256)
    elif kind == 2: # cut anywhere
        b = b[:rng.randrange(4, len(b))]
    else:           # a run of garbage in the middle
        at = rng.randrange(200, len(b) - 100); b[at:at + 64] = bytes(rng.randrange(256) for _ in range(64))
    open('damaged-%02d.flac' % i, 'wb').write(bytes(b))
PY
$PY damage.py ff16.flac 40
bad=""
for f in damaged-*.flac; do
    timeout 30 ts-decode "$f" >/dev/null 2>"$f.err"; s=$?
    if [ "$s" != 0 ] && { [ "$s" != 1 ] || [ ! -s "$f.err" ]; }; then bad+=" $f (exit $s)"; fi
done
if [ -z "$bad" ]; then pass; else fail "damaged files:$bad: $(cat damaged-*.err | sort | uniq -c | head -c 400)"; fi

expect_fail "a missing stream" 2 "ff16.flac: --stream 1" ts-decode --stream 1 ff16.flac

finish
