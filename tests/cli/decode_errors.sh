#!/bin/bash
# ts-decode on bad input: each case exits with the documented status, writes nothing to
# stdout, and names the input (or the option) on stderr.
. "$TS_SRC/tests/cli/lib.sh"
DATA="$TS_SRC/tests/data"

: >empty.wav
mkdir adir
head -c 20000 /dev/urandom >random.bin
ts-gen sine --duration 1 >sine.tspcm 2>/dev/null || ts-decode "$DATA/stereo-s16.wav" >sine.tspcm
head -c 3000 sine.tspcm >cut.tspcm
printf 'TSPCM 1\nrate: 44100\nchannels: 1\nformat: f32le\nframes: 1000\nEND\n' >short.tspcm
head -c 100 /dev/zero >>short.tspcm
printf 'RIFF\x24\x00\x00\x00WAVEfmt ' >badhdr.wav

expect_fail "missing file" 1 "missing.wav" ts-decode missing.wav
expect_fail "empty file" 1 "empty.wav" ts-decode empty.wav
expect_fail "a directory" 1 "adir" ts-decode adir
expect_fail "/dev/null" 1 "/dev/null" ts-decode /dev/null
expect_fail "random bytes" 1 "random.bin" ts-decode random.bin
expect_fail "a cut wav header" 1 "badhdr.wav" ts-decode badhdr.wav
expect_fail "a truncated mp3" 1 "broken-truncated.mp3" ts-decode "$DATA/broken-truncated.mp3"
expect_fail "a truncated TSPCM file" 1 "truncated" ts-decode cut.tspcm
expect_fail "a TSPCM stream shorter than its frames" 1 "truncated" ts-decode short.tspcm
expect_fail "a truncated TSPCM stream on stdin" 1 "truncated" sh -c 'cat short.tspcm | ts-decode'
expect_fail "a file with no audio stream" 1 "no audio stream" ts-decode "$DATA/broken-no-audio.mkv"
expect_fail "random bytes on stdin" 1 "stdin" sh -c 'cat random.bin | ts-decode'
# A text file is no media whatever its extension says: one message for every name (the
# extension picks FFmpeg's demuxer, which failed with "Invalid argument" for .mp3 and found
# no stream for .flac, .ogg and .m4a).
echo "not audio, only text" >text.txt
for ext in mp3 wav flac ogg m4a opus aac txt; do
    cp text.txt "text.$ext"
    expect_fail "a text file named .$ext" 1 "text.$ext: not a media file" ts-decode "text.$ext"
    expect_fail "a text file named .$ext (ts-info)" 1 "text.$ext: not a media file" ts-info "text.$ext"
done
expect_fail "empty stdin" 1 "stdin" sh -c ': | ts-decode'
expect_fail "--rate 0" 2 "--rate" ts-decode --rate 0 "$DATA/stereo.flac"
expect_fail "--channels 0" 2 "--channels" ts-decode --channels 0 "$DATA/stereo.flac"
expect_fail "--channels 65" 2 "--channels" ts-decode --channels 65 "$DATA/stereo.flac"
expect_fail "--start past the end" 1 "past the end" ts-decode --start 5 "$DATA/stereo.flac"
expect_fail "--start past the end of an ogg" 1 "past the end" ts-decode --start 5 "$DATA/stereo.ogg"
expect_fail "--start negative" 2 "--start" ts-decode --start -1 "$DATA/stereo.flac"
expect_fail "--stream 3 of a one-stream file" 2 "--stream" ts-decode --stream 3 "$DATA/stereo.flac"
expect_fail "--format f64le" 2 "--format" ts-decode --format f64le "$DATA/stereo.flac"
expect_fail "an unknown option" 2 "--no-such" ts-decode --no-such "$DATA/stereo.flac"
expect_fail "--input-raw without a rate" 2 "--input-rate" ts-decode --input-raw "$DATA/stereo.flac"
expect_fail "raw input of a partial frame" 1 "random.bin" ts-decode --input-raw --input-rate 8000 --input-channels 3 random.bin
expect_fail "a bad TSPCM header" 1 "rate" sh -c 'printf "TSPCM 1\nrate: fast\nchannels: 1\nformat: f32le\nEND\n" | ts-decode'
expect_fail "TSPCM version 2" 1 "version" sh -c 'printf "TSPCM 2\nrate: 8000\nEND\n" | ts-decode'

# -o into a folder that does not exist, or a failing input with -o: no file, no temporary.
mkdir outdir
expect_fail "-o into a missing folder" 1 "no/such" ts-decode -o no/such/x.tspcm "$DATA/stereo.flac"
expect_fail "a failing input with -o" 1 "truncated" ts-decode -o outdir/x.tspcm cut.tspcm
[ -z "$(ls -A outdir)" ] && pass || fail "a failed run left $(ls -A outdir)"

# -o naming a device or a named pipe writes into it and leaves it as it is (a temporary file
# renamed over it would replace /dev/null with a regular file when run as root).
mkfifo fifo
cat fifo >from-fifo &
reader=$!
check "-o FIFO" ts-decode --no-history -o fifo sine.tspcm
wait "$reader"
ts-decode --no-history sine.tspcm >via-stdout.tspcm
[ -p fifo ] && pass || fail "-o FIFO replaced the named pipe: $(ls -l fifo)"
cmp -s from-fifo via-stdout.tspcm && pass || fail "-o FIFO: the bytes read from the pipe differ from stdout's"
check "-o /dev/null" ts-decode -o /dev/null sine.tspcm
[ -c /dev/null ] && pass || fail "-o /dev/null replaced /dev/null: $(ls -l /dev/null)"

# Interrupted: SIGINT or SIGTERM while waiting on input → 130, and no output file.
for sig in INT TERM; do
    { head -c 200 sine.tspcm; sleep 5; } | ts-decode -o "outdir/$sig.tspcm" 2>sig.err &
    pid=$!
    sleep 0.5
    kill -$sig "$pid" 2>/dev/null || pkill -$sig -f "outdir/$sig.tspcm"
    wait "$pid"
    s=$?
    [ "$s" = 130 ] && pass || fail "SIG$sig: exit $s, want 130 ($(cat sig.err))"
    [ -z "$(ls -A outdir)" ] && pass || fail "SIG$sig left $(ls -A outdir)"
done

# Binary output to a terminal is refused with a hint (a pseudo-terminal made by python).
/usr/bin/python3 - "$TS_BIN/ts-decode" "$DATA/stereo.flac" <<'PY' && pass || fail "TSPCM to a terminal is not refused"
import os, pty, sys, subprocess
master, slave = pty.openpty()
p = subprocess.run([sys.argv[1], sys.argv[2]], stdout=slave, stderr=subprocess.PIPE, timeout=20)
os.close(slave)
assert p.returncode == 2, p.returncode
assert b"terminal" in p.stderr, p.stderr
PY

# A repeated key (but history) is a bad header: readers that take the first rate and readers
# that take the last would disagree on the same stream.
for key in "rate: 16000" "channels: 2" "tag.title: B" "bogus: 2"; do
    printf 'TSPCM 1\nrate: 8000\nchannels: 1\nformat: f32le\ntag.title: A\nbogus: 1\n%s\nEND\n' "$key" >rep.tspcm
    head -c 400 /dev/zero >>rep.tspcm
    expect_fail "repeated '${key%%:*}'" 1 "repeats the key '${key%%:*}'" ts-decode rep.tspcm
done
printf 'TSPCM 1\nrate: 8000\nchannels: 1\nformat: f32le\nhistory: a\nhistory: b\nEND\n' >hist.tspcm
head -c 400 /dev/zero >>hist.tspcm
check "history repeats" ts-decode hist.tspcm -o hist2.tspcm

# Messages are one line of printable text: a header value's escaped newline, ESC and CR come
# out escaped, and a 10 kB value is cut.
printf 'TSPCM 1\nrate: 8x\\n\033[2J\rY\nchannels: 1\nformat: f32le\nEND\n' >esc.tspcm
expect_fail "control characters in a bad value" 1 'rate '"'"'8x\n\x1b[2J\rY'"'" ts-decode esc.tspcm
[ "$(wc -l <"$T/.err")" = 1 ] && ! grep -q $'\033' "$T/.err" && pass || fail "the error is not one escaped line: $(cat -A "$T/.err")"
"$PY" -c "print('TSPCM 1\nrate: ' + 'x' * 10000 + '\nchannels: 1\nformat: f32le\nEND')" >long.tspcm
expect_fail "a 10 kB value" 1 "more bytes)" ts-decode long.tspcm
[ "$(wc -c <"$T/.err")" -lt 2100 ] && [ "$(wc -l <"$T/.err")" = 1 ] && pass || fail "a long error is not cut: $(wc -c <"$T/.err") bytes"

finish
