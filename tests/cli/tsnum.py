#!/usr/bin/python3
"""Numeric checks for the CLI suites, over TSPCM or raw f32le files (numpy).

  tsnum.py expect FILE 'EXPR' ['EXPR'...]   each EXPR must be true; names available:
      x (frames x channels float64), h (header dict), rate, channels, frames,
      peak_db, rms_db (over all samples), freq (dominant frequency of channel 0, Hz),
      np
  tsnum.py compare A B TOL [CHANNELS]       A and B (TSPCM, or raw f32le with CHANNELS)
      hold the same number of frames and differ by at most TOL everywhere

And for the suites' own Python checks of ts-result files (sys.path.insert(0,
os.environ["TS_SRC"] + "/tests/cli"), then from tsnum import ...): results(PATH), the
results of a JSON Lines file by id; values(RESULT, KEY="value"), data[KEY] as a float array
(null as NaN, rows of a matrix too); near(A, B, TOL).
"""
import json
import sys
import numpy as np


def results(path, by_channel=False):
    """The results of a JSON Lines file by id (with by_channel, "id@CHANNEL" for the results
    of --mix each)."""
    out = {}
    for line in open(path):
        r = json.loads(line)
        key = r["id"]
        if by_channel and "channel" in r["audio"]:
            key = "%s@%d" % (key, r["audio"]["channel"])
        out[key] = r
    return out


def values(r, key="value"):
    def num(v):
        return np.nan if v is None else v
    v = r["data"][key]
    if not isinstance(v, list):
        return np.array(num(v), dtype=float)
    return np.array([[num(x) for x in row] if isinstance(row, list) else num(row) for row in v],
                    dtype=float)


def near(a, b, tol):
    return a is not None and abs(a - b) <= tol


def load(path, channels=None):
    raw = open(path, "rb").read()
    if raw.startswith(b"TSPCM 1\n"):
        end = raw.find(b"\nEND\n")
        h = {}
        for line in raw[8:end].decode().split("\n"):
            k, v = line.split(":", 1)
            h.setdefault(k.strip(), v.strip())
        body = raw[end + 5:]
        dtype = "<f4" if h["format"] == "f32le" else "<i2"
        x = np.frombuffer(body, dtype=dtype).astype(np.float64)
        if dtype == "<i2":
            x /= 32768.0
        ch = int(h["channels"])
        return x.reshape(-1, ch), h
    ch = int(channels or 1)
    x = np.frombuffer(raw, dtype="<f4").astype(np.float64)
    return x.reshape(-1, ch), {}


def db(v):
    return float(20 * np.log10(v)) if v > 0 else float("-inf")


def facts(x, h):
    rate = int(h.get("rate", 0) or 0)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    rms = float(np.sqrt(np.mean(x * x))) if x.size else 0.0
    freq = 0.0
    if x.shape[0] > 16 and rate:
        sig = x[:, 0] * np.hanning(x.shape[0])
        spec = np.abs(np.fft.rfft(sig))
        k = int(np.argmax(spec))
        if 0 < k < len(spec) - 1:  # parabolic interpolation of the peak bin
            a, b, c = np.log(spec[k - 1] + 1e-30), np.log(spec[k] + 1e-30), np.log(spec[k + 1] + 1e-30)
            k = k + 0.5 * (a - c) / (a - 2 * b + c)
        freq = k * rate / x.shape[0]
    return dict(x=x, h=h, rate=rate, channels=x.shape[1], frames=x.shape[0],
                peak_db=db(peak), rms_db=db(rms), freq=freq, np=np)


def main(argv):
    if len(argv) >= 3 and argv[0] == "expect":
        x, h = load(argv[1])
        env = facts(x, h)
        bad = [e for e in argv[2:] if not eval(e, {}, env)]
        if bad:
            shown = {k: v for k, v in env.items() if k not in ("x", "h", "np")}
            sys.exit("false: %s  (%s; header %s)" % ("; ".join(bad), shown, h))
        return
    if len(argv) >= 4 and argv[0] == "compare":
        ch = argv[4] if len(argv) > 4 else None
        a, _ = load(argv[1], ch)
        b, _ = load(argv[2], ch)
        if a.shape != b.shape:
            sys.exit("shapes differ: %s vs %s" % (a.shape, b.shape))
        d = float(np.max(np.abs(a - b))) if a.size else 0.0
        if d > float(argv[3]):
            i = int(np.argmax(np.abs(a - b).max(axis=1)))
            sys.exit("max difference %g > %s (first at frame %d)" % (d, argv[3], i))
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
