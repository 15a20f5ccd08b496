#!/usr/bin/python3
# Damaged media through the tools that read it (run by damaged.sh): truncations, bit flips
# and overwritten headers of every container, each decoded by ts-decode (the native WAV and
# FLAC readers, and FFmpeg with TS_DECODE_NATIVE=0), ts-info and ts-analyze. Each run must
# end with exit 0, or 1 with one short line naming the file; never a signal, never a hang.
#   damaged.py BIN_DIR FILE... (mutants are written beside the files; seeded, deterministic)
import concurrent.futures as cf
import os
import random
import subprocess
import sys

BIN, FILES = sys.argv[1], sys.argv[2:]
LIMIT = 60  # seconds a run may take (the sanitizer build on a loaded machine)


def mutants(path, rng):
    data = open(path, "rb").read()
    n = len(data)
    out = []
    # truncations: inside the header, at a quarter, in the middle, one byte short
    for cut in (rng.randrange(8, 200), n // 4, n // 2 + rng.randrange(100), n - 1):
        out.append(("cut%d" % cut, data[:cut]))
    # bit flips anywhere: a few, then many
    for flips in (3, 40):
        b = bytearray(data)
        for _ in range(flips):
            b[rng.randrange(n)] ^= 1 << rng.randrange(8)
        out.append(("flip%d" % flips, bytes(b)))
    # the header: 16 random bytes in the first 256, then the first 64 all random
    b = bytearray(data)
    at = rng.randrange(4, 240)
    b[at:at + 16] = bytes(rng.randrange(256) for _ in range(16))
    out.append(("head%d" % at, bytes(b)))
    out.append(("head", bytes(rng.randrange(256) for _ in range(64)) + data[64:]))
    return out


def commands(path):
    ext = path.rsplit(".", 1)[1]
    cmds = [(["ts-decode", path], {}), (["ts-info", path], {}),
            (["ts-analyze", "-a", "level", path], {})]
    if ext in ("wav", "flac"):  # the native reader above, FFmpeg's here
        cmds.append((["ts-decode", path], {"TS_DECODE_NATIVE": "0"}))
    return cmds


def run(job):
    argv, env, path = job
    e = dict(os.environ, **env)
    try:
        p = subprocess.run([os.path.join(BIN, argv[0])] + argv[1:], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=e,
                           timeout=LIMIT)
    except subprocess.TimeoutExpired:
        return "%s%s: no end after %d s" % (" ".join(env), " ".join(argv), LIMIT)
    err = p.stderr.decode(errors="replace")
    lines = err.splitlines()
    what = "%s %s: exit %d" % (" ".join("%s=%s" % kv for kv in env.items()), " ".join(argv),
                                p.returncode)
    if p.returncode not in (0, 1):
        return what + ", want 0 or 1: " + err[-300:]
    if p.returncode == 1:
        if len(lines) != 1 or len(lines[0]) > 400 or os.path.basename(path) not in lines[0]:
            return what + ", want one short line naming the file: " + err[:600]
    elif len(lines) > 1 or any(len(l) > 400 for l in lines):
        return what + ", more than one short warning: " + err[:600]
    return None


rng = random.Random(19)
jobs = []
for f in FILES:
    stem, ext = f.rsplit(".", 1)
    for tag, data in mutants(f, rng):
        m = "%s-%s.%s" % (stem, tag, ext)
        open(m, "wb").write(data)
        jobs += [(argv, env, m) for argv, env in commands(m)]
# every run (two at a time), every problem reported
with cf.ThreadPoolExecutor(2) as pool:
    problems = [p for p in pool.map(run, jobs) if p]
for p in problems:
    print("damaged:", p, file=sys.stderr)
print("%d runs on %d damaged files, %d problems" % (len(jobs), len(FILES) * 8, len(problems)))
sys.exit(1 if problems else 0)
