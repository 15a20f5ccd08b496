// VAMP plugins hosted through vamp-hostsdk: the plugin loader finds them, its adapters
// (ADAPT_ALL) take our mono or multichannel blocks, and the features become ts-results.
#include "analyze/vamp.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "ts_config.h"

#include <vamp-hostsdk/PluginBufferingAdapter.h>
#include <vamp-hostsdk/PluginHostAdapter.h>
#include <vamp-hostsdk/PluginLoader.h>
#include <vamp-hostsdk/PluginWrapper.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>

namespace ts::analyze::vamp {

const char *const about =
    "Runs an installed VAMP plugin (ts-analyze --list shows them). LIBRARY is the plugin library's file name without its extension "
    "(vamp-example-plugins), PLUGIN the plugin's identifier, OUTPUT one of its output "
    "identifiers (every output when none is given; :OUTPUT and .OUTPUT are the same). "
    "Libraries are searched in the folders of $VAMP_PATH (colon-separated) when it is set, "
    "else in $HOME/vamp, $HOME/.vamp, /usr/local/lib/vamp, /usr/lib/vamp and " TS_VAMP_LIBDIR
    " (where Debian's plugin packages install). The plugin runs through the VAMP host SDK's "
    "adapters (PluginLoader::ADAPT_ALL): a frequency-domain plugin gets the Hann-windowed FFT "
    "of each block, the audio is cut into the plugin's preferred block and step (the last "
    "block padded with zeros), and the channel count is adapted. A plugin that takes one "
    "channel gets the mono mix (audio.mix \"mono\"); one that takes more gets every channel "
    "(audio.mix \"all\"). Its parameters are set with -p vamp:LIBRARY:PLUGIN.KEY=VALUE (the "
    "analyzer name is everything before the last '.' ahead of the '='); "
    "-p vamp:LIBRARY:PLUGIN.block=N and .step=N choose the plugin's block and step in "
    "samples (0: the plugin's preference), and params holds the values used. Results are "
    "named vamp:LIBRARY:PLUGIN.OUTPUT. Outputs become: OneSamplePerStep: framewise (frame i "
    "covers the samples [i*step, i*step + block) and only whole frames are kept; an output "
    "of several bins is a matrix, its bin names in data.bins); VariableSampleRate: event, at "
    "each feature's timestamp, or segment when the output has durations; FixedSampleRate: "
    "event (a feature without a timestamp comes 1/sampleRate after the previous one); an "
    "output that yields one single feature, without a timestamp, at the end of the run: "
    "global. A feature's first value is data.value; with several values per feature, "
    "data.values holds them all; feature labels are data.label (data_mode label when the "
    "output has no values). Events at or after the end of the audio (in the padding) are "
    "dropped.";

namespace {

using Vamp::Plugin;
using Vamp::RealTime;
using Vamp::HostExt::PluginBufferingAdapter;
using Vamp::HostExt::PluginLoader;
using Vamp::HostExt::PluginWrapper;

// The SDK's default path lacks the multiarch folder where Debian installs plugins: without
// VAMP_PATH, set it to the default plus that folder, once, before the loader reads it (the
// first use is before any thread starts).
void ensure_path() {
    static const bool done = [] {
        if (std::getenv("VAMP_PATH") != nullptr)
            return true;
        auto dirs = Vamp::PluginHostAdapter::getPluginPath();
        if (std::find(dirs.begin(), dirs.end(), TS_VAMP_LIBDIR) == dirs.end())
            dirs.push_back(TS_VAMP_LIBDIR);
        std::string path;
        for (const auto &d : dirs)
            path += (path.empty() ? "" : ":") + d;
        setenv("VAMP_PATH", path.c_str(), 1);
        return true;
    }();
    (void)done;
}

PluginLoader &loader() {
    ensure_path();
    return *PluginLoader::getInstance();
}

// Floats in their shortest form, so that 0.01f reads "0.01" and reads back to the same float.
std::string fmt(float v) {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, p);
}

// A float as the double of its shortest decimal: 59.983704, not 59.98370361328125.
double shortest(float v) { return std::isfinite(v) ? std::strtod(fmt(v).c_str(), nullptr) : static_cast<double>(v); }

std::vector<double> shortest(const std::vector<float> &v) {
    std::vector<double> out(v.size());
    std::transform(v.begin(), v.end(), out.begin(), [](float x) { return shortest(x); });
    return out;
}

double seconds(const RealTime &t) { return t.sec + t.nsec / 1e9; }

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

// The declared time mode of an output, from its descriptor as the plugin gives it.
result::TimeMode declared_mode(const Plugin::OutputDescriptor &o) {
    switch (o.sampleType) {
    case Plugin::OutputDescriptor::OneSamplePerStep:
        return result::TimeMode::framewise;
    case Plugin::OutputDescriptor::VariableSampleRate:
        return o.hasDuration ? result::TimeMode::segment : result::TimeMode::event;
    default:
        return result::TimeMode::event;
    }
}

bool has_values(const Plugin::OutputDescriptor &o) { return !o.hasFixedBinCount || o.binCount > 0; }

// One output's features as they arrive.
struct Collected {
    Plugin::OutputDescriptor desc;
    Plugin::OutputDescriptor::SampleType type; // before the buffering adapter rewrote it
    std::size_t width = 0;                     // bins of a framewise output
    std::vector<float> series;                 // framewise
    std::vector<double> time, duration, value;
    std::vector<std::vector<double>> values;
    std::vector<std::string> labels;
    bool any_label = false, any_duration = false, multi = false;
    std::size_t count = 0;
    bool last_untimed_at_end = false;
    double next_time = 0.0; // FixedSampleRate features without timestamps
};

class VampAnalyzer : public Analyzer {
  public:
    VampAnalyzer(std::shared_ptr<const Definition> def, std::string key,
                 std::map<std::string, Plugin::OutputDescriptor::SampleType> types,
                 std::vector<Plugin::ParameterDescriptor> params, const Params &values,
                 std::vector<std::string> outputs, bool all_channels)
        : def_(std::move(def)), key_(std::move(key)), types_(std::move(types)),
          param_specs_(std::move(params)), values_(values), wanted_(std::move(outputs)),
          all_channels_(all_channels) {}

    void setup(Context &ctx) override {
        rate_ = ctx.rate();
        channels_ = all_channels_ ? ctx.channels() : 1;
        plugin_.reset(loader().loadPlugin(key_, static_cast<float>(rate_), PluginLoader::ADAPT_ALL));
        if (!plugin_)
            throw Error(def_->id + ": the plugin cannot be loaded at " + std::to_string(rate_) + " Hz");
        for (const auto &p : param_specs_) {
            float v;
            if (!p.valueNames.empty() && p.isQuantized) {
                const auto &names = p.valueNames;
                auto it = std::find(names.begin(), names.end(), values_.text(p.identifier));
                v = p.minValue + static_cast<float>(it - names.begin()) * p.quantizeStep;
            } else {
                v = static_cast<float>(values_.number(p.identifier));
            }
            plugin_->setParameter(p.identifier, v);
        }
        auto *buffering = dynamic_cast<PluginWrapper &>(*plugin_).getWrapper<PluginBufferingAdapter>();
        if (!buffering)
            throw Error(def_->id + ": the host SDK gave no buffering adapter");
        if (long b = values_.integer("block"); b > 0)
            buffering->setPluginBlockSize(static_cast<std::size_t>(b));
        if (long s = values_.integer("step"); s > 0)
            buffering->setPluginStepSize(static_cast<std::size_t>(s));
        chunk_ = plugin_->getPreferredBlockSize();
        if (chunk_ == 0)
            chunk_ = 1024;
        if (!plugin_->initialise(static_cast<std::size_t>(channels_), chunk_, chunk_))
            throw UsageError(def_->id + ": the plugin refused to start (" + std::to_string(channels_) +
                             " channel(s), block " + std::to_string(values_.integer("block")) +
                             ", step " + std::to_string(values_.integer("step")) + ")");
        std::size_t step = 0, block = 0;
        buffering->getActualStepAndBlockSizes(step, block);
        step_ = static_cast<int>(step);
        block_ = static_cast<int>(block);
        auto descs = plugin_->getOutputDescriptors();
        for (std::size_t i = 0; i < descs.size(); ++i) {
            if (std::find(wanted_.begin(), wanted_.end(), descs[i].identifier) == wanted_.end())
                continue;
            Collected c;
            c.desc = descs[i];
            auto t = types_.find(descs[i].identifier);
            c.type = t == types_.end() ? descs[i].sampleType : t->second;
            c.width = descs[i].hasFixedBinCount ? descs[i].binCount : 0;
            outputs_.emplace(static_cast<int>(i), std::move(c));
        }
        buf_.assign(static_cast<std::size_t>(channels_), std::vector<float>(chunk_));
        for (auto &b : buf_)
            ptrs_.push_back(b.data());
        BlockFn feed = [this](const float *x, std::size_t n, int ch) { push(x, n, ch); };
        if (all_channels_)
            ctx.on_blocks(feed);
        else
            ctx.on_mono(feed);
    }

    std::vector<result::Result> finish(std::int64_t frames) override {
        if (fill_ > 0) {
            for (auto &b : buf_)
                std::fill(b.begin() + static_cast<std::ptrdiff_t>(fill_), b.end(), 0.0f);
            process();
        }
        collect(plugin_->getRemainingFeatures(), true);
        const double duration = static_cast<double>(frames) / rate_;
        std::vector<result::Result> out;
        for (auto &[index, c] : outputs_)
            out.push_back(make_result(c, frames, duration));
        return out;
    }

  private:
    void push(const float *x, std::size_t n, int ch) {
        std::size_t i = 0;
        while (i < n) {
            std::size_t take = std::min(n - i, chunk_ - fill_);
            for (int c = 0; c < ch; ++c) {
                float *dst = buf_[static_cast<std::size_t>(c)].data() + fill_;
                for (std::size_t k = 0; k < take; ++k)
                    dst[k] = x[(i + k) * static_cast<std::size_t>(ch) + static_cast<std::size_t>(c)];
            }
            fill_ += take;
            i += take;
            if (fill_ == chunk_)
                process();
        }
    }

    void process() {
        auto t = RealTime::frame2RealTime(static_cast<long>(position_), static_cast<unsigned>(rate_));
        collect(plugin_->process(ptrs_.data(), t), false);
        position_ += static_cast<std::int64_t>(chunk_);
        fill_ = 0;
    }

    void collect(const Plugin::FeatureSet &set, bool at_end) {
        for (const auto &[index, list] : set) {
            auto it = outputs_.find(index);
            if (it == outputs_.end())
                continue;
            Collected &c = it->second;
            for (const auto &f : list) {
                ++c.count;
                c.last_untimed_at_end = at_end && !f.hasTimestamp;
                if (c.type == Plugin::OutputDescriptor::OneSamplePerStep && c.width > 0) {
                    std::size_t old = c.series.size();
                    c.series.resize(old + c.width, NAN);
                    std::copy_n(f.values.begin(), std::min(f.values.size(), c.width), c.series.begin() + static_cast<std::ptrdiff_t>(old));
                    continue;
                }
                double t;
                if (f.hasTimestamp)
                    t = seconds(f.timestamp);
                else if (c.desc.sampleType == Plugin::OutputDescriptor::FixedSampleRate && c.desc.sampleRate > 0)
                    t = c.next_time;
                else
                    t = static_cast<double>(position_) / rate_;
                if (c.desc.sampleRate > 0)
                    c.next_time = t + 1.0 / c.desc.sampleRate;
                c.time.push_back(t);
                c.duration.push_back(f.hasDuration ? seconds(f.duration) : 0.0);
                c.any_duration |= f.hasDuration;
                c.value.push_back(f.values.empty() ? NAN : shortest(f.values[0]));
                c.values.push_back(shortest(f.values));
                c.multi |= f.values.size() > 1;
                c.labels.push_back(f.label);
                c.any_label |= !f.label.empty();
            }
        }
    }

    result::Result make_result(Collected &c, std::int64_t frames, double duration) {
        const auto &d = c.desc;
        result::Result r;
        bool framewise = c.type == Plugin::OutputDescriptor::OneSamplePerStep && c.width > 0;
        if (framewise) {
            r = analyze::framewise(d.identifier, rate_, block_, step_);
            std::size_t whole = frames >= block_ ? static_cast<std::size_t>((frames - block_) / step_ + 1) : 0;
            c.series.resize(std::min(c.series.size(), whole * c.width));
            r.series = std::move(c.series);
            r.width = c.width;
            bool named = std::any_of(d.binNames.begin(), d.binNames.end(), [](auto &s) { return !s.empty(); });
            if (named && c.width > 1)
                r.extra["bins"] = d.binNames;
        } else if (c.count == 1 && c.last_untimed_at_end) {
            r.time_mode = result::TimeMode::global;
            if (c.any_label && !has_values(d)) {
                r.labels = c.labels;
            } else {
                r.value = c.values[0];
                r.scalar = r.value.size() == 1;
                if (c.any_label)
                    r.extra["label"] = c.labels[0];
            }
        } else {
            bool segment = c.desc.sampleType == Plugin::OutputDescriptor::VariableSampleRate &&
                           (d.hasDuration || c.any_duration);
            r.time_mode = segment ? result::TimeMode::segment : result::TimeMode::event;
            nlohmann::json all = nlohmann::json::array();
            for (std::size_t i = 0; i < c.time.size(); ++i) {
                if (c.time[i] >= duration)
                    continue;
                r.time.push_back(c.time[i]);
                if (segment)
                    r.duration.push_back(c.duration[i]);
                if (has_values(d) && !c.values[i].empty())
                    r.value.push_back(c.value[i]);
                if (c.any_label)
                    r.labels.push_back(c.labels[i]);
                if (c.multi)
                    all.push_back(c.values[i]);
            }
            if (r.value.size() != r.time.size()) // some features without values: none at all
                r.value.clear();
            if (c.multi)
                r.extra["values"] = all;
        }
        if (r.time_mode != result::TimeMode::framewise && !has_values(d) && c.any_label)
            r.data_mode = result::DataMode::label;
        if (r.time_mode == result::TimeMode::global && r.labels.empty() && r.value.empty() && c.any_label)
            r.data_mode = result::DataMode::label;
        r.id = def_->id + "." + d.identifier;
        r.analyzer = def_->id;
        r.name = d.name;
        r.unit = d.unit;
        r.description = d.description + (d.description.empty() ? "" : ". ") + "Output " +
                        d.identifier + " of the VAMP plugin " + key_ + ".";
        r.params = values_.json();
        r.params["block"] = block_;
        r.params["step"] = step_;
        return r;
    }

    std::shared_ptr<const Definition> def_;
    std::string key_;
    std::map<std::string, Plugin::OutputDescriptor::SampleType> types_;
    std::vector<Plugin::ParameterDescriptor> param_specs_;
    Params values_;
    std::vector<std::string> wanted_;
    bool all_channels_;
    std::unique_ptr<Plugin> plugin_;
    int rate_ = 0, channels_ = 1, step_ = 0, block_ = 0;
    std::size_t chunk_ = 0, fill_ = 0;
    std::int64_t position_ = 0;
    std::vector<std::vector<float>> buf_;
    std::vector<float *> ptrs_;
    std::map<int, Collected> outputs_;
};

ParamSpec param_spec(const Plugin::ParameterDescriptor &p) {
    ParamSpec s;
    s.key = p.identifier;
    s.description = p.name + (p.unit.empty() ? "" : " (" + p.unit + ")") +
                    (p.description.empty() ? "" : ": " + p.description);
    if (p.isQuantized && !p.valueNames.empty()) {
        s.type = ParamType::choice;
        s.choices = p.valueNames;
        long i = p.quantizeStep > 0 ? std::lround((p.defaultValue - p.minValue) / p.quantizeStep) : 0;
        i = std::clamp<long>(i, 0, static_cast<long>(p.valueNames.size()) - 1);
        s.default_value = p.valueNames[static_cast<std::size_t>(i)];
        return s;
    }
    s.type = p.isQuantized && p.quantizeStep == 1.0f && p.minValue == std::floor(p.minValue)
                 ? ParamType::integer
                 : ParamType::number;
    s.min = shortest(p.minValue); // "0.1" passes a minimum of 0.1f
    s.max = shortest(p.maxValue);
    s.default_value = s.type == ParamType::integer ? std::to_string(std::lround(p.defaultValue))
                                                   : fmt(p.defaultValue);
    return s;
}

std::shared_ptr<const Definition> make_definition(const std::string &key) {
    std::unique_ptr<Plugin> p(loader().loadPlugin(key, 44100.0f, 0));
    if (!p)
        throw UsageError("vamp:" + key + ": the plugin cannot be loaded from " +
                         loader().getLibraryPathForPlugin(key));
    auto d = std::make_shared<Definition>();
    d->id = "vamp:" + key;
    d->name = p->getName();
    d->description = p->getDescription() + (p->getDescription().empty() ? "" : ". ") +
                     "VAMP plugin by " + p->getMaker() + " (" + p->getCopyright() + "), from " +
                     loader().getLibraryPathForPlugin(key) + "; see vamp: in ts-analyze(1).";
    auto params = p->getParameterDescriptors();
    bool own_block = true, own_step = true;
    for (const auto &q : params) {
        d->params.push_back(param_spec(q));
        own_block &= q.identifier != "block";
        own_step &= q.identifier != "step";
    }
    auto preferred = [](std::size_t n) {
        return n ? " (0: the plugin's preference, " + std::to_string(n) + ")"
                 : std::string(" (0: the plugin's preference)");
    };
    if (own_block)
        d->params.push_back({"block", ParamType::integer, "0", 0, 1 << 24, {},
                             "the plugin's block in samples" + preferred(p->getPreferredBlockSize())});
    if (own_step)
        d->params.push_back({"step", ParamType::integer, "0", 0, 1 << 24, {},
                             "the plugin's step in samples" + preferred(p->getPreferredStepSize())});
    std::map<std::string, Plugin::OutputDescriptor::SampleType> types;
    for (const auto &o : p->getOutputDescriptors()) {
        types[o.identifier] = o.sampleType;
        OutputSpec spec;
        spec.id = o.identifier;
        spec.name = o.name;
        spec.unit = o.unit;
        spec.time_mode = declared_mode(o);
        spec.data_mode = has_values(o) ? result::DataMode::value : result::DataMode::label;
        spec.description = o.description;
        d->outputs.push_back(spec);
    }
    d->all_channels = p->getMaxChannelCount() > 1;
    std::weak_ptr<const Definition> self = d;
    d->make = [self, key, types, params, all = d->all_channels](const Params &values,
                                                                const std::vector<std::string> &outputs) {
        return std::make_unique<VampAnalyzer>(self.lock(), key, types, params, values, outputs, all);
    };
    return d;
}

std::vector<std::string> libraries(const PluginLoader::PluginKeyList &keys) {
    std::vector<std::string> libs;
    for (const auto &k : keys) {
        std::string lib = k.substr(0, k.find(':'));
        if (std::find(libs.begin(), libs.end(), lib) == libs.end())
            libs.push_back(lib);
    }
    return libs;
}

} // namespace

bool is_vamp(const std::string &name) { return name.rfind("vamp:", 0) == 0; }

Name parse_name(const std::string &name) {
    std::vector<std::string> parts;
    std::size_t pos = 5;
    for (;;) {
        auto colon = name.find(':', pos);
        parts.push_back(name.substr(pos, colon - pos));
        if (colon == std::string::npos)
            break;
        pos = colon + 1;
    }
    Name n;
    if (parts.size() == 2 || parts.size() == 3) {
        n.library = parts[0];
        n.plugin = parts[1];
        if (parts.size() == 3) {
            n.output = parts[2];
        } else if (auto dot = n.plugin.find('.'); dot != std::string::npos) {
            n.output = n.plugin.substr(dot + 1);
            n.plugin.resize(dot);
        }
    }
    if (n.library.empty() || n.plugin.empty() || (parts.size() == 3 && n.output.empty()))
        throw UsageError("'" + name + "': expected vamp:LIBRARY:PLUGIN or vamp:LIBRARY:PLUGIN:OUTPUT");
    return n;
}

std::vector<std::string> search_path() {
    ensure_path();
    return Vamp::PluginHostAdapter::getPluginPath();
}

std::shared_ptr<const Definition> definition(const Name &name) {
    static std::map<std::string, std::shared_ptr<const Definition>> cache;
    const std::string key = name.library + ":" + name.plugin;
    auto it = cache.find(key);
    if (it == cache.end()) {
        auto keys = loader().listPlugins();
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            auto libs = libraries(keys);
            if (std::find(libs.begin(), libs.end(), name.library) == libs.end()) {
                std::string near = did_you_mean(name.library, libs);
                throw UsageError("no VAMP plugin library '" + name.library + "' (for " + name.id() +
                                 ") in " + join(search_path()) +
                                 (near.empty() ? "; see ts-analyze --list"
                                               : "; did you mean '" + near + "'?"));
            }
            std::vector<std::string> plugins;
            for (const auto &k : keys)
                if (k.rfind(name.library + ":", 0) == 0)
                    plugins.push_back(k.substr(name.library.size() + 1));
            std::string near = did_you_mean(name.plugin, plugins);
            throw UsageError("no VAMP plugin '" + name.plugin + "' in " + name.library + " (for " +
                             name.id() + ")" +
                             (near.empty() ? "; it has " + join(plugins)
                                           : "; did you mean 'vamp:" + name.library + ":" + near + "'?"));
        }
        it = cache.emplace(key, make_definition(key)).first;
    }
    if (!name.output.empty()) {
        std::vector<std::string> ids;
        for (const auto &o : it->second->outputs)
            ids.push_back(o.id);
        if (std::find(ids.begin(), ids.end(), name.output) == ids.end()) {
            std::string near = did_you_mean(name.output, ids);
            throw UsageError("no output '" + name.output + "' in " + name.id() +
                             (near.empty() ? "; it has " + join(ids)
                                           : "; did you mean '" + name.id() + ":" + near + "'?"));
        }
    }
    return it->second;
}

std::vector<std::shared_ptr<const Definition>> installed() {
    std::vector<std::shared_ptr<const Definition>> out;
    for (const auto &key : loader().listPlugins()) {
        auto colon = key.find(':');
        try {
            out.push_back(definition(Name{key.substr(0, colon), key.substr(colon + 1), ""}));
        } catch (const Error &e) {
            log::warning(e.what());
        }
    }
    return out;
}

} // namespace ts::analyze::vamp
