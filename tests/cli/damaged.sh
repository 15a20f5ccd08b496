#!/bin/bash
# Damaged media: seeded truncations, bit flips and overwritten headers of every container the
# tools read (wav, flac, mp3, ogg/vorbis, opus, m4a/aac, TSPCM), through ts-decode (native
# readers and FFmpeg's), ts-info and ts-analyze. Each run ends with exit 0, or 1 and one short
# line naming the file: never a signal, a hang or a second line (damaged.py says how).
. "$TS_SRC/tests/cli/lib.sh"

ts-gen sine --duration 2 --channels 2 -o src.wav
for f in flac mp3 ogg opus m4a; do ts-transcode src.wav -o src.$f; done
ts-decode src.wav -o src.tspcm
check "the inputs" test -s src.flac -a -s src.mp3 -a -s src.ogg -a -s src.opus -a -s src.m4a -a -s src.tspcm
if "$PY" "$TS_SRC/tests/cli/damaged.py" "$TS_BIN" src.wav src.flac src.mp3 src.ogg src.opus src.m4a src.tspcm 2>"$T/.err"; then
    pass
else
    fail "damaged media: $(cat "$T/.err")"
fi

finish
