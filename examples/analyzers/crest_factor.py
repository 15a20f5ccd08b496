#!/usr/bin/env python3
"""crest_factor.py: an example analyzer for ts-analyze's exec: door (Python 3 and numpy only).

    ts-analyze -a 'exec:python3 examples/analyzers/crest_factor.py --block 2048 --step 1024' song.flac

ts-analyze writes the audio on this program's stdin as a TSPCM stream (see ts-pcm(5)): a
text header ("TSPCM 1", then "key: value" lines up to "END") and then interleaved 32-bit
little-endian float samples. The program prints its results on stdout, one ts-result JSON
object per line (see ts-result(5)), and exits with status 0; anything it writes on stderr
is shown to the user (with the error when it fails).

This one prints the crest factor of the mono mix (the mean of the channels) per frame:
20*log10(peak / RMS) in dB over the samples [i*step, i*step + block) of frame i; a sine has
3.01 dB (sqrt 2), a square wave or DC 0 dB; a frame of digital silence gives null. The
audio is read in chunks, so memory stays constant whatever the input's length.
"""
import argparse
import json
import sys

import numpy as np


def read_header(stream):
    """The TSPCM header as a dict (values unescaped), the stream left at the first sample."""
    if stream.readline() != b"TSPCM 1\n":
        sys.exit("crest_factor: stdin is not a TSPCM stream")
    header = {}
    for _ in range(4096):
        line = stream.readline()
        if not line:
            sys.exit("crest_factor: the TSPCM header ends before END")
        line = line.decode("utf-8").rstrip("\n")
        if line == "END":
            return header
        key, _, value = line.partition(":")
        header.setdefault(key.strip(), value.strip().replace("\\n", "\n").replace("\\\\", "\\"))
    sys.exit("crest_factor: the TSPCM header is too long")


def mono_chunks(stream, channels, dtype, frames_per_chunk=65536):
    """The mono mix of the samples, chunk by chunk, as float64 arrays."""
    width = np.dtype(dtype).itemsize * channels
    rest = b""
    while True:
        raw = stream.read(frames_per_chunk * width)
        if not raw:
            break
        raw = rest + raw
        usable = len(raw) - len(raw) % width
        rest = raw[usable:]
        x = np.frombuffer(raw[:usable], dtype=dtype).astype(np.float64)
        if dtype == "<i2":
            x /= 32768.0
        yield x.reshape(-1, channels).mean(axis=1)
    if rest:
        sys.exit("crest_factor: the stream ends inside a sample frame")


def crest_factors(chunks, block, step):
    """Crest factor in dB (None for silence) of every whole frame."""
    out = []
    buf = np.zeros(0)
    for chunk in chunks:
        buf = np.concatenate([buf, chunk])
        if len(buf) < block:
            continue
        frames = np.lib.stride_tricks.sliding_window_view(buf, block)[::step]
        peak = np.abs(frames).max(axis=1)
        rms = np.sqrt(np.mean(frames * frames, axis=1))
        for p, r in zip(peak, rms):
            out.append(float(20 * np.log10(p / r)) if r > 0 else None)
        buf = buf[len(frames) * step:]  # the start of the next frame onwards
    return out


def main():
    ap = argparse.ArgumentParser(description="Crest factor per frame, as a ts-result line.")
    ap.add_argument("--block", type=int, default=2048, help="frame length in samples")
    ap.add_argument("--step", type=int, default=1024, help="hop between frames in samples")
    args = ap.parse_args()
    if args.block < 1 or args.step < 1:
        sys.exit("crest_factor: --block and --step must be positive")

    stdin = sys.stdin.buffer
    h = read_header(stdin)
    rate, channels = int(h["rate"]), int(h["channels"])
    dtype = {"f32le": "<f4", "s16le": "<i2"}[h["format"]]
    values = crest_factors(mono_chunks(stdin, channels, dtype), args.block, args.step)

    result = {
        "schema": "ts-result/1",
        "id": "crest_factor",
        "analyzer": "crest_factor",
        "name": "Crest factor",
        "unit": "dB",
        "description": "20*log10(peak/RMS) of the mono mix over each frame; null for a "
                       "frame of digital silence.",
        "time_mode": "framewise",
        "data_mode": "value",
        "frames": {"rate": rate, "block": args.block, "step": args.step},
        "params": {"block": args.block, "step": args.step},
        "data": {"value": values},
    }
    print(json.dumps(result, separators=(",", ":")))


if __name__ == "__main__":
    main()
