#!/bin/bash
# ts-transcode: every format round-trips through ts-decode with its length, frequency and
# level; lossless formats bit for bit at 16 and 24 bits; tags; streaming to a pipe;
# impossible requests and bad inputs fail cleanly and leave no file behind.
. "$TS_SRC/tests/cli/lib.sh"
DATA="$TS_SRC/tests/data"

# A 1 kHz stereo sine at -20 dBFS peak (RMS -23.01 dBFS), 1 s at 44.1 kHz.
ts-gen sine --frequency 1000 --amplitude -20 --duration 1 --channels 2 >sine.tspcm
RMS=-23.0103

# Lossy formats: length as stated in ts-transcode(1)'s TIMING (exact for mp3, opus and webm,
# whose containers record the encoder's delay and padding; vorbis through FFmpeg 5.1 ends up
# to 128 frames short; m4a keeps up to 1023 frames of padding; raw aac the 1024-frame priming
# too), frequency within 1 Hz, level within 0.5 dB at the default quality.
for case in "mp3 44100 0" "ogg 44100 128" "opus 48000 0" "webm 48000 0" "m4a 44100 1023" "aac 44100 2048"; do
    set -- $case
    f=$1 want=$2 tol=$3
    ts-transcode sine.tspcm -o "sine.$f"
    ts-decode "sine.$f" >"rt.$f.tspcm" 2>"rt.$f.err" || fail "$f: decode: $(cat "rt.$f.err")"
    num "$f keeps length, frequency and level" expect "rt.$f.tspcm" "channels == 2" "abs(frames - $want) <= $tol" \
        "rate == $want or rate == 44100" "abs(freq - 1000) < 1" "abs(rms_db - ($RMS)) < 0.5"
done

# Lossless formats: exact length, and the 16-bit samples bit for bit.
ts-gen sine --frequency 1000 --amplitude -20 --duration 1 --channels 2 --format s16le >s16.tspcm
for f in wav aiff flac; do
    ts-transcode s16.tspcm -o "s16.$f" && ts-decode "s16.$f" >"s16.$f.tspcm"
    num "$f 16-bit is bit-exact" compare "s16.$f.tspcm" s16.tspcm 0
    num "$f 16-bit length" expect "s16.$f.tspcm" "frames == 44100" "h['frames'] == '44100'"
done
# 24-bit: a signal on the 24-bit grid (made by a 24-bit wav) comes back bit for bit.
ts-transcode --bits 24 sine.tspcm -o g24.wav && ts-decode g24.wav >g24.tspcm
num "24-bit wav keeps the level" expect g24.tspcm "abs(rms_db - ($RMS)) < 0.001"
for f in wav aiff flac; do
    ts-transcode --bits 24 g24.tspcm -o "s24.$f" && ts-decode "s24.$f" >"s24.$f.tspcm"
    num "$f 24-bit is bit-exact" compare "s24.$f.tspcm" g24.tspcm 0
done
# Without --bits, lossless outputs keep an integer source's depth: 24 from a 24-bit wav or
# flac, 16 from a 16-bit wav and from a float stream.
for f in flac wav aiff; do
    ts-transcode g24.wav -o "d24.$f" && ts-info "d24.$f" >"d24.$f.json" &&
        grep -q '"bits_per_sample":24' "d24.$f.json" && pass || fail "24-bit wav to $f by default: $(cat "d24.$f.json")"
done
ts-transcode d24.flac -o d24b.wav && ts-decode d24b.wav >d24b.tspcm
num "24-bit flac to wav by default, bit for bit" compare d24b.tspcm g24.tspcm 0
ts-transcode --bits 16 g24.tspcm -o g16.wav && ts-transcode g16.wav -o d16.flac && ts-info d16.flac | grep -q '"bits_per_sample":16' && pass || fail "16-bit wav to flac is not 16-bit"
ts-transcode sine.tspcm -o f16.flac && ts-info f16.flac | grep -q '"bits_per_sample":16' && pass || fail "a float stream to flac is not 16-bit"
ts-transcode --bits 24 -f flac g24.tspcm | ts-info - >i24.json
grep -q '"bits_per_sample":24\|"sample_format":"s32"' i24.json && pass || fail "flac --bits 24: $(cat i24.json)"
# 32-bit float wav keeps the float samples exactly.
ts-transcode --bits 32 sine.tspcm -o f32.wav && ts-decode f32.wav >f32.tspcm
num "32-bit float wav is exact" compare f32.tspcm sine.tspcm 0

# --bitrate and --quality change the size the right way; --rate, --mono, --start, --duration.
ts-transcode --bitrate 64 -f mp3 sine.tspcm >cbr64.mp3
ts-transcode --bitrate 256k -f mp3 sine.tspcm >cbr256.mp3
[ "$(stat -c %s cbr64.mp3)" -lt "$(stat -c %s cbr256.mp3)" ] && pass || fail "--bitrate 64 < 256"
ts-transcode --quality 0 -f ogg sine.tspcm >q0.ogg
ts-transcode --quality 10 -f ogg sine.tspcm >q10.ogg
[ "$(stat -c %s q0.ogg)" -lt "$(stat -c %s q10.ogg)" ] && pass || fail "ogg --quality 0 < 10"
ts-transcode --rate 22050 --mono --start 0.25 --duration 0.5 sine.tspcm -o cut.flac && ts-decode cut.flac >cut.tspcm
num "--rate --mono --start --duration" expect cut.tspcm "rate == 22050" "channels == 1" "frames == 11025" "abs(freq - 1000) < 1"
ts-transcode -v -f opus sine.tspcm 2>opus.err >/dev/null
grep -q "48000" opus.err && pass || fail "opus --verbose does not say it resamples: $(cat opus.err)"

# Tags: from the input (tag.* of TSPCM, a file's container tags), --tag, --no-tags; read back.
ts-decode "$DATA/stereo.flac" >tagged.tspcm
for f in wav flac mp3 ogg opus m4a webm; do
    ts-transcode --tag 'artist=Somebody Else' --tag album=Ünïcode tagged.tspcm -o "t.$f"
    ts-info "t.$f" >"t.$f.json"
    /usr/bin/python3 -c "
import json, sys
t = {k.lower(): v for k, v in json.load(open('t.$f.json'))['tags'].items()}
assert t.get('title') == 'Fixture tone', t
assert t.get('artist') == 'Somebody Else', t
assert t.get('album') == 'Ünïcode', t
" && pass || fail "$f tags: $(cat "t.$f.json")"
done
# AIFF holds only a name, an author, a copyright and a comment.
ts-transcode --tag comment=Note tagged.tspcm -o t.aiff && ts-info t.aiff >t.aiff.json
grep -q '"title":"Fixture tone"' t.aiff.json && grep -q '"comment":"Note"' t.aiff.json && pass || fail "aiff tags: $(cat t.aiff.json)"
ts-transcode --no-tags tagged.tspcm -o nt.flac && ts-info nt.flac >nt.json
grep -q "Fixture tone" nt.json && fail "--no-tags kept the title" || pass
ts-transcode "$DATA/stereo.flac" -o direct.mp3 && ts-info direct.mp3 | grep -q '"title":"Fixture tone"' && pass || fail "a media file's tags"

# Inputs as every tool takes them: media on stdin, headerless samples, an http URL (the
# fixture is a 24-bit flac, kept bit for bit with --bits 24).
ts-decode "$DATA/stereo.flac" >ref.tspcm
ts-transcode --bits 24 -f flac - <"$DATA/stereo.flac" | ts-decode - >stdin.tspcm
num "media on stdin" compare stdin.tspcm ref.tspcm 0
ts-decode --raw "$DATA/stereo.flac" >raw.f32
ts-transcode --bits 24 --input-raw --input-rate 44100 --input-channels 2 raw.f32 -o raw.flac && ts-decode raw.flac >raw.tspcm
num "headerless input" compare raw.tspcm ref.tspcm 0
port=$((20000 + RANDOM % 20000))
(cd "$DATA" && exec /usr/bin/python3 -m http.server "$port" --bind 127.0.0.1) >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.1; done
ts-transcode --bits 24 "http://127.0.0.1:$port/stereo.flac" -o url.flac && ts-decode url.flac >url.tspcm
num "URL input" compare url.tspcm ref.tspcm 0
expect_fail "a URL that is not found" 1 "127.0.0.1" ts-transcode "http://127.0.0.1:$port/missing.flac" -o out/x.mp3
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null

# Streaming: a longer input through a pipe, read while it is written.
ts-gen sine --duration 20 >long.tspcm
for f in mp3 ogg opus flac webm aac m4a; do
    ts-transcode -f "$f" long.tspcm | ts-decode - >"pipe.$f.tspcm" 2>"pipe.$f.err" || fail "$f on a pipe: $(cat "pipe.$f.err")"
    num "$f streams through a pipe" expect "pipe.$f.tspcm" "abs(frames / rate - 20) < 0.1" "abs(freq - 1000) < 1"
done
ts-transcode -f opus long.tspcm | ts-info - | grep -q '"codec":"opus"' && pass || fail "ts-info - reads opus from a pipe"
# An mp3 on a pipe gets the LAME header FFmpeg's muxer writes only into a file, with the
# encoder's delay and, the input's length known, the frame count and padding: a click track
# decodes from the pipe as from the file, sample for sample, each click within 2 frames of its
# place (measured: 1 frame late, the codec's smear; 1106 late without the header), the length
# exact. Of unknown length (headerless input), the start is as exact and 47 to 1198 frames of
# padding stay at the end (measured: 875 for 2 s).
CLICKS="np.all(np.argmax(np.abs(x[:88200, 0].reshape(4, 22050)), axis=1) <= 2)"
ts-gen clicks --tempo 120 --duration 2 --amplitude -6 >clicks.tspcm
ts-transcode clicks.tspcm -o clicks.mp3 && ts-decode clicks.mp3 >clicks.file.tspcm
ts-transcode -f mp3 clicks.tspcm | ts-decode - >clicks.pipe.tspcm
num "a piped mp3: clicks in place, the length exact" expect clicks.pipe.tspcm \
    "frames == 88200" "$CLICKS"
num "a piped mp3 decodes as the file" compare clicks.pipe.tspcm clicks.file.tspcm 0
ts-gen clicks --tempo 120 --duration 2 --amplitude -6 --raw |
    ts-transcode --input-raw --input-rate 44100 --input-channels 1 -f mp3 |
    ts-decode - >clicks.raw.tspcm
num "a piped mp3 of unknown length: clicks in place, the padding bounded" expect clicks.raw.tspcm \
    "88200 + 47 <= frames <= 88200 + 1198" "$CLICKS"
# A tag longer than the muxer's 64 KiB buffer: the ID3v2 tag's size, written after it, still
# reaches the pipe (it was 0 before, and the mp3 undecodable).
head -c 70000 /dev/zero | tr '\0' x >bigtag.txt
ts-transcode -f mp3 --tag "title=$(cat bigtag.txt)" sine.tspcm >bigtag.mp3
ts-info bigtag.mp3 | grep -q '"title":"xxxxxxxx' && pass || fail "a 70 kB tag on a piped mp3"
ts-decode bigtag.mp3 >bigtag.tspcm
num "a 70 kB tag on a piped mp3: the length exact" expect bigtag.tspcm "frames == 44100"
# A 16-bit source goes to libmp3lame as 16-bit samples, as ffmpeg gives them: the same audio
# as ffmpeg's own mp3 at the same bitrate, sample for sample.
ts-gen demo --duration 3 -o demo16.wav
ts-transcode --bitrate 192k --no-tags demo16.wav -o demo16.ts.mp3
ffmpeg -nostdin -v error -y -i demo16.wav -c:a libmp3lame -b:a 192k demo16.ff.mp3
ffmpeg -nostdin -v error -i demo16.ts.mp3 -f s16le demo16.ts.raw
ffmpeg -nostdin -v error -i demo16.ff.mp3 -f s16le demo16.ff.raw
if [ -s demo16.ts.raw ] && cmp -s demo16.ts.raw demo16.ff.raw; then pass; else fail "mp3 from a 16-bit wav differs from ffmpeg's"; fi
ts-transcode --verbose -f mp3 demo16.wav -o v16.mp3 2>&1 | grep -q 'samples s16p$' && pass || fail "16-bit samples to libmp3lame"
ts-transcode --verbose -f mp3 sine.tspcm -o vf.mp3 2>&1 | grep -q 'samples fltp$' && pass || fail "float samples to libmp3lame"
ts-transcode --verbose -f mp3 --rate 48000 demo16.wav -o vr.mp3 2>&1 | grep -q 'samples fltp$' && pass || fail "resampled: float samples to libmp3lame"
# MPEG-2 layer III (24 kHz and below, 576 frames a packet): the delay and padding the LAME
# header records (up to about 1,700 frames) are not mistaken for a truncated file, from a file
# or a pipe, and the length is exact.
for r in 22050 16000 8000; do
    ts-transcode --rate $r sine.tspcm -o low$r.mp3 && ts-decode low$r.mp3 >low$r.tspcm
    num "mp3 at $r Hz from a file" expect low$r.tspcm "rate == $r" "frames == $r" "abs(freq - 1000) < 2"
done
ts-transcode -f mp3 --rate 22050 sine.tspcm | ts-decode - >low.pipe.tspcm
num "mp3 at 22050 Hz from a pipe" expect low.pipe.tspcm "rate == 22050" "frames == 22050"
ts-transcode -f m4a --tag title=Frag long.tspcm >frag.m4a && ts-info frag.m4a | grep -q '"title":"Frag"' && pass || fail "m4a on a pipe is a fragmented MP4 with its tags"
# Bounded memory: 10 minutes through a pipe in the memory of 30 seconds (within 16 MiB; the
# sanitizer build's quarantine of freed memory is turned off for the comparison).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
ts-gen sine --duration 30 --channels 2 | /usr/bin/time -f %M -o rss30.txt ts-transcode -f mp3 | ts-decode - >/dev/null
ts-gen sine --duration 600 --channels 2 | /usr/bin/time -f %M -o rss.txt ts-transcode -f mp3 | ts-decode - >/dev/null
[ "$(tail -n 1 rss.txt)" -lt $(( $(tail -n 1 rss30.txt) + 16384 )) ] && pass ||
    fail "10 min to mp3 used $(tail -n 1 rss.txt) KiB, 30 s $(tail -n 1 rss30.txt) KiB"

# Impossible requests: usage errors (2); bad inputs and unwritable outputs (1); nothing left.
mkdir out
ts-gen sine --channels 8 --duration 0.2 >s8.tspcm
expect_fail "mp3 with 8 channels" 2 "channels" ts-transcode -f mp3 s8.tspcm
expect_fail "opus at 1 kb/s" 2 "bitrate" ts-transcode --bitrate 1 sine.tspcm -o out/x.opus
expect_fail "unknown format" 2 "xyz" ts-transcode -f xyz sine.tspcm
expect_fail "unknown extension" 2 "-f" ts-transcode sine.tspcm -o out/x.xyz
expect_fail "no format for stdout" 2 "-f" ts-transcode sine.tspcm
expect_fail "wav cannot stream" 2 "pipe" ts-transcode -f wav sine.tspcm
expect_fail "aiff cannot stream" 2 "pipe" ts-transcode -f aiff sine.tspcm
expect_fail "--quality on opus" 2 "quality" ts-transcode --quality 5 sine.tspcm -o out/x.opus
expect_fail "--quality out of range" 2 "quality" ts-transcode --quality 12 sine.tspcm -o out/x.mp3
expect_fail "--bits on mp3" 2 "bits" ts-transcode --bits 24 sine.tspcm -o out/x.mp3
expect_fail "--bits 32 in flac" 2 "32" ts-transcode --bits 32 sine.tspcm -o out/x.flac
expect_fail "--bitrate on flac" 2 "bitrate" ts-transcode --bitrate 128 sine.tspcm -o out/x.flac
expect_fail "a bad --tag" 2 "KEY=VALUE" ts-transcode --tag novalue sine.tspcm -o out/x.mp3
expect_fail "unwritable folder" 1 "no/such" ts-transcode sine.tspcm -o out/no/such/x.mp3
expect_fail "missing input" 1 "missing.wav" ts-transcode missing.wav -o out/x.mp3
head -c 5000 /dev/urandom >random.bin
expect_fail "random bytes" 1 "random.bin" ts-transcode random.bin -o out/x.mp3
printf 'TSPCM 1\nrate: 44100\nchannels: 1\nformat: f32le\nframes: 44100\nEND\n\0\0\0\0' >short.tspcm
expect_fail "truncated TSPCM" 1 "short.tspcm" ts-transcode short.tspcm -o out/x.flac
# Interrupted: exit 130 and no file, temporary or final.
ts-gen sine --duration 1800 -o hour.tspcm
ts-transcode hour.tspcm -o out/x.flac 2>/dev/null & p=$!
sleep 0.5; kill -INT "$p"; wait "$p"; s=$?
[ "$s" = 130 ] && pass || fail "SIGINT: exit $s, want 130"
[ -z "$(ls -A out)" ] && pass || fail "failed runs left files: $(ls -A out)"

# Several inputs into a folder or a pattern: each atomic, one failing input not stopping the rest.
ts-gen sine --duration 0.5 >a.tspcm
ts-gen sine --duration 0.5 --frequency 500 >b.tspcm
ts-transcode -f ogg a.tspcm random.bin b.tspcm -o many/ 2>many.err; s=$?
mkdir -p many; [ "$s" = 1 ] && [ -s many/a.ogg ] && [ -s many/b.ogg ] && [ "$(ls -A many | wc -l)" = 2 ] && pass || fail "several inputs: exit $s, $(ls -A many): $(cat many.err)"
mkdir pat
ts-transcode a.tspcm b.tspcm -o 'pat/{stem}.opus' && [ -s pat/a.opus ] && [ -s pat/b.opus ] && pass || fail "an output pattern"
ts-transcode -f mp3 a.tspcm s8.tspcm b.tspcm -o many3/ 2>many3.err; s=$?
[ "$s" = 2 ] && [ -s many3/a.mp3 ] && [ -s many3/b.mp3 ] && [ ! -e many3/s8.mp3 ] && pass || fail "an impossible request for one input: exit $s, $(ls -A many3): $(cat many3.err)"
expect_fail "several inputs need a folder" 2 "several" ts-transcode a.tspcm b.tspcm -o one.mp3

finish
