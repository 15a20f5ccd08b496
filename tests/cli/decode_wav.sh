#!/bin/bash
# Plain WAV files are read without FFmpeg (decode/wav_source.cpp) and must give exactly what
# the FFmpeg path gives (TS_DECODE_NATIVE=0): the same TSPCM stream byte for byte (samples,
# frames, sha1, tags), the same transcoded bytes (the source's bit depth), the same errors.
# Anything not plain (tags, odd layouts, truncation) goes to FFmpeg.
. "$TS_SRC/tests/cli/lib.sh"

# make.py NAME ...: writes RIFF/WAVE files from a small layout language.
cat >make.py <<'PY'
import math, struct, sys

def chunk(cid, body, pad=True):
    out = cid + struct.pack('<I', len(body)) + body
    return out + (b'\0' if pad and len(body) % 2 else b'')

def fmt(tag, ch, rate, bits, ext=None, valid=None):
    align = ch * bits // 8
    body = struct.pack('<HHIIHH', 0xfffe if ext else tag, ch, rate, rate * align, align, bits)
    if ext:
        guid = struct.pack('<H', tag) + bytes([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71])
        body += struct.pack('<HHI', 22, valid or bits, (1 << ch) - 1) + guid
    return chunk(b'fmt ', body)

def samples(kind, ch, n):
    # A sine per channel at a different level, with the extremes of the format at the start.
    out = []
    for i in range(n):
        for c in range(ch):
            v = 0.9 / (c + 1) * math.sin(2 * math.pi * (220 * (c + 1)) * i / 8000)
            if i == 0: v = -1.0
            if i == 1: v = 1.0
            out.append(v)
    if kind == 'u8':  return bytes(min(255, max(0, int(round(v * 127 + 128)))) for v in out)
    if kind == 's16': return struct.pack('<%dh' % len(out), *[max(-32768, min(32767, int(round(v * 32767)))) for v in out])
    if kind == 's24':
        b = bytearray()
        for v in out:
            b += struct.pack('<i', max(-8388608, min(8388607, int(round(v * 8388607)))))[:3]
        return bytes(b)
    if kind == 's32': return struct.pack('<%di' % len(out), *[max(-2**31, min(2**31 - 1, int(round(v * (2**31 - 1))))) for v in out])
    if kind == 'f32': return struct.pack('<%df' % len(out), *[v * 1.25 for v in out])  # past full scale too
    if kind == 'f64': return struct.pack('<%dd' % len(out), *[v / 3 for v in out])

TAG = {'u8': (1, 8), 's16': (1, 16), 's24': (1, 24), 's32': (1, 32), 'f32': (3, 32), 'f64': (3, 64)}

def wav(path, kind, ch, n=8001, rate=8000, ext=False, valid=None, before=b'', after=b'',
        data_extra=0, riff_delta=0, drop_tail=0, odd_junk=False):
    tag, bits = TAG[kind]
    data = samples(kind, ch, n)
    body = b'WAVE' + before + fmt(tag, ch, rate, bits, ext, valid)
    if odd_junk: body += chunk(b'JUNK', b'abc')
    body += chunk(b'data', data + b'\0' * data_extra) + after
    raw = b'RIFF' + struct.pack('<I', len(body) + riff_delta) + body
    if drop_tail: raw = raw[:-drop_tail]
    open(path, 'wb').write(raw)

name = sys.argv[1]
cases = {
    # plain: read natively
    'u8-mono': dict(kind='u8', ch=1),
    's16-mono': dict(kind='s16', ch=1),
    's16-stereo': dict(kind='s16', ch=2, rate=44100),
    's24-stereo': dict(kind='s24', ch=2, rate=48000),
    's32-mono': dict(kind='s32', ch=1),
    'f32-stereo': dict(kind='f32', ch=2),
    'f64-mono': dict(kind='f64', ch=1),
    's16-six': dict(kind='s16', ch=6, rate=48000),
    'ext-s24': dict(kind='s24', ch=2, ext=True),
    'ext-f32': dict(kind='f32', ch=4, ext=True),
    'fact-peak-junk': dict(kind='f32', ch=2, before=chunk(b'JUNK', b'\0' * 28),
                           after=chunk(b'PEAK', b'\0' * 24)),
    'odd-junk': dict(kind='s16', ch=1, odd_junk=True),
    'odd-data-no-pad': dict(kind='s24', ch=1, n=8001, drop_tail=1),
    'riff-size-off': dict(kind='s16', ch=2, riff_delta=-7),
    'list-info': dict(kind='s16', ch=2, after=chunk(b'LIST', b'INFO' + chunk(b'INAM', b'Plain title\0'))),
    'list-before': dict(kind='s24', ch=2, before=chunk(b'LIST', b'INFO' + chunk(b'IART', b'Ann\0')
        + chunk(b'ICMT', b'odd\0x') + chunk(b'IENG', 'Zoë Ü\0'.encode()) + chunk(b'ISFT', b'no nul')
        + chunk(b'ICRD', b'2026\0\0\0'))),
    # not plain: FFmpeg reads them
    'list-twice': dict(kind='s16', ch=1, after=chunk(b'LIST', b'INFO' + chunk(b'IPRT', b'1\0') + chunk(b'ITRK', b'2\0'))),
    'list-empty-value': dict(kind='s16', ch=1, after=chunk(b'LIST', b'INFO' + chunk(b'INAM', b'\0\0'))),
    'list-adtl': dict(kind='s16', ch=1, after=chunk(b'LIST', b'adtl' + chunk(b'labl', b'\0\0\0\0x\0'))),
    'bext': dict(kind='s16', ch=2, before=chunk(b'bext', b'Broadcast description'.ljust(256, b'\0') + b'\0' * 346)),
    'ext-valid-20': dict(kind='s24', ch=2, ext=True, valid=20),
    'partial-frame': dict(kind='s16', ch=2, data_extra=2),
    'truncated': dict(kind='s16', ch=2, drop_tail=1000),
}
if name == 'list':
    print(' '.join(cases))
else:
    wav(name + '.wav', **cases[name])
PY

loaded_media() { # loaded_media CMD...: true when the command loads media.so
    LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -q '/media\.so'
}

for c in $($PY make.py list); do
    $PY make.py "$c" || { fail "$c: cannot make the file"; continue; }
    ts-decode "$c.wav" >"$c.native" 2>"$c.native.err"; sn=$?
    TS_DECODE_NATIVE=0 ts-decode "$c.wav" >"$c.ffmpeg" 2>"$c.ffmpeg.err"; sf=$?
    if [ "$sn" != "$sf" ]; then
        fail "$c: exit $sn natively, $sf through FFmpeg: $(cat "$c.native.err" "$c.ffmpeg.err")"
    elif [ "$sn" != 0 ]; then
        # The same error either way (errors come from the FFmpeg path).
        if [ "$(sed 's/^ts-decode: //' "$c.native.err")" = "$(sed 's/^ts-decode: //' "$c.ffmpeg.err")" ]; then pass; else
            fail "$c: errors differ: $(cat "$c.native.err") / $(cat "$c.ffmpeg.err")"; fi
    elif cmp -s "$c.native" "$c.ffmpeg"; then pass; else fail "$c: the TSPCM streams differ"; fi
    # ts-info's facts: the same JSON (codec names, sample format, bits, layout, bit rate,
    # exact frames, tags, sha1).
    ts-info "$c.wav" >"$c.info.native" 2>&1; TS_DECODE_NATIVE=0 ts-info "$c.wav" >"$c.info.ffmpeg" 2>&1
    if cmp -s "$c.info.native" "$c.info.ffmpeg"; then pass; else
        fail "$c: ts-info differs: $(diff "$c.info.native" "$c.info.ffmpeg" | head -c 400)"; fi
done

# Which path each file takes: a plain file never loads the media module, the others do.
ts-gen sine --duration 0.5 -o ts-gen.wav # libsndfile's layout, with a LIST/INFO chunk
for c in u8-mono s16-stereo s24-stereo f64-mono s16-six ext-f32 fact-peak-junk odd-junk odd-data-no-pad riff-size-off list-info list-before ts-gen; do
    if loaded_media ts-decode "$c.wav"; then fail "$c: plain, yet the media module was loaded"; else pass; fi
done
for c in ext-valid-20 partial-frame truncated list-twice list-empty-value list-adtl bext; do
    if loaded_media ts-decode "$c.wav"; then pass; else fail "$c: not plain, yet read without FFmpeg"; fi
done
if TS_DECODE_NATIVE=0 loaded_media ts-decode s16-mono.wav; then pass; else fail "TS_DECODE_NATIVE=0 is not obeyed"; fi
# ts-info reads the plain files' facts itself too, but for WAVE_FORMAT_EXTENSIBLE (FFmpeg
# names its channel mask) and a byte rate the fmt chunk states wrongly.
for c in u8-mono s16-stereo s24-stereo f64-mono s16-six list-before ts-gen; do
    if loaded_media ts-info "$c.wav"; then fail "ts-info $c: plain, yet the media module was loaded"; else pass; fi
done
if loaded_media ts-info ext-s24.wav; then pass; else fail "ts-info ext-s24: read without FFmpeg"; fi
if $PY -c '
import json, sys
j = json.loads(open(sys.argv[1]).read())
want = dict(codec="pcm_s24le", codec_long="PCM signed 24-bit little-endian", sample_format="s32",
            bits_per_sample=24, frames=8001, bit_rate=48000 * 2 * 24, channel_layout="stereo",
            container="wav", rate=48000, channels=2)
bad = {k: (j.get(k), v) for k, v in want.items() if j.get(k) != v}
assert not bad and abs(j["duration"] - 8001 / 48000) < 1e-9, bad
' s24-stereo.info.native; then pass; else fail "ts-info of a 24-bit wav: $(cat s24-stereo.info.native)"; fi

# Values: the conversions are exact (s16: x / 32768; u8: (x - 128) / 128; s24: x / 2^23).
num "s16: -32767 and 32767 over 32768" expect s16-mono.native 'x[0,0] == -32767/32768' 'x[1,0] == 32767/32768' 'frames == 8001' 'rate == 8000'
num "u8: 1 and 255 around 128" expect u8-mono.native 'x[0,0] == (1-128)/128' 'x[1,0] == (255-128)/128'
num "s24 over 2^23" expect s24-stereo.native 'x[0,0] == -8388607/8388608' 'x[1,1] == 8388607/8388608' 'channels == 2' 'rate == 48000'
num "f32 past full scale kept" expect f32-stereo.native 'abs(x[0,0] + 1.25) < 1e-7' 'abs(x[1,0] - 1.25) < 1e-7'
num "six channels" expect s16-six.native 'channels == 6' 'frames == 8001'
num "the LIST chunk's title" expect list-info.native "h['tag.title'] == 'Plain title'"
num "INFO names as FFmpeg names them, values to their NUL" expect list-before.native "h['tag.artist'] == 'Ann'" \
    "h['tag.comment'] == 'odd'" "h['tag.ieng'] == 'Zoë Ü'" "h['tag.encoder'] == 'no nul'" "h['tag.date'] == '2026'"
TS_DECODE_NATIVE=0 ts-decode ts-gen.wav >ts-gen.ffmpeg; ts-decode ts-gen.wav >ts-gen.native
if cmp -s ts-gen.native ts-gen.ffmpeg && grep -aq '^tag.encoder: ts-gen' ts-gen.native; then pass; else fail "ts-gen's wav: streams differ or lack the encoder tag"; fi
# A data chunk longer than the file: FFmpeg gives the whole frames there are (8001 declared,
# 4 bytes a frame, 1000 bytes missing: 7751), and so does the native reader by leaving it.
num "a cut file: the frames that are there" expect truncated.native "h['frames'] == '7751'" 'frames == 7751'


# The bit depth is the FFmpeg path's: transcoding keeps it the same way, byte for byte.
for c in u8-mono s24-stereo s32-mono f32-stereo ext-s24; do
    ts-transcode -f wav "$c.wav" -o "$c.n.wav" 2>/dev/null
    TS_DECODE_NATIVE=0 ts-transcode -f wav "$c.wav" -o "$c.f.wav" 2>/dev/null
    if [ -s "$c.n.wav" ] && cmp -s "$c.n.wav" "$c.f.wav"; then pass; else fail "$c: transcoded wav differs"; fi
done

# Analysis of a plain wav: the same results either way, without loading FFmpeg.
ts-analyze -a level,rms,spectral s24-stereo.wav >a.native 2>/dev/null
TS_DECODE_NATIVE=0 ts-analyze -a level,rms,spectral s24-stereo.wav >a.ffmpeg 2>/dev/null
if [ -s a.native ] && cmp -s a.native a.ffmpeg; then pass; else fail "ts-analyze results differ"; fi
if loaded_media ts-analyze -a level s16-mono.wav; then fail "ts-analyze loaded the media module for a plain wav"; else pass; fi
if loaded_media ts-analyze --version; then fail "ts-analyze --version loaded the media module"; else pass; fi

# A tool moved away from its modules: a plain wav still works, a media file is a clear error.
mkdir -p moved/bin && cp "$TS_BIN/ts-decode" moved/bin/
check "a moved ts-decode reads a plain wav" moved/bin/ts-decode s16-mono.wav
$PY make.py bext
expect_fail "a moved ts-decode without its media module" 1 "module" moved/bin/ts-decode bext.wav

finish
