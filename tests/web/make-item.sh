#!/bin/bash
# make-item.sh TOOLS DIR: a 70 s test recording and its archive outputs, made with the project's
# own tools the way ts-batch makes an archive's. DIR/src/item.wav is 0-30 s the demo piece, 30-40 s
# a 1 kHz sine at -12 dBFS, 40-70 s the demo piece again (mono, 22050 Hz); DIR/out is the OUT
# folder of `ts-batch --outputs "results dat spectrogram preview info"`, with onsets, tempo,
# key, pitch and the segmenters added to the music preset.
set -euo pipefail
tools=$1 dir=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$dir" && mkdir -p "$dir/src" "$dir/parts"
gen() { "$tools/ts-gen" --quiet --rate 22050 "$@"; }
gen demo --duration 30 -o "$dir/parts/a.wav"
gen sine --frequency 1000 --amplitude -12 --duration 10 -o "$dir/parts/b.wav"
gen demo --duration 30 -o "$dir/parts/c.wav"
# one TSPCM stream: the three parts' samples one after the other (ts-decode --raw gives them bare)
{
  printf 'TSPCM 1\nrate: 22050\nchannels: 1\nformat: f32le\nframes: %d\nEND\n' $((70 * 22050))
  for p in a b c; do "$tools/ts-decode" --quiet --raw "$dir/parts/$p.wav"; done
} | "$tools/ts-transcode" --quiet -f flac - -o "$dir/src/item.flac"
rm -rf "$dir/parts"
"$here/../../scripts/ts-batch" -q -j 2 --ts-bin "$tools" \
  --outputs "results dat spectrogram preview info" \
  --set 'ANALYZE_OPTIONS=-a onsets,tempo,key,pitch,silence,speech,structure' \
  "$dir/src" "$dir/out"
