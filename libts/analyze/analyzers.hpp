// The definition function of every analyzer, one per file in this folder.
#pragma once

#include "analyze/analyzer.hpp"

namespace ts::analyze {

Definition level_definition();
Definition dc_definition();
Definition stats_definition();
Definition waveform_definition();
Definition rms_definition();
Definition zcr_definition();
Definition loudness_definition();
Definition spectrogram_definition();
Definition spectral_definition();
Definition mel_definition();
Definition mfcc_definition();
Definition chroma_definition();
Definition onsets_definition();
Definition tempo_definition();
Definition pitch_definition();
Definition notes_definition();
Definition key_definition();
Definition tuning_definition();
Definition silence_definition();
Definition speech_definition();
Definition structure_definition();

} // namespace ts::analyze
