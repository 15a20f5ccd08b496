#!/bin/bash
# The catalog of archive.mk and ts-batch: OUT/catalog.jsonl holds one line per audio file under
# SRC, in the order of the names (its ts-info facts, with the error of any output that failed;
# an entry with the error alone for a file ts-info cannot read), deleted files gone; and
# OUT/catalog.csv one row per file: facts, loudness, tempo and key from the results, the error.
. "${TS_SRC:?TS_SRC: the source tree}/tests/cli/lib.sh" || exit 1
MK="$TS_SRC/share/archive.mk"
am() { make --no-print-directory -f "$MK" SRC=src OUT=out OUTPUTS="results info" PRESET=minimal ANALYZE_OPTIONS="-a tempo,key" "$@"; }

mkdir -p 'src/a, b "q"' "src/ünï" src/bad src/gone
ts-gen demo -o 'src/a, b "q"/take 1, "best".wav'             # 30 s, 120 BPM, A minor
ts-gen sine --frequency 1000 --duration 1 -o "src/ünï/曲 1.flac"
echo "not audio" >src/bad/text.mp3
ts-gen sine --duration 0.5 -o src/gone/x.wav
am -j2 -k >make1.log 2>&1
[ $? = 2 ] && pass || fail "make: want exit 2 (one broken file): $(tail -3 make1.log)"
# A failure of another kind for a file ts-info reads (as a marker newer than the input and the
# options): its entry keeps the facts and says so, and its results are not taken.
mkdir -p "out/.timeside/failed/ünï"
printf 'some warning\nts-analyze: error: src/ünï/曲 1.flac: it went wrong, "badly"\n\n' >"out/.timeside/failed/ünï/曲 1.flac.results"
rm src/gone/x.wav       # deleted: its outputs stay (no clean-stale), its entry goes
am catalog >cat.log 2>&1 && pass || fail "make catalog: $(tail -3 cat.log)"

$PY - <<'PY' && pass || fail "catalog.jsonl: $(head -c 600 out/catalog.jsonl)"
import json
lines = open("out/catalog.jsonl", encoding="utf-8").read().splitlines()
names = ['a, b "q"/take 1, "best".wav', "bad/text.mp3", "ünï/曲 1.flac"]
assert len(lines) == 3, lines
e = [json.loads(l) for l in lines]
assert [x["source"] for x in e] == ["src/" + n for n in names], [x["source"] for x in e]
# A good file: its info.json line, byte for byte.
assert lines[0] == open("out/" + names[0] + ".info.json", encoding="utf-8").read().rstrip("\n")
assert e[0]["rate"] == 44100 and e[0]["duration"] == 30.0 and "error" not in e[0]
# The broken file: its source and ts-info's error, and every kind's.
assert set(e[1]) == {"source", "error", "errors"}, e[1]
assert e[1]["error"].startswith("ts-info: error: src/bad/text.mp3"), e[1]
assert set(e[1]["errors"]) == {"info", "results"} and e[1]["errors"]["results"].startswith("ts-analyze: error:"), e[1]
# The file with a failed waveform: facts, and the error (the marker's last line).
assert e[2]["codec"] == "flac" and e[2]["error"] == 'ts-analyze: error: src/ünï/曲 1.flac: it went wrong, "badly"', e[2]
assert list(e[2]["errors"]) == ["results"], e[2]
PY

$PY - <<'PY' && pass || fail "catalog.csv: $(head -c 600 out/catalog.csv)"
import csv, json
rows = list(csv.reader(open("out/catalog.csv", encoding="utf-8", newline="")))
head = ["name", "source", "duration", "rate", "channels", "codec", "loudness_lufs", "loudness_range_lu",
        "true_peak_dbtp", "peak_dbfs", "rms_dbfs", "tempo_bpm", "key", "error"]
assert rows[0] == head, rows[0]
assert len(rows) == 4, rows
r = [dict(zip(head, x)) for x in rows[1:]]
assert all(len(x) == len(head) for x in rows), rows
assert r[0]["name"] == 'a, b "q"/take 1, "best".wav' and r[0]["source"] == "src/" + r[0]["name"], r[0]
assert (r[0]["duration"], r[0]["rate"], r[0]["channels"], r[0]["codec"]) == ("30.0", "44100", "1", "pcm_s16le"), r[0]
res = {}
for l in open("out/" + r[0]["name"] + ".jsonl"):
    x = json.loads(l)
    res[x["id"]] = x["data"]
assert float(r[0]["loudness_lufs"]) == res["loudness.integrated"]["value"], (r[0], res["loudness.integrated"])
assert float(r[0]["peak_dbfs"]) == res["level.peak"]["value"] and float(r[0]["rms_dbfs"]) == res["level.rms"]["value"]
assert abs(float(r[0]["tempo_bpm"]) - 120) < 1 and r[0]["key"] == "A minor", r[0]
# minimal has no loudness range nor true peak: empty cells
assert r[0]["loudness_range_lu"] == "" and r[0]["true_peak_dbtp"] == "" and r[0]["error"] == "", r[0]
assert r[1]["name"] == "bad/text.mp3" and r[1]["duration"] == "" and r[1]["error"].startswith("ts-info: error:"), r[1]
assert r[2]["name"] == "ünï/曲 1.flac" and r[2]["codec"] == "flac" and r[2]["error"].endswith('"badly"'), r[2]
assert r[2]["loudness_lufs"] == "" and r[2]["key"] == "", r[2]    # its results failed
PY
# The quoting itself: a field with commas and quotes is quoted, its quotes doubled.
grep -qF '"a, b ""q""/take 1, ""best"".wav","src/a, b ""q""/take 1, ""best"".wav",30.0,44100,1,pcm_s16le,' out/catalog.csv &&
    pass || fail "catalog.csv quoting: $(sed -n 2p out/catalog.csv)"

# Rewritten only when it changes: the same catalog keeps its date.
touch -d '1 hour ago' out/catalog.jsonl out/catalog.csv
am catalog >/dev/null 2>&1
[ -z "$(find out -maxdepth 1 -name 'catalog.*' -newermt '-10 minutes')" ] && pass || fail "an unchanged catalog was rewritten"
# The values of a results file are read again only when it changes (size, date): a value
# planted in the cache shows until the file is touched.
$PY - <<'PY'
import json
p = "out/.timeside/catalog-cache.json"
c = json.load(open(p, encoding="utf-8"))
c['a, b "q"/take 1, "best".wav']["values"]["key"] = "planted"
json.dump(c, open(p, "w", encoding="utf-8"), ensure_ascii=False)
PY
am catalog >/dev/null 2>&1
grep -q ',planted,' out/catalog.csv && pass || fail "the cache of results values is not used: $(sed -n 2p out/catalog.csv)"
touch 'out/a, b "q"/take 1, "best".wav.jsonl'
am catalog >/dev/null 2>&1
grep -q ',A minor,' out/catalog.csv && ! grep -q planted out/catalog.csv && pass || fail "a touched results file is not read again: $(sed -n 2p out/catalog.csv)"
# A source changed since its facts were read: they are not given as its facts.
touch "src/ünï/曲 1.flac"
am catalog >/dev/null 2>&1
$PY - <<'PY' && pass || fail "catalog after a change: $(sed -n 3p out/catalog.jsonl)"
import json
e = json.loads(open("out/catalog.jsonl", encoding="utf-8").read().splitlines()[2])
assert e == {"source": "src/ünï/曲 1.flac"}, e
PY

# --- ts-batch: the catalog with every run, with the errors; without info too ---------------
rm -rf out
"$TS_SRC/scripts/ts-batch" --outputs "results info" --preset minimal src out >b1.json 2>b1.err
s=$?
[ $s = 1 ] && [ "$(wc -l <out/catalog.jsonl)" = 3 ] && [ "$(wc -l <out/catalog.csv)" = 4 ] &&
    grep -q '"source":"src/bad/text.mp3","error":"ts-info: error:' out/catalog.jsonl && pass ||
    fail "ts-batch's catalog: exit $s: $(cat out/catalog.jsonl 2>&1 | head -c 400)"
"$TS_SRC/scripts/ts-batch" --outputs results --preset minimal src out2 >b2.json 2>b2.err
$PY - <<'PY' && pass || fail "ts-batch's catalog without info: $(head -c 400 out2/catalog.jsonl)"
import csv, json
e = [json.loads(l) for l in open("out2/catalog.jsonl", encoding="utf-8")]
assert e[0] == {"source": 'src/a, b "q"/take 1, "best".wav'}, e[0]
assert e[1]["source"] == "src/bad/text.mp3" and list(e[1]["errors"]) == ["results"], e[1]
rows = list(csv.DictReader(open("out2/catalog.csv", encoding="utf-8", newline="")))
assert len(rows) == 3 and rows[0]["duration"] == "" and rows[0]["loudness_lufs"] != "", rows[0]
PY

finish
