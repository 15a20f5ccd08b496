#!/usr/bin/env bash
# bench/serve.sh: ts-serve against nginx serving the same files, with wrk on loopback:
# requests per second and latency (p50, p99) at 1, 8 and 64 connections for /healthz, an
# item's JSON, its result index, a 1 MiB Range read of the audio file and a .dat fetch (nginx: the same file
# and .dat from a static root, the anchor; it has no JSON to serve). Writes the "serve"
# section of bench/RESULTS.md.
#
#   BUILD=build bench/serve.sh          (DURATION=5 seconds per run by default)
#
# Needs wrk and nginx (scripts/setup --bench installs wrk and nginx-light). ts-serve runs
# with --quiet (no access log; nginx's is off too) and --renders-per-minute 0 and its default 64 threads.
. "$(dirname "$0")/lib.sh"
bench_init serve
for c in wrk nginx curl; do command -v "$c" >/dev/null || bench_die "$c is missing (scripts/setup --bench)"; done
serve=$(bench_tool ts-serve)
gen=$(bench_tool ts-gen)
dur=${DURATION:-5}
work=$BENCH_WORK/serve
rm -rf "$work"; mkdir -p "$work/static" "$work/nginx"
"$gen" demo -o "$work/static/a.wav"
token=$("$serve" token create --quiet --data "$work/data" --user bench --scope admin)
"$serve" --quiet --data "$work/data" --listen 127.0.0.1:0 --renders-per-minute 0 >"$work/url" &
spid=$!
npid=
cleanup() { kill "$spid" 2>/dev/null; [ -n "$npid" ] && kill "$npid" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -1 "$work/url")
auth="Authorization: Bearer $token"
id=$(curl -sf -H "$auth" --data-binary @"$work/static/a.wav" "$url/api/v1/items?title=bench" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -sf -H "$auth" "$url/api/v1/items/$id/peaks.dat" -o "$work/static/a.dat"   # made once, cached
# The music preset's results (30 result lines, 1.9 MB of JSON) for the result index row.
job=$(curl -sf -H "$auth" -d "{\"items\":[\"$id\"],\"preset\":\"music\"}" "$url/api/v1/jobs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 600); do
  state=$(curl -sf -H "$auth" "$url/api/v1/jobs/$job" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  case $state in done) break ;; failed|canceled) bench_die "the music job $state" ;; esac
  sleep 0.5
done
[ "$state" = done ] || bench_die "the music job did not end in 300 s"
nresults=$(curl -sf -H "$auth" "$url/api/v1/items/$id/results" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]))')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$port; root $work/static; location = /healthz { return 200 'ok'; } }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' &
npid=$!
sleep 0.5
ng=http://127.0.0.1:$port

# run NAME CONNECTIONS URL [HEADER...]: "rps p50_ms p99_ms"
run() {
  local c=$2 u=$3; shift 3
  local hs=() h
  for h in "$@"; do hs+=(-H "$h"); done
  local t=$(( c < 2 ? 1 : 2 ))
  wrk -t"$t" -c"$c" -d"${dur}s" --latency "${hs[@]}" "$u" | python3 -c '
import re, sys
t = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def ms(p):
    v, unit = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)" % p, t, re.M).groups()
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print("%.0f %.2f %.2f %s" % (rps, ms(50), ms(99), errs.group(1) if errs else 0))'
}
range="Range: bytes=1048576-2097151"
out=$work/table.md
{
  echo "| request | conns | ts-serve req/s | p50 ms | p99 ms | nginx req/s | p50 ms | p99 ms | ratio |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for c in 1 8 64; do
    for what in healthz item results range dat; do
      case $what in
        healthz) a=$(run s $c "$url/healthz"); b=$(run n $c "$ng/healthz") ;;
        item) a=$(run s $c "$url/api/v1/items/$id" "$auth"); b= ;;
        results) a=$(run s $c "$url/api/v1/items/$id/results" "$auth"); b= ;;
        range) a=$(run s $c "$url/api/v1/items/$id/media" "$auth" "$range"); b=$(run n $c "$ng/a.wav" "$range") ;;
        dat) a=$(run s $c "$url/api/v1/items/$id/peaks.dat" "$auth"); b=$(run n $c "$ng/a.dat") ;;
      esac
      read -r ar a50 a99 ae <<<"$a"
      [ "$ae" = 0 ] || bench_die "ts-serve answered $ae errors on $what"
      if [ -n "$b" ]; then
        read -r br b50 b99 _ <<<"$b"
        ratio=$(python3 -c "print('%.2f' % ($ar / $br))")
      else
        br=-; b50=-; b99=-; ratio=-
      fi
      echo "| $what | $c | $ar | $a50 | $a99 | $br | $b50 | $b99 | $ratio |"
    done
  done
} | tee "$out"
rss=$(ps -o rss= -p "$spid")
{
  echo "## ts-serve against nginx: requests per second on loopback"
  echo
  echo "$(bench_machine); load average $(cut -d' ' -f1 /proc/loadavg) at the end (a shared machine)."
  echo "wrk, ${dur} s per run (1 thread for 1 connection, else 2), both servers"
  echo "on the same 2 cores as wrk. healthz: ts-serve's answers from its catalog, nginx's a"
  echo "fixed 'ok'; item: an item's JSON (its token and the item from memory, no query; nginx has"
  echo "none); results: the item's result index ($nresults results of the"
  echo "music preset, from the catalog's index);"
  echo "range: a 1 MiB Range read of the demo piece's wav (206); dat: the cached 8-bit peaks.dat"
  echo "(whole file). Ratio: ts-serve / nginx requests per second (above 0.5 meets the goal)."
  echo
  cat "$out"
  echo
  echo "ts-serve's resident memory after the run: $((rss / 1024)) MiB."
  echo
  echo "Reading: ts-serve's idle connections wait in one epoll set and 4 threads per core take the"
  echo "ready ones (libts/serve/connection.cpp: one read and one sendmsg per small request, the token"
  echo "and the item from memory), so that under load a thread goes from one request to the next"
  echo "without sleeping. nginx's two event loops still do less per request (no authorization, no"
  echo "catalog): the gap on small responses grows with the connections; 1 MiB reads are bound by"
  echo "copying bytes."
} | bench_write_section
