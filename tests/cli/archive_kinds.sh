#!/bin/bash
# archive.mk's web outputs on a few short files: the dat kind gives what peaks.js 4 loads
# (8-bit, one or two channels), byte for byte what ts-serialize -f dat gives; the preview kind
# (NAME.preview.EXT, PREVIEW_FORMAT, PREVIEW_OPTIONS, PREVIEW_LOUDNESS) beside the opus kind.
. "${TS_SRC:?TS_SRC: the source tree}/tests/cli/lib.sh" || exit 1
MK="$TS_SRC/share/archive.mk"

mkdir -p "src/Disc [1]" "src/ünï"
ts-gen sine --frequency 440 --duration 1.3 --channels 2 -o "src/Disc [1]/stereo 'a'.wav"
ts-gen sine --frequency 660 --amplitude -3 --duration 0.7 -o "src/ünï/mono.flac"
ts-gen sine --frequency 220 --duration 0.5 --channels 6 -o "src/six.wav"
am() { make --no-print-directory -f "$MK" SRC=src OUT="$@"; }

# dat_header FILE: "version flags rate samples_per_pixel length channels size" of a .dat file.
cat >dat.py <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
version, flags, rate, spp, length = struct.unpack("<iIiiI", d[:20])
channels = struct.unpack("<I", d[20:24])[0] if version == 2 else 1
print(version, flags, rate, spp, length, channels, len(d))
PY
# want_dat WHAT FILE VERSION FLAGS CHANNELS: the header, and a size that holds exactly
# length x channels x (min, max) values of 1 byte (flags 1) or 2 (flags 0).
want_dat() {
    local what=$1 f=$2 v=$3 fl=$4 ch=$5 h
    h=$($PY dat.py "$f" 2>&1) || { fail "$what: $h"; return; }
    set -- $h
    local bytes=$(( $7 - ($1 == 2 ? 24 : 20) )) per=$(( $6 * 2 * ($2 == 1 ? 1 : 2) ))
    [ "$1 $2 $6" = "$v $fl $ch" ] && [ "$3" = 44100 ] && [ "$4" = 441 ] && [ "$bytes" = $(( $5 * per )) ] && [ "$5" -gt 0 ] &&
        pass || fail "$what: header $h, want version $v flags $fl channels $ch, rate 44100, 441 samples per pixel"
}
# same_as_serialize WHAT FILE SOURCE BITS [ANALYZE ARGS]: FILE is what ts-serialize makes.
same_as_serialize() {
    local what=$1 f=$2 s=$3 b=$4; shift 4
    ts-analyze --quiet -a waveform -p waveform.pixels_per_second=100 "$@" "$s" | ts-serialize --quiet -f dat --bits "$b" -o ref.dat &&
        cmp -s ref.dat "$f" && pass || fail "$what: not the bytes of ts-analyze | ts-serialize -f dat --bits $b"
}

# --- dat: 8-bit by default, one channel (mixed) ---------------------------------------------
am out OUTPUTS=dat >dat.log 2>&1 && pass || fail "dat: make: $(tail -3 dat.log)"
want_dat "dat, stereo source" "out/Disc [1]/stereo 'a'.wav.dat" 1 1 1
want_dat "dat, mono source" "out/ünï/mono.flac.dat" 1 1 1
want_dat "dat, 6 channels" "out/six.wav.dat" 1 1 1
same_as_serialize "dat, stereo source" "out/Disc [1]/stereo 'a'.wav.dat" "src/Disc [1]/stereo 'a'.wav" 8
same_as_serialize "dat, mono source" "out/ünï/mono.flac.dat" "src/ünï/mono.flac" 8
# The peak of a -3 dBFS sine in 8 bits: 0.708 * 32768 / 256 = 90.
$PY - <<'PY' && pass || fail "dat values: the peak of the mono file is not 90"
d = open("out/ünï/mono.flac.dat", "rb").read()[20:]
v = [b - 256 if b > 127 else b for b in d]
assert max(v) == 90 and min(v) == -90, (max(v), min(v))
PY
# DAT_BITS=16: the dat files are remade (the options stamp changed), 16-bit; once.
cat >joblog <<'SH'
#!/bin/sh
printf '%s\n' "$*" >>"$JOBLOG"
exec "$@"
SH
chmod +x joblog
export JOBLOG=$T/jobs.log
touch -d '1 hour ago' out/*.dat out/*/*.dat
: >jobs.log
am out OUTPUTS=dat DAT_BITS=16 TS_JOB="$T/joblog" >dat16.log 2>&1 && pass || fail "DAT_BITS=16: $(tail -3 dat16.log)"
[ "$(grep -c waveform jobs.log)" = 3 ] && pass || fail "DAT_BITS=16 remade $(grep -c waveform jobs.log) dat files, not 3"
want_dat "DAT_BITS=16" "out/ünï/mono.flac.dat" 1 0 1
same_as_serialize "DAT_BITS=16" "out/ünï/mono.flac.dat" "src/ünï/mono.flac" 16
: >jobs.log
am out OUTPUTS=dat DAT_BITS=16 TS_JOB="$T/joblog" >/dev/null 2>&1
[ ! -s jobs.log ] && pass || fail "DAT_BITS=16 again: $(cat jobs.log)"
expect_fail "DAT_BITS=12" 2 "DAT_BITS" am out OUTPUTS=dat DAT_BITS=12
# One channel per source channel: two for a stereo file (peaks.js shows both).
am each OUTPUTS=dat DAT_OPTIONS="-p waveform.pixels_per_second=100 -p waveform.channels=each" >each.log 2>&1
want_dat "channels=each, stereo source" "each/Disc [1]/stereo 'a'.wav.dat" 2 1 2
same_as_serialize "channels=each" "each/Disc [1]/stereo 'a'.wav.dat" "src/Disc [1]/stereo 'a'.wav" 8 -p waveform.channels=each
# ts-analyze writes the file itself (-f dat --bits N), the waveform at the pixel rate asked.
: >jobs.log
am direct OUTPUTS=dat TS_JOB="$T/joblog" >direct.log 2>&1 && pass || fail "dat through ts-analyze --bits: $(tail -3 direct.log)"
[ "$(grep -c -e '-a waveform -p waveform.pixels_per_second=100 -f dat --bits 8 ' jobs.log)" = 3 ] && pass ||
    fail "dat through ts-analyze --bits: its arguments: $(cat jobs.log)"
# A file that cannot be decoded: the marker holds ts-analyze's error, no dat file is made.
mkdir -p bad && echo "not audio" >bad/broken.mp3
make --no-print-directory -f "$MK" SRC=bad OUT=badout OUTPUTS=dat >bad.log 2>&1
s=$?
[ $s != 0 ] && [ ! -e badout/broken.mp3.dat ] && tail -n 1 badout/.timeside/failed/broken.mp3.dat | grep -q '^ts-analyze: error: .*broken.mp3' &&
    pass || fail "dat of a broken file: exit $s, marker: $(cat badout/.timeside/failed/broken.mp3.dat)"
# No temporary file is left beside the outputs.
left=$(find out direct each badout -path '*/.timeside' -prune -o -name '.*' -print)
[ -z "$left" ] && pass || fail "temporary files left: $left"

# --- preview: NAME.preview.mp3 at 128 kb/s by default, beside the opus kind -------------------
# info_of FILE KEY...: ts-info's values, space-separated.
info_of() { local f=$1; shift; ts-info --no-sha1 "$f" | $PY -c 'import json, sys; d = json.load(sys.stdin); print(*(d[k] for k in sys.argv[1:]))' "$@"; }
: >jobs.log
am pv OUTPUTS="preview opus info" TS_JOB="$T/joblog" >pv.log 2>&1 && pass || fail "preview: make: $(tail -3 pv.log)"
[ "$(grep -c ts-transcode jobs.log)" = 6 ] && [ "$(grep -c -e '-f mp3 --channels 2 --bitrate 128 ' jobs.log)" = 3 ] && pass ||
    fail "preview: the commands: $(cat jobs.log)"
for n in "Disc [1]/stereo 'a'.wav" "ünï/mono.flac" "six.wav"; do
    dur=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["duration"])' "pv/$n.info.json")
    read -r codec rate ch d <<<"$(info_of "pv/$n.preview.mp3" codec bit_rate channels duration)"
    [ "$codec $rate $ch" = "mp3 128000 2" ] && $PY -c "import sys; assert abs($d - $dur) < 0.06" && pass ||
        fail "preview of $n: codec $codec, bit rate $rate, $ch channels, duration $d (source $dur)"
    [ "$(info_of "pv/$n.opus" codec)" = opus ] && pass || fail "opus of $n: not opus"
done
# A second run makes nothing.
: >jobs.log
am pv OUTPUTS="preview opus info" TS_JOB="$T/joblog" >/dev/null 2>&1
[ ! -s jobs.log ] && pass || fail "preview, second run: $(cat jobs.log)"
# PREVIEW_OPTIONS and PREVIEW_FORMAT remake the previews, and nothing else.
: >jobs.log
am pv OUTPUTS="preview opus info" PREVIEW_OPTIONS="--bitrate 64" TS_JOB="$T/joblog" >/dev/null 2>&1
[ "$(wc -l <jobs.log)" = 3 ] && [ "$(grep -c -e '-f mp3 --channels 2 --bitrate 64 ' jobs.log)" = 3 ] && pass ||
    fail "PREVIEW_OPTIONS: the commands: $(cat jobs.log)"
[ "$(info_of "pv/ünï/mono.flac.preview.mp3" bit_rate)" = 64000 ] && pass || fail "PREVIEW_OPTIONS: not 64 kb/s"
: >jobs.log
am pv OUTPUTS="preview opus info" PREVIEW_FORMAT=ogg PREVIEW_OPTIONS= PREVIEW_CHANNELS= TS_JOB="$T/joblog" >/dev/null 2>&1
[ "$(wc -l <jobs.log)" = 3 ] && [ "$(grep -c -e '-f ogg src' jobs.log)" = 3 ] && pass || fail "PREVIEW_FORMAT=ogg: the commands: $(cat jobs.log)"
# (Vorbis holds six channels: PREVIEW_CHANNELS= keeps them)
[ "$(info_of "pv/six.wav.preview.ogg" codec channels)" = "vorbis 6" ] && pass || fail "PREVIEW_FORMAT=ogg: $(info_of "pv/six.wav.preview.ogg" codec channels)"
[ -f "pv/six.wav.preview.mp3" ] && pass || fail "PREVIEW_FORMAT=ogg removed the mp3 previews"
expect_fail "PREVIEW_CHANNELS=6" 2 "PREVIEW_CHANNELS" am pv OUTPUTS=preview PREVIEW_CHANNELS=6
expect_fail "PREVIEW_FORMAT=wav" 2 "PREVIEW_FORMAT" am pv OUTPUTS=preview PREVIEW_FORMAT=wav
expect_fail "PREVIEW_LOUDNESS=loud" 2 "PREVIEW_LOUDNESS" am pv OUTPUTS=preview PREVIEW_LOUDNESS=loud
expect_fail "PREVIEW_LOUDNESS=5" 2 "PREVIEW_LOUDNESS" am pv OUTPUTS=preview PREVIEW_LOUDNESS=5
expect_fail "PREVIEW_TRUE_PEAK=-1dB" 2 "PREVIEW_TRUE_PEAK" am pv OUTPUTS=preview PREVIEW_LOUDNESS=-16 PREVIEW_TRUE_PEAK=-1dB
# PREVIEW_LOUDNESS and PREVIEW_TRUE_PEAK: ts-transcode --normalize LUFS [--true-peak DBTP]. This
# ts-transcode logs its arguments and drops those two when the real one lacks them.
cat >norm-transcode <<'SH'
#!/bin/bash
printf '%s\n' "$*" >>"$JOBLOG"
ts-transcode --help | grep -q -e --normalize && exec ts-transcode "$@"
args=()
while [ $# -gt 0 ]; do
    case $1 in --normalize | --true-peak) shift ;; *) args+=("$1") ;; esac
    shift
done
exec ts-transcode "${args[@]}"
SH
chmod +x norm-transcode
: >jobs.log
am pv OUTPUTS="preview opus info" PREVIEW_LOUDNESS=-16 TS_TRANSCODE="$T/norm-transcode" >pvn.log 2>&1 && pass ||
    fail "PREVIEW_LOUDNESS=-16: $(tail -3 pvn.log)"
# (the opus files are remade too: TS_TRANSCODE is another program)
[ "$(grep -c -e '-f mp3 --channels 2 --bitrate 128 --normalize -16 src' jobs.log)" = 3 ] && ! grep -q -e --true-peak jobs.log && pass ||
    fail "PREVIEW_LOUDNESS=-16: the commands: $(cat jobs.log)"
: >jobs.log
am pv OUTPUTS="preview opus info" PREVIEW_LOUDNESS=-16 PREVIEW_TRUE_PEAK=-2 TS_TRANSCODE="$T/norm-transcode" >/dev/null 2>&1
[ "$(wc -l <jobs.log)" = 3 ] && [ "$(grep -c -e '-f mp3 --channels 2 --bitrate 128 --normalize -16 --true-peak -2 src' jobs.log)" = 3 ] && pass ||
    fail "PREVIEW_TRUE_PEAK=-2: the commands: $(cat jobs.log)"
if ts-transcode --help | grep -q -e --normalize; then
    # The real thing: the preview's integrated loudness is -16 LUFS.
    l=$(ts-analyze --quiet -a loudness "pv/Disc [1]/stereo 'a'.wav.preview.mp3" | $PY -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["id"] == "loudness.integrated": print(r["data"]["value"])')
    $PY -c "assert abs($l + 16) < 0.5, $l" && pass || fail "PREVIEW_LOUDNESS=-16: the preview is at $l LUFS"
else
    echo "archive_kinds: ts-transcode has no --normalize yet: the preview's loudness is not measured" >&2
fi
# ts-batch makes previews too.
"$TS_SRC/scripts/ts-batch" --outputs preview src bpv >bpv.json 2>bpv.err
$PY -c 'import json,sys; s=json.load(open(sys.argv[1])); assert (s["files"], s["done"], s["status"]) == (3, 3, 0), s' bpv.json &&
    [ -f "bpv/six.wav.preview.mp3" ] && pass || fail "ts-batch --outputs preview: $(head -c 300 bpv.json) $(head -c 300 bpv.err)"

finish
