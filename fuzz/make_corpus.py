#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/NAME/): a few small valid inputs and
edge cases each. The FLAC seeds need the `flac` encoder; the json, yaml and jams seeds are
made by ts-serialize from the JSON Lines seeds (BUILD/tools/ts-serialize, BUILD given as the
first argument, default build). Run again after changing it: every file is rewritten."""
import math, os, shutil, struct, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "build")


def put(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


# TSPCM header text (after the magic line) and whole streams.
headers = {
    "minimal": "rate: 44100\nchannels: 2\nEND\n",
    "full": "rate: 48000\nchannels: 6\nlayout: 5.1(side)\nformat: s16le\nframes: 4\nstart: 1.5\n"
            "source: a\\nb\\\\c.flac\nsha1: 0123456789abcdef0123456789abcdef01234567\n"
            "tag.title: T\\u00e9\ntag.artist: A\nhistory: ts-decode --mono\nhistory: ts-gen\nx-extra: 1\nEND\n",
    "unknown-frames": "rate: 8000\nchannels: 1\nformat: f32le\nframes: unknown                     \nEND\n",
    "repeat": "rate: 8000\nrate: 8000\nchannels: 1\nEND\n",
    "no-end": "rate: 8000\nchannels: 1\n",
    "limits": "rate: 1536000\nchannels: 64\nframes: 9223372036854775807\nstart: 1e308\nEND\n",
}
for name, text in headers.items():
    put("pcm_header", name, text)
floats = struct.pack("<4f", 0.0, 0.5, -1.0, 1e-30)
put("pcm_stream", "f32-stereo", "TSPCM 1\n" + "rate: 44100\nchannels: 2\nframes: 2\nEND\n" + "")
with open(os.path.join(here, "corpus", "pcm_stream", "f32-stereo"), "ab") as f:
    f.write(floats)
put("pcm_stream", "s16-mono-unknown", b"TSPCM 1\nrate: 8000\nchannels: 1\nformat: s16le\nEND\n" + struct.pack("<5h", 0, 1, -1, 32767, -32768))
put("pcm_stream", "short-payload", b"TSPCM 1\nrate: 8000\nchannels: 1\nframes: 100\nEND\n" + floats)
put("pcm_stream", "half-frame", b"TSPCM 1\nrate: 8000\nchannels: 2\nEND\n" + floats[:6])
put("pcm_stream", "version-2", b"TSPCM 2\nrate: 8000\nchannels: 1\nEND\n")

# ts-result lines: every time mode and data mode the schema has.
audio = '"audio":{"source":"a.wav","sha1":"0123456789abcdef0123456789abcdef01234567","rate":44100,"channels":1,"start":0,"duration":2,"mix":"all"}'
prod = '"producer":{"tool":"ts-analyze","version":"0.1.0"}'
lines = [
    '{"schema":"ts-result/1","id":"level.peak","analyzer":"level","name":"Peak","unit":"dBFS","description":"d","params":{},' + audio + ',' + prod + ',"time_mode":"global","data_mode":"value","data":{"value":-3.5}}',
    '{"schema":"ts-result/1","id":"key","analyzer":"key","name":"Key","unit":"","description":"","params":{"a":1,"b":[1,"x"],"c":true},' + audio + ',' + prod + ',"time_mode":"global","data_mode":"label","data":{"label":"A minor"}}',
    '{"schema":"ts-result/1","id":"onsets","analyzer":"onsets","name":"Onsets","unit":"s","description":"","params":{},' + audio + ',' + prod + ',"time_mode":"event","data_mode":"value","data":{"time":[0.5,1.25],"value":[1,null],"strength":[3,4]}}',
    '{"schema":"ts-result/1","id":"seg.parts","analyzer":"seg","name":"Parts","unit":"","description":"","params":{},' + audio + ',' + prod + ',"time_mode":"segment","data_mode":"label","data":{"time":[0,1],"duration":[1,1],"label":["intro","verse"]}}',
    '{"schema":"ts-result/1","id":"mfcc","analyzer":"mfcc","name":"MFCC","unit":"","description":"","params":{"n":2},' + audio + ',' + prod + ',"time_mode":"framewise","data_mode":"value","frames":{"rate":10,"block":4410,"step":4410},"data":{"value":[[0,1],[1,2],[2,3]]}}',
    '{"schema":"ts-result/1","id":"rms","analyzer":"rms","name":"RMS","unit":"dBFS","description":"","params":{},' + audio + ',' + prod + ',"time_mode":"framewise","data_mode":"value","frames":{"rate":2,"block":22050,"step":22050},"data":{"value":[-20,-1e308,null,0]}}',
]
put("result_jsonl", "modes.jsonl", "\n".join(lines) + "\n")
put("result_jsonl", "blank-lines.jsonl", "\n\n" + lines[0] + "\r\n\n")
put("result_jsonl", "missing-key.jsonl", '{"schema":"ts-result/1","id":"x"}\n')
put("result_jsonl", "lengths.jsonl", lines[2].replace('"strength":[3,4]', '"strength":[3]') + "\n")
put("result_jsonl", "not-json.jsonl", '{"schema":"ts-result/1",\n')
# exec: programs print the lenient form (no audio, producer, names).
put("exec_line", "minimal", '{"schema":"ts-result/1","id":"who","time_mode":"global","data_mode":"label","data":{"label":"x y"}}\n')
put("exec_line", "events", '{"schema":"ts-result/1","id":"early","analyzer":"early","time_mode":"event","data_mode":"value","data":{"time":[0.5,1],"value":[1,null],"strength":[3,4]}}\n')
put("exec_line", "framewise", '{"schema":"ts-result/1","id":"c.f","time_mode":"framewise","data_mode":"value","frames":{"rate":10,"block":1,"step":1},"data":{"value":[1,2,3]}}\n')
put("exec_line", "lengths", '{"schema":"ts-result/1","id":"x","time_mode":"event","data_mode":"value","data":{"time":[1,2],"value":[1]}}\n')
put("exec_line", "mixed", lines[0] + "\nhello\n[]\n{}\n")

# Presets: the shipped ones, and mistakes.
os.makedirs(os.path.join(here, "corpus", "preset"), exist_ok=True)
for p in ("minimal", "loudness", "music"):
    shutil.copy(os.path.join(here, "..", "presets", p + ".yaml"), os.path.join(here, "corpus", "preset", p + ".yaml"))
put("preset", "twice.yaml", "analyzers: [level]\nparams:\n  level.x: 1\n  level.x: 2\n")
put("preset", "exec.yaml", "analyzers:\n  - 'exec:sh -c \"echo, x\"'\n  - onsets\nparams: {onsets.threshold: 0.3}\n")
put("preset", "not-map.yaml", "- level\n- dc\n")
put("preset", "anchors.yaml", "analyzers: &a [level, &b dc]\nparams:\n  ? *b\n  : [1, {x: 2}]\n")

# -a and -p values, one a line ('=': a -p value).
put("params", "simple", "level,loudness.integrated\nloudness.true_peak=false\n")
put("params", "outputs", "spectral.centroid,mfcc\nmfcc.deltas=true\nspectrogram\nspectrogram.n_fft=4096\n")
put("params", "exec", "onsets,exec:sh -c 'echo \"a, b\"' \\x\nonsets.threshold=0.3\n")
put("params", "typo", "levle\nlevel.peek=1\n")
put("params", "lists", "chroma,pitch,notes\npitch.fmax=1000\nlevel.x=\n")

# WAV: every sample format the native reader takes, and edge cases.
def wav(fmt_tag, channels, bits, frames, rate=8000, extra=b"", extensible=False, data=None, riff_size=None):
    block = channels * bits // 8
    if data is None:
        data = bytes((i * 37) & 0xFF for i in range(block * frames))
    fmt = struct.pack("<HHIIHH", 0xFFFE if extensible else fmt_tag, channels, rate, rate * block, block, bits)
    if extensible:
        guid = struct.pack("<H", fmt_tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt += struct.pack("<HHI", 22, bits, 3 if channels == 2 else 4) + guid
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra
    body += b"data" + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")
    return b"RIFF" + struct.pack("<I", riff_size if riff_size is not None else len(body)) + body

put("wav", "s16-stereo.wav", wav(1, 2, 16, 8))
put("wav", "u8-mono.wav", wav(1, 1, 8, 9))
put("wav", "s24-mono.wav", wav(1, 1, 24, 5))
put("wav", "s32-stereo.wav", wav(1, 2, 32, 4))
put("wav", "f32-mono.wav", wav(3, 1, 32, 4, data=struct.pack("<4f", 0, 0.5, -1, float("nan"))))
put("wav", "f64-mono.wav", wav(3, 1, 64, 2, data=struct.pack("<2d", 0.25, -2.0)))
put("wav", "extensible.wav", wav(1, 2, 16, 4, extensible=True))
info = b"INFO" + b"INAM" + struct.pack("<I", 6) + b"Title\x00" + b"IART" + struct.pack("<I", 3) + b"Ab\x00\x00"
put("wav", "tags-junk.wav", wav(1, 1, 16, 4, extra=b"JUNK" + struct.pack("<I", 3) + b"abc\x00" + b"LIST" + struct.pack("<I", len(info)) + info + b"fact" + struct.pack("<I", 4) + struct.pack("<I", 4)))
put("wav", "empty-data.wav", wav(1, 2, 16, 0))
put("wav", "truncated.wav", wav(1, 2, 16, 8)[:60])
put("wav", "riff-size-0.wav", wav(1, 1, 16, 4, riff_size=0))

# FLAC: small files from the flac encoder (tags, padding, a seek table, a picture).
if shutil.which("flac"):
    with tempfile.TemporaryDirectory() as tmp:
        def flac(name, src, *args):
            w = os.path.join(tmp, "in.wav")
            with open(w, "wb") as f:
                f.write(src)
            out = os.path.join(tmp, name)
            subprocess.run(["flac", "-s", "-f", "-o", out, *args, w], check=True)
            with open(out, "rb") as f:
                put("flac", name, f.read())
        sine = lambda n, ch, bits: b"".join(struct.pack("<" + "h" * ch, *[int(8000 * math.sin(i * 0.3 + c)) for c in range(ch)]) for i in range(n))
        flac("s16-stereo.flac", wav(1, 2, 16, 64, data=sine(64, 2, 16)), "--padding=16", "-T", "TITLE=Sine", "-T", "ARTIST=Me")
        flac("s16-mono.flac", wav(1, 1, 16, 40, data=sine(40, 1, 16)), "--no-padding", "--no-seektable")
        flac("s24-stereo.flac", wav(1, 2, 24, 20), "--no-padding", "-S", "1")
        flac("u8-mono.flac", wav(1, 1, 8, 30), "--no-padding")
        png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
        with open(os.path.join(tmp, "p.png"), "wb") as f:
            f.write(png)
        flac("picture.flac", wav(1, 1, 16, 10, data=sine(10, 1, 16)), "--no-padding", "--picture=3|image/png|c|1x1x24/0|" + os.path.join(tmp, "p.png"))
    data = open(os.path.join(here, "corpus", "flac", "s16-mono.flac"), "rb").read()
    put("flac", "truncated.flac", data[:len(data) - 10])
    put("flac", "header-only.flac", data[:42])

# json, yaml and jams documents from the JSON Lines seed, by the real writers.
tool = os.path.join(build, "tools", "ts-serialize")
if os.access(tool, os.X_OK):
    src = os.path.join(here, "corpus", "result_jsonl", "modes.jsonl")
    for fmt in ("json", "yaml", "jams"):
        out = subprocess.run([tool, "-f", fmt, src], check=True, capture_output=True).stdout
        put("serialize_" + fmt, "modes." + fmt, out)
    put("serialize_json", "compact.json", subprocess.run([tool, "-f", "json", "--compact", src], capture_output=True).stdout or b"[]")
    put("serialize_json", "object.json", '{"results":[' + lines[0] + "]}")
    put("serialize_json", "empty.json", "[]")
    put("serialize_yaml", "not-list.yaml", "a: 1\n")
    put("serialize_yaml", "flow.yaml", "- {schema: ts-result/1, id: x, time_mode: global, data_mode: value, data: {value: .nan}}\n")
    put("serialize_jams", "no-annotations.jams", '{"file_metadata":{}}')
else:
    print("make_corpus: no " + tool + ": json, yaml and jams seeds not made", file=sys.stderr)
