#!/bin/bash
# Writing safely: SIGKILL at random moments and two runs at once on the same -o, for every
# tool that writes a file (safety.py), leftovers of killed runs removed by the next run,
# -o /dev/full and a read-only folder: a clear error, exit 1, no file. (A file-size limit is
# limits.sh's.)
. "$TS_SRC/tests/cli/lib.sh"

mkdir k && (cd k && "$PY" "$TS_SRC/tests/cli/safety.py" "$TS_BIN" 10 >"$T/.out" 2>"$T/.err") \
    && pass || fail "kills and concurrent runs: $(cat "$T/.err")"

ts-gen sine --duration 2 -o in.wav
ts-analyze -a mfcc in.wav -o in.jsonl
# A temporary file of the same output whose run is dead (no lock) is removed by the next
# run; one whose run lives (locked; here by python) is left alone, and so are other names.
: >.x.tspcm.tmp-AAAAAA
: >.x.tspcm.tmp-LIVE00
: >.x.tspcm.tmp-TOOLONG
: >.y.tspcm.tmp-BBBBBB
"$PY" - "$TS_BIN/ts-decode" <<'PY' && pass || fail "stale temporary files"
import fcntl, os, subprocess, sys
fd = os.open(".x.tspcm.tmp-LIVE00", os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
subprocess.run([sys.argv[1], "in.wav", "-o", "x.tspcm"], check=True)
left = sorted(f for f in os.listdir(".") if ".tmp-" in f)
assert left == [".x.tspcm.tmp-LIVE00", ".x.tspcm.tmp-TOOLONG", ".y.tspcm.tmp-BBBBBB"], left
PY

# -o /dev/full: the write fails, said so on one line
full() {
    local what=$1; shift
    expect_fail "$what -o /dev/full" 1 "/dev/full" "$@" -o /dev/full
    grep -q "No space left on device" .err && [ "$(wc -l <.err)" = 1 ] && pass || fail "$what -o /dev/full: $(cat .err)"
}
full ts-decode ts-decode in.wav
full ts-gen ts-gen noise --duration 5
full ts-transcode ts-transcode -f flac in.wav
full ts-analyze ts-analyze -a mfcc in.wav
full ts-serialize ts-serialize -f csv in.jsonl
full ts-graph ts-graph waveform -f png in.wav
full ts-info ts-info in.wav
expect_fail "ts-serialize hdf5 -o /dev/full" 1 "/dev/full: hdf5 needs a regular file" ts-serialize -f hdf5 in.jsonl -o /dev/full

# A read-only folder (root writes anywhere: then the tools run as nobody)
mkdir ro && chmod 555 ro && chmod 755 "$T"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
if ! "${as_user[@]}" ts-decode --version >/dev/null 2>&1; then
    echo "note: the tools cannot run as nobody here (a private build folder): read-only folder cases skipped" >&2
    finish
    exit
fi
ro() {
    local what=$1 out=$2; shift 2
    expect_fail "$what into a read-only folder" 1 "ro/$out" "${as_user[@]}" "$@" -o "ro/$out"
    grep -q "Permission denied" .err && [ "$(wc -l <.err)" = 1 ] && pass || fail "$what read-only: $(cat .err)"
    [ -z "$(ls -A ro)" ] && pass || fail "$what read-only: left $(ls -A ro)"
}
chmod 644 in.wav in.jsonl
ro ts-decode x.tspcm ts-decode in.wav
ro ts-gen x.wav ts-gen noise --duration 5
ro ts-transcode x.flac ts-transcode in.wav
ro ts-analyze x.jsonl ts-analyze -a mfcc in.wav
ro ts-analyze x.h5 ts-analyze -a mfcc in.wav
ro ts-serialize x.csv ts-serialize -f csv in.jsonl
ro ts-graph x.png ts-graph waveform in.wav
ro ts-info x.json ts-info in.wav

finish
