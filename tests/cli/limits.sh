#!/bin/bash
# Writing past a file-size limit (ulimit -f): every tool that writes a file fails with a
# message, exit status 1, and leaves neither the output nor its temporary file. (SIGXFSZ used
# to kill them: status 153, no word, a .NAME.tmp-XXXXXX left behind.)
. "$TS_SRC/tests/cli/lib.sh"

ts-gen noise --duration 20 --channels 2 -o in.wav
ts-analyze -a level,mfcc in.wav -o in.jsonl
# limited "what" OUTPUT COMMAND...: run under a 64 KiB file-size limit.
limited() {
    local what=$1 out=$2; shift 2
    (ulimit -f 64; "$@") >"$T/.out" 2>"$T/.err"
    local s=$?
    if [ "$s" != 1 ]; then fail "$what: exit $s, want 1: $(head -c 300 "$T/.err")"; return; fi
    grep -qi "too large" "$T/.err" && pass || fail "$what: no 'too large' in: $(head -c 300 "$T/.err")"
    [ ! -e "$out" ] && pass || fail "$what: $out left behind"
    [ -z "$(ls -A | grep -F '.tmp-')" ] && pass || fail "$what: a temporary file left: $(ls -A | grep -F '.tmp-')"
}
limited "ts-decode" out.tspcm ts-decode in.wav -o out.tspcm
limited "ts-gen" gen.wav ts-gen noise --duration 20 -o gen.wav
limited "ts-transcode" out.flac ts-transcode in.wav -o out.flac
limited "ts-analyze" out.jsonl ts-analyze -a spectrogram in.wav -o out.jsonl
limited "ts-serialize" out.csv ts-serialize -f csv --result mfcc in.jsonl -o out.csv
limited "ts-serialize to HDF5" out.h5 ts-serialize in.jsonl -o out.h5
limited "ts-analyze to HDF5" out2.h5 ts-analyze -a spectrogram in.wav -o out2.h5
limited "ts-graph" out.svg ts-graph waveform -W 8000 -H 4000 in.wav -o out.svg

finish
