#!/usr/bin/env bash
# bench/serve_upload.sh: the upload of a 1 GB file to ts-serve (POST /api/v1/items, the raw
# file as the body, streamed by curl -T) against copying the same file on the same disk
# (dd bs=1M conv=fsync, which writes and flushes it as the server does, and plain cp), with
# ts-info --no-sha1 on the file alone (the check an upload runs before it is accepted) and
# sha1sum (the server hashes the body as it arrives, instead of reading the file again). The server's resident memory is sampled every 0.1 s during the
# uploads, and its peak (VmHWM) read at the end: it must stay flat, the body streamed to a
# temporary file. Writes the "serve_upload" section of bench/RESULTS.md.
#
#   BUILD=build bench/serve_upload.sh     (RUNS=3 uploads and copies; 3 GB free needed)
. "$(dirname "$0")/lib.sh"
bench_init serve_upload
command -v curl >/dev/null || bench_die "curl is missing"
serve=$(bench_tool ts-serve)
gen=$(bench_tool ts-gen)
info=$(bench_tool ts-info)
runs=${RUNS:-3}
work=$BENCH_WORK/serve_upload
# 2604 s of 48 kHz stereo float noise: 999,936,000 bytes of samples, a 1 GB wav
in=$(bench_input serve_upload/in.wav "$gen" noise --rate 48000 --channels 2 --format f32le \
    --duration 2604 --no-history -o @OUT@)
size=$(stat -c %s "$in")
rm -rf "$work/data" "$work/copy"
token=$("$serve" token create --quiet --data "$work/data" --user bench --scope admin)
"$serve" --quiet --data "$work/data" --listen 127.0.0.1:0 --uploads-per-minute 0 >"$work/url" &
spid=$!
sampler=
cleanup() {
    [ -z "$sampler" ] || kill "$sampler" 2>/dev/null || true
    kill "$spid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -f "$work/copy"
}
trap cleanup EXIT
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
base=$(head -1 "$work/url")
url=$base/api/v1
auth="Authorization: Bearer $token"
curl -sf "$base/healthz" >/dev/null || bench_die "ts-serve does not answer"
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$spid/status"; }
rss0=$(rss VmRSS)
(while kill -0 "$spid" 2>/dev/null; do rss VmRSS; sleep 0.1; done) >"$work/rss.txt" 2>/dev/null &
sampler=$!

# The file is in the page cache for every command: read once before.
cat "$in" >/dev/null
: >"$work/upload.txt"
for r in $(seq "$runs"); do
    bench_log "upload $r of $runs"
    out=$(curl -sS -X POST -T "$in" -H "$auth" -H "Expect:" -H "Content-Type: application/octet-stream" \
        -o "$work/item.json" -w '%{http_code} %{time_total}' "$url/items?title=big")
    read -r code secs <<<"$out"
    [ "$code" = 201 ] || bench_die "upload $r: HTTP $code: $(head -c 300 "$work/item.json")"
    id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/item.json")
    cmp -s "$in" "$work/data/media/$id" || bench_die "the stored file differs from the upload"
    echo "$secs" >>"$work/upload.txt"
    curl -sf -X DELETE -H "$auth" "$url/items/$id" -o /dev/null || bench_die "cannot delete item $id"
done
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
sampler=
hwm=$(rss VmHWM)
rss_max=$(sort -n "$work/rss.txt" | tail -1)
bench_measure dd "$runs" 0 dd if="$in" of="$work/copy" bs=1M conv=fsync status=none
bench_measure cp "$runs" 0 cp "$in" "$work/copy"
bench_measure info "$runs" 0 "$info" --no-sha1 "$in"
bench_measure sha1 "$runs" 0 sha1sum "$in"
rm -f "$work/copy"

read -r up_mean up_sd <<<"$(python3 -c '
import statistics, sys
v = [float(x) for x in open(sys.argv[1])]
print("%.3f %.3f" % (statistics.mean(v), statistics.stdev(v) if len(v) > 1 else 0))' "$work/upload.txt")"
mbs() { awk -v s="$1" -v n="$size" 'BEGIN { printf "%.0f", n / s / 1e6 }'; }
dd_mean=$(bench_get dd mean)
{
    echo "## ts-serve: uploading a 1 GB file"
    echo
    echo "Measured by \`bench/serve_upload.sh\` on $(bench_machine); load average $BENCH_LOAD0 at the start, $(bench_load) at the end."
    echo
    echo "A $((size / 1000000)) MB wav (48 kHz stereo float noise, in the page cache) uploaded $runs times with"
    echo "\`curl -X POST -T FILE\` to \`/api/v1/items\` on loopback (the time to the 201: the body received"
    echo "and hashed with SHA-1 as it is written to a temporary file, fsync, ts-info's check, the rename"
    echo "into media/), against copying it on the same disk. Ratio: the time over dd's. curl, the"
    echo "server and the disk share the 2 cores: the upload is bound by copying and hashing the bytes"
    echo "on the CPU rather than by the disk."
    echo
    echo "| command | s | MB/s | ratio |"
    echo "|---|---:|---:|---:|"
    echo "| ts-serve upload | $up_mean ± $up_sd | $(mbs "$up_mean") | $(bench_ratio "$up_mean" "$dd_mean") |"
    echo "| dd bs=1M conv=fsync | $(bench_secs dd) | $(mbs "$dd_mean") | 1.00 |"
    echo "| cp (no fsync) | $(bench_secs cp) | $(mbs "$(bench_get cp mean)") | $(bench_ratio "$(bench_get cp mean)" "$dd_mean") |"
    echo "| ts-info --no-sha1 FILE (the upload's check) | $(bench_secs info) | $(mbs "$(bench_get info mean)") | $(bench_ratio "$(bench_get info mean)" "$dd_mean") |"
    echo "| sha1sum FILE (the hash the server computes as the body arrives) | $(bench_secs sha1) | $(mbs "$(bench_get sha1 mean)") | $(bench_ratio "$(bench_get sha1 mean)" "$dd_mean") |"
    echo
    echo "ts-serve's resident memory: $((rss0 / 1024)) MiB before the uploads, at most $((rss_max / 1024)) MiB in"
    echo "$(wc -l <"$work/rss.txt") samples taken every 0.1 s during them, peak (VmHWM) $((hwm / 1024)) MiB: the body goes"
    echo "to disk as it arrives, never whole into memory."
} | bench_write_section
