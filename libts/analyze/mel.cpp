// mel: mel band powers, one row of bands per frame.
#include "analyze/analyzers.hpp"
#include "analyze/mel_params.hpp"

namespace ts::analyze {
namespace {

class Mel : public Analyzer {
  public:
    Mel(StftShape shape, const Params &p) : shape_(shape), stage_("mel", shape, p) {}
    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        stage_.setup(rate_);
        series_.spill_to(ctx.spill_file());
        ctx.on_spectrum(shape_.n_fft, shape_.step, shape_.window,
                        [this](const Spectrum &s, std::int64_t) {
                            stage_.apply(s, series_.grow(static_cast<std::size_t>(stage_.bands())));
                        });
    }
    std::vector<result::Result> finish(std::int64_t) override {
        result::Result r = framewise("", rate_, shape_.n_fft, shape_.step);
        r.width = static_cast<std::size_t>(stage_.bands());
        series_.into(r);
        r.y = stage_.centres();
        return only(std::move(r));
    }

  private:
    StftShape shape_;
    MelStage stage_;
    int rate_ = 0;
    result::SeriesBuffer series_;
};

} // namespace

Definition mel_definition() {
    Definition d;
    d.id = "mel";
    d.name = "Mel spectrogram";
    d.description = std::string("Power in mel bands, one row of `bands` values per frame; y "
                                "holds the band centres in Hz. ") +
                    mel_words() + " " + stft_words();
    d.params = stft_param_specs(2048, 512);
    for (auto &p : mel_param_specs())
        d.params.push_back(p);
    d.outputs = {
        {"", "Mel band powers", "", result::TimeMode::framewise, result::DataMode::value,
         "Frames x bands matrix of linear band powers sum_k w_bk P_k (a full-scale sine of "
         "1 kHz gives about 0.011 in its band with the defaults). y: the band centres in Hz."},
    };
    d.make = [](const Params &p, const std::vector<std::string> &) {
        return std::make_unique<Mel>(stft_shape("mel", p), p);
    };
    return d;
}

} // namespace ts::analyze
