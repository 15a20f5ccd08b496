// One row per analyzer; each definition lives in its own file.
#include "analyze/registry.hpp"

#include "analyze/analyzers.hpp"

namespace ts::analyze {

const std::vector<Definition> &registry() {
    static const std::vector<Definition> table = {
        level_definition(),
        dc_definition(),
        stats_definition(),
        waveform_definition(),
        rms_definition(),
        zcr_definition(),
        loudness_definition(),
        spectrogram_definition(),
        spectral_definition(),
        mel_definition(),
        mfcc_definition(),
        chroma_definition(),
        onsets_definition(),
        tempo_definition(),
        pitch_definition(),
        notes_definition(),
        key_definition(),
        tuning_definition(),
        silence_definition(),
        speech_definition(),
        structure_definition(),
    };
    return table;
}

const Definition *find(const std::string &id) {
    for (const auto &d : registry())
        if (d.id == id)
            return &d;
    return nullptr;
}

} // namespace ts::analyze
