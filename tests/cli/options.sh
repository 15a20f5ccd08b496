#!/bin/bash
# Every numeric option of every tool (read from the tools' own --help) refuses NaN and the
# infinities as a usage error: exit 2, stdout empty, the option named. NaN passed the range
# checks of many options (it compares false with both bounds): `ts-gen clicks --tempo nan`
# looped forever, --start nan or --amplitude nan exited 0 with NaN or silent output.
. "$TS_SRC/tests/cli/lib.sh"

numeric='N|S|HZ|PX|DB|DBFS|DBTP|LUFS|Q|KBPS|DEG|BPM|FLOAT|INT|UINT|NUMBER'
tried=0
while read -r cmd; do
    # "  --tempo BPM   ..." or "  -W, --width PX  ..." (subcommands' options indented more)
    opts=$($cmd --help | sed -nE "s/^ +(-[A-Za-z], )?(--[a-z][a-z0-9-]*) ($numeric)( .*)?\$/\2/p" | sort -u)
    [ -n "$opts" ] || continue # (ts-serialize has none)
    for opt in $opts; do
        for v in nan inf -inf NaN infinity; do
            expect_fail "$cmd $opt $v" 2 "$opt" $cmd "$opt" "$v"
            tried=$((tried + 1))
        done
    done
done <<'LIST'
ts-decode
ts-info
ts-analyze
ts-transcode
ts-serialize
ts-eval
ts-gen sine
ts-gen sweep
ts-gen noise
ts-gen clicks
ts-gen demo
ts-graph waveform
ts-graph spectrogram
ts-graph plot
LIST
[ "$tried" -ge 150 ] && pass || fail "only $tried option values tried"
# --help, --version and --man into a full device: an error, not a silent success.
for t in ts-decode ts-info ts-analyze ts-transcode ts-serialize ts-gen ts-graph ts-eval; do
    for a in --help --version --man; do
        $t $a >/dev/full 2>full.err
        s=$?
        [ $s = 1 ] && grep -q "No space left" full.err && pass || fail "$t $a >/dev/full: exit $s, $(cat full.err)"
    done
done
# Finite numbers still pass.
check "finite values" ts-gen clicks --tempo 90.5 --amplitude -6 --duration 0.5 -o c.tspcm

finish
