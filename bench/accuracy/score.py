#!/usr/bin/python3
"""bench/accuracy/score.py: every analysis task of ts-analyze and aubio scored on the corpus.

    bench/accuracy/score.py [--corpus DIR] [--before TOOL] [--write] [--pieces]

Reads the corpus that bench/accuracy/make-corpus makes (default bench/accuracy/corpus; made
first when absent), runs `ts-analyze -a onsets,tempo,key,pitch,notes` (BUILD, default build)
and the aubio tools (Debian aubio-tools 0.4.9, each at its defaults) on every piece, and
scores both against the JAMS truth with mir_eval, per piece, averaged over the pieces of the
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

--before TOOL scores a second ts-analyze binary (e.g. one built from an older commit) in a
"before" column. --write puts the table into bench/RESULTS.md between
<!-- accuracy-score:begin --> and <!-- accuracy-score:end -->; --pieces prints each piece's
key, tempo and F figures. Needs python3-mir-eval and aubio-tools (scripts/setup --bench).
About 2 minutes on 2 cores.
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import shutil
import subprocess
import sys
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
GOALS = {"onsets F": 0.96, "beats F": 0.92, "tempo Acc1": 0.95, "tempo Acc2": None,
         "pitch RPA": 0.97, "pitch RCA": None, "notes F": None, "key score": 0.90}


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
        })
    return manifest, pieces


def ts_run(tool, pieces, jobs):
    """ts-analyze's estimates per piece name."""
    chunks = [pieces[i::jobs] for i in range(jobs)]

    def run(chunk):
        cmd = [tool, "--no-sha1", "--quiet", "-a", "onsets,tempo,key,pitch.f0,notes"]
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


def acc(est, ref, factors):
    return float(any(abs(est - ref * f) <= 0.04 * ref * f for f in factors))


def score_piece(p, e):
    s = {}
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
        ri, rp = p["notes"]
        ei, ep = e["notes"]
        keep = ei[:, 1] > ei[:, 0] if len(ei) else np.zeros(0, bool)
        s["notes F"] = mir_eval.transcription.precision_recall_f1_overlap(
            ri, rp, ei[keep], ep[keep], offset_ratio=None)[2] if len(ei[keep]) else 0.0
    if "key" in e:
        s["key score"] = mir_eval.key.weighted_score(p["key_ref"], e["key"])
    return s


def summarise(pieces, est):
    per = {p["name"]: score_piece(p, est[p["name"]]) for p in pieces}
    out = {}
    for split in ("tune", "test"):
        names = [p["name"] for p in pieces if p["split"] == split]
        for task in GOALS:
            v = [per[n][task] for n in names if task in per[n]]
            if v:
                out[(task, split)] = (float(np.mean(v)), len(v))
    return out, per


def markdown(manifest, pieces, results, tool, before):
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
      "aubio %s; mir_eval %s." % (" --before TOOL" if before else "",
                                  datetime.date.today().isoformat(), os.cpu_count(), commit, ver,
                                  aub, mir_eval.__version__))
    w("")
    w("Corpus: `bench/accuracy/make-corpus` (seed %d): %d pieces (%d tune, %d held out; %d with "
      "the melody alone, for pitch and notes), %.1f minutes, every key major and minor, "
      "50-200 BPM, 2/4 3/4 4/4 6/8 and swing, rendered by timidity and fluidsynth with two "
      "sound fonts. Scores per piece with mir_eval, averaged over the pieces of each half: "
      "onsets F (50 ms), beats F (70 ms, no trimming), tempo Acc1 / Acc2 (4%%; Acc2 also at "
      "x2, x3, /2, /3), pitch raw pitch and raw chroma accuracy (50 cents; solo pieces; "
      "truth: the MIDI note's f0), notes F (onset 50 "
      "ms, pitch 50 cents, no offsets; solo pieces), key weighted score. The defaults were "
      "chosen on the tune half; the held-out column is the fair figure."
      % (manifest["seed"], len(pieces), n_tune, len(pieces) - n_tune, solo,
         sum(p["duration"] for p in pieces) / 60))
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
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--pieces", action="store_true", help="print each piece's figures")
    ap.add_argument("--no-aubio", action="store_true", help="skip aubio (faster, for tuning)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
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
    manifest, pieces = load_corpus(args.corpus)
    # mir_eval warns of a "non-uniform timescale" for frame times that are exact multiples
    # of the step but not of its float rounding: harmless here
    warnings.filterwarnings("ignore", message="Non-uniform timescale")
    results, per = {}, {}
    est = ts_run(tool, pieces, args.jobs)
    results["ts"], per["ts"] = summarise(pieces, est)
    if args.before:
        results["before"], _ = summarise(pieces, ts_run(args.before, pieces, args.jobs))
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
    body = markdown(manifest, pieces, results, tool, args.before)
    print(body)
    if args.write:
        write_section(body, "accuracy-score")


if __name__ == "__main__":
    main()
