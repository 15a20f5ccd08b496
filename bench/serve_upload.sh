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
for c in curl nginx; do command -v "$c" >/dev/null || bench_die "$c is missing (scripts/setup --bench)"; done
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
npid=
cleanup() {
    [ -z "$sampler" ] || kill "$sampler" 2>/dev/null || true
    [ -z "$npid" ] || kill "$npid" 2>/dev/null || true
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
# nginx receiving the same PUT (its WebDAV module: the body into a temporary file, renamed
# into its root; no hash, no fsync), the web server's anchor beside dd.
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rm -rf "$work/nginx"; mkdir -p "$work/nginx/root"; chmod 777 "$work/nginx" "$work/nginx/root" # nginx's workers drop root
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nport; root $work/nginx/root; client_max_body_size 2g;
           location / { dav_methods PUT DELETE; } }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' &
npid=$!
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$spid/status"; }
rss0=$(rss VmRSS)
(while kill -0 "$spid" 2>/dev/null; do rss VmRSS; sleep 0.1; done) >"$work/rss.txt" 2>/dev/null &
sampler=$!

# The file is in the page cache for every command: read once before.
cat "$in" >/dev/null
: >"$work/upload.txt"
: >"$work/dd.txt"
: >"$work/nginx.txt"
now() { date +%s.%N; }
# Upload and dd alternate, each after a sync, so that neither inherits the other's dirty
# pages and both see the same state of the disk.
for r in $(seq "$runs"); do
    bench_log "dd and upload $r of $runs"
    sync
    t0=$(now)
    dd if="$in" of="$work/copy" bs=1M conv=fsync status=none || bench_die "dd failed"
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >>"$work/dd.txt"
    rm -f "$work/copy"
    sync
    out=$(curl -sS -X POST -T "$in" -H "$auth" -H "Expect:" -H "Content-Type: application/octet-stream" \
        -o "$work/item.json" -w '%{http_code} %{time_total}' "$url/items?title=big")
    read -r code secs <<<"$out"
    [ "$code" = 201 ] || bench_die "upload $r: HTTP $code: $(head -c 300 "$work/item.json")"
    id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/item.json")
    cmp -s "$in" "$work/data/media/$id" || bench_die "the stored file differs from the upload"
    echo "$secs" >>"$work/upload.txt"
    curl -sf -X DELETE -H "$auth" "$url/items/$id" -o /dev/null || bench_die "cannot delete item $id"
    sync
    out=$(curl -sS -T "$in" -H "Expect:" -o /dev/null -w '%{http_code} %{time_total}' \
        "http://127.0.0.1:$nport/big.wav")
    read -r code secs <<<"$out"
    [ "$code" = 201 ] || [ "$code" = 204 ] || bench_die "nginx PUT $r: HTTP $code"
    echo "$secs" >>"$work/nginx.txt"
    rm -f "$work/nginx/root/big.wav"
done
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
sampler=
hwm=$(rss VmHWM)
rss_max=$(sort -n "$work/rss.txt" | tail -1)
bench_measure cp "$runs" 0 cp "$in" "$work/copy"
bench_measure info "$runs" 0 "$info" --no-sha1 "$in"
bench_measure sha1 "$runs" 0 sha1sum "$in"
rm -f "$work/copy"

# median, min and max of a file of seconds
stats() { python3 -c '
import statistics, sys
v = [float(x) for x in open(sys.argv[1])]
print("%.3f %.3f %.3f" % (statistics.median(v), min(v), max(v)))' "$1"; }
read -r up_med up_min up_max <<<"$(stats "$work/upload.txt")"
read -r dd_med dd_min dd_max <<<"$(stats "$work/dd.txt")"
read -r ng_med ng_min ng_max <<<"$(stats "$work/nginx.txt")"
mbs() { awk -v s="$1" -v n="$size" 'BEGIN { printf "%.0f", n / s / 1e6 }'; }
{
    echo "## ts-serve: uploading a 1 GB file"
    echo
    echo "Measured by \`bench/serve_upload.sh\` on $(bench_machine); load average $BENCH_LOAD0 at the start, $(bench_load) at the end."
    echo
    echo "A $((size / 1000000)) MB wav (48 kHz stereo float noise, in the page cache) uploaded $runs times with"
    echo "\`curl -X POST -T FILE\` to \`/api/v1/items\` on loopback (the time to the 201: the body received"
    echo "and hashed with SHA-1 as it is written to a temporary file, fsync, ts-info's check, the rename"
    echo "into media/), against copying it on the same disk with \`dd bs=1M conv=fsync\`: each upload"
    echo "right after a dd and followed by the same PUT to nginx, each after a sync. The disk's times vary from run to run: the median,"
    echo "the fastest and the slowest run of each; ratio: the medians over dd's. curl, the server"
    echo "and the disk share the 2 cores."
    echo
    echo "| command | median s | min s | max s | MB/s (median) | ratio |"
    echo "|---|---:|---:|---:|---:|---:|"
    echo "| ts-serve upload | $up_med | $up_min | $up_max | $(mbs "$up_med") | $(bench_ratio "$up_med" "$dd_med") |"
    echo "| dd bs=1M conv=fsync | $dd_med | $dd_min | $dd_max | $(mbs "$dd_med") | 1.00 |"
    echo "| nginx PUT (WebDAV; no hash, no fsync) | $ng_med | $ng_min | $ng_max | $(mbs "$ng_med") | $(bench_ratio "$ng_med" "$dd_med") |"
    echo
    echo "ts-serve's upload over nginx's PUT (medians): $(bench_ratio "$up_med" "$ng_med")."
    echo
    echo "For scale, each on the cached file ($runs runs, mean ± sd, ratio to dd's median):"
    echo
    echo "| command | s | MB/s | ratio |"
    echo "|---|---:|---:|---:|"
    echo "| cp (no fsync) | $(bench_secs cp) | $(mbs "$(bench_get cp mean)") | $(bench_ratio "$(bench_get cp mean)" "$dd_med") |"
    echo "| ts-info --no-sha1 FILE (the upload's check) | $(bench_secs info) | $(mbs "$(bench_get info mean)") | $(bench_ratio "$(bench_get info mean)" "$dd_med") |"
    echo "| sha1sum FILE (the hash the server computes as the body arrives) | $(bench_secs sha1) | $(mbs "$(bench_get sha1 mean)") | $(bench_ratio "$(bench_get sha1 mean)" "$dd_med") |"
    echo
    echo "ts-serve's resident memory: $((rss0 / 1024)) MiB before the uploads, at most $((rss_max / 1024)) MiB in"
    echo "$(wc -l <"$work/rss.txt") samples taken every 0.1 s during them, peak (VmHWM) $((hwm / 1024)) MiB: the body goes"
    echo "to disk as it arrives, never whole into memory."
} | bench_write_section
