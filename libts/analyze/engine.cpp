// The engine: lanes (the mono mix, or one per channel), each with its framers and STFTs
// shared by every analyzer that subscribes to the same shape.
#include "analyze/engine.hpp"

#include "core/error.hpp"
#include "core/signals.hpp"
#include "dsp/fft.hpp"
#include "io/progress.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <tuple>

namespace ts::analyze {
namespace {

// Cuts a mono stream into frames of `block` samples every `step`.
class Framer {
  public:
    Framer(int block, int step) : block_(block), step_(step) {}
    void add(FrameFn fn) { subscribers_.push_back(std::move(fn)); }
    void push(const float *x, std::size_t n) {
        buf_.insert(buf_.end(), x, x + n);
        end_ += static_cast<std::int64_t>(n);
        for (;;) {
            std::int64_t start = index_ * step_;
            if (start + block_ > end_)
                break;
            const float *frame = buf_.data() + (start - buf_start_);
            for (auto &fn : subscribers_)
                fn(frame, index_);
            ++index_;
        }
        // Drop what no future frame needs.
        std::int64_t keep_from = std::min(index_ * step_, end_);
        std::int64_t drop = keep_from - buf_start_;
        if (drop > static_cast<std::int64_t>(buf_.size() / 2) && drop > 0) {
            buf_.erase(buf_.begin(), buf_.begin() + drop);
            buf_start_ = keep_from;
        }
    }

  private:
    int block_, step_;
    std::vector<FrameFn> subscribers_;
    std::vector<float> buf_;
    std::int64_t buf_start_ = 0, end_ = 0, index_ = 0;
};

class Stft {
  public:
    Stft(int n_fft, dsp::Window w, double rate)
        : window_(dsp::make_window(w, n_fft)), fft_(n_fft), frame_(static_cast<std::size_t>(n_fft)),
          bins_(static_cast<std::size_t>(fft_.bins())), mag_(bins_.size()), rate_(rate) {}
    void add(SpectrumFn fn) { subscribers_.push_back(std::move(fn)); }
    void operator()(const float *x, std::int64_t index) {
        const std::size_t n = frame_.size();
        for (std::size_t i = 0; i < n; ++i)
            frame_[i] = x[i] * window_[i];
        fft_.forward(frame_.data(), bins_.data());
        for (std::size_t k = 0; k < bins_.size(); ++k)
            mag_[k] = std::sqrt(std::norm(bins_[k])); // no hypotf: its overflow care costs here
        Spectrum s{mag_.data(), bins_.data(), static_cast<int>(bins_.size()), fft_.size(), rate_};
        for (auto &fn : subscribers_)
            fn(s, index);
    }

  private:
    std::vector<float> window_;
    dsp::RealFft fft_;
    std::vector<float> frame_;
    std::vector<std::complex<float>> bins_;
    std::vector<float> mag_;
    double rate_;
    std::vector<SpectrumFn> subscribers_;
};

// One mono stream and everything fed from it.
class Lane : public Context {
  public:
    Lane(int rate, int channels, const pcm::Header &header, std::shared_ptr<result::SpillFile> spill)
        : rate_(rate), channels_(channels), header_(header), spill_(std::move(spill)) {}
    std::shared_ptr<result::SpillFile> spill_file() const override { return spill_; }
    const pcm::Header &stream_header() const override { return header_; }
    int rate() const override { return rate_; }
    int channels() const override { return channels_; }
    void on_blocks(BlockFn fn) override { blocks_.push_back(std::move(fn)); }
    void on_mono(BlockFn fn) override { mono_.push_back(std::move(fn)); }
    void on_frames(int block, int step, FrameFn fn) override {
        if (block < 1 || step < 1)
            throw UsageError("frame size and step must be positive");
        auto key = std::make_pair(block, step);
        auto it = framers_.find(key);
        if (it == framers_.end())
            it = framers_.emplace(key, std::make_unique<Framer>(block, step)).first;
        it->second->add(std::move(fn));
    }
    void on_spectrum(int n_fft, int step, dsp::Window w, SpectrumFn fn) override {
        auto key = std::make_tuple(n_fft, step, static_cast<int>(w));
        auto it = stfts_.find(key);
        if (it == stfts_.end()) {
            it = stfts_.emplace(key, std::make_unique<Stft>(n_fft, w, rate_)).first;
            Stft *stft = it->second.get();
            on_frames(n_fft, step, [stft](const float *x, std::int64_t i) { (*stft)(x, i); });
        }
        it->second->add(std::move(fn));
    }

    // Feeds a block: `all` interleaved over channels_, `mono` its mono signal.
    void feed(const float *all, const float *mono, std::size_t n) {
        for (auto &fn : blocks_)
            fn(all, n, channels_);
        for (auto &fn : mono_)
            fn(mono, n, 1);
        for (auto &[key, framer] : framers_)
            framer->push(mono, n);
    }
    bool needs_mono() const { return !mono_.empty() || !framers_.empty(); }
    std::size_t framer_count() const { return framers_.size(); }
    std::size_t stft_count() const { return stfts_.size(); }

    std::vector<std::pair<const Definition *, std::unique_ptr<Analyzer>>> analyzers;
    std::vector<Params> params;
    std::vector<bool> dynamic; // vamp: and exec: analyzers fill in their results' metadata

  private:
    int rate_, channels_;
    const pcm::Header &header_;
    std::shared_ptr<result::SpillFile> spill_;
    std::vector<BlockFn> blocks_, mono_;
    std::map<std::pair<int, int>, std::unique_ptr<Framer>> framers_;
    std::map<std::tuple<int, int, int>, std::unique_ptr<Stft>> stfts_;
};

} // namespace

result::Result output(const std::string &id) {
    result::Result r;
    r.id = id;
    return r;
}

result::Result framewise(const std::string &id, int rate, int block, int step) {
    result::Result r;
    r.id = id;
    r.time_mode = result::TimeMode::framewise;
    r.frames = result::Framing{rate, block, step};
    return r;
}

std::vector<result::Result> run(decode::Source &source, const std::vector<Request> &requests,
                                const RunOptions &options, RunStats *stats) {
    const pcm::Header &h = source.header();
    const int channels = h.channels;
    const int lanes_n = options.each_channel ? channels : 1;
    std::vector<std::unique_ptr<Lane>> lanes;
    // One file for every series of the run, opened when the first one spills.
    auto spill = options.spill ? std::make_shared<result::SpillFile>() : nullptr;
    for (int l = 0; l < lanes_n; ++l) {
        auto lane = std::make_unique<Lane>(h.rate, options.each_channel ? 1 : channels, h, spill);
        for (const auto &req : requests) {
            const Definition &d = definition_of(req);
            Params p(d.id, d.params, req.params);
            auto outputs = req.outputs.empty() ? output_ids(d) : req.outputs;
            auto a = d.make(p, outputs);
            a->setup(*lane);
            lane->analyzers.emplace_back(&d, std::move(a));
            lane->params.push_back(std::move(p));
            lane->dynamic.push_back(req.definition != nullptr);
        }
        lanes.push_back(std::move(lane));
    }

    const std::size_t block = options.block;
    std::vector<float> buf(block * static_cast<std::size_t>(channels));
    std::vector<float> mono(block), chan(block);
    bool want_mono = std::any_of(lanes.begin(), lanes.end(), [](auto &l) { return l->needs_mono(); });
    io::Progress progress("analyzing " + source.name(), h.frames, options.progress);
    std::int64_t total = 0, reads = 0;
    for (;;) {
        signals::check();
        std::size_t n = source.read(buf.data(), block);
        ++reads;
        if (n == 0)
            break;
        total += static_cast<std::int64_t>(n);
        if (!options.each_channel) {
            const float *m = buf.data();
            if (channels > 1 && want_mono) {
                const float scale = 1.0f / static_cast<float>(channels);
                for (std::size_t i = 0; i < n; ++i) {
                    float s = 0;
                    for (int c = 0; c < channels; ++c)
                        s += buf[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)];
                    mono[i] = s * scale;
                }
                m = mono.data();
            }
            lanes[0]->feed(buf.data(), m, n);
        } else {
            for (int c = 0; c < channels; ++c) {
                for (std::size_t i = 0; i < n; ++i)
                    chan[i] = buf[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)];
                lanes[static_cast<std::size_t>(c)]->feed(chan.data(), chan.data(), n);
            }
        }
        progress.update(total);
    }
    progress.finish();

    result::Audio audio;
    audio.source = h.source;
    audio.sha1 = source.sha1();
    audio.rate = h.rate;
    audio.channels = channels;
    audio.start = h.start.value_or(0.0);
    audio.duration = static_cast<double>(total) / h.rate;
    std::vector<result::Result> results;
    for (int l = 0; l < lanes_n; ++l) {
        Lane &lane = *lanes[static_cast<std::size_t>(l)];
        for (std::size_t i = 0; i < lane.analyzers.size(); ++i) {
            const Definition &d = *lane.analyzers[i].first;
            for (auto &r : lane.analyzers[i].second->finish(total)) {
                if (lane.dynamic[i]) {
                    r.audio = audio;
                    r.audio.mix = options.each_channel ? "each" : (d.all_channels ? "all" : "mono");
                    if (options.each_channel)
                        r.audio.channel = l;
                    results.push_back(std::move(r));
                    continue;
                }
                auto spec = std::find_if(d.outputs.begin(), d.outputs.end(),
                                         [&](const OutputSpec &o) { return o.id == r.id; });
                if (spec == d.outputs.end())
                    throw Error("analyzer " + d.id + " returned an undeclared output '" + r.id + "'");
                r.id = spec->id.empty() ? d.id : d.id + "." + spec->id;
                r.analyzer = d.id;
                if (r.name.empty())
                    r.name = spec->name;
                r.unit = spec->unit;
                if (r.description.empty())
                    r.description = spec->description;
                r.time_mode = spec->time_mode;
                r.data_mode = spec->data_mode;
                r.audio = audio;
                r.audio.mix = options.each_channel ? "each" : (d.all_channels ? "all" : "mono");
                if (options.each_channel)
                    r.audio.channel = l;
                r.params = lane.params[i].json();
                results.push_back(std::move(r));
            }
        }
    }
    if (stats) {
        stats->frames = total;
        stats->reads = reads;
        stats->framers = lanes[0]->framer_count();
        stats->stfts = lanes[0]->stft_count();
    }
    return results;
}

} // namespace ts::analyze
