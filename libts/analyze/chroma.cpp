// chroma: the power of each STFT frame folded onto the 12 pitch classes, C first.
#include "analyze/analyzers.hpp"
#include "analyze/stft_params.hpp"

#include <algorithm>
#include <cmath>

namespace ts::analyze {
namespace {

const std::vector<std::string> class_names = {"C",  "C#", "D",  "D#", "E",  "F",
                                              "F#", "G",  "G#", "A",  "A#", "B"};

class Chroma : public Analyzer {
  public:
    Chroma(StftShape shape, double fmin, double tuning)
        : shape_(shape), fmin_(fmin), tuning_(tuning) {}
    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        series_.spill_to(ctx.spill_file());
        // Pitch class of each bin, -1 for the bins left out (below fmin, DC).
        const int n = shape_.bins();
        pc_.assign(static_cast<std::size_t>(n), -1);
        for (int k = 1; k < n; ++k) {
            const double f = static_cast<double>(k) * rate_ / shape_.n_fft;
            if (f < fmin_)
                continue;
            // Semitones from the tuning A, then from C: A is class 9.
            const long semis = std::lround(12.0 * std::log2(f / tuning_));
            pc_[static_cast<std::size_t>(k)] = static_cast<int>(((semis + 9) % 12 + 12) % 12);
        }
        // The classes come in runs of adjacent bins (one run per semitone): sum runs.
        for (int k = 0; k < n;) {
            int end = k + 1;
            while (end < n && pc_[static_cast<std::size_t>(end)] == pc_[static_cast<std::size_t>(k)])
                ++end;
            if (pc_[static_cast<std::size_t>(k)] >= 0)
                runs_.push_back({k, end, pc_[static_cast<std::size_t>(k)]});
            k = end;
        }
        ctx.on_spectrum(shape_.n_fft, shape_.step, shape_.window,
                        [this](const Spectrum &s, std::int64_t) { add(s); });
    }
    std::vector<result::Result> finish(std::int64_t) override {
        result::Result r = framewise("", rate_, shape_.n_fft, shape_.step);
        r.width = 12;
        series_.into(r);
        for (int i = 0; i < 12; ++i)
            r.y.push_back(i);
        r.extra["labels"] = class_names;
        return only(std::move(r));
    }

  private:
    void add(const Spectrum &s) {
        double sum[12] = {};
        const float *__restrict m = s.magnitude;
        for (const Run &r : runs_) {
            double run = 0;
#pragma omp simd reduction(+ : run)
            for (int k = r.begin; k < r.end; ++k)
                run += static_cast<double>(m[k]) * m[k];
            sum[r.pc] += run;
        }
        const double top = *std::max_element(sum, sum + 12);
        float *row = series_.grow(12);
        // Digital silence (no power at all) stays all 0.
        if (top > 0)
            for (int c = 0; c < 12; ++c)
                row[c] = static_cast<float>(sum[c] / top);
    }

    StftShape shape_;
    double fmin_, tuning_;
    int rate_ = 0;
    std::vector<int> pc_;
    struct Run {
        int begin, end, pc; // bins [begin, end) all of class pc
    };
    std::vector<Run> runs_;
    result::SeriesBuffer series_;
};

} // namespace

Definition chroma_definition() {
    Definition d;
    d.id = "chroma";
    d.name = "Chroma";
    d.description =
        std::string("Pitch-class profile of each frame from its STFT: every bin k with "
                    "f_k >= fmin (DC excluded) goes to pitch class "
                    "(round(12 log2(f_k / tuning)) + 9) mod 12, numbered from C: C=0, C#=1, "
                    "D=2, D#=3, E=4, F=5, F#=6, G=7, G#=8, A=9, A#=10, B=11; a class holds the "
                    "sum of its bins' powers |X_k|^2, and each frame is divided by its largest "
                    "class (librosa's norm=inf). The default n_fft of 4096 gives bins 10.8 Hz "
                    "apart at 44.1 kHz, still coarser than a semitone below about 180 Hz. ") +
        stft_words();
    d.params = stft_param_specs(4096, 512);
    d.params.push_back(
        {"fmin", ParamType::number, "20", 0, 1e6, {}, "lowest bin frequency counted, Hz"});
    d.params.push_back({"tuning", ParamType::number, "440", 1, 1e5, {}, "frequency of A4, Hz"});
    d.outputs = {
        {"", "Chroma", "", result::TimeMode::framewise, result::DataMode::value,
         "Frames x 12 matrix in 0..1, the largest class of each frame 1 (all 0 for digital "
         "silence). y: the class numbers 0..11 (C to B); labels: their names."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &) {
        return std::make_unique<Chroma>(stft_shape("chroma", p), p.number("fmin"),
                                        p.number("tuning"));
    };
    return d;
}

} // namespace ts::analyze
