#!/usr/bin/python3
"""bench/accuracy/score.py: every analysis task of ts-analyze and aubio scored on the corpus.

    bench/accuracy/score.py [--corpus DIR] [--before TOOL] [--write] [--pieces]

Reads the corpus that bench/accuracy/make-corpus makes (default bench/accuracy/corpus; made
first when absent), runs `ts-analyze -a onsets,tempo,key,pitch,notes` (BUILD, default build)
and the aubio tools (Debian aubio-tools 0.4.9, each at its defaults) on every piece, and
`ts-analyze -a speech,silence` on the speech items, and scores them against the JAMS truth
with mir_eval (and ts-eval for the labels), per piece, averaged over the pieces of the
tuning half ("tune", even pieces: where every default was chosen) and of the held-out half
("test", odd pieces: the fair figure):

  onsets F   mir_eval.onset.f_measure, 50 ms window; ts-analyze -a onsets (its default
             method) against aubioonset (its default, hfc)
  beats F    mir_eval.beat.f_measure, 70 ms window, on every beat (no trimming of the first
             5 s: the pieces are short); tempo.beats against aubiotrack
  tempo      Acc1: |est - ref| <= 4% of ref; Acc2: the same at ref x 1, 2, 3, 1/2 or 1/3 (Gouyon
             et al. 2006); ts-analyze's tempo.bpm against 60 / the median inter-beat interval
             of aubiotrack (aubio's tempo estimate is that of its beat tracker)
  pitch RPA  mir_eval.melody.evaluate's raw pitch accuracy (50 cents), on the pieces whose
             melody plays alone ("solo"); truth: the JAMS's pitch_contour (the melody's f0
             every 5.8 ms, unvoiced between notes); estimates at the centre of the samples each frame analysed;
             pitch.f0 (yinfft, block 2048, step 256) against aubiopitch -B 2048 -H 256
             (and its raw chroma accuracy, octave errors forgiven)
  notes F    mir_eval.transcription.precision_recall_f1_overlap without offsets (onset within
             50 ms, pitch within 50 cents), on the solo pieces; notes against aubionotes
  key        mir_eval.key.weighted_score (1 exact, 0.5 fifth, 0.3 relative, 0.2 parallel);
             aubio has no key estimator
  labels     `ts-eval -t labels` (mir_eval.chord's weighting: the share of the reference's
             duration where the labels agree): ts-analyze's speech/music segments with its
             silence segments laid over them ("silence" wins), against the speech items'
             speech / music / silence truth ("labels: speech items") and the pieces' music /
             silence truth ("labels: music pieces": any speech found is wrong); and the
             silence segments alone, silence / sound, on both ("silence: all"). aubio has no
             speech/music segmenter: no aubio figures

--before TOOL scores a second ts-analyze binary (e.g. one built from an older commit) in a
"before" column (--before-label TEXT says what it is, in the text). --write puts the table into bench/RESULTS.md between
<!-- accuracy-score:begin --> and <!-- accuracy-score:end -->; --pieces prints each piece's
key, tempo and F figures (and each speech item's segments). Needs python3-mir-eval,
aubio-tools (scripts/setup --bench) and a build of ts-analyze and ts-eval (BUILD, default
build). 25 s of CPU: 110 s on 2 cores at a load average of 16 (with aubio and --before).
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onsets import write_section  # noqa: E402  (the RESULTS.md section writer)

try:
    import mir_eval
    import numpy as np
except ImportError as e:
    sys.exit("score.py: %s (apt-get install python3-mir-eval, or scripts/setup --bench)" % e)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RATE = 44100
PITCH_BLOCK, PITCH_STEP = 2048, 256
TS_EVAL = None  # build/tools/ts-eval, set in main
SILENCE_GAP, MUSIC_DB = 2.5, -12  # as make-corpus makes the speech items
GOALS = {"onsets F": 0.96, "beats F": 0.92, "tempo Acc1": 0.95, "tempo Acc2": None,
         "pitch RPA": 0.97, "pitch RCA": None, "notes F": None, "key score": 0.90,
         "labels: speech items": None, "labels: music pieces": None, "silence: all": None}
LABEL_TASKS = ("labels: speech items", "labels: music pieces", "silence: all")


def load_corpus(corpus):
    manifest = json.load(open(os.path.join(corpus, "corpus.json")))
    pieces = []
    for p in manifest["pieces"]:
        jams = json.load(open(os.path.join(corpus, p["name"] + ".jams")))
        ann = {a["namespace"]: a["data"] for a in jams["annotations"]}
        notes = ann["note_midi"]
        pieces.append(p | {
            "wav": os.path.join(corpus, p["name"] + ".wav"),
            "onsets": np.array([o["time"] for o in ann["onset"]]),
            "beats": np.array([o["time"] for o in ann["beat"]]),
            "tempo": float(ann["tempo"][0]["value"]),
            "key_ref": ann["key_mode"][0]["value"].replace(":", " "),
            "notes": (np.array([[n["time"], n["time"] + n["duration"]] for n in notes]).reshape(-1, 2),
                      np.array([440.0 * 2 ** ((n["value"] - 69) / 12) for n in notes])),
            "contour": (np.array([o["time"] for o in ann["pitch_contour"]]),
                        np.array([o["value"]["frequency"] if o["value"]["voiced"] else 0.0
                                  for o in ann["pitch_contour"]])),
            "segments": segments(ann["segment_open"]),
        })
    items = []
    for p in manifest.get("speech", []):
        jams = json.load(open(os.path.join(corpus, "speech", p["name"] + ".jams")))
        ann = {a["namespace"]: a["data"] for a in jams["annotations"]}
        items.append(p | {"wav": os.path.join(corpus, "speech", p["name"] + ".wav"),
                          "segments": segments(ann["segment_open"])})
    return manifest, pieces, items


def segments(data):
    return [(o["time"], o["time"] + o["duration"], o["value"]) for o in data]


def ts_run(tool, pieces, jobs, analyzers="onsets,tempo,key,pitch.f0,notes,speech,silence"):
    """ts-analyze's estimates per piece name."""
    chunks = [pieces[i::jobs] for i in range(jobs)]

    def run(chunk):
        cmd = [tool, "--no-sha1", "--quiet", "-a", analyzers]
        out = subprocess.run(cmd + [p["wav"] for p in chunk], check=True, capture_output=True,
                             text=True).stdout
        est = {}
        for line in out.splitlines():
            r = json.loads(line)
            name = os.path.basename(r["audio"]["source"])[:-4]
            e = est.setdefault(name, {})
            d = r["data"]
            if r["id"] == "onsets":
                e["onsets"] = np.array(d["time"], float)
            elif r["id"] == "tempo.beats":
                e["beats"] = np.array(d["time"], float)
            elif r["id"] == "tempo.bpm":
                e["tempo"] = d["value"] if d["value"] is not None else 0.0
            elif r["id"] == "key":
                e["key"] = d["label"] or "C major"
                e["key_extra"] = (d.get("strength"), d.get("runner_up"), d.get("runner_up_strength"))
            elif r["id"] == "pitch.f0":
                fr = r["frames"]
                v = np.array(d["value"], float)
                e["f0"] = ((np.arange(len(v)) * fr["step"] + fr["block"] / 2) / fr["rate"], v)
            elif r["id"] in ("speech", "silence"):
                e[r["id"]] = [(round(t, 6), round(t + du, 6), lab) for t, du, lab in
                              zip(d["time"], d["duration"], d["label"]) if round(du, 6) > 0]
            elif r["id"] == "notes":
                t, du = np.array(d["time"], float), np.array(d["duration"], float)
                e["notes"] = (np.stack([t, t + du], axis=1).reshape(-1, 2),
                              440.0 * 2 ** ((np.array(d["value"], float) - 69) / 12))
        return est

    est = {}
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for e in pool.map(run, chunks):
            est.update(e)
    return est


def aubio_run(pieces, jobs):
    def lines(cmd):
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split("\n")

    def run(p):
        w = p["wav"]
        e = {"onsets": np.array([float(x) for x in lines(["aubioonset", "-i", w]) if x], float)}
        e["beats"] = np.array([float(x) for x in lines(["aubiotrack", "-i", w]) if x], float)
        e["tempo"] = 60.0 / float(np.median(np.diff(e["beats"]))) if len(e["beats"]) > 2 else 0.0
        rows = [x.split() for x in lines(["aubiopitch", "-i", w, "-B", str(PITCH_BLOCK), "-H",
                                          str(PITCH_STEP)]) if x]
        t = np.array([float(r[0]) for r in rows]) + (PITCH_STEP - PITCH_BLOCK / 2) / RATE
        e["f0"] = (t, np.array([float(r[1]) for r in rows]))
        rows = [x.split() for x in lines(["aubionotes", "-i", w]) if len(x.split()) == 3]
        e["notes"] = (np.array([[float(r[1]), float(r[2])] for r in rows]).reshape(-1, 2),
                      np.array([440.0 * 2 ** ((float(r[0]) - 69) / 12) for r in rows]))
        return p["name"], e

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        return dict(pool.map(run, pieces))


def combined_labels(e):
    """ts-analyze's speech/music segments with its silence segments laid over them: the
    label of each span between the two's boundaries is "silence" where the silence
    segmenter says so, else the speech segmenter's ("silence" where it gives none: a
    silent input)."""
    sp, si = e.get("speech", []), e.get("silence", [])
    cuts = sorted({t for a, b, _ in sp + si for t in (a, b)})
    out = []

    def at(segs, t, default):
        for a, b, lab in segs:
            if a <= t < b:
                return lab
        return default

    for a, b in zip(cuts, cuts[1:]):
        lab = "silence" if at(si, a, "sound") == "silence" else at(sp, a, "silence")
        if out and out[-1][2] == lab:
            out[-1] = (out[-1][0], b, lab)
        else:
            out.append((a, b, lab))
    return out


def label_accuracy(ref, est, tmp):
    """ts-eval -t labels (mir_eval.chord's rule: the matching labels' durations over the
    reference's span) of two label lists, through lab files."""
    paths = []
    for name, segs in (("ref", ref), ("est", est)):
        path = os.path.join(tmp, name + ".lab")
        with open(path, "w") as f:
            for a, b, lab in segs:
                f.write("%.6f\t%.6f\t%s\n" % (a, b, lab))
        paths.append(path)
    if not est:
        return 0.0
    run = subprocess.run([TS_EVAL, "-t", "labels"] + paths, capture_output=True, text=True)
    if run.returncode:
        sys.exit("score.py: ts-eval -t labels failed: %s\nreference %s\nestimate %s"
                 % (run.stderr.strip(), ref, est))
    out = run.stdout
    return next(json.loads(l)["data"]["value"] for l in out.splitlines()
                if json.loads(l)["id"] == "eval.labels.accuracy")


def score_labels(p, e, tmp):
    """The labels tasks of one piece or speech item."""
    s = {}
    est = combined_labels(e)
    task = "labels: speech items" if "kind" in p else "labels: music pieces"
    s[task] = label_accuracy(p["segments"], est, tmp)
    binary = lambda segs: [(a, b, "silence" if lab == "silence" else "sound") for a, b, lab in segs]
    s["silence: all"] = label_accuracy(binary(p["segments"]), e.get("silence", []), tmp)
    return s


def acc(est, ref, factors):
    return float(any(abs(est - ref * f) <= 0.04 * ref * f for f in factors))


def score_piece(p, e, tmp):
    if "kind" in p:  # a speech item: the labels tasks only
        return score_labels(p, e, tmp) if "speech" in e else {}
    s = score_labels(p, e, tmp) if "speech" in e else {}
    s["onsets F"] = mir_eval.onset.f_measure(p["onsets"], e["onsets"], window=0.05)[0]
    s["beats F"] = mir_eval.beat.f_measure(p["beats"], e["beats"], f_measure_threshold=0.07)
    s["tempo Acc1"] = acc(e["tempo"], p["tempo"], [1])
    s["tempo Acc2"] = acc(e["tempo"], p["tempo"], [1, 2, 3, 1 / 2, 1 / 3])
    if p["texture"] == "solo":
        rt, rf = p["contour"]
        et, ef = e["f0"]
        ef = np.where(ef > 0, ef, 0.0)
        m = mir_eval.melody.evaluate(rt, rf, et, ef)
        s["pitch RPA"], s["pitch RCA"] = m["Raw Pitch Accuracy"], m["Raw Chroma Accuracy"]
        # Where the misses are: within 50 ms of a note's onset (a frame then still holds
        # the note before, or its release) or later
        rv, rc, ev, ec = mir_eval.melody.to_cent_voicing(rt, rf, et, ef)
        miss = (rv > 0) & ((ev <= 0) | (np.abs(ec - rc) > 50))
        onsets = np.sort(p["notes"][0][:, 0])
        k = np.searchsorted(onsets, rt, side="right") - 1
        near = (k >= 0) & (rt - onsets[np.maximum(k, 0)] < 0.05)
        s["_pitch misses"] = (int((rv > 0).sum()), int((miss & near).sum()), int((miss & ~near).sum()))
        ri, rp = p["notes"]
        ei, ep = e["notes"]
        keep = ei[:, 1] > ei[:, 0] if len(ei) else np.zeros(0, bool)
        s["notes F"] = mir_eval.transcription.precision_recall_f1_overlap(
            ri, rp, ei[keep], ep[keep], offset_ratio=None)[2] if len(ei[keep]) else 0.0
    if "key" in e:
        s["key score"] = mir_eval.key.weighted_score(p["key_ref"], e["key"])
    return s


def summarise(pieces, est):
    with tempfile.TemporaryDirectory(prefix="score-") as tmp:
        per = {p["name"]: score_piece(p, est[p["name"]], tmp) for p in pieces if p["name"] in est}
    out = {}
    for split in ("tune", "test"):
        names = [p["name"] for p in pieces if p["split"] == split]
        for task in GOALS:
            v = [per[n][task] for n in names if task in per[n]]
            if v:
                out[(task, split)] = (float(np.mean(v)), len(v))
    return out, per


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def markdown(manifest, pieces, items, results, tool, before, load0, before_label):
    ver = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    aub = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "aubio-tools"],
                         capture_output=True, text=True).stdout
    commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    n_tune = sum(p["split"] == "tune" for p in pieces)
    solo = sum(p["texture"] == "solo" for p in pieces)
    out = []
    w = out.append
    w("## Accuracy on the generated corpus: every task, ts-analyze vs aubio")
    w("")
    w("Measured by `bench/accuracy/score.py --write%s` on %s, %d cores; TimeSide %s (%s); "
      "aubio %s; mir_eval %s; load average %s at the start, %s at the end.%s"
      % (" --before TOOL" if before else "", datetime.date.today().isoformat(), os.cpu_count(),
         commit, ver, aub, mir_eval.__version__, load0, load_average(),
         " Before: %s." % before_label if before and before_label else ""))
    w("")
    w("Corpus: `bench/accuracy/make-corpus` (seed %d): %d pieces (%d tune, %d held out; %d with "
      "the melody alone, for pitch and notes), %.1f minutes, every key major and minor, "
      "50-200 BPM, 2/4 3/4 4/4 6/8 and swing, rendered by timidity and fluidsynth with two "
      "sound fonts. Scores per piece with mir_eval, averaged over the pieces of each half: "
      "onsets F (50 ms), beats F (70 ms, no trimming), tempo Acc1 / Acc2 (4%%; Acc2 also at "
      "x2, x3, /2, /3), pitch raw pitch and raw chroma accuracy (50 cents; solo pieces; "
      "truth: the JAMS pitch_contour, the sounding note's f0 every 5.8 ms), notes F (onset 50 "
      "ms, pitch 50 cents, no offsets; solo pieces), key weighted score. The defaults were "
      "chosen on the tune half; the held-out column is the fair figure."
      % (manifest["seed"], len(pieces), n_tune, len(pieces) - n_tune, solo,
         sum(p["duration"] for p in pieces) / 60))
    w("")
    w("Segmenters: %d speech items besides (espeak-ng in English, French and German; speech "
      "alone with a %.1f s silence, speech over music %d dB under it, speech and music in "
      "turn with a silence; %.1f minutes) and the pieces above (music, a third with a silent "
      "gap). ts-analyze's speech/music segments with its silence segments laid over them, "
      "scored by `ts-eval -t labels` (the matching labels' share of the reference's "
      "duration; speech over music counts as speech): labels: speech items (speech / music "
      "/ silence), labels: music pieces (music / silence: any speech found is wrong), and "
      "silence: all (the silence segmenter alone, silence / sound, every piece and item). "
      "aubio has no speech/music segmenter: no aubio figures for these rows."
      % (len(items), SILENCE_GAP, -MUSIC_DB, sum(p["duration"] for p in items) / 60))
    w("")
    misses = [results["ts_per"][p["name"]]["_pitch misses"] for p in pieces
              if p["split"] == "test" and "_pitch misses" in results["ts_per"][p["name"]]]
    if misses:
        n = sum(m[0] for m in misses)
        w("Pitch misses of ts-analyze, held out: %.1f%% of the voiced frames within 50 ms of a "
          "note's onset (the 46 ms frame still holds the note before, or its release), %.1f%% "
          "later." % (100.0 * sum(m[1] for m in misses) / n, 100.0 * sum(m[2] for m in misses) / n))
        w("")
    head = "| task | "
    if before:
        head += "ts-analyze before: tune | held-out | "
    head += ("ts-analyze: tune | **held-out** | aubio (aubioonset, aubiotrack, aubiopitch, "
             "aubionotes): tune | held-out | goal (held-out) |")
    w(head)
    w("|---|" + "---:|" * (head.count("|") - 2))
    for task, goal in GOALS.items():
        row = "| %s | " % task
        cols = (["before"] if before else []) + ["ts", "aubio"]
        for c in cols:
            for split in ("tune", "test"):
                v = results[c].get((task, split))
                txt = "—" if v is None else "%.3f" % v[0]
                if c == "ts" and split == "test" and v is not None:
                    txt = "**%s**" % txt
                row += txt + " | "
        g = results["ts"].get((task, "test"))
        if goal is None:
            row += "— |"
        else:
            row += "≥ %.2f (%s) |" % (goal, "met" if g and g[0] >= goal - 1e-12 else "NOT met")
        w(row)
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--before", help="a second ts-analyze binary, scored in a 'before' column")
    ap.add_argument("--before-label", default="", help="what the before binary is, for the text")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--pieces", action="store_true", help="print each piece's figures")
    ap.add_argument("--no-aubio", action="store_true", help="skip aubio (faster, for tuning)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    load0 = load_average()
    build = os.environ.get("BUILD", "build")
    tool = os.path.join(build if os.path.isabs(build) else os.path.join(ROOT, build), "tools",
                        "ts-analyze")
    if not os.access(tool, os.X_OK):
        sys.exit("score.py: %s is not built (ninja -C %s tools/ts-analyze)" % (tool, build))
    for t in ("aubioonset", "aubiotrack", "aubiopitch", "aubionotes"):
        if not args.no_aubio and not shutil.which(t):
            sys.exit("score.py: %s is missing (apt-get install aubio-tools)" % t)
    if not os.path.exists(os.path.join(args.corpus, "corpus.json")):
        subprocess.run([os.path.join(HERE, "make-corpus"), args.corpus], check=True)
    global TS_EVAL
    TS_EVAL = os.path.join(os.path.dirname(tool), "ts-eval")
    if not os.access(TS_EVAL, os.X_OK):
        sys.exit("score.py: %s is not built (ninja -C %s tools/ts-eval)" % (TS_EVAL, build))
    manifest, pieces, items = load_corpus(args.corpus)
    # mir_eval warns of a "non-uniform timescale" for frame times that are exact multiples
    # of the step but not of its float rounding: harmless here
    warnings.filterwarnings("ignore", message="Non-uniform timescale")
    results, per = {}, {}
    segmenters = "speech,silence"
    est = ts_run(tool, pieces, args.jobs) | ts_run(tool, items, args.jobs, segmenters)
    results["ts"], per["ts"] = summarise(pieces + items, est)
    results["ts_per"] = per["ts"]
    if args.before:
        before = ts_run(args.before, pieces, args.jobs) | ts_run(args.before, items, args.jobs,
                                                                 segmenters)
        results["before"], _ = summarise(pieces + items, before)
    if args.no_aubio:
        results["aubio"] = {}
    else:
        results["aubio"], _ = summarise(pieces, aubio_run(pieces, args.jobs))
    if args.pieces:
        for p in pieces:
            s, e = per["ts"][p["name"]], est[p["name"]]
            print("%-28s %-4s ref %-9s %3d  est %-9s (%s %.3f / %s %.3f) %6.1f  on %.3f beat %.3f%s" % (
                p["name"], p["split"], p["key_ref"], p["tempo"], e["key"], "", e["key_extra"][0] or 0,
                e["key_extra"][1], e["key_extra"][2] or 0, e["tempo"], s["onsets F"], s["beats F"],
                "  rpa %.3f notes %.3f" % (s["pitch RPA"], s["notes F"]) if "pitch RPA" in s else ""))
        for p in items:
            s, e = per["ts"][p["name"]], est[p["name"]]
            print("%-28s %-4s labels %.3f silence %.3f  ref %s\n%38s est %s" % (
                p["name"], p["split"], s["labels: speech items"], s["silence: all"],
                " ".join("%.1f-%.1f:%s" % x for x in p["segments"]), "",
                " ".join("%.1f-%.1f:%s" % x for x in combined_labels(e))))
    body = markdown(manifest, pieces, items, results, tool, args.before, load0, args.before_label)
    print(body)
    if args.write:
        write_section(body, "accuracy-score")


if __name__ == "__main__":
    main()
