#!/bin/bash
# ts-serialize's text formats (jsonl, json, yaml, xml, csv), result selection and routing, the
# round trips json/yaml -> jsonl for every time and data mode, ts-analyze -f, and bad inputs.
# (hdf5/npy/npz, the annotation formats and the web-player peaks have suites of their own.)
. "$TS_SRC/tests/cli/lib.sh"

# Results of every mode: global scalar (level.peak), global vector (mfcc.mean? no: stats),
# global label (key), framewise 1-D (spectral.centroid) and matrix with y (mfcc, chroma),
# events with values and confidence (onsets, tempo.beats), segments with labels (structure,
# silence), plus hand-made lines: NaN (null), non-ASCII and quotes, extra data keys, an
# empty framewise matrix, value segments, events with labels.
ts-gen demo -o demo.wav
ts-analyze -a level,stats,key,spectral.centroid,mfcc,chroma,onsets,tempo,structure,silence demo.wav >all.jsonl
cat >hand.jsonl <<'JL'
{"schema":"ts-result/1","id":"mine.nan","analyzer":"mine","name":"Naïve \"quoted\" ☃","unit":"dB","description":"a\ttab and a\nnewline","time_mode":"framewise","data_mode":"value","audio":{"source":"dir/sp ace é.wav","sha1":null,"rate":8000,"channels":1,"start":1.5,"duration":2.0,"mix":"mono"},"frames":{"rate":8000,"block":400,"step":160},"params":{"threshold":1e-05,"gain":1.0,"mode":"x","list":[1,2.5]},"producer":{"tool":"exec","version":"9.9"},"data":{"value":[0.5,null,-1e-07,3.25e+10],"note":{"k":[1,null]}}}
{"schema":"ts-result/1","id":"mine.empty","analyzer":"mine","name":"empty","unit":"","description":"","time_mode":"framewise","data_mode":"value","audio":{"source":null,"sha1":null,"rate":8000,"channels":2,"start":0,"duration":0.01,"mix":"each","channel":1},"frames":{"rate":8000,"block":400,"step":160},"params":{},"producer":{"tool":"ts-analyze","version":"0.1.0"},"data":{"value":[]}}
{"schema":"ts-result/1","id":"mine.vector","analyzer":"mine","name":"v","unit":"","description":"","time_mode":"global","data_mode":"value","audio":{"source":"a.wav","sha1":"0123456789abcdef0123456789abcdef01234567","rate":44100,"channels":2,"start":0,"duration":1,"mix":"all"},"params":{},"producer":{"tool":"ts-analyze","version":"0.1.0"},"data":{"value":[1,null,0.1]}}
{"schema":"ts-result/1","id":"mine.segvalue","analyzer":"mine","name":"s","unit":"Hz","description":"","time_mode":"segment","data_mode":"value","audio":{"source":"a.wav","sha1":null,"rate":44100,"channels":1,"start":0,"duration":3,"mix":"mono"},"params":{},"producer":{"tool":"ts-analyze","version":"0.1.0"},"data":{"time":[0,1.5],"duration":[1.5,1.5],"value":[440,null],"confidence":[1,0.25]}}
{"schema":"ts-result/1","id":"mine.labels","analyzer":"mine","name":"l","unit":"","description":"","time_mode":"event","data_mode":"label","audio":{"source":"a.wav","sha1":null,"rate":44100,"channels":1,"start":0,"duration":3,"mix":"mono"},"params":{},"producer":{"tool":"ts-analyze","version":"0.1.0"},"data":{"time":[0.25,2],"label":["a, \"b\"","ünï <&>"]}}
{"schema":"ts-result/1","id":"mine.none","analyzer":"mine","name":"none","unit":"","description":"","time_mode":"event","data_mode":"value","audio":{"source":"a.wav","sha1":null,"rate":44100,"channels":1,"start":0,"duration":3,"mix":"mono"},"params":{},"producer":{"tool":"ts-analyze","version":"0.1.0"},"data":{"time":[]}}
JL
cat all.jsonl hand.jsonl >in.jsonl
n_in=$(wc -l <in.jsonl)
[ "$n_in" -ge 25 ] && pass || fail "expected at least 25 results, got $n_in"

# Normalised JSON Lines: ts-analyze's own output is already normalised (byte-identical), and
# normalising is idempotent.
check "jsonl of jsonl" ts-serialize all.jsonl -o all.norm.jsonl
cmp -s all.jsonl all.norm.jsonl && pass || fail "ts-analyze's lines are not normalised as ts-serialize writes them"
ts-serialize in.jsonl >norm.jsonl && ts-serialize norm.jsonl | cmp -s - norm.jsonl && pass || fail "normalising twice differs"
[ "$(wc -l <norm.jsonl)" = "$n_in" ] && pass || fail "line count changed"

# Round trips: every mode through json (indented and compact) and yaml, byte-identical.
for f in json yaml; do
    check "-f $f" ts-serialize -f $f in.jsonl -o "x.$f"
    ts-serialize "x.$f" >back.jsonl && cmp -s back.jsonl norm.jsonl && pass || fail "$f -> jsonl differs: $(cmp back.jsonl norm.jsonl 2>&1 | head -1)"
    ts-serialize --from $f - <"x.$f" | cmp -s - norm.jsonl && pass || fail "$f on stdin with --from"
done
check "--compact" ts-serialize -f json --compact in.jsonl -o c.json
[ "$(wc -l <c.json)" = 1 ] && pass || fail "--compact is not one line"
ts-serialize c.json | cmp -s - norm.jsonl && pass || fail "compact json -> jsonl differs"

# The json document and the yaml hold the same values as the lines (Python's json, PyYAML).
cat >same.py <<'PY'
import json, math, sys, yaml
lines = [json.loads(l) for l in open("norm.jsonl")]
doc = json.load(open("x.json"))
assert doc["schema"] == "ts-result/1" and doc["results"] == lines, "json document differs"
ys = yaml.safe_load(open("x.yaml"))
assert len(ys) == len(lines)
def eq(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b): return True
    if a is None and isinstance(b, float) and math.isnan(b): return True
    if isinstance(a, list): return isinstance(b, list) and len(a) == len(b) and all(eq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict): return isinstance(b, dict) and a.keys() == b.keys() and all(eq(a[k], b[k]) for k in a)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool): return a == b
    return a == b
for l, y in zip(lines, ys):
    m = y["id_metadata"]
    assert m["id"] == l["id"] and m["name"] == l["name"] and m["description"] == l["description"], l["id"]
    assert y["time_mode"] == l["time_mode"] and y["data_mode"] == l["data_mode"]
    assert y["audio_metadata"]["uri"] == l["audio"]["source"] and y["audio_metadata"]["samplerate"] == l["audio"]["rate"]
    assert eq(l["params"], y["parameters"]), (l["id"], l["params"], y["parameters"])
    d, o = l["data"], y["data_object"]
    for k in d:
        kk = {"y": "y_value"}.get(k, k)
        v = o[kk] if kk in o else o["extra"][k]
        assert eq(d[k], v), (l["id"], k)
    if "frames" in l:
        assert y["frame_metadata"] == {"samplerate": l["frames"]["rate"], "blocksize": l["frames"]["block"], "stepsize": l["frames"]["step"]}
mf = next(y for y in ys if y["id_metadata"]["id"] == "mfcc")
assert len(mf["data_object"]["value"][0]) == 13 and isinstance(mf["data_object"]["value"][0][0], float)
p = next(y for y in ys if y["id_metadata"]["id"] == "mine.nan")["parameters"]
assert p["threshold"] == 1e-05 and isinstance(p["threshold"], float), p   # not the string '1e-05'
print("ok")
PY
$PY same.py >same.out 2>&1 && pass || fail "json/yaml values: $(tail -3 same.out)"

# XML: well-formed, values equal.
check "-f xml" ts-serialize -f xml in.jsonl -o x.xml
cat >check_xml.py <<'PY'
import json, math, xml.etree.ElementTree as E
lines = [json.loads(l) for l in open("norm.jsonl")]
root = E.parse("x.xml").getroot()
assert root.tag == "results" and root.get("schema") == "ts-result/1" and len(root) == len(lines)
def nums(t): return [float(x) for x in t.split()] if t else []
def same(a, b): return all((x is None and math.isnan(y)) or x == y for x, y in zip(a, b)) and len(a) == len(b)
for l, r in zip(lines, root):
    assert r.get("id") == l["id"] and r.get("time_mode") == l["time_mode"] and r.find("description").text in (l["description"], None if not l["description"] else 0)
    d = r.find("data")
    if l["time_mode"] == "framewise":
        v = d.find("value")
        if l["data"]["value"] and isinstance(l["data"]["value"][0], list):
            rows = [nums(x.text) for x in v.findall("row")]
            assert int(v.get("columns")) == len(l["data"]["value"][0])
            assert all(same(a, b) for a, b in zip(l["data"]["value"], rows)) and len(rows) == len(l["data"]["value"])
        else:
            assert same(l["data"]["value"], nums(v.text))
    if l["time_mode"] in ("event", "segment"):
        assert same(l["data"]["time"], nums(d.find("time").text))
        if "label" in l["data"] and l["data"]["label"]:
            assert [i.text for i in d.find("label")] == l["data"]["label"]
    if l["time_mode"] == "global" and l["data_mode"] == "label":
        assert d.find("label").text == l["data"]["label"]
print("ok")
PY
$PY check_xml.py >xml.out 2>&1 && pass || fail "xml: $(tail -3 xml.out)"

# CSV: one table per result; framewise time = audio.start + i*step/rate; header names.
check "csv mfcc" ts-serialize -f csv --result mfcc in.jsonl -o mfcc.csv
check "csv onsets" ts-serialize --result onsets in.jsonl -o onsets.csv
check "csv segments" ts-serialize -f csv --result structure in.jsonl -o structure.csv
check "csv labels" ts-serialize -f csv --result mine.labels in.jsonl -o labels.csv
check "csv nan" ts-serialize -f csv --result mine.nan in.jsonl -o nan.csv
cat >check_csv.py <<'PY'
import csv, json
lines = {json.loads(l)["id"]: json.loads(l) for l in open("norm.jsonl")}
rows = list(csv.reader(open("mfcc.csv")))
m = lines["mfcc"]
assert rows[0] == ["time"] + [f"value_{j}" for j in range(13)], rows[0]
assert len(rows) - 1 == len(m["data"]["value"])
f = m["frames"]
for i in (0, 1, 100, len(rows) - 2):
    assert float(rows[i + 1][0]) == m["audio"]["start"] + i * f["step"] / f["rate"]
    assert [float(x) for x in rows[i + 1][1:]] == m["data"]["value"][i]
o = list(csv.reader(open("onsets.csv")))
on = lines["onsets"]["data"]
assert o[0][0] == "time" and [float(r[0]) for r in o[1:]] == on["time"]
s = list(csv.DictReader(open("structure.csv")))
st = lines["structure"]["data"]
assert [float(r["time"]) for r in s] == st["time"] and [float(r["duration"]) for r in s] == st["duration"] and [r["label"] for r in s] == st["label"]
lb = list(csv.DictReader(open("labels.csv")))
assert [r["label"] for r in lb] == ["a, \"b\"", "ünï <&>"], lb
n = list(csv.reader(open("nan.csv")))
assert n[0] == ["time", "value"] and n[1] == ["1.5", "0.5"] and n[2] == ["1.52", ""] and float(n[4][1]) == 3.25e10, n
print("ok")
PY
$PY check_csv.py >csv.out 2>&1 && pass || fail "csv: $(tail -3 csv.out)"

# --result patterns; one file per result with -o DIR/; one-result formats refuse several.
ts-serialize --result 'level.*' --result key in.jsonl >sel.jsonl
[ "$(cut -d'"' -f8 sel.jsonl | tr '\n' ' ')" = "level.peak level.rms level.true_peak key " ] ||
    [ "$(grep -c . sel.jsonl)" -ge 3 ] && grep -q '"id":"key"' sel.jsonl && ! grep -q '"id":"mfcc"' sel.jsonl && pass ||
    fail "--result level.* --result key: $(cut -c1-60 sel.jsonl)"
mkdir tables
check "-o DIR/" ts-serialize -f csv --result 'level.*' --result onsets all.jsonl -o tables/
ls tables >tables.txt
grep -qx "demo.onsets.csv" tables.txt && grep -qx "demo.level.peak.csv" tables.txt && [ "$(grep -c . tables.txt)" = "$(grep -c -e '"id":"level\.' -e '"id":"onsets"' all.jsonl)" ] &&
    pass || fail "-o tables/: $(tr '\n' ' ' <tables.txt)"
cat all.jsonl all.jsonl | ts-serialize -f csv --result onsets -o tables/ && [ -f tables/demo.onsets-2.csv ] && pass || fail "a repeated name gets -2"
expect_fail "csv with several results" 2 "--result" ts-serialize -f csv all.jsonl -o several.csv
[ ! -e several.csv ] && pass || fail "several.csv left behind"
expect_fail "no result matches" 1 "no result matches" ts-serialize --result 'nothing*' all.jsonl -o none.jsonl
[ ! -e none.jsonl ] && pass || fail "none.jsonl left behind"
expect_fail "a folder without -f" 2 "-f" ts-serialize all.jsonl -o tables/
expect_fail "unknown extension" 2 ".bin" ts-serialize all.jsonl -o x.bin
expect_fail "unknown format" 2 "bogus" ts-serialize -f bogus all.jsonl

# ts-analyze -f: the same writers, no JSON step; results equal to the JSON Lines route.
check "ts-analyze -o .yaml" ts-analyze -a level,mfcc demo.wav -o direct.yaml
ts-analyze -a level,mfcc demo.wav | ts-serialize -f yaml | cmp -s - direct.yaml && pass || fail "ts-analyze -o x.yaml differs from ts-serialize -f yaml"
check "ts-analyze -f json" ts-analyze -a onsets -f json demo.wav -o direct.json
ts-serialize direct.json | cmp -s - <(ts-analyze -a onsets demo.wav) && pass || fail "ts-analyze -f json round trip"
mkdir per
check "ts-analyze -f csv -o DIR/" ts-analyze -a level,onsets -f csv demo.wav -o per/
[ -f per/demo.onsets.csv ] && [ -f per/demo.level.rms.csv ] && pass || fail "ts-analyze -o per/: $(ls per)"
expect_fail "ts-analyze csv, several results" 2 "--result" ts-analyze -a level -f csv demo.wav -o lv.csv
[ ! -e lv.csv ] && pass || fail "lv.csv left behind"
echo junk >broken.mp3
expect_fail "ts-analyze, the only input broken" 1 "broken.mp3" ts-analyze -a level broken.mp3 -o broken.jsonl
[ ! -e broken.jsonl ] && pass || fail "ts-analyze left broken.jsonl behind"
ts-analyze -a level broken.mp3 demo.wav -o half.jsonl 2>/dev/null; s=$?
[ "$s" = 1 ] && [ "$(grep -c '"id":"level' half.jsonl)" = 2 ] && pass || fail "one input of two broken: exit $s, want 1 and the other's results"
ts-analyze -a level demo.wav -o plain.out && grep -q '"schema":"ts-result/1"' plain.out && pass || fail "an unknown extension stays JSON Lines"

# Bad input: the line (or result) and the reason named, exit 1, nothing written.
printf '%s\n' "$(head -1 all.jsonl)" '{"schema":"ts-result/1","id":' >bad-json.jsonl
expect_fail "malformed JSON" 1 "bad-json.jsonl: line 2: not valid JSON" ts-serialize bad-json.jsonl -o out.json
[ ! -e out.json ] && pass || fail "out.json left behind"
printf '%s\n' "$(head -1 all.jsonl)" '{"hello":"world"}' >not-result.jsonl
expect_fail "not a ts-result" 1 "line 2: missing key 'schema'" ts-serialize -f yaml not-result.jsonl -o out.yaml
[ ! -e out.yaml ] && pass || fail "out.yaml left behind"
head -1 all.jsonl | sed 's|"ts-result/1"|"ts-result/2"|' >v2.jsonl
expect_fail "wrong schema version" 1 "not \"ts-result/1\"" ts-serialize v2.jsonl
head -1 all.jsonl | sed 's|"data":{|"data":{"oops":1,|; s|"time_mode":"global"|"time_mode":"framewise"|' >nof.jsonl
expect_fail "framewise without frames" 1 "missing key 'frames'" ts-serialize nof.jsonl
grep '"id":"structure"' all.jsonl | sed 's|"duration":\[[^]]*\]|"duration":[1]|' >short.jsonl
expect_fail "arrays of different lengths" 1 "data.duration has 1 entries" ts-serialize short.jsonl
grep '"id":"mfcc"' all.jsonl | sed 's|\],\[|],[1,2],[|' >ragged.jsonl
expect_fail "ragged matrix" 1 "same length" ts-serialize ragged.jsonl
head -c 1000 all.jsonl >truncated.jsonl
expect_fail "truncated line" 1 "truncated.jsonl: line 3: not valid JSON" ts-serialize truncated.jsonl
: >empty.jsonl
expect_fail "empty input" 1 "no result" ts-serialize empty.jsonl
head -c 3000 /dev/urandom >random.jsonl
expect_fail "random bytes" 1 "random.jsonl: line" ts-serialize random.jsonl
expect_fail "missing file" 1 "nope.jsonl" ts-serialize nope.jsonl
mkdir adir
expect_fail "a directory" 1 "adir" ts-serialize adir
printf -- '- id_metadata: [1, 2\n' >bad.yaml
expect_fail "malformed yaml" 1 "bad.yaml: not valid YAML" ts-serialize bad.yaml
printf -- '- id_metadata: {id: "x"}\n  time_mode: "global"\n' >partial.yaml
expect_fail "yaml missing keys" 1 "partial.yaml: result 0" ts-serialize partial.yaml
printf '{"results":[{"schema":"ts-result/1"}]}' >bad.json
expect_fail "json document, bad result" 1 "bad.json: results[0]: missing key 'id'" ts-serialize bad.json
expect_fail "stdin twice" 2 "stdin" ts-serialize - - <all.jsonl

# --check validates and writes nothing.
ts-serialize --check -v in.jsonl >chk.out 2>chk.err && [ ! -s chk.out ] && grep -q "$n_in valid result" chk.err && pass || fail "--check: $(cat chk.err)"
expect_fail "--check, a bad line" 1 "line 2" ts-serialize --check not-result.jsonl

# A long framewise result (1 hour of 13 MFCCs at 44.1 kHz / 512 hops: 310,000 rows).
$PY - <<'PY' >long.jsonl
import json
n = 310000
head = {"schema":"ts-result/1","id":"mfcc","analyzer":"mfcc","name":"MFCC","unit":"","description":"","time_mode":"framewise","data_mode":"value","audio":{"source":"long.wav","sha1":None,"rate":44100,"channels":1,"start":0,"duration":3600.0,"mix":"mono"},"frames":{"rate":44100,"block":2048,"step":512},"params":{},"producer":{"tool":"ts-analyze","version":"0.1.0"}}
s = json.dumps(head, separators=(",", ":"))[:-1] + ',"data":{"value":['
row = "[" + ",".join("%.6g" % (-1.5 + j * 0.37) for j in range(13)) + "]"
print(s + ",".join([row] * n) + "]}}")
PY
check "1 hour of mfcc to yaml" ts-serialize -f yaml long.jsonl -o long.yaml
[ "$(grep -c '^      - \[' long.yaml)" = 310000 ] && pass || fail "long.yaml rows"

# ts-analyze --result: ts-serialize's selector, one declaration. -a onsets gives two results
# (onsets.odf, the onset-strength curve, then onsets, the times): a one-result format is
# refused before any input is opened (a missing input is not even named), listing both, and
# --result onsets gives the times, as ts-serialize does from the JSON Lines.
a=$(ts-analyze --help | grep -E -A1 '^ +--result ID'); s=$(ts-serialize --help | grep -E -A1 '^ +--result ID')
[ -n "$a" ] && [ "$a" = "$s" ] && pass || fail "--result's help differs: '$a' vs '$s'"
expect_fail "ts-analyze -a onsets -f csv: two results" 2 "csv holds one result, and the analyzers give 2 (onsets.odf, onsets)" ts-analyze -a onsets -f csv nowhere.wav
grep -qF -- "--result ID" .err && grep -qF -- "-o DIR/" .err && ! grep -q nowhere .err && pass || fail "the refusal: $(cat .err)"
expect_fail "ts-analyze -a structure -f csv: two results" 2 "(structure, structure.novelty)" ts-analyze -a structure -f csv -o st.csv demo.wav
[ ! -e st.csv ] && pass || fail "st.csv left behind"
expect_fail "ts-analyze -o FILE.npy: three results" 2 "npy holds one result, and the analyzers give 3 (level.peak, level.rms, dc)" ts-analyze -a level,dc demo.wav -o lv.npy
check "ts-analyze --result onsets -f csv" ts-analyze -a onsets --result onsets -f csv demo.wav -o onsets.direct.csv
ts-analyze -a onsets demo.wav >onsets.jsonl
ts-serialize -f csv --result onsets onsets.jsonl | cmp -s - onsets.direct.csv && pass || fail "ts-analyze --result onsets differs from ts-serialize --result onsets"
"$PY" -c '
import csv, json
R = {json.loads(l)["id"]: json.loads(l) for l in open("onsets.jsonl")}
rows = list(csv.reader(open("onsets.direct.csv")))
t = R["onsets"]["data"]["time"]
assert rows[0][0] == "time" and len(t) >= 10 and [float(r[0]) for r in rows[1:]] == t, rows[:3]' && pass || fail "the csv holds the onset times"
ts-analyze -a level,onsets --result 'level.*' --result onsets demo.wav >sel2.jsonl
[ "$(cut -d'"' -f8 sel2.jsonl | tr '\n' ' ')" = "level.peak level.rms onsets " ] && pass || fail "ts-analyze --result patterns: $(cut -d'"' -f8 sel2.jsonl | tr '\n' ' ')"
expect_fail "ts-analyze --result matching nothing" 2 "--result tempo*: matches none of the results asked for (level.peak, level.rms)" ts-analyze -a level --result 'tempo*' nowhere.wav
check "ts-analyze --result to stdout csv" sh -c 'ts-analyze -a structure --result structure -f csv demo.wav >structure.direct.csv'
head -1 structure.direct.csv | grep -q "^time,duration,label" && pass || fail "structure csv: $(head -2 structure.direct.csv)"

# -o DIR/ with the folder missing: made, as ts-transcode makes it (the last level only).
check "ts-serialize -o newdir/" ts-serialize -f csv --result 'level.*' all.jsonl -o newdir/
[ "$(ls newdir | tr '\n' ' ')" = "demo.level.peak.csv demo.level.rms.csv " ] && pass || fail "newdir/: $(ls newdir)"
cmp -s newdir/demo.level.peak.csv tables/demo.level.peak.csv && pass || fail "newdir/ differs from an existing folder's"
check "ts-analyze -o newdir2/" ts-analyze -a level -f csv demo.wav -o newdir2/
[ -f newdir2/demo.level.peak.csv ] && [ -f newdir2/demo.level.rms.csv ] && pass || fail "newdir2/: $(ls newdir2)"
expect_fail "-o DIR/ two levels missing" 1 "deep/er/: cannot create the folder" ts-serialize -f csv --result onsets all.jsonl -o deep/er/
[ ! -e deep ] && pass || fail "deep/ made"

# Several sources of one result id into one CSV: a first column `source` (then the single
# table's columns), rows in input order; each source's rows are its single table's rows.
ts-gen sine --amplitude -6 --duration 1 -o a.wav
ts-gen clicks --tempo 90 --duration 3 -o b.wav
ts-analyze -a level.peak,onsets,spectral.centroid,key a.wav >a.jsonl
# (clicks hold no sustained peak: b.wav's key is "", a one-column row written as "")
ts-analyze -a level.peak,onsets,spectral.centroid,key b.wav >b.jsonl
for id in level.peak onsets spectral.centroid key; do
    check "csv table of $id" sh -c "cat a.jsonl b.jsonl | ts-serialize -f csv --result $id -o $id.table.csv"
    ts-serialize -f csv --result $id a.jsonl -o $id.a.csv
    ts-serialize -f csv --result $id b.jsonl -o $id.b.csv
    "$PY" - "$id" <<'PY' && pass || fail "csv table of $id: rows"
import csv, sys
id = sys.argv[1]
t = list(csv.reader(open(id + ".table.csv")))
a = list(csv.reader(open(id + ".a.csv")))
b = list(csv.reader(open(id + ".b.csv")))
assert t[0] == ["source"] + a[0] == ["source"] + b[0], (t[0], a[0])
assert [r[0] for r in t[1:]] == ["a.wav"] * (len(a) - 1) + ["b.wav"] * (len(b) - 1), [r[0] for r in t]
assert [r[1:] for r in t[1:]] == a[1:] + b[1:]
PY
done
"$PY" -c '
import csv, json
rows = list(csv.reader(open("level.peak.table.csv")))
want = [json.loads(l)["data"]["value"] for f in ("a.jsonl", "b.jsonl") for l in open(f) if json.loads(l)["id"] == "level.peak"]
assert rows[0] == ["source", "value"] and [r[0] for r in rows[1:]] == ["a.wav", "b.wav"], rows
assert [float(r[1]) for r in rows[1:]] == want and abs(want[0] + 6) < 0.01, (rows, want)
o = list(csv.reader(open("onsets.table.csv")))
ob = [float(r[1]) for r in o[1:] if r[0] == "b.wav"]
# (the click at 0 s lies where the window of the first 2048-sample frame is near 0: the
# default onsets method, superflux, finds the 4 after it)
assert len(ob) == 4 and all(abs(x - 2 / 3 * (i + 1)) < 0.03 for i, x in enumerate(ob)), ob' && pass || fail "csv table values"
"$PY" -c '
import csv
rows = list(csv.reader(open("key.b.csv")))
assert rows == [["label"], [""]], rows' && pass || fail "csv: an empty label is a row: $(cat key.b.csv)"
ts-serialize -f csv --result onsets a.jsonl | cmp -s - onsets.a.csv && pass || fail "one source: the table unchanged"
check "ts-analyze: two inputs into one csv" ts-analyze -a onsets --result onsets -f csv a.wav b.wav -o onsets.direct2.csv
cmp -s onsets.direct2.csv onsets.table.csv && pass || fail "ts-analyze's table differs from ts-serialize's"
ts-gen sine --channels 2 --duration 0.5 --amplitude -12 -o st2.wav
check "--mix each: a channel column" ts-analyze --mix each -a level.peak -f csv st2.wav -o each.csv
"$PY" -c '
import csv
rows = list(csv.reader(open("each.csv")))
assert rows[0] == ["source", "channel", "value"] and [r[:2] for r in rows[1:]] == [["st2.wav", "0"], ["st2.wav", "1"]], rows
assert all(abs(float(r[2]) + 12) < 0.01 for r in rows[1:]), rows' && pass || fail "--mix each table: $(cat each.csv)"
expect_fail "csv: one source twice" 1 "level.peak of a.wav comes twice" sh -c 'cat a.jsonl a.jsonl | ts-serialize -f csv --result level.peak'
expect_fail "csv: other ids still refused" 2 "csv holds one result" sh -c 'cat a.jsonl b.jsonl | ts-serialize -f csv --result level.peak --result key'
grep '"id":"level.peak"' b.jsonl | sed 's/"value":[-0-9.e]*}/"value":[1,2]}/' >b2.jsonl
grep -q '"value":\[1,2\]' b2.jsonl && pass || fail "b2.jsonl: $(cut -c1-80 b2.jsonl)"
expect_fail "csv: other columns" 1 "level.peak of b.wav has other columns" sh -c 'cat a.jsonl b2.jsonl | ts-serialize -f csv --result level.peak'

# On a terminal stdin, a tool says once, before it waits, where it is reading from (unless
# --quiet); Ctrl-D then ends the input. tests/cli/on_terminal.py runs a
# command with a pseudo-terminal as stdin.
"$PY" "$TS_SRC/tests/cli/on_terminal.py" 10 ts-serialize -f csv >tty.out 2>&1
[ "$(sed -n 3p tty.out)" = "ts-serialize: reading results from the terminal; give a file or pipe a stream (Ctrl-D ends)" ] &&
    [ "$(sed -n 1p tty.out)" = 1 ] && [ "$(sed -n 2p tty.out)" = 0 ] && grep -q "no result in the input" tty.out && pass || fail "ts-serialize on a terminal: $(cat tty.out)"
"$PY" "$TS_SRC/tests/cli/on_terminal.py" 1 ts-serialize -q >tty.out 2>&1
! grep -q "terminal" tty.out && pass || fail "ts-serialize -q on a terminal: $(cat tty.out)"

finish
