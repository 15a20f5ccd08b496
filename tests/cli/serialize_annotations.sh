#!/bin/bash
# ts-serialize's annotation formats: JAMS (written, checked against the JAMS schema rules,
# read back byte for byte), Audacity labels, .lab, Sonic Visualiser CSV and ELAN .eaf.
. "$TS_SRC/tests/cli/lib.sh"

# Known inputs: the demo signal's analyses, and a click track at 120 bpm.
ts-gen demo -o demo.tspcm --truth truth.json
ts-analyze -a onsets,tempo,key,notes,pitch,silence,speech,structure,level demo.tspcm >demo.jsonl
ts-gen clicks --tempo 120 --duration 3 -o clicks.tspcm
ts-analyze -a onsets -p onsets.method=mkl clicks.tspcm | ts-serialize --result onsets >clicks.jsonl

# py "what" 'PYTHON': the assertions must hold.
py() { if out=$("$PY" -c "$2" 2>&1); then pass; else fail "$1: $out"; fi; }

# Synthetic results in every mode: NaN (null), non-ASCII and XML-hostile strings, extra keys.
"$PY" - <<'EOF'
import json
def res(id, tm, dm, data, unit="", frames=None, source="m\u00fasica/caf\u00e9.wav"):
    r = {"schema": "ts-result/1", "id": id, "analyzer": id.split(".")[0], "name": "N " + id,
         "unit": unit, "description": "d\u00e9j\u00e0 <&> \"q\"", "time_mode": tm, "data_mode": dm,
         "audio": {"source": source, "sha1": None, "rate": 8000, "channels": 2, "start": 0.5,
                   "duration": 4.25, "mix": "mono"}}
    if frames: r["frames"] = frames
    r["params"] = {"k": 1.5, "s": "x\u00e9"}
    r["producer"] = {"tool": "ts-analyze", "version": "0.1.0"}
    r["data"] = data
    return r
fr = {"rate": 8000, "block": 400, "step": 200}
rs = [
    res("g.scalar", "global", "value", {"value": 0.1, "strength": [1, None, 2.5]}, "dB"),
    res("g.null", "global", "value", {"value": None, "reason": "silence"}, "dB"),
    res("g.vector", "global", "value", {"value": [1.5, None, -3e-300, 7]}),
    res("g.one", "global", "value", {"value": [2.25]}),
    res("g.empty", "global", "value", {"value": []}),
    res("g.label", "global", "label", {"label": "\u00e9t\u00e9 <b> & \"x\"\tz", "extra": {"a": [1, "b"]}}),
    res("key", "global", "label", {"label": "C# major", "strength": 0.5, "chroma": [0.5] * 12}),
    res("keyless.x", "global", "label", {"label": ""}),
    res("tempo.bpm", "global", "value", {"value": 97.5, "confidence": 0.25}, "bpm"),
    res("tempo2.bpm", "global", "value", {"value": None, "confidence": 0, "reason": "short"}, "bpm"),
    res("f.one", "framewise", "value", {"value": [0.1, None, 3.0, 1e-7, 0.30000001192092896]}, "Hz", fr),
    res("f.matrix", "framewise", "value", {"value": [[1, 2, None], [4.5, 5, 6]], "y": [100, 200.5, 300]}, "", fr),
    res("f.empty", "framewise", "value", {"value": []}, "", fr),
    res("pitch.f0", "framewise", "value", {"value": [0, 220.5, 221.25, 0]}, "Hz", fr),
    res("pitch.voiced", "framewise", "value", {"value": [0, 1, 0, 0]}, "", fr),
    res("e.value", "event", "value", {"time": [0.5, 1.25, 2], "value": [3, None, 0.125], "confidence": [1, 0.5, None]}),
    res("e.label", "event", "label", {"time": [0.75, 1], "label": ["a\u00e9", "<&>"], "confidence": [0.1, 0.2]}),
    res("e.times", "event", "value", {"time": [0.6, 0.7]}),
    res("e.none", "event", "label", {"time": [], "label": []}),
    res("x.onsets", "event", "value", {"time": [0.5, 1.5], "value": [9, 8], "label": ["p", "q"]}),
    res("t.beats", "event", "value", {"time": [0.5, 1.0], "value": [1, 2]}),
    res("s.label", "segment", "label", {"time": [0.5, 2.5], "duration": [2, 1.25], "label": ["A", "\u00fc"], "confidence": [1, 0.75], "n": None}),
    res("s.value", "segment", "value", {"time": [0.5, 1], "duration": [0.5, 0.25], "value": [None, 2]}),
    res("notes", "segment", "value", {"time": [0.5, 1.5], "duration": [0.5, 0.5], "value": [69, 72.5], "confidence": [0.9, 0.8]}, "MIDI"),
    res("s.empty", "segment", "value", {"time": [], "duration": [], "value": []}),
]
with open("modes.jsonl", "w") as f:
    for r in rs:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
EOF

# The JAMS rules, by hand (jsonschema may not be installed): top level, file_metadata,
# annotation_metadata, observations, and each namespace's value and confidence.
cat >check_jams.py <<'EOF'
import json, math, re, sys
doc = json.load(open(sys.argv[1]))
def need(c, what):
    if not c: raise SystemExit("JAMS rule broken: " + what)
def num(x): return isinstance(x, (int, float)) and not isinstance(x, bool)
need(isinstance(doc, dict) and set(doc) == {"file_metadata", "annotations", "sandbox"}, "top-level keys")
fm = doc["file_metadata"]
for k in ("title", "artist", "release"): need(isinstance(fm[k], str), "file_metadata." + k)
need(num(fm["duration"]) and fm["duration"] >= 0, "duration")
need(isinstance(fm["identifiers"], dict), "identifiers")
need(re.search("[0-9].[0-9].[0-9]", fm["jams_version"]), "jams_version")
need(isinstance(doc["sandbox"], dict), "sandbox")
KEY = re.compile(r"^N|([A-G][b#]?)(:(major|minor|ionian|dorian|phrygian|lydian|mixolydian|aeolian|locrian))?$")
for i, a in enumerate(doc["annotations"]):
    w = "annotation %d (%s)" % (i, a.get("namespace"))
    need(isinstance(a["namespace"], str) and isinstance(a["data"], list), w + ": namespace/data")
    need(isinstance(a["sandbox"], dict), w + ": sandbox")
    for k in ("time", "duration"): need(a[k] is None or (num(a[k]) and a[k] >= 0), w + ": " + k)
    m = a["annotation_metadata"]
    need(isinstance(m["curator"], dict) and isinstance(m["curator"]["name"], str) and isinstance(m["curator"]["email"], str), w + ": curator")
    need(isinstance(m["annotator"], dict), w + ": annotator")
    need(isinstance(m["version"], (str, int, float)), w + ": version")
    for k in ("corpus", "annotation_tools", "annotation_rules", "validation", "data_source"):
        need(isinstance(m[k], str), w + ": " + k)
    ns = a["namespace"]
    for o in a["data"]:
        need(set(o) >= {"time", "duration", "value", "confidence"}, w + ": observation keys")
        need(num(o["time"]) and o["time"] >= 0 and num(o["duration"]) and o["duration"] >= 0, w + ": time/duration")
        v, c = o["value"], o["confidence"]
        if ns == "key_mode": need(isinstance(v, str) and KEY.match(v), w + ": key_mode " + repr(v))
        elif ns == "tempo": need(num(v) and v > 0 and num(c) and 0 <= c <= 1, w + ": tempo")
        elif ns == "beat": need(v is None or num(v), w + ": beat value")
        elif ns in ("segment_open", "tag_open"): need(isinstance(v, str), w + ": string value")
        elif ns == "note_midi": need(num(v), w + ": note_midi value")
        elif ns == "pitch_contour":
            need(isinstance(v, dict) and isinstance(v["index"], int) and isinstance(v["voiced"], bool), w + ": pitch_contour value")
            need(num(v["frequency"]) and v["frequency"] >= 0, w + ": frequency")
        elif ns == "vector": need(isinstance(v, list) and len(v) >= 1 and all(x is None or num(x) for x in v), w + ": vector value")
        elif ns in ("onset", "blob"): pass
        else: need(False, w + ": unexpected namespace")
print("ok")
EOF

# --- JAMS: the demo's results ---------------------------------------------------------------
check "jams of the demo" ts-serialize -f jams demo.jsonl -o demo.jams
check "the demo's JAMS keeps the JAMS rules" "$PY" check_jams.py demo.jams
py "the demo's namespaces hold its values" '
import json
d = json.load(open("demo.jams")); rs = {json.loads(l)["id"]: json.loads(l) for l in open("demo.jsonl")}
ns = {a["sandbox"]["timeside"]["result"]["id"]: a for a in d["annotations"]}
assert [a["sandbox"]["timeside"]["result"]["id"] for a in d["annotations"]] == list(rs), "order"
want = {"onsets": "onset", "tempo.bpm": "tempo", "tempo.beats": "beat", "tempo.curve": "vector", "key": "key_mode",
        "notes": "note_midi", "pitch.f0": "pitch_contour", "pitch.voiced": "vector", "silence": "segment_open",
        "speech": "segment_open", "structure": "segment_open", "structure.novelty": "vector", "level.peak": "vector"}
for k, v in want.items(): assert ns[k]["namespace"] == v, (k, ns[k]["namespace"])
fm = d["file_metadata"]
assert fm == {"title": "demo", "artist": "", "release": "", "duration": 30.0, "identifiers": {}, "jams_version": "0.3.4"}, fm
t = ns["tempo.bpm"]["data"]; assert len(t) == 1 and t[0]["value"] == rs["tempo.bpm"]["data"]["value"] and t[0]["confidence"] == rs["tempo.bpm"]["data"]["confidence"], t
assert ns["key"]["data"][0]["value"] == "A:minor" and rs["key"]["data"]["label"] == "A minor"
s = ns["silence"]["data"]; assert [(o["time"], o["duration"], o["value"]) for o in s] == [(0, 19.8, "sound"), (19.8, 2.2, "silence"), (22, 8, "sound")], s
n = ns["notes"]["data"]; r = rs["notes"]["data"]
assert [o["value"] for o in n] == r["value"] and [o["time"] for o in n] == r["time"] and [o["confidence"] for o in n] == r["confidence"]
b = ns["tempo.beats"]["data"]; assert [o["time"] for o in b] == rs["tempo.beats"]["data"]["time"] and all(o["value"] is None and o["duration"] == 0 for o in b)
o = ns["onsets"]["data"]; assert [x["value"] for x in o] == rs["onsets"]["data"]["value"]
p = ns["pitch.f0"]["data"]; f = rs["pitch.f0"]; v = rs["pitch.voiced"]["data"]["value"]
assert len(p) == len(f["data"]["value"]) == 5160
assert [x["value"]["frequency"] for x in p] == f["data"]["value"]
assert [x["value"]["voiced"] for x in p] == [x > 0.5 for x in v] and sum(v) > 1000
assert all(abs(x["time"] - i * 256 / 44100) < 1e-12 and x["duration"] == 0 and x["value"]["index"] == 0 for i, x in enumerate(p))
m = ns["notes"]["annotation_metadata"]
assert m["annotation_tools"] == "ts-analyze 0.1.0" and m["data_source"] == "program" and m["version"] == "0.1.0", m
sb = ns["notes"]["sandbox"]["timeside"]["result"]; assert sb["params"] == rs["notes"]["params"] and sb["audio"] == rs["notes"]["audio"]
'
ts-serialize -f jsonl demo.jsonl >demo.norm.jsonl
check "jams back to jsonl" ts-serialize -f jsonl demo.jams -o demo.back.jsonl
check "the demo's jams round trip is byte-identical" cmp demo.norm.jsonl demo.back.jsonl

# --- JAMS: every mode ---------------------------------------------------------------------
ts-serialize -f jsonl modes.jsonl >modes.norm.jsonl
check "jams of every mode" ts-serialize modes.jsonl -o modes.jams
check "every mode keeps the JAMS rules" "$PY" check_jams.py modes.jams
check "jams of every mode reads back" ts-serialize -f jsonl modes.jams -o modes.back.jsonl
check "every mode's round trip is byte-identical" cmp modes.norm.jsonl modes.back.jsonl
[ "$(wc -l <modes.back.jsonl)" = 25 ] && pass || fail "25 results back: $(wc -l <modes.back.jsonl)"
ts-serialize --compact -f jams modes.jsonl >modes.compact.jams
check "compact jams reads back from stdin too" sh -c 'ts-serialize --from jams - <modes.compact.jams | cmp - modes.norm.jsonl'
py "each mode's namespace and observations" '
import json
d = json.load(open("modes.jams")); ns = {a["sandbox"]["timeside"]["result"]["id"]: a for a in d["annotations"]}
want = {"g.scalar": "vector", "g.null": "vector", "g.vector": "vector", "g.one": "vector", "g.empty": "vector",
        "g.label": "tag_open", "key": "key_mode", "keyless.x": "tag_open", "tempo.bpm": "tempo", "tempo2.bpm": "tempo",
        "f.one": "vector", "f.matrix": "vector", "f.empty": "vector", "pitch.f0": "pitch_contour", "e.value": "vector",
        "e.label": "tag_open", "e.times": "blob", "e.none": "blob", "x.onsets": "onset", "t.beats": "beat",
        "s.label": "segment_open", "s.value": "vector", "notes": "note_midi", "s.empty": "blob"}
for k, v in want.items(): assert ns[k]["namespace"] == v, (k, ns[k]["namespace"])
obs = lambda k: [(o["time"], o["duration"], o["value"], o["confidence"]) for o in ns[k]["data"]]
assert d["file_metadata"]["title"] == "caf\u00e9" and d["file_metadata"]["duration"] == 4.75
assert obs("g.scalar") == [(0.5, 4.25, [0.1], None)], obs("g.scalar")
assert obs("g.null") == [] and ns["g.null"]["sandbox"]["timeside"]["data"] == {"value": None, "reason": "silence"}
assert obs("g.vector") == [(0.5, 4.25, [1.5, None, -3e-300, 7], None)]
assert obs("g.empty") == [] and obs("g.one") == [(0.5, 4.25, [2.25], None)]
assert obs("key") == [(0.5, 4.25, "C#:major", None)] and ns["key"]["sandbox"]["timeside"]["data"]["strength"] == 0.5
assert obs("g.label")[0][2] == "\u00e9t\u00e9 <b> & \"x\"\tz"
assert obs("tempo.bpm") == [(0.5, 4.25, 97.5, 0.25)] and obs("tempo2.bpm") == []
assert [o[:3] for o in obs("f.one")] == [(0.5 + i * 200 / 8000, 0.05, [v]) for i, v in enumerate([0.1, None, 3, 1e-7, 0.3])], obs("f.one")
assert [o[2] for o in obs("f.matrix")] == [[1, 2, None], [4.5, 5, 6]] and ns["f.matrix"]["sandbox"]["timeside"]["data"] == {"y": [100, 200.5, 300]}
assert [o[2] for o in obs("pitch.f0")] == [{"index": 0, "frequency": f, "voiced": b} for f, b in [(0, False), (220.5, True), (221.25, False), (0, False)]]
assert obs("e.value") == [(0.5, 0, [3], 1), (1.25, 0, [None], 0.5), (2, 0, [0.125], None)]
assert obs("e.label") == [(0.75, 0, "a\u00e9", 0.1), (1, 0, "<&>", 0.2)]
assert obs("e.times") == [(0.6, 0, None, None), (0.7, 0, None, None)]
assert obs("x.onsets") == [(0.5, 0, "p", None), (1.5, 0, "q", None)] and ns["x.onsets"]["sandbox"]["timeside"]["data"] == {"value": [9, 8]}
assert obs("t.beats") == [(0.5, 0, 1, None), (1.0, 0, 2, None)]
assert obs("s.label") == [(0.5, 2, "A", 1), (2.5, 1.25, "\u00fc", 0.75)] and ns["s.label"]["sandbox"]["timeside"]["data"] == {"n": None}
assert obs("notes") == [(0.5, 0.5, 69, 0.9), (1.5, 0.5, 72.5, 0.8)]
assert obs("s.value") == [(0.5, 0.5, [None], None), (1, 0.25, [2], None)]
'

# --- JAMS: bad input ------------------------------------------------------------------------
printf '{"annotations": [' >broken.jams
expect_fail "malformed JSON in a .jams" 1 "broken.jams: not JSON" ts-serialize -f jsonl broken.jams -o out.jsonl
echo '{"file_metadata": {}, "sandbox": {}}' >noann.jams
expect_fail "a JAMS without annotations" 1 'noann.jams: not a JAMS file: no "annotations" array' ts-serialize -f jsonl noann.jams -o out.jsonl
cat >foreign.jams <<'EOF'
{"file_metadata": {"duration": 3}, "annotations": [{"namespace": "beat", "data": [{"time": 0.5, "duration": 0, "value": 1, "confidence": null}], "annotation_metadata": {}, "sandbox": {}}], "sandbox": {}}
EOF
expect_fail "a JAMS from elsewhere" 1 "foreign.jams: annotation 0 (beat): no sandbox.timeside" ts-serialize -f jsonl foreign.jams -o out.jsonl
"$PY" -c '
import json
d = json.load(open("modes.jams"))
del d["annotations"][3]["sandbox"]["timeside"]["result"]["id"]; json.dump(d, open("noid.jams", "w"))
d = json.load(open("modes.jams"))
d["annotations"][16]["data"][1]["value"] = 5; json.dump(d, open("badvalue.jams", "w"))
d = json.load(open("modes.jams"))
del d["annotations"][21]["data"][0]["time"]; json.dump(d, open("notime.jams", "w"))
d = json.load(open("modes.jams"))
d["annotations"][19]["data"].pop(); json.dump(d, open("short.jams", "w"))
'
expect_fail "a JAMS result without id" 1 "noid.jams: annotation 3: missing key 'id'" ts-serialize -f jsonl noid.jams -o out.jsonl
expect_fail "a number where a label belongs" 1 "badvalue.jams: annotation 16:" ts-serialize -f jsonl badvalue.jams -o out.jsonl
expect_fail "an observation without time" 1 "notime.jams: annotation 21: an observation lacks time" ts-serialize -f jsonl notime.jams -o out.jsonl
expect_fail "an observation too few" 1 "short.jams: annotation 19:" ts-serialize -f jsonl short.jams -o out.jsonl
[ ! -e out.jsonl ] && pass || fail "a failed read left out.jsonl"
cat demo.jsonl modes.jsonl >twosources.jsonl
expect_fail "one JAMS file for two sources" 1 "jams: a JAMS file describes one audio file" ts-serialize twosources.jsonl -o two.jams
[ ! -e two.jams ] && pass || fail "a failed jams write left two.jams"

# --- Label formats ------------------------------------------------------------------------
# Expected lines computed from the JSON Lines: time with 6 decimals (Audacity's own), end =
# time for events, time + duration for segments; the label, else the value, else empty.
cat >labels.py <<'EOF'
import json, sys
fmt, path, id = sys.argv[1:4]
r = next(json.loads(l) for l in open(path) if json.loads(l)["id"] == id)
d = r["data"]
def num(v): return "" if v is None else json.dumps(v)
for i, t in enumerate(d["time"]):
    end = t + d["duration"][i] if r["time_mode"] == "segment" else t
    lab = d["label"][i] if "label" in d else num(d["value"][i]) if "value" in d else ""
    if fmt == "audacity": print("%.6f\t%.6f\t%s" % (t, end, lab.replace("\t", " ")))
    if fmt == "lab": print("%.6f %.6f %s" % (t, end, "".join("_" if c.isspace() else c for c in lab)))
EOF
check "audacity: click onsets" ts-serialize -f audacity clicks.jsonl -o clicks.txt
"$PY" labels.py audacity clicks.jsonl onsets >clicks.want
check "audacity: the expected lines" cmp clicks.txt clicks.want
py "audacity: onsets every 0.5 s, value as label" '
rows = [l.rstrip("\n").split("\t") for l in open("clicks.txt")]
assert len(rows) == 6, rows
for k, (s, e, lab) in enumerate(rows): assert s == e and abs(float(s) - 0.5 * k) < 0.02 and float(lab) > 0, rows
assert rows[1] == ["0.499229", "0.499229", "833.5140380859375"], rows[1]
'
check "audacity: the demo silence" ts-serialize -f audacity --result silence demo.jsonl -o silence.txt
printf '0.000000\t19.800000\tsound\n19.800000\t22.000000\tsilence\n22.000000\t30.000000\tsound\n' >silence.want
check "audacity: silence lines" cmp silence.txt silence.want
py "the silence is the demo's truth within one frame" '
import json; t = json.load(open("truth.json"))["silence"][0]; r = open("silence.txt").read().split("\n")[1].split("\t")
assert abs(float(r[0]) - t[0]) <= 0.02 and abs(float(r[1]) - t[1]) <= 0.02, (r, t)' 
check "lab: the demo structure" ts-serialize -f lab --result structure demo.jsonl -o structure.lab
"$PY" labels.py lab demo.jsonl structure >structure.want
check "lab: the expected lines" cmp structure.lab structure.want
check "lab: notes as values" ts-serialize -f lab --result notes demo.jsonl -o notes.lab
"$PY" labels.py lab demo.jsonl notes >notes.want
check "lab: the notes' lines" cmp notes.lab notes.want
[ "$(head -1 notes.lab | cut -d' ' -f3)" = 69 ] && pass || fail "lab: first note: $(head -1 notes.lab)"

# Hostile labels: <, &, quotes, tab, newline, non-ASCII.
"$PY" -c '
import json
r = json.loads(open("modes.jsonl").readlines()[21])
r["id"] = "hostile"; r["data"]["label"] = ["a <b> & \"c\"\td", "\u00e9t\u00e9 \u266b\nx\\\\y"]
open("hostile.jsonl", "w").write(json.dumps(r, ensure_ascii=False) + "\n")'
check "audacity: hostile labels" ts-serialize -f audacity hostile.jsonl -o hostile.txt
printf '0.500000\t2.500000\ta <b> & "c" d\n2.500000\t3.750000\t\xc3\xa9t\xc3\xa9 \xe2\x99\xab x\\\\y\n' >hostile.want
check "audacity: tab and newline become spaces" cmp hostile.txt hostile.want
check "lab: hostile labels" ts-serialize -f lab hostile.jsonl -o hostile.lab
printf '0.500000 2.500000 a_<b>_&_"c"_d\n2.500000 3.750000 \xc3\xa9t\xc3\xa9_\xe2\x99\xab_x\\\\y\n' >hostile.lab.want
check "lab: whitespace becomes _" cmp hostile.lab hostile.lab.want
check "sonic-visualiser: hostile labels" ts-serialize -f sonic-visualiser hostile.jsonl -o hostile.svl.csv
printf 'time,value,duration,label\n0.500000,,2.000000,"a <b> & \\"c\\"\td"\n2.500000,,1.250000,"\xc3\xa9t\xc3\xa9 \xe2\x99\xab x\\\\\\\\y"\n' >hostile.sv.want
check "sonic-visualiser: quoted, backslash-escaped labels" cmp hostile.svl.csv hostile.sv.want

# Sonic Visualiser layers: time instants, time values, regions.
check "sonic-visualiser: onsets" ts-serialize -f sonic-visualiser clicks.jsonl -o clicks.svl.csv
py "sonic-visualiser: time,value points" '
import json
r = json.loads(open("clicks.jsonl").readline()); d = r["data"]
want = ["%.6f,%s" % (t, json.dumps(v)) for t, v in zip(d["time"], d["value"])]
assert open("clicks.svl.csv").read().split("\n")[:-1] == ["time,value"] + want'
check "sonic-visualiser: silence regions" ts-serialize -f sonic-visualiser --result silence demo.jsonl -o silence.svl.csv
printf 'time,value,duration,label\n0.000000,,19.800000,"sound"\n19.800000,,2.200000,"silence"\n22.000000,,8.000000,"sound"\n' >silence.sv.want
check "sonic-visualiser: region lines" cmp silence.svl.csv silence.sv.want
check "sonic-visualiser: labelled events" ts-serialize -f sonic-visualiser --result e.label modes.jsonl -o elabel.svl.csv
printf 'time,label\n0.750000,"a\xc3\xa9"\n1.000000,"<&>"\n' >elabel.want
check "sonic-visualiser: time,label lines" cmp elabel.svl.csv elabel.want
check "sonic-visualiser: valued segments" ts-serialize -f sonic-visualiser --result notes modes.jsonl -o notes.svl.csv
printf 'time,value,duration,label\n0.500000,69,0.500000,""\n1.500000,72.5,0.500000,""\n' >notes.sv.want
check "sonic-visualiser: time,value,duration lines" cmp notes.svl.csv notes.sv.want
check "sonic-visualiser: framewise values" ts-serialize -f sonic-visualiser --result f.one modes.jsonl -o fone.svl.csv
printf 'time,value\n0.500000,0.1\n0.525000,\n0.550000,3\n0.575000,1e-07\n0.600000,0.3\n' >fone.want
check "sonic-visualiser: time,value layer (null empty)" cmp fone.svl.csv fone.want

# ELAN: one tier per result, slots in milliseconds.
check "elan: demo segments" env SOURCE_DATE_EPOCH=0 ts-serialize -f elan --result silence --result structure --result tempo.beats demo.jsonl -o demo.eaf
py "elan: tiers, slots and values" '
import json, xml.etree.ElementTree as ET
root = ET.parse("demo.eaf").getroot()
assert root.tag == "ANNOTATION_DOCUMENT" and root.get("FORMAT") == "3.0" and root.get("VERSION") == "3.0" and root.get("DATE") == "1970-01-01T00:00:00+00:00", root.attrib
h = root.find("HEADER"); assert h.get("TIME_UNITS") == "milliseconds"
md = h.find("MEDIA_DESCRIPTOR"); assert md.get("MEDIA_URL").startswith("file:///") and md.get("MEDIA_URL").endswith("/demo.tspcm"), md.attrib
slots = {s.get("TIME_SLOT_ID"): int(s.get("TIME_VALUE")) for s in root.find("TIME_ORDER")}
vals = [int(s.get("TIME_VALUE")) for s in root.find("TIME_ORDER")]; assert vals == sorted(vals)
tiers = root.findall("TIER"); assert [t.get("TIER_ID") for t in tiers] == ["tempo.beats", "silence", "structure"], [t.get("TIER_ID") for t in tiers]
assert all(t.get("LINGUISTIC_TYPE_REF") == "default-lt" for t in tiers)
lt = root.find("LINGUISTIC_TYPE"); assert lt.get("LINGUISTIC_TYPE_ID") == "default-lt" and lt.get("TIME_ALIGNABLE") == "true"
def ann(t): return [(slots[a.get("TIME_SLOT_REF1")], slots[a.get("TIME_SLOT_REF2")], a.findtext("ANNOTATION_VALUE")) for a in t.iter("ALIGNABLE_ANNOTATION")]
assert ann(tiers[1]) == [(0, 19800, "sound"), (19800, 22000, "silence"), (22000, 30000, "sound")], ann(tiers[1])
rs = {json.loads(l)["id"]: json.loads(l) for l in open("demo.jsonl")}
b = rs["tempo.beats"]["data"]["time"]; assert ann(tiers[0]) == [(round(t * 1000), round(t * 1000), "") for t in b]
s = rs["structure"]["data"]; assert ann(tiers[2]) == [(round(t * 1000), round((t + d) * 1000), l) for t, d, l in zip(s["time"], s["duration"], s["label"])]
ids = [a.get("ANNOTATION_ID") for a in root.iter("ALIGNABLE_ANNOTATION")]; assert len(ids) == len(set(ids)) == 3 + 3 + len(b)
'
check "elan: hostile labels" ts-serialize -f elan hostile.jsonl --result hostile -o hostile.eaf
py "elan: escaped text parses back to the labels" '
import xml.etree.ElementTree as ET, urllib.parse
root = ET.parse("hostile.eaf").getroot()
assert [a.text for a in root.iter("ANNOTATION_VALUE")] == ["a <b> & \"c\"\td", "\u00e9t\u00e9 \u266b\nx\\\\y"]
u = root.find("HEADER/MEDIA_DESCRIPTOR").get("MEDIA_URL")
assert u.startswith("file:///") and u.endswith("/m%C3%BAsica/caf%C3%A9.wav") and urllib.parse.unquote(u).endswith("/m\u00fasica/caf\u00e9.wav"), u
assert root.find("HEADER/MEDIA_DESCRIPTOR").get("MIME_TYPE") == "audio/x-wav"'
grep -q '&lt;b&gt; &amp; &quot;c&quot;&#9;d' hostile.eaf && pass || fail "elan: escaping"

# Global and framewise results are refused, naming the result and the format; nothing left.
expect_fail "audacity: a framewise result" 1 "audacity: result pitch.f0 is framewise" ts-serialize -f audacity --result pitch.f0 demo.jsonl -o bad.txt
expect_fail "lab: a global result" 1 "lab: result key is global" ts-serialize -f lab --result key demo.jsonl -o bad.lab
expect_fail "sonic-visualiser: a global result" 1 "sonic-visualiser: result tempo.bpm is global" ts-serialize -f sonic-visualiser --result tempo.bpm demo.jsonl -o bad.svl.csv
expect_fail "sonic-visualiser: a matrix" 1 "sonic-visualiser: result f.matrix is a framewise matrix" ts-serialize -f sonic-visualiser --result f.matrix modes.jsonl -o bad.svl.csv
expect_fail "elan: a global result among others" 1 "elan: result level.peak is global" ts-serialize -f elan --result silence --result level.peak demo.jsonl -o bad.eaf
expect_fail "audacity to stdout: a global result" 1 "audacity: result key is global" ts-serialize -f audacity --result key demo.jsonl
[ -z "$(ls bad.* 2>/dev/null)" ] && pass || fail "refused writes left $(ls bad.*)"
expect_fail "audacity holds one result" 2 "audacity holds one result" ts-serialize -f audacity --result silence --result speech demo.jsonl -o two.txt
[ ! -e two.txt ] && pass || fail "two.txt left"

# ELAN skips framewise results with a warning naming each (they have no place on a tier):
# the document is the one written without them. Nothing left to write is an error, no file.
check "elan: reference without framewise" env SOURCE_DATE_EPOCH=0 ts-serialize -f elan --result silence --result structure demo.jsonl -o ref.eaf
env SOURCE_DATE_EPOCH=0 ts-serialize -f elan --result silence --result 'pitch.*' --result structure demo.jsonl -o skip.eaf 2>skip.err
s=$?
[ "$s" = 0 ] && cmp -s skip.eaf ref.eaf && pass || fail "elan with framewise results: exit $s, $(cat skip.err)"
for id in pitch.f0 pitch.confidence pitch.voiced; do
    grep -q "warning: elan: skipping $id: " skip.err && pass || fail "elan: no warning for $id: $(cat skip.err)"
done
[ "$(grep -c skipping skip.err)" = 3 ] && pass || fail "elan: $(grep -c skipping skip.err) warnings, want 3"
env SOURCE_DATE_EPOCH=0 ts-serialize -q -f elan --result silence --result 'pitch.*' --result structure demo.jsonl -o skipq.eaf 2>skipq.err &&
    cmp -s skipq.eaf ref.eaf && [ ! -s skipq.err ] && pass || fail "elan -q: $(cat skipq.err)"
expect_fail "elan: only framewise results" 1 "elan: nothing to write" ts-serialize -f elan --result 'pitch.*' demo.jsonl -o bad.eaf
grep -q "pitch.f0" .err && pass || fail "elan, nothing to write: the results are named: $(cat .err)"
[ ! -e bad.eaf ] && pass || fail "elan: bad.eaf left behind"
ts-analyze -a pitch,notes -f elan demo.tspcm >notes.eaf 2>notes.err
s=$?
py "ts-analyze -a pitch,notes -f elan: the notes tier (exit $s)" '
import xml.etree.ElementTree as ET
root = ET.parse("notes.eaf").getroot()
assert [t.get("TIER_ID") for t in root.findall("TIER")] == ["notes"], [t.get("TIER_ID") for t in root.findall("TIER")]
assert len(list(root.iter("ALIGNABLE_ANNOTATION"))) >= 5
e = open("notes.err").read()
assert all("skipping " + i + ":" in e for i in ("pitch.f0", "pitch.confidence", "pitch.voiced")), e'
mkdir eafdir
check "elan to a folder" ts-serialize -f elan --result pitch.f0 --result silence demo.jsonl -o eafdir/
[ "$(ls eafdir | tr '\n' ' ')" = "demo.silence.eaf " ] && grep -q "skipping pitch.f0" .err && pass || fail "elan folder: $(ls eafdir) $(cat .err)"

finish
