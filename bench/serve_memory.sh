#!/usr/bin/env bash
# bench/serve_memory.sh: ts-serve's resident memory over 10,000 requests and 100 jobs, read
# from /proc (VmRSS) every 1,000 requests and every 10 jobs, to show that it stays flat: no
# per-request or per-job growth. The requests cycle over /healthz, an item's JSON, the item
# list, a 1 MiB Range read of the audio, the item's .dat peaks and a job's JSON, on
# keep-alive connections from one client; the jobs (onsets with a threshold of their own, so
# each one runs ts-analyze and writes a new results file, over 2 of 10 items) are posted 10 at
# a time and waited for. Writes the "serve_memory" section of bench/RESULTS.md.
#
#   BUILD=build bench/serve_memory.sh     (REQUESTS=10000, JOBS=100)
. "$(dirname "$0")/lib.sh"
bench_init serve_memory
command -v curl >/dev/null || bench_die "curl is missing"
serve=$(bench_tool ts-serve)
gen=$(bench_tool ts-gen)
requests=${REQUESTS:-10000}
jobs=${JOBS:-100}
work=$BENCH_WORK/serve_memory
rm -rf "$work"; mkdir -p "$work/in"
cat >"$work/client.py" <<'EOF'
import http.client, json, os, sys, time
port, token, pid, requests, jobs, work = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
auth = {"Authorization": "Bearer " + token}
conn = None


def call(method, path, body=None, headers=None):
    global conn
    for attempt in (0, 1):
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
        try:
            conn.request(method, path, body=body, headers=dict(auth, **(headers or {})))
            r = conn.getresponse()
            data = r.read()
            if r.getheader("Connection", "").lower() == "close":
                conn.close(); conn = None
            return r.status, data
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close(); conn = None  # a new connection every 100 requests
    raise SystemExit("%s %s: the connection failed twice" % (method, path))


def rss():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])


items = []
for i in range(1, 11):
    st, data = call("POST", "/api/v1/items?title=%d" % i, open("%s/in/%d.wav" % (work, i), "rb").read(),
                    {"Content-Type": "application/octet-stream"})
    assert st == 201, (st, data[:200])
    items.append(json.loads(data)["id"])
st, data = call("POST", "/api/v1/jobs", json.dumps({"items": items[:1], "preset": "minimal"}))
job0 = json.loads(data)["id"]
paths = ["/healthz", "/api/v1/items/" + items[0], "/api/v1/items?limit=10", "/api/v1/items/%s/media",
         "/api/v1/items/%s/peaks.dat", "/api/v1/jobs/" + job0]
print("requests\t0\t%d\t0" % rss())
t0 = time.time()
for n in range(1, requests + 1):
    p = paths[n % len(paths)]
    if "%s" in p:
        p = p % items[n % len(items)]
    st, data = call("GET", p, headers={"Range": "bytes=0-1048575"} if p.endswith("/media") else None)
    assert st in (200, 206), (p, st, data[:200])
    if n % 1000 == 0:
        print("requests\t%d\t%d\t%.3f" % (n, rss(), time.time() - t0))
        sys.stdout.flush()
print("jobs\t0\t%d\t0" % rss())
t0 = time.time()
for batch in range(jobs // 10):
    ids = []
    for k in range(10):
        j = batch * 10 + k
        body = {"items": [items[j % 10], items[(j + 1) % 10]], "analyzers": ["onsets"],
                "params": {"onsets.threshold": 0.2 + j / 1000}}
        st, data = call("POST", "/api/v1/jobs", json.dumps(body))
        assert st == 202, (st, data[:300])
        ids.append(json.loads(data)["id"])
    for i in ids:
        while True:
            st, data = call("GET", "/api/v1/jobs/" + i)
            state = json.loads(data)["state"]
            if state in ("done", "failed", "canceled"):
                assert state == "done", data[:500]
                break
            time.sleep(0.05)
    print("jobs\t%d\t%d\t%.3f" % ((batch + 1) * 10, rss(), time.time() - t0))
    sys.stdout.flush()
EOF
for i in $(seq 10); do
    "$gen" sweep --from $((100 * i)) --to 4000 --duration 20 --rate 44100 -o "$work/in/$i.wav"
done
spid=
trap '[ -z "$spid" ] || kill "$spid" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
# series THREADS: a fresh server with that many request threads, the client, its peak
series() {
    local t=$1
    rm -rf "$work/data"
    token=$("$serve" token create --quiet --data "$work/data" --user bench --scope admin)
    "$serve" --quiet --data "$work/data" --listen 127.0.0.1:0 --threads "$t" --uploads-per-minute 0 \
        --renders-per-minute 0 --jobs-per-minute 0 --max-queued-jobs 1000 >"$work/url" &
    spid=$!
    for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
    port=$(sed -n 's|^http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/url")
    [ -n "$port" ] || bench_die "ts-serve printed no URL"
    python3 "$work/client.py" "$port" "$token" "$spid" "$requests" "$jobs" "$work" >"$work/rows-$t.tsv" ||
        bench_die "the client failed"
    awk '$1 == "VmHWM:" { print $2 }' "/proc/$spid/status" >"$work/hwm-$t"
    kill "$spid"; wait "$spid" 2>/dev/null || true; spid=
}
series 64
series 8
# idle connections: 2,000 clients each make a request and keep the connection open
rm -rf "$work/data"
"$serve" --quiet --data "$work/data" --listen 127.0.0.1:0 >"$work/url" &
spid=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
port=$(sed -n 's|^http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/url")
[ -n "$port" ] || bench_die "ts-serve printed no URL"
python3 - "$port" "$spid" >"$work/idle.txt" <<'EOF2' || bench_die "the idle client failed"
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def rss():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
before = rss()
cs = []
for _ in range(2000):
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    cs.append(c)
for c in cs:
    c.settimeout(20)
    if not c.recv(4096).startswith(b"HTTP/1.1 200"):
        sys.exit("no answer")
time.sleep(0.5)
held = rss()
time.sleep(6)
closed = sum(1 for c in cs if c.recv(16) == b"")
print("%.1f %.1f %d" % (before / 1024, held / 1024, closed))
EOF2
kill "$spid"; wait "$spid" 2>/dev/null || true; spid=
read -r idle_before idle_held idle_closed <"$work/idle.txt"
{
    echo "## ts-serve: memory over 10,000 requests and 100 jobs"
    echo
    echo "Measured by \`bench/serve_memory.sh\` on $(bench_machine); load average $BENCH_LOAD0 at the start, $(bench_load) at the end."
    echo
    echo "ts-serve's resident memory (VmRSS) after every 1,000 requests from one keep-alive client"
    echo "(cycling over /healthz, an item's JSON, the item list, a 1 MiB Range read, .dat peaks and a"
    echo "job's JSON, over 10 items of 20 s), then after every 10 jobs (each runs ts-analyze -a onsets"
    echo "with a threshold of its own over 2 items; two workers). Seconds: since the first request or"
    echo "job of the series. Each series on a fresh server: with its default --threads 64, and with"
    echo "--threads 8 (the client opens a new connection every 100 requests; idle connections wait in"
    echo "epoll, and 4 threads per core serve the ready ones, more only while long requests hold them)."
    echo
    echo "| after | RSS MiB, 64 threads | s | RSS MiB, 8 threads | s |"
    echo "|---|---:|---:|---:|---:|"
    paste "$work/rows-64.tsv" "$work/rows-8.tsv" |
        awk -F'\t' '{ printf "| %s %s | %.1f | %s | %.1f | %s |\n", $2, $1, $3 / 1024, $4, $7 / 1024, $8 }'
    echo
    echo "Peak (VmHWM) over the whole series: $(($(cat "$work/hwm-64") / 1024)) MiB with 64 threads, $(($(cat "$work/hwm-8") / 1024)) MiB with 8."
    echo
    # growth over the first 5,000 requests, over the next 5,000, and per job
    for t in 64 8; do
        awk -F'\t' -v t="$t" '$1 == "requests" && $2 == 0 { a = $3 } $1 == "requests" && $2 == 5000 { k = $3 }
            $1 == "requests" { b = $3 } $1 == "jobs" && $2 == 0 { c = $3 } $1 == "jobs" { d = $3; n = $2 }
            END { printf "--threads %d: %+.1f MiB over the first 5,000 requests, %+.1f MiB over the next 5,000, %.1f KiB a job over %d jobs.\n",
                  t, (k - a) / 1024, (b - k) / 1024, (d - c) / n, n }' "$work/rows-$t.tsv"
    done | paste -sd' '
    echo "The first requests' growth is the stacks and buffers of the threads started (4 per core"
    echo "while no long request holds one; at most --threads); after them it is flat. The jobs' few"
    echo "KiB each are a likely effect of the catalog's growth (each job adds rows, read through"
    echo "SQLite's page cache, bounded at 2 MiB by default), not measured apart here."
    echo
    echo "Idle connections: 2,000 clients each made a request and kept its connection open: the"
    echo "server's RSS went from $idle_before to $idle_held MiB (an idle connection holds its socket,"
    echo "no thread and no buffer); $idle_closed of them were closed by the server after the 5 s"
    echo "keep-alive timeout."
} | bench_write_section
