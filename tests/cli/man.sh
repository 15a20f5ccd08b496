#!/bin/bash
# Every tool's generated man page renders and carries its exit statuses; --help and
# --version answer on stdout; ts-pcm(5)'s Python example reads a real stream correctly.
. "$TS_SRC/tests/cli/lib.sh"
DATA="$TS_SRC/tests/data"

for t in ts-decode ts-info ts-gen ts-analyze ts-graph ts-transcode ts-serialize ts-eval; do
    page="$TS_MAN/$t.1"
    if MANWIDTH=100 man -l "$page" >page.txt 2>page.err && grep -q "EXIT STATUS" page.txt &&
        grep -q "^NAME" page.txt && grep -q -- "--output" page.txt; then pass
    else fail "$t.1 does not render with NAME, OPTIONS and EXIT STATUS: $(head -c 200 page.err)"; fi
    [ -z "$(grep -i 'warning' page.err)" ] && pass || fail "$t.1: $(cat page.err)"
    "$t" --help >help.txt && grep -q "^Usage:" help.txt && grep -q -- "--help" help.txt && pass || fail "$t --help"
    "$t" --version >v.txt && grep -qE "^$t \(timeside\) [0-9]+\.[0-9]+\.[0-9]+$" v.txt && pass || fail "$t --version: $(cat v.txt)"
    # The man page and --help come from one declaration: every long option of one is in the other.
    for opt in $(grep -oE -- '--[a-z][a-z0-9-]+' help.txt | sort -u); do
        grep -qF -- "$opt" page.txt || { fail "$t: $opt is in --help but not in the man page"; break; }
    done
done
for page in ts-pcm.5 ts-result.5; do
    if MANWIDTH=100 man -l "$TS_SRC/man/$page" >p5.txt 2>p5.err && grep -q "^DESCRIPTION" p5.txt && [ ! -s p5.err ]; then pass
    else fail "$page does not render: $(cat p5.err)"; fi
done

# The numpy reader printed in ts-pcm(5) works on a stream from ts-decode.
ts-decode "$DATA/stereo-s16.wav" >song.tspcm
/usr/bin/python3 - "$TS_SRC/man/ts-pcm.5" <<'PY' >example.py && pass || fail "cannot extract the example"
import re, sys
roff = open(sys.argv[1]).read()
block = roff.split("Read a stream from Python")[1].split(".nf\n", 1)[1].split(".fi\n", 1)[0]
for a, b in (("\\e", "\\"), ("\\-", "-"), ("\\(aq", "'")):
    block = block.replace(a, b)
print(block)
PY
out=$(/usr/bin/python3 example.py 2>&1)
[ "$out" = "44100 (22050, 2)" ] && pass || fail "the ts-pcm(5) example printed: $out"

finish
