#!/usr/bin/env bash
# bench/serve_jobs.sh: a music-preset job over 20 items run by ts-serve against the same
# analyses run by hand (ts-analyze --preset music ITEM -o OUT, one after the other: the server
# runs with --workers 1 to match). Measures the wall time from the POST to the job's done, and
# from the first to the last hand run; the overhead is their ratio less one (goal: under 5 %).
# Also checks that every results file is byte-identical to the hand-made one. Writes the
# "serve_jobs" section of bench/RESULTS.md.
#
#   BUILD=build bench/serve_jobs.sh        (ITEMS=20 per run, SIZES="30 120" s by default)
. "$(dirname "$0")/lib.sh"
bench_init serve_jobs
command -v curl >/dev/null || bench_die "curl is missing"
serve=$(bench_tool ts-serve)
gen=$(bench_tool ts-gen)
analyze=$(bench_tool ts-analyze)
n=${ITEMS:-20}
sizes=${SIZES:-30 120}
work=$BENCH_WORK/serve_jobs
rm -rf "$work"; mkdir -p "$work"
token=$("$serve" token create --quiet --data "$work/data" --user bench --scope admin)
"$serve" --quiet --data "$work/data" --listen 127.0.0.1:0 --workers 1 --uploads-per-minute 0 >"$work/url" &
spid=$!
trap 'kill "$spid" 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -1 "$work/url")/api/v1
auth="Authorization: Bearer $token"
rows=$work/rows.md
: >"$rows"
for len in $sizes; do
  rm -rf "$work/in" "$work/hand"; mkdir -p "$work/in" "$work/hand"
  for i in $(seq "$n"); do
    "$gen" sweep --from $((50 * i)) --to $((4000 + 100 * i)) --duration "$len" --rate 44100 -o "$work/in/$i.wav"
  done
  ids=()
  for i in $(seq "$n"); do
    ids+=("$(curl -sf -H "$auth" --data-binary @"$work/in/$i.wav" "$url/items?title=$i" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')")
  done
  body=$(python3 -c 'import json,sys; print(json.dumps({"items": sys.argv[1:], "preset": "music"}))' "${ids[@]}")
  t0=$(date +%s.%N)
  job=$(curl -sf -H "$auth" -d "$body" "$url/jobs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  # the event stream ends when the job does
  curl -sfN -H "$auth" "$url/jobs/$job/events" >"$work/events.txt"
  t1=$(date +%s.%N)
  state=$(curl -sf -H "$auth" "$url/jobs/$job" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$state" = done ] || bench_die "the job ended $state"
  t2=$(date +%s.%N)
  for i in $(seq "$n"); do
    "$analyze" --quiet --preset music "$work/data/media/${ids[$((i - 1))]}" -o "$work/hand/$i.jsonl"
  done
  t3=$(date +%s.%N)
  same=0
  for i in $(seq "$n"); do
    id=${ids[$((i - 1))]}
    # the API names the media by its URL where the file names its path: put the path back
    curl -sf -H "$auth" "$url/jobs/$job/items/$id/results" |
      sed "s#\"/api/v1/items/$id/media\"#\"$work/data/media/$id\"#g" >"$work/served.jsonl"
    cmp -s "$work/served.jsonl" "$work/hand/$i.jsonl" && same=$((same + 1))
  done
  read -r served hand ratio <<<"$(python3 -c "s=$t1-$t0; h=$t3-$t2; print('%.2f %.2f %+.1f' % (s, h, 100 * (s / h - 1)))")"
  echo "| $len s | $served | $hand | $ratio % | $same of $n |" >>"$rows"
done
rss=$(ps -o rss= -p "$spid")
{
  echo "## ts-serve jobs against the tools run by hand"
  echo
  echo "$(bench_machine). $n items per run (44.1 kHz mono sweeps), the music preset; ts-serve"
  echo "with one worker, from the POST to the end of the job's event stream, against"
  echo "ts-analyze --preset music run on each item in turn. Same: results files byte-identical"
  echo "to the hand-made ones (once the API's media URL in audio.source is put back to the path)."
  echo
  echo "| item length | ts-serve job s | by hand s | overhead | same |"
  echo "|---|---:|---:|---:|---:|"
  cat "$rows"
  echo
  echo "ts-serve's resident memory after the runs: $((rss / 1024)) MiB."
} | bench_write_section
