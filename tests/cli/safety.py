#!/usr/bin/python3
# Kills and concurrent writers for every tool that writes a file with -o (run by safety.sh;
# bench/README.md gives the 100-kill run):
#   safety.py BIN_DIR KILLS
# In the current folder: makes the inputs, then for each command (1) runs it once whole, the
# reference; (2) KILLS times starts it and sends SIGKILL at a random moment of its run
# (seeded): the final path must then hold nothing or the reference's content, never a part;
# (3) runs it whole again: the temporary files the killed runs left (.NAME.tmp-XXXXXX) are
# gone and the output is the reference; (4) starts two runs at once on the same -o, three
# twice: both succeed and leave the reference's content and no temporary file.
import os
import random
import signal
import subprocess
import sys
import time

BIN, KILLS = sys.argv[1], int(sys.argv[2])
rng = random.Random(19)
problems = []


def tool(argv):
    return [os.path.join(BIN, argv[0])] + argv[1:]


def sh(argv):
    subprocess.run(tool(argv), check=True, stdout=subprocess.DEVNULL)


def content(path):
    """What a file holds, in a form two complete runs share (HDF5 stores object times)."""
    if not os.path.exists(path):
        return None
    if path.endswith(".h5"):
        return subprocess.run(tool(["ts-serialize", "-f", "jsonl", path]), check=True,
                              stdout=subprocess.PIPE).stdout
    return open(path, "rb").read()


def temps(out):
    return [f for f in os.listdir(".") if f.startswith("." + out + ".tmp-")]


sh(["ts-gen", "noise", "--duration", "8", "--channels", "2", "-o", "in.wav"])
sh(["ts-transcode", "in.wav", "-o", "in.flac"])
sh(["ts-analyze", "-a", "spectrogram", "in.wav", "-o", "in.jsonl"])

# (output, command): each writes OUTPUT with -o
commands = [
    ("out.tspcm", ["ts-decode", "in.flac", "-o", "out.tspcm"]),
    ("gen.wav", ["ts-gen", "noise", "--duration", "30", "-o", "gen.wav"]),
    ("out.mp3", ["ts-transcode", "in.flac", "-o", "out.mp3"]),
    ("out.jsonl", ["ts-analyze", "-a", "spectrogram,mfcc", "in.wav", "-o", "out.jsonl"]),
    ("an.h5", ["ts-analyze", "-a", "spectrogram", "in.wav", "-o", "an.h5"]),
    ("out.h5", ["ts-serialize", "in.jsonl", "-o", "out.h5"]),
    ("out.csv", ["ts-serialize", "-f", "csv", "in.jsonl", "-o", "out.csv"]),
    ("out.png", ["ts-graph", "spectrogram", "-W", "2000", "-H", "600", "in.wav", "-o", "out.png"]),
    ("info.json", ["ts-info", "in.flac", "-o", "info.json"]),
]
kills = 0
for out, argv in commands:
    name = " ".join(argv)
    t0 = time.monotonic()
    sh(argv)
    whole = time.monotonic() - t0
    ref = content(out)
    os.remove(out)
    for k in range(KILLS):
        if os.path.exists(out):
            os.remove(out)
        p = subprocess.Popen(tool(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, whole * 1.1))
        p.send_signal(signal.SIGKILL)
        p.wait()
        kills += p.returncode == -signal.SIGKILL
        if os.path.exists(out) and content(out) != ref:
            problems.append("%s: killed after a part of its run, %s holds a part" % (name, out))
    left = len(temps(out))
    r = subprocess.run(tool(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0 or content(out) != ref:
        problems.append("%s: the run after the kills: exit %d %s" % (name, r.returncode, r.stderr[-300:]))
    if temps(out):
        problems.append("%s: %d temporary files left by killed runs, %d still there after the "
                        "next run: %s" % (name, left, len(temps(out)), temps(out)[:3]))
    for _ in range(2):
        if os.path.exists(out):
            os.remove(out)
        ps = [subprocess.Popen(tool(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
              for _ in range(2)]
        errs = [p.communicate()[1] for p in ps]
        codes = [p.returncode for p in ps]
        if codes != [0, 0] or content(out) != ref or temps(out):
            problems.append("%s: two runs at once: exits %s, %s, temporary files %s" %
                            (name, codes, "the reference" if content(out) == ref else "not the reference",
                             temps(out)[:3]) + " " + repr([e[-200:] for e in errs]))
for p in problems:
    print("safety:", p, file=sys.stderr)
print("%d commands, %d SIGKILLs that hit a running tool, %d problems" % (len(commands), kills, len(problems)))
sys.exit(1 if problems else 0)
