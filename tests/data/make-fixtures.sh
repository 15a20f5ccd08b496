#!/bin/bash
# Regenerates the codec fixtures in this folder with FFmpeg (run by hand, not by the tests;
# the files are committed so that every machine decodes the very same bytes).
# Each holds a different sine per channel, so a swapped or mixed channel shows.
set -eu
cd "$(dirname "$0")"
ff() { ffmpeg -nostdin -v error -y "$@"; }
st="aevalsrc=0.5*sin(2*PI*440*t)|0.25*sin(2*PI*1000*t):s=44100:d=0.5"
mono="aevalsrc=0.5*sin(2*PI*440*t):s=44100:d=0.5"
six="aevalsrc=0.3*sin(2*PI*220*t)|0.3*sin(2*PI*330*t)|0.3*sin(2*PI*440*t)|0.3*sin(2*PI*550*t)|0.3*sin(2*PI*660*t)|0.3*sin(2*PI*110*t):s=48000:d=0.5"
meta=(-metadata title="Fixture tone" -metadata artist="TimeSide tests")
ff -f lavfi -i "$st" "${meta[@]}" -c:a pcm_s16le stereo-s16.wav
ff -f lavfi -i "$st" -c:a pcm_s24le stereo-s24.wav
ff -f lavfi -i "$st" -c:a pcm_f32le stereo-f32.wav
ff -f lavfi -i "$mono" -c:a pcm_s16le mono-s16.wav
ff -f lavfi -i "$six" -c:a pcm_s16le six-channel.wav
ff -f lavfi -i "$st" -c:a pcm_s16be stereo.aiff
ff -f lavfi -i "$st" "${meta[@]}" -c:a flac stereo.flac
ff -f lavfi -i "$st" "${meta[@]}" -c:a libmp3lame -b:a 128k stereo.mp3
ff -f lavfi -i "$mono" -c:a libmp3lame -b:a 64k mono.mp3
ff -f lavfi -i "$st" "${meta[@]}" -c:a libvorbis -q:a 4 stereo.ogg
ff -f lavfi -i "$st" -c:a libopus -b:a 96k stereo.opus
ff -f lavfi -i "$st" "${meta[@]}" -c:a aac -b:a 128k stereo.m4a
ff -f lavfi -i "$st" -c:a libopus -b:a 96k stereo.webm
# A video file with a sound track: ts-decode takes its first audio stream.
ff -f lavfi -i "testsrc=size=32x32:rate=5:duration=0.5" -f lavfi -i "$st" -c:v mjpeg -c:a pcm_s16le -shortest video.mkv
# Deliberately broken: an mp3 cut in half, a video with no audio stream.
ff -f lavfi -i "$st" -c:a libmp3lame -b:a 128k full.mp3
head -c "$(( $(stat -c %s full.mp3) / 2 ))" full.mp3 > broken-truncated.mp3
rm full.mp3
ff -f lavfi -i "testsrc=size=32x32:rate=5:duration=0.5" -c:v mjpeg broken-no-audio.mkv
# broken-bitflip.h5 is not made here: ts-serialize wrote one level result of a 1 s sine to
# HDF5 and bit 0 of byte 2075 was flipped, which crashed libhdf5 itself (SIGSEGV) before
# ts-serialize read HDF5 files in a child process first (tests/cli/serialize_hdf5.sh).
# broken-vlen.h5 neither: the HDF5 file of a 3 s sine's mfcc, rms, onsets and pitch results,
# byte 32863 (the top byte of a variable-length string's length) set from 0 to 128, which made
# libhdf5 allocate 4.2 GB before ts-serialize limited the memory of its reading child.
