#!/bin/bash
# ts-graph: image sizes and formats, where the content lands (a 1 kHz sine on the spectrogram's
# rows, silence then a full-scale sine on the waveform's columns, --start/--end), the bounded
# memory path for inputs of unknown length, and bad input.
. "$TS_SRC/tests/cli/lib.sh"

# img "what" FILE.png 'PYTHON': runs PYTHON with `a` (the image as a numpy array, rows x
# columns x RGBA, uint8), `lum` (luminance, rows x columns, float) and np; must not raise.
cat >"$T/img.py" <<'EOF2'
import sys
import numpy as np
from PIL import Image
im = Image.open(sys.argv[1])
im.load()
a = np.asarray(im.convert("RGBA"))
lum = a[..., :3].astype(float).mean(axis=2)
exec(sys.argv[2])
EOF2
img() {
    local what=$1 file=$2 code=$3
    if out=$("$PY" "$T/img.py" "$file" "$code" 2>&1); then pass; else fail "$what: $(echo "$out" | tail -n 1)"; fi
}
# words "what" FILE.pdf 'PYTHON': runs PYTHON with `w`, the words of the PDF as pdftotext
# -bbox finds them (text, x0, y0, x1, y1 in pixels from the top left, in reading order),
# `text` (the words joined by spaces) and `at(word)` (the boxes of that word).
cat >"$T/words.py" <<'EOF2'
import html, re, subprocess, sys
out = subprocess.run(["pdftotext", "-bbox", sys.argv[1], "-"], capture_output=True, text=True, check=True).stdout
w = [(html.unescape(m[4]), float(m[0]), float(m[1]), float(m[2]), float(m[3])) for m in re.findall(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>', out)]
text = " ".join(x[0] for x in w)
at = lambda word: [x for x in w if x[0] == word]
exec(sys.argv[2])
EOF2
words() {
    local what=$1 file=$2 code=$3
    if out=$("$PY" "$T/words.py" "$file" "$code" 2>&1); then pass; else fail "$what: $(echo "$out" | tail -n 1)"; fi
}

ts-gen sine --frequency 1000 --amplitude 0 --duration 2 -o sine.tspcm
ts-gen sine --frequency 1000 --amplitude -20 --duration 2 -o quiet.tspcm
# 1 s of silence then 1 s of a full-scale 1 kHz sine: as headerless samples (length unknown
# to the reader) and as a TSPCM file (length known).
{ ts-gen silence --duration 1 --raw; ts-gen sine --frequency 1000 --amplitude 0 --duration 1 --raw; } >half.f32
ts-decode --input-raw --input-rate 44100 --input-channels 1 half.f32 -o half.tspcm
RAW=(--input-raw --input-rate 44100 --input-channels 1)

# --- sizes and formats
check "waveform default" ts-graph waveform sine.tspcm -o w.png
img "waveform is 1200x300" w.png 'assert a.shape[:2] == (300, 1200), a.shape'
check "spectrogram default" ts-graph spectrogram sine.tspcm -o s.png
img "spectrogram is 1200x400" s.png 'assert a.shape[:2] == (400, 1200), a.shape'
check "-W -H" ts-graph waveform -W 640 -H 200 sine.tspcm -o small.png
img "640x200" small.png 'assert a.shape[:2] == (200, 640), a.shape'
ts-graph waveform -W 320 -H 100 sine.tspcm >stdout.png 2>/dev/null
img "PNG on stdout" stdout.png 'assert a.shape[:2] == (100, 320), a.shape'
check "svg by extension" ts-graph spectrogram -W 300 -H 200 sine.tspcm -o s.svg
check "svg parses as XML" "$PY" -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.tag.endswith("svg"), r.tag' s.svg
check "rsvg-convert renders the svg" rsvg-convert s.svg -o s-svg.png
img "the rendered svg is 300x200" s-svg.png 'assert a.shape[:2] == (200, 300), a.shape'
check "waveform svg" ts-graph waveform --style bars sine.tspcm -o w.svg
check "waveform svg parses" "$PY" -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' w.svg
check "pdf by extension" ts-graph waveform -W 500 -H 250 sine.tspcm -o w.pdf
check "pdfinfo reads the pdf" pdfinfo w.pdf
check "pdf page is 500x250" grep -q "Page size: *500 x 250 pts" <(pdfinfo w.pdf)
ts-graph spectrogram -f svg -W 100 -H 50 sine.tspcm >fmt.svg 2>/dev/null
check "-f svg on stdout" "$PY" -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' fmt.svg
check "from a pipe" bash -c 'ts-gen sine --duration 1 | ts-graph spectrogram -W 200 -H 100 -o pipe.png'
img "pipe image" pipe.png 'assert a.shape[:2] == (100, 200)'

# --- spectrogram: the 1 kHz sine is on the row of 1 kHz, on every axis. Row r covers the
# band [f((H-r-1)/H), f((H-r)/H)], f the axis from 0..1 to Hz, so 1 kHz is on row
# H - 1 - floor(u(1000) * H).
spec_row() {
    local scale=$1 u=$2
    check "spectrogram --scale $scale" ts-graph spectrogram --no-axes --scale "$scale" --palette grey -W 200 -H 400 sine.tspcm -o "row-$scale.png"
    img "1 kHz on its row ($scale)" "row-$scale.png" "
import math
u = $u
want = 400 - 1 - math.floor(u * 400)
rows = lum.mean(axis=1)
got = int(rows.argmax())
assert abs(got - want) <= 1, (got, want)
assert rows[got] > 240 and np.median(rows) < 60, (rows[got], np.median(rows))"
}
spec_row linear '1000 / 22050'
spec_row log 'math.log(1000 / 20) / math.log(22050 / 20)'
spec_row mel 'math.log10(1 + 1000 / 700) / math.log10(1 + 22050 / 700)'
check "--fmin --fmax" ts-graph spectrogram --no-axes --scale linear --fmin 500 --fmax 1500 --palette grey -W 100 -H 100 sine.tspcm -o band.png
img "1 kHz mid-height on 500-1500 Hz" band.png 'r = int(lum.mean(axis=1).argmax()); assert abs(r - 49.5) <= 1.5, r'
check "viridis, magma, inferno" bash -c 'for p in viridis magma inferno timeside grey-inverted; do ts-graph spectrogram --no-axes --palette $p -W 100 -H 60 sine.tspcm -o p-$p.png || exit 1; done'
# the floor of each palette where nothing sounds (the bottom row: below 20 Hz)
img "viridis floor" p-viridis.png 'assert tuple(a[59, 50, :3]) == (68, 1, 84), a[59, 50]'
img "magma floor" p-magma.png 'assert tuple(a[59, 50, :3]) == (0, 0, 4), a[59, 50]'
img "grey-inverted floor" p-grey-inverted.png 'assert tuple(a[59, 50, :3]) == (255, 255, 255), a[59, 50]'
img "viridis top at 1 kHz" p-viridis.png 'r = int(lum.mean(axis=1).argmax()); assert np.abs(a[r, 50, :3].astype(int) - (253, 231, 37)).max() <= 10, a[r, 50]'
check "--column mean --window blackman" ts-graph spectrogram --column mean --window blackman --n-fft 4096 --step 1024 -W 100 -H 60 sine.tspcm -o mean.png

# --- waveform: silence on the left half, a full-scale sine reaching the top and bottom
# rows on the right half; with the length known (TSPCM file) and unknown (raw stream).
half_check() {
    img "$1" "$2" '
H, W = lum.shape
ink = lum < 128
left = ink[:, :int(W * 0.49)]
right = ink[:, int(W * 0.51):]
assert not left.any(), "left half has ink in columns %s" % np.nonzero(left.any(axis=0))[0][:5]
assert right[0].all() and right[-1].all(), (right[0].mean(), right[-1].mean())'
}
check "waveform, length known" ts-graph waveform --no-axes --foreground black -W 400 -H 100 half.tspcm -o half-known.png
half_check "silence then sine (known length)" half-known.png
check "waveform, length unknown" ts-graph waveform --no-axes --foreground black -W 400 -H 100 "${RAW[@]}" half.f32 -o half-raw.png
half_check "silence then sine (unknown length, merged buckets)" half-raw.png
check "waveform of a pipe" bash -c 'cat half.f32 | ts-graph waveform --no-axes --foreground black -W 400 -H 100 --input-raw --input-rate 44100 --input-channels 1 - -o half-pipe.png'
half_check "silence then sine (pipe)" half-pipe.png
check "--start 0.5 --end 1.5" ts-graph waveform --no-axes --foreground black -W 400 -H 100 --start 0.5 --end 1.5 half.tspcm -o crop.png
half_check "crop keeps the boundary in the middle" crop.png
check "--start 1" ts-graph waveform --no-axes --foreground black -W 400 -H 100 --start 1 half.tspcm -o late.png
img "--start 1: all sine" late.png 'ink = lum < 128; assert ink[0].all() and ink[-1].all()'
check "--end 1" ts-graph waveform --no-axes --foreground black -W 400 -H 100 --end 1 half.tspcm -o early.png
img "--end 1: all silence" early.png 'assert not (lum < 128).any()'
check "spectrogram --start" ts-graph spectrogram --no-axes --palette grey -W 400 -H 100 --start 0.5 --end 1.5 "${RAW[@]}" half.f32 -o spec-crop.png
img "spectrogram: dark left, 1 kHz right" spec-crop.png '
cols = lum.max(axis=0)
assert cols[:190].max() < 30 and cols[210:].min() > 200, (cols[:190].max(), cols[210:].min())'

# styles, scales, lanes
for style in bars contour centroid; do
    check "--style $style" ts-graph waveform --style $style --no-axes --foreground black -W 400 -H 100 half.tspcm -o "st-$style.png"
    img "$style: empty left, reaches the edges right" "st-$style.png" '
ink = a[..., :3].astype(int).sum(axis=2) < 600
assert not ink[:, :190].any()
assert ink[1, 210:].mean() > 0.5 and ink[-2, 210:].mean() > 0.5, (ink[1, 210:].mean(), ink[-2, 210:].mean())'
done
img "centroid is coloured" st-centroid.png 'px = a[50, 300, :3].astype(int); assert px.max() - px.min() > 40, px'
check "--bar-shape square --bar-width 6 --bar-gap 2" ts-graph waveform --style bars --bar-shape square --bar-width 6 --bar-gap 2 --no-axes --foreground black -W 400 -H 100 half.tspcm -o sq.png
img "square bars: 6 on, 2 off" sq.png 'row = lum[50, 208:400] < 128; start = 208 + 8 - 208 % 8; assert (lum[50, 208:208+8] < 128).sum() == 6, lum[50, 208:216]'
check "--amplitude db" ts-graph waveform --amplitude db --db-range 40 --no-axes --foreground black -W 200 -H 200 quiet.tspcm -o db.png
img "-20 dBFS at half height on a 40 dB scale" db.png 'top = int(np.nonzero((lum < 128).any(axis=1))[0][0]); assert abs(top - 50) <= 2, top'
check "--amplitude linear" ts-graph waveform --no-axes --foreground black -W 200 -H 200 quiet.tspcm -o lin.png
img "-20 dBFS at 1/10 of the half height" lin.png 'top = int(np.nonzero((lum < 128).any(axis=1))[0][0]); assert abs(top - 90) <= 1, top'
check "--amplitude zoom" ts-graph waveform --amplitude zoom --no-axes --foreground black -W 200 -H 200 quiet.tspcm -o zoom.png
img "zoom reaches the edges" zoom.png 'ink = lum < 128; assert ink[0].mean() > 0.9 and ink[-1].mean() > 0.9'
ts-gen sine --amplitude 0 --channels 2 --duration 1 -o stereo.tspcm
check "--split-channels" ts-graph waveform --split-channels --no-axes --foreground black -W 200 -H 200 stereo.tspcm -o split.png
img "two lanes, each full" split.png 'ink = lum < 128; assert ink[0].all() and ink[99].all() and ink[100].all() and ink[199].all()'
check "--transparent" ts-graph waveform --transparent -W 200 -H 100 half.tspcm -o tr.png
img "transparent background" tr.png 'assert a[50, 60, 3] == 0, a[50, 60]'
check "axes and title" ts-graph spectrogram --title "A title" -W 400 -H 200 sine.tspcm -o axes.png
img "axes leave a white margin with labels" axes.png 'assert lum[:, :40].min() < 100 and lum[:, :40].mean() > 200'

# --- value axes. A 400x300 image with axes has its plot at x 52-390 (338 columns) and y
# 22-278; a tick is a 4-pixel line left of the plot (column 50) on the row round(y - 0.5).
# `left(w)`: the words left of the plot, top to bottom, with their centre rows.
LEFT='left = lambda w: [(x[0], (x[2] + x[4]) / 2) for x in sorted(w, key=lambda x: x[2]) if x[3] <= 50]'
ticks_at() { # PYTHON expression for the expected tick rows, from y values
    echo "
ink = np.nonzero(lum[:, 50] < 128)[0]
want = sorted(int(round(y - 0.5)) for y in $1)
assert len(ink) == len(want) and all(abs(int(i) - w) <= 1 for i, w in zip(ink, want)), (list(ink), want)"
}
check "waveform amplitude axis (linear)" ts-graph waveform --foreground black -W 400 -H 300 sine.tspcm -o amp.png
img "linear: ticks every 0.2 of full scale" amp.png "$(ticks_at '[150 - k * 0.2 * 128 for k in range(-5, 6)]')"
check "the same, pdf" ts-graph waveform -W 400 -H 300 sine.tspcm -o amp.pdf
words "linear: labels 1 to -1 beside their ticks" amp.pdf "$LEFT
got = left(w)
assert [t for t, y in got] == ['1', '0.8', '0.6', '0.4', '0.2', '0', '-0.2', '-0.4', '-0.6', '-0.8', '-1'], got
assert all(abs(y - (150 - float(t) * 128)) <= 2 for t, y in got), got"
check "waveform amplitude axis (db)" ts-graph waveform --amplitude db --foreground black -W 400 -H 300 sine.tspcm -o ampdb.png
img "db: ticks every 12 dB, -48 on the centre line" ampdb.png "$(ticks_at '[150 - s * (1 + L / 48) * 128 for L in (0, -12, -24, -36) for s in (1, -1)] + [150]')"
check "the same, pdf" ts-graph waveform --amplitude db -W 400 -H 300 sine.tspcm -o ampdb.pdf
words "db: labels 0 to -48 to 0, and dBFS" ampdb.pdf "$LEFT
got = left(w)
assert [t for t, y in got] == ['dBFS', '0', '-12', '-24', '-36', '-48', '-36', '-24', '-12', '0'], got
for (t, y), want in zip(got[1:], [22, 54, 86, 118, 150, 182, 214, 246, 278]):
    assert abs(y - want) <= 2, (t, y, want)"
check "--db-range 60, pdf" ts-graph waveform --amplitude db --db-range 60 -W 400 -H 300 sine.tspcm -o ampdb60.pdf
words "--db-range 60: -60 on the centre line" ampdb60.pdf "$LEFT
assert [t for t, y in left(w)] == ['dBFS', '0', '-12', '-24', '-36', '-48', '-60', '-48', '-36', '-24', '-12', '0'], left(w)"
check "--amplitude zoom, pdf" ts-graph waveform --amplitude zoom -W 400 -H 300 quiet.tspcm -o ampzoom.pdf
words "zoom: the edges are the peak (0.1 at -20 dBFS)" ampzoom.pdf "$LEFT
got = left(w)
assert [t for t, y in got] == ['0.1', '0.08', '0.06', '0.04', '0.02', '0', '-0.02', '-0.04', '-0.06', '-0.08', '-0.1'], got"
check "--split-channels with axes, pdf" ts-graph waveform --split-channels -W 400 -H 300 stereo.tspcm -o split.pdf
words "split: each lane its own scale, no label where lanes meet" split.pdf "$LEFT
got = left(w)
assert [t for t, y in got] == ['1', '0.5', '0', '-0.5', '0.5', '0', '-0.5', '-1'], got
assert abs(got[2][1] - 86) <= 2 and abs(got[5][1] - 214) <= 2, got"

# --- channel names on --split-channels (inside the plot, at the top left of each lane)
ts-gen sine --channels 6 --duration 0.5 -o six-plain.wav
ffmpeg -v error -y -i six-plain.wav -af channelmap=channel_layout=5.1 six51.wav
ffmpeg -v error -y -i six-plain.wav -af 'channelmap=map=0|1|2:channel_layout=FL+FR+TC' custom3.wav
ts-gen sine --channels 8 --duration 0.5 -o eight.flac
ts-gen sine --channels 3 --duration 0.5 -o three.tspcm
ts-gen sine --duration 0.5 -o mono.tspcm
names() { # "what" INPUT "NAME..."
    local what=$1 input=$2 want=$3
    check "split $input" ts-graph waveform --split-channels -W 400 -H 400 "$input" -o "names-$input.pdf"
    words "$what" "names-$input.pdf" "
inside = sorted([x for x in w if x[1] > 52 and 22 < x[2] < 378], key=lambda x: x[2])
n = len('$want'.split())
lane = 356 / n
assert [x[0] for x in inside] == '$want'.split(), [x[0] for x in inside]
assert all(22 + i * lane < x[2] < 22 + i * lane + 20 for i, x in enumerate(inside)), inside"
}
names "5.1 WAV (channel mask): L R C LFE Ls Rs" six51.wav "L R C LFE Ls Rs"
names "FLAC of 8 channels (7.1): back and side surrounds" eight.flac "L R C LFE Lb Rb Ls Rs"
names "a layout FFmpeg has no name for: its channels" custom3.wav "L R TC"
names "plain WAV of 6 channels (no layout): numbers" six-plain.wav "1 2 3 4 5 6"
names "TSPCM of 3 channels: numbers" three.tspcm "1 2 3"
names "TSPCM of 2 channels: L and R" stereo.tspcm "L R"
names "mono" mono.tspcm "mono"
# Through a pipe the layout travels in the TSPCM header (ts-pcm(5)).
ts-decode six51.wav -o six51.tspcm
names "5.1 as a TSPCM stream with its layout key" six51.tspcm "L R C LFE Ls Rs"
ts-decode custom3.wav -o custom3.tspcm
names "FL+FR+TC as a TSPCM stream" custom3.tspcm "L R TC"
check "--verbose names the channels" bash -c 'ts-graph waveform --split-channels --verbose six51.wav -o v.png 2>&1 | grep -q "six51.wav: channels L R C LFE Ls Rs"'
ts-gen silence --channels 2 --duration 0.5 -o silent2.tspcm
check "--split-channels --no-axes" ts-graph waveform --split-channels --no-axes -W 200 -H 100 silent2.tspcm -o bare-split.png
img "--no-axes: no names, no lines (silence draws nothing)" bare-split.png 'assert lum.min() == 255, lum.min()'

# --- the spectrogram's colour bar: right of a 288-column plot (400 - 52 - 60), x 348-358
check "spectrogram colour bar" ts-graph spectrogram --palette grey -W 400 -H 300 sine.tspcm -o bar.png
img "the bar holds the palette, top (0 dB) white to bottom (-90 dB) black" bar.png '
col = a[22:278, 353, 0].astype(int)
want = np.round((1 - (np.arange(256) + 0.5) / 256) * 255)
assert np.abs(col - want).max() <= 1, np.abs(col - want).max()
assert lum[22:278, 345].min() > 250 and lum[22:278, 339].max() > 200, "a gap between the plot and the bar"'
img "bar ticks every 10 dB" bar.png '
ink = np.nonzero(lum[:, 360] < 128)[0]
want = [int(round(22 + 256 - (L + 90) / 90 * 256 - 0.5)) for L in range(0, -100, -10)]
assert len(ink) == 10 and all(abs(int(i) - w) <= 1 for i, w in zip(ink, sorted(want))), (list(ink), sorted(want))'
check "the same, pdf" ts-graph spectrogram --palette grey -W 400 -H 300 sine.tspcm -o bar.pdf
words "bar labels -90 to 0 dB beside their ticks, the palette named" bar.pdf '
right = sorted([x for x in w if x[1] > 358 and x[2] > 10], key=lambda x: x[2])
assert [x[0] for x in right] == ["0", "-10", "-20", "-30", "-40", "-50", "-60", "-70", "-80", "-90"], right
for x in right:
    y = (x[2] + x[4]) / 2
    assert abs(y - (22 + 256 - (float(x[0]) + 90) / 90 * 256)) <= 2, x
assert at("dB") and at("dB")[0][1] >= 346 and at("dB")[0][4] < 22, at("dB")
assert "grey palette" in text, text'
check "--db-floor -60 --db-range 40, pdf" ts-graph spectrogram --db-floor -60 --db-range 40 --palette magma -W 400 -H 300 sine.tspcm -o bar2.pdf
words "bar labels follow the dB range" bar2.pdf '
right = sorted([x for x in w if x[1] > 358 and x[2] > 10], key=lambda x: x[2])
assert [x[0] for x in right] == ["-20", "-25", "-30", "-35", "-40", "-45", "-50", "-55", "-60"], right
assert "magma palette" in text'
check "a long title leaves out the palette's name" ts-graph spectrogram --title "$(printf 'x%.0s' {1..60})" -W 400 -H 300 sine.tspcm -o bar3.pdf
words "... but not the bar's labels" bar3.pdf 'assert "palette" not in text and at("dB") and at("-90"), text'
check "spectrogram --no-axes: no bar" ts-graph spectrogram --no-axes --palette grey -W 200 -H 400 sine.tspcm -o nobar.png
img "the 1 kHz row runs to the right edge" nobar.png 'r = int(lum.mean(axis=1).argmax()); assert lum[r, 199] > 240 and lum[r, 190:].min() > 240, lum[r, 190:]'

# --- plot: ts-result lanes on one time axis
cat >seg.jsonl <<'EOF2'
{"schema":"ts-result/1","id":"seg.parts","analyzer":"seg","name":"Parts","unit":"","time_mode":"segment","data_mode":"label","audio":{"source":"x","rate":44100,"channels":1,"start":0,"duration":30},"data":{"time":[0,10,20],"duration":[10,10,10],"label":["intro","verse","intro"]}}
{"schema":"ts-result/1","id":"ev.onsets","analyzer":"ev","name":"Onsets","unit":"s","time_mode":"event","data_mode":"value","audio":{"source":"x","rate":44100,"channels":1,"start":0,"duration":30},"data":{"time":[1,2,3,15]}}
EOF2
check "plot segments and events" ts-graph plot --no-axes -W 300 -H 200 seg.jsonl -o plot.png
img "segments span their times, coloured by label" plot.png '
px = lambda x: tuple(int(v) for v in a[50, x, :3])
assert px(50) == px(250) == px(95), (px(50), px(250))
assert px(105) == px(150) == px(195) != px(50), (px(105), px(50))
assert px(95) != px(105)'
img "events at 1, 2, 3 and 15 s" plot.png '
red = (a[150, :, 0] > 150) & (a[150, :, 1] < 120)
xs = [int(x) for x in np.nonzero(red)[0]]
for want in (10, 20, 30, 150):
    assert any(abs(x - want) <= 1 for x in xs), (want, xs)
assert all(any(abs(x - w) <= 1 for w in (10, 20, 30, 150)) for x in xs), xs'
ts-analyze -a rms,level,mfcc half.tspcm >half.jsonl
check "plot a curve" ts-graph plot --no-axes --id rms -W 400 -H 100 half.jsonl -o curve.png
img "rms low on the left, high on the right, below the band of labels" curve.png '
ink = (lum < 160)[:99]  # row 99: the grey line under the lane
rows = lambda x0, x1: np.nonzero(ink[:, x0:x1].any(axis=1))[0]
assert rows(40, 180).min() > 90 and 14 <= rows(220, 300).min() and rows(220, 300).max() < 20, (rows(40, 180), rows(220, 300))
assert ink[:12, :30].any() and ink[:12, 330:].any(), "the name (left) and range (right) in the band"'
check "plot with the audio" ts-graph plot --audio half.tspcm half.jsonl -o full.png
img "lanes: audio, rms, mfcc (120 px each + 44)" full.png 'assert a.shape[:2] == (3 * 120 + 44, 1200), a.shape'
check "plot with a spectrogram lane, svg" ts-graph plot --audio half.tspcm --audio-view spectrogram --id mfcc half.jsonl -o full.svg
check "plot svg renders" rsvg-convert full.svg -o full-svg.png
check "plot from stdin, pdf" bash -c 'cat seg.jsonl | ts-graph plot -f pdf - >p.pdf && pdfinfo p.pdf >/dev/null'
# a 4-frame, 2-row matrix: row 0 holds 0 or 1, row 1 holds 1000 or 2000
echo '{"schema":"ts-result/1","id":"m","analyzer":"m","name":"M","unit":"","time_mode":"framewise","data_mode":"value","audio":{"source":"x","rate":10,"channels":1,"start":0,"duration":0.4},"frames":{"rate":10,"block":1,"step":1},"data":{"value":[[0,1000],[1,1000],[0,2000],[1,2000]]}}' >m.jsonl
check "plot a matrix" ts-graph plot --no-axes -W 400 -H 100 m.jsonl -o m-global.png
check "plot a matrix, --matrix-scale row" ts-graph plot --no-axes --matrix-scale row -W 400 -H 100 m.jsonl -o m-row.png
img "matrix, global range: frames in columns, rows bottom up" m-global.png '
px = lambda x, y: tuple(int(v) for v in a[y, x, :3])
assert px(50, 75) == px(150, 75) == (68, 1, 84), (px(50, 75), px(150, 75))  # 0 and 1 of 0..2000
assert px(350, 25) == (253, 231, 37) and px(50, 25) != px(350, 25), (px(50, 25), px(350, 25))'
img "matrix, per-row range" m-row.png '
px = lambda x, y: tuple(int(v) for v in a[y, x, :3])
assert px(50, 75) == (68, 1, 84) and px(150, 75) == (253, 231, 37), (px(50, 75), px(150, 75))
assert px(50, 25) == (68, 1, 84) and px(350, 25) == (253, 231, 37)'
# --start and --end crop every lane: a ramp (value = frame number, 100 frames a second for
# 10 s), events at 1, 2.25, 2.5 and 7 s, segments a [0, 2.5) and b [2.5, 10); drawn from 2 to 3 s
"$PY" - >crop.jsonl <<'PY'
import json
audio = {"source": "x", "rate": 100, "channels": 1, "start": 0, "duration": 10}
head = {"schema": "ts-result/1", "data_mode": "value", "unit": "", "audio": audio}
print(json.dumps(dict(head, id="ramp", analyzer="ramp", time_mode="framewise",
                      frames={"rate": 100, "block": 1, "step": 1}, data={"value": list(range(1000))})))
print(json.dumps(dict(head, id="ev", analyzer="ev", time_mode="event", data={"time": [1, 2.25, 2.5, 7]})))
print(json.dumps(dict(head, id="seg", analyzer="seg", time_mode="segment", data_mode="label",
                      data={"time": [0, 2.5], "duration": [2.5, 7.5], "label": ["a", "b"]})))
PY
check "plot --start 2 --end 3" ts-graph plot --no-axes -W 400 -H 300 --start 2 --end 3 crop.jsonl -o crop-plot.png
img "the ramp from 2 to 3 s fills its lane, bottom left to top right, without gaps" crop-plot.png '
ink = lum[:99] < 128
for c in range(2, 398, 5):
    rows = np.nonzero(ink[14:, c])[0] + 14
    want = 14 + 86 - 2 - c / 400 * 82   # frame 200 + c/4 of 200..300, in the lane below the band
    assert len(rows) and abs(rows.mean() - want) <= 1.5, (c, rows, want)'
img "events at 2.25 and 2.5 s only" crop-plot.png '
red = (a[150, :, 0] > 150) & (a[150, :, 1] < 120)
xs = [int(x) for x in np.nonzero(red)[0]]
assert xs and all(abs(x - 100) <= 1 or abs(x - 200) <= 1 for x in xs) and any(abs(x - 100) <= 1 for x in xs), xs'
img "segments: a up to 2.5 s, b after" crop-plot.png '
px = lambda x: tuple(int(v) for v in a[260, x, :3])
assert px(10) == px(190) != px(210) == px(390), (px(10), px(210))'
check "plot --start 2 --end 3, pdf" ts-graph plot -W 400 -H 300 --start 2 --end 3 crop.jsonl -o crop-plot.pdf
words "the range and the time axis are those of 2 to 3 s" crop-plot.pdf '
assert "ramp from 200 to 300" in text, text
times = [x[0] for x in w if x[2] > 270]
assert times == ["2.0", "s", "2.5", "s", "3.0", "s"], times'
check "plot --audio --start 0.5 --end 1.5" ts-graph plot --no-axes --foreground black --audio half.tspcm --id rms --start 0.5 --end 1.5 -W 400 -H 200 half.jsonl -o crop-audio.png
img "the audio lane is cropped too: silence, then the sine" crop-audio.png '
ink = lum[:99] < 128
assert not ink[:, :190].any() and ink[2, 210:].all() and ink[97, 210:].all()'
# --- pitch on a log-frequency axis, unvoiced frames as gaps. 400 frames at 100 a second:
# 220 Hz, then 0 Hz, null, 440 Hz, and 880 Hz that pitch.voiced calls unvoiced; each rule on
# its own (voiced is 1 but for the last 100 frames). In view: 220 to 440 Hz, so the axis runs
# from two semitones below 220 to two above 440 and a value f is at height
# u = log(f / lo) / log(hi / lo), drawn at row a.y + a.h - 2 - u * (a.h - 4).
"$PY" - >pitch.jsonl <<'PY'
import json
audio = {"source": "x", "rate": 100, "channels": 1, "start": 0, "duration": 4}
def out(id, unit, values):
    print(json.dumps({"schema": "ts-result/1", "id": id, "analyzer": "pitch", "unit": unit,
                      "time_mode": "framewise", "data_mode": "value", "audio": audio,
                      "frames": {"rate": 100, "block": 1, "step": 1}, "data": {"value": values}}))
out("pitch.f0", "Hz", [220] * 100 + [0] * 50 + [None] * 50 + [440] * 100 + [880] * 100)
out("pitch.voiced", "", [1] * 300 + [0] * 100)
PY
PITCH='import math
s = 2 ** (2 / 12); lo, hi = 220 / s, 440 * s
u = lambda f: math.log(f / lo) / math.log(hi / lo)'
check "plot pitch" ts-graph plot --no-axes --id pitch.f0 -W 400 -H 100 pitch.jsonl -o pitch.png
img "220 and 440 Hz on the log axis; 0, null and unvoiced frames leave gaps" pitch.png "$PITCH
ink = lum[14:99] < 128
row = lambda c: np.nonzero(ink[:, c])[0].mean() + 14
for c in range(5, 96, 10):
    assert abs(row(c) - (98 - u(220) * 82)) <= 1.5, (c, row(c), 98 - u(220) * 82)
for c in range(205, 296, 10):
    assert abs(row(c) - (98 - u(440) * 82)) <= 1.5, (c, row(c), 98 - u(440) * 82)
for x0, x1 in ((101, 199), (301, 400)):
    assert not ink[:, x0:x1].any(), (x0, np.nonzero(ink[:, x0:x1].any(axis=0))[0][:5] + x0)"
check "plot pitch, pdf" ts-graph plot --id pitch.f0 -W 400 -H 300 pitch.jsonl -o pitch.pdf
words "Hz labels left of the lane, at their heights on the log axis" pitch.pdf "$PITCH
labels = [x for x in w if x[3] <= 50 and x[2] > 30]
assert len(labels) >= 2, labels
for x in labels:   # the lane below its 14 px band: a.y = 36, a.h = 242
    f = float(x[0].rstrip('k')) * (1000 if x[0].endswith('k') else 1)
    assert abs((x[2] + x[4]) / 2 - (36 + 242 - 2 - u(f) * 238)) <= 2, (x, 36 + 242 - 2 - u(f) * 238)
assert 'pitch.f0 (Hz) from 220 to 440' in text, text"
# the results of two inputs in one file: each track is voiced by its own pitch.voiced
"$PY" - pitch.jsonl >pitch2.jsonl <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
for r in lines:
    print(json.dumps(r))
for r in lines:
    r["audio"]["source"] = "y"
    if r["id"] == "pitch.voiced":
        r["data"]["value"] = [1] * 400
    print(json.dumps(r))
PY
check "plot the pitch of two inputs" ts-graph plot --no-axes --id pitch.f0 -W 400 -H 200 pitch2.jsonl -o pitch2.png
img "880 Hz is voiced in the second input only" pitch2.png '
ink = lum < 128
assert not ink[14:99, 301:400].any() and ink[114:199, 302:398].any(axis=0).all()'
# a jump of more than a semitone from one frame to the next is not joined by a line
"$PY" - >jump.jsonl <<'PY'
import json
print(json.dumps({"schema": "ts-result/1", "id": "pitch.f0", "analyzer": "pitch", "unit": "Hz",
                  "time_mode": "framewise", "data_mode": "value",
                  "audio": {"source": "x", "rate": 100, "channels": 1, "start": 0, "duration": 4},
                  "frames": {"rate": 100, "block": 1, "step": 1}, "data": {"value": [220] * 200 + [440] * 200}}))
PY
check "plot a pitch jump" ts-graph plot --no-axes -W 400 -H 100 jump.jsonl -o jump.png
img "no line from 220 to 440 Hz" jump.png 'assert not (lum[30:85, 195:205] < 128).any()'

# the pitch and notes analyzers on 220, 440 and 880 Hz tones, 1 s each, 0.5 s of silence between
for f in 220 440 880; do
    ts-gen sine --frequency $f --amplitude -6 --duration 1 --raw
    [ $f = 880 ] || ts-gen silence --duration 0.5 --raw
done >tones.f32
ts-decode --input-raw --input-rate 44100 --input-channels 1 tones.f32 -o tones.tspcm
ts-analyze -a pitch,notes tones.tspcm >tones.jsonl
check "notes are A3 A4 A5 (57 69 81)" "$PY" -c 'import json, sys
r = [json.loads(l) for l in open("tones.jsonl") if "\"notes\"" in l][0]
assert r["data"]["value"] == [57, 69, 81], r["data"]["value"]'
check "plot the pitch analyzer" ts-graph plot --no-axes --id pitch.f0 -W 400 -H 100 tones.jsonl -o tones-pitch.png
img "octaves equally spaced (a log axis), silence as gaps (not 0 Hz)" tones-pitch.png '
ink = lum[14:99] < 128
rows = [np.median(np.nonzero(ink[:, x0:x1])[0]) + 14 for x0, x1 in ((10, 90), (160, 240), (310, 390))]
assert abs((rows[0] - rows[1]) - (rows[1] - rows[2])) <= 1.5 and rows[0] - rows[1] > 20, rows
assert not ink[:, 102:144].any() and not ink[:, 252:294].any()'
check "plot the notes analyzer" ts-graph plot --no-axes --id notes -W 400 -H 300 tones.jsonl -o tones-notes.png
img "a piano roll: a bar per note at its row (56 to 82, the highest on top)" tones-notes.png '
blue = (a[..., 2] > 150) & (a[..., 0] < 80)
rh = 286 / 27
for m, x0, x1 in ((57, 10, 90), (69, 160, 240), (81, 310, 390)):
    rows = np.nonzero(blue[:, (x0 + x1) // 2])[0]
    assert abs(rows.mean() - (14 + (82 - m + 0.5) * rh)) <= 1, (m, rows.mean(), 14 + (82 - m + 0.5) * rh)
    assert blue[int(rows.mean()), x0:x1].all(), m
assert not blue[:, 104:146].any() and not blue[:, 254:296].any()'
check "plot the notes analyzer, pdf" ts-graph plot --id notes -W 400 -H 300 tones.jsonl -o tones-notes.pdf
words "note names beside their rows: the notes played, the Cs" tones-notes.pdf '
names = {n: i for i, n in enumerate("C C# D D# E F F# G G# A A# B".split())}
midi = lambda s: names[s[:-1]] + 12 * (int(s[-1]) + 1)
labels = [x for x in w if x[3] <= 50 and x[2] > 30]
got = {x[0] for x in labels}
assert {"A3", "C4", "A4", "C5", "A5"} <= got, got
for x in labels:   # the lane below its band: a.y = 36, a.h = 242, 27 rows
    assert abs((x[2] + x[4]) / 2 - (36 + (82 - midi(x[0]) + 0.5) * 242 / 27)) <= 2, x
assert "notes (MIDI) from A3 to A5" in text, text'
# any segment result in MIDI is a piano roll; at least an octave of rows (57 to 69 here)
echo '{"schema":"ts-result/1","id":"tune","analyzer":"tune","unit":"MIDI","time_mode":"segment","data_mode":"value","audio":{"source":"x","rate":100,"channels":1,"start":0,"duration":3},"data":{"time":[0,1,2],"duration":[1,1,1],"value":[60,64,67]}}' >tune.jsonl
check "plot notes in MIDI" ts-graph plot --no-axes -W 300 -H 200 tune.jsonl -o tune.png
img "C4 E4 G4 at their rows of 57..69" tune.png '
blue = (a[..., 2] > 150) & (a[..., 0] < 80)
for m, c in ((60, 50), (64, 150), (67, 250)):
    rows = np.nonzero(blue[:, c])[0]
    assert abs(rows.mean() - (14 + (69 - m + 0.5) * 186 / 13)) <= 1, (m, rows)'
grep '"level' half.jsonl >global.jsonl
expect_fail "no drawable result" 1 "no drawable result" ts-graph plot global.jsonl -o bad-plot.png
check "no file left (plot)" test ! -e bad-plot.png
expect_fail "--id matching nothing" 1 "no drawable result" ts-graph plot --id nosuch half.jsonl
echo '{"id": broken' >broken.jsonl
expect_fail "malformed line" 1 "line 1" ts-graph plot broken.jsonl
expect_fail "--axes with --no-axes" 2 "--no-axes excludes --axes" ts-graph waveform --axes --no-axes half.jsonl -o x.png
expect_fail "missing results" 1 nosuch.jsonl ts-graph plot nosuch.jsonl
# results ts-serialize --check rejects are refused by ts-graph plot too, with no file left:
# empty matrix rows (once a division by zero) and nesting deeper than the reader's limit
# (once a stack overflow)
"$PY" -c 'import json; r = json.load(open("m.jsonl")); r["data"]["value"] = [[]]; print(json.dumps(r))' >empty-rows.jsonl
expect_fail "empty matrix rows" 1 "empty rows" ts-graph plot empty-rows.jsonl -o bad-rows.png
check "no file left (empty rows)" test ! -e bad-rows.png
"$PY" -c 'print("{\"schema\":\"ts-result/1\",\"id\":\"x\",\"time_mode\":\"framewise\",\"data_mode\":\"value\",\"frames\":{\"rate\":1,\"block\":1,\"step\":1},\"data\":{\"value\":" + "[" * 100000 + "]" * 100000 + "}}")' >deep.jsonl
expect_fail "nesting 100,000 deep" 1 "deep.jsonl: line 1" ts-graph plot deep.jsonl -o bad-deep.png
check "no file left (deep)" test ! -e bad-deep.png
check "no temporary file left (plot)" bash -c '! ls -a | grep -q "^\.bad-"'

# --- bad input: nothing on stdout, no output file left behind
expect_fail "missing input" 1 nosuch.wav ts-graph waveform nosuch.wav
expect_fail "missing input with -o" 1 nosuch.wav ts-graph spectrogram nosuch.wav -o bad1.png
check "no file left" test ! -e bad1.png
expect_fail "a directory" 1 "$T" ts-graph waveform "$T" -o bad2.png
check "no file left (directory)" test ! -e bad2.png
head -c 1000 half.tspcm >trunc.tspcm
expect_fail "truncated TSPCM" 1 trunc.tspcm ts-graph waveform trunc.tspcm -o bad3.png
check "no file left (truncated)" test ! -e bad3.png
check "no temporary file left" bash -c '! ls -a | grep -q "^\.bad"'
head -c 5000 /dev/urandom >noise.bin
expect_fail "random bytes" 1 noise.bin ts-graph spectrogram noise.bin -o bad4.png
: >empty.wav
expect_fail "an empty file" 1 empty.wav ts-graph waveform empty.wav -o bad7.png
check "no file left (empty)" test ! -e bad7.png
ts-gen sine --duration 0 -o zero.tspcm
expect_fail "no samples" 1 "no audio" ts-graph spectrogram zero.tspcm
printf 'TSPCM 1\nrate: 44100\nchannels: 1\n' >cut.tspcm
expect_fail "a header cut before END" 1 cut.tspcm ts-graph waveform cut.tspcm
expect_fail "unknown option" 2 --nope ts-graph waveform --nope sine.tspcm
expect_fail "no command" 2 ts-graph ts-graph
expect_fail "-W 0" 2 width ts-graph waveform -W 0 sine.tspcm -o bad5.png
expect_fail "-W 100000000" 2 width ts-graph waveform -W 100000000 sine.tspcm
expect_fail "-H 5" 2 height ts-graph spectrogram -H 5 sine.tspcm
expect_fail "unknown palette" 2 "did you mean viridis" ts-graph spectrogram --palette viridys sine.tspcm -o bad6.png
check "no file left (palette)" test ! -e bad6.png
expect_fail "unknown style" 2 style ts-graph waveform --style wiggly sine.tspcm
expect_fail "unknown extension" 2 bmp ts-graph waveform sine.tspcm -o x.bmp
expect_fail "unknown -f" 2 jpeg ts-graph waveform -f jpeg sine.tspcm
expect_fail "bad colour" 2 background ts-graph waveform --background '#12' sine.tspcm
expect_fail "--end before --start" 2 "must be after" ts-graph waveform --start 2 --end 1 sine.tspcm
expect_fail "--fmax above rate/2" 2 fmax ts-graph spectrogram --fmax 30000 sine.tspcm
expect_fail "odd --n-fft" 2 n-fft ts-graph spectrogram --n-fft 1001 sine.tspcm
expect_fail "--start past the end" 1 start ts-graph waveform --start 10 sine.tspcm
# An image on a terminal is refused (a pseudo-terminal made by python).
"$PY" - "$TS_BIN/ts-graph" "$T/sine.tspcm" <<'PY' && pass || fail "an image to a terminal is not refused"
import os, pty, sys, subprocess
master, slave = pty.openpty()
p = subprocess.run([sys.argv[1], "waveform", sys.argv[2]], stdout=slave, stderr=subprocess.PIPE, timeout=20)
os.close(slave)
assert p.returncode == 2, p.returncode
assert b"terminal" in p.stderr, p.stderr
PY

finish
