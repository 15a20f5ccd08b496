// Shared option groups.
#include "cli/groups.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "pcm/header.hpp"

#include <fnmatch.h>
#include <unistd.h>

namespace ts::cli {

void add_raw_input(CLI::App &app, RawInput &raw) {
    const char *g = "Raw input";
    app.add_flag("--input-raw", raw.raw,
                 "the input is headerless PCM (as from sox -t f32 or ffmpeg -f f32le), "
                 "described by the next three options")
        ->group(g);
    app.add_option("--input-rate", raw.rate, "sample rate of the raw input in Hz")
        ->check(CLI::Range(1, pcm::max_rate))
        ->type_name("HZ")
        ->group(g);
    app.add_option("--input-channels", raw.channels, "channels of the raw input")
        ->check(CLI::Range(1, pcm::max_channels))
        ->type_name("N")
        ->group(g);
    app.add_option("--input-format", raw.format, "sample format of the raw input")
        ->check(CLI::IsMember(pcm::sample_format_names))
        ->capture_default_str()
        ->group(g);
}

void add_raw_input(Tool &tool, RawInput &raw) {
    add_raw_input(tool.app(), raw);
    tool.after_parse([&raw] { check_raw_input(raw); });
}

void check_raw_input(const RawInput &raw) {
    if (raw.raw && (raw.rate == 0 || raw.channels == 0))
        throw UsageError("--input-raw needs --input-rate and --input-channels");
    if (!raw.raw && (raw.rate != 0 || raw.channels != 0))
        throw UsageError("--input-rate and --input-channels describe --input-raw input; "
                         "add --input-raw");
}

void add_output(CLI::App &app, std::string &path, const std::string &what) {
    app.add_option("-o,--output", path,
                   "write " + what +
                       " to FILE instead of stdout; the file appears only when complete")
        ->type_name("FILE")
        ->group("Output");
}

void Verbosity::apply() const {
    log::set_level(quiet ? log::Level::quiet : verbose ? log::Level::verbose : log::Level::normal);
}

bool Verbosity::progress_bar() const {
    return progress || (!quiet && isatty(STDERR_FILENO));
}

void add_verbosity(CLI::App &app, Verbosity &v) {
    const char *g = "Messages";
    app.add_flag("-q,--quiet", v.quiet, "print nothing but errors")->group(g);
    app.add_flag("-v,--verbose", v.verbose, "say more about what is done")->group(g);
    app.add_flag("--progress", v.progress,
                 "draw a progress bar on stderr even when it is not a terminal")
        ->group(g);
}

void add_verbosity(Tool &tool, Verbosity &v) {
    add_verbosity(tool.app(), v);
    tool.after_parse([&v] { v.apply(); });
}

void add_shaping(CLI::App &app, Shaping &s, const std::string &channel_rule) {
    const char *g = "Shaping";
    app.add_option("--rate", s.rate, "resample to HZ")
        ->check(CLI::Range(1, pcm::max_resample_rate))
        ->type_name("HZ")
        ->group(g);
    auto *ch = app.add_option("--channels", s.channels, "output N channels (" + channel_rule + ")")
                   ->check(CLI::Range(1, pcm::max_channels))
                   ->type_name("N")
                   ->group(g);
    app.add_flag("--mono", s.mono, "mix down to one channel (same as --channels 1)")
        ->excludes(ch)
        ->group(g);
    app.add_option("--start", s.start, "skip the first S seconds")
        ->check(CLI::Range(0.0, 1e9))
        ->type_name("S")
        ->group(g);
    app.add_option("--duration", s.duration, "keep S seconds")
        ->check(CLI::Range(0.0, 1e9))
        ->type_name("S")
        ->group(g);
}

bool ResultSelection::keeps(const std::string &id) const {
    if (patterns.empty())
        return true;
    for (const auto &p : patterns)
        if (::fnmatch(p.c_str(), id.c_str(), 0) == 0)
            return true;
    return false;
}

std::string ResultSelection::text() const {
    std::string s;
    for (const auto &p : patterns)
        s += (s.empty() ? "--result " : " --result ") + p;
    return s;
}

void add_result_selection(CLI::App &app, ResultSelection &selection) {
    app.add_option("--result", selection.patterns,
                   "keep the results whose id matches this shell pattern; repeatable")
        ->type_name("ID")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
}

void add_writer_options(CLI::App &app, WriterOptions &w) {
    app.add_flag("--compact", w.compact, "json: one line instead of an indented document");
    app.add_option("--bits", w.bits, "dat: 8 or 16-bit values [default: 16]")
        ->check(CLI::IsMember({8, 16}))
        ->type_name("N");
    app.add_option("--dat-version", w.dat_version,
                   "dat: version 1 (one channel) or 2 [default: 1 for one channel, else 2]")
        ->check(CLI::IsMember({1, 2}))
        ->type_name("N");
}

void add_no_history(CLI::App &app, bool &no_history) {
    app.add_flag("--no-history", no_history,
                 "do not append this command to the stream's history header lines")
        ->group("Output");
}

std::string command_line(int argc, char **argv) {
    std::string out;
    for (int i = 0; i < argc; ++i) {
        std::string a = argv[i];
        if (i == 0) {
            auto slash = a.rfind('/');
            if (slash != std::string::npos)
                a = a.substr(slash + 1);
        }
        bool plain = !a.empty() && a.find_first_not_of(
                                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789-_./=:,+@%") == std::string::npos;
        if (!out.empty())
            out += ' ';
        if (plain) {
            out += a;
        } else {
            out += '\'';
            for (char c : a)
                out += c == '\'' ? std::string("'\\''") : std::string(1, c);
            out += '\'';
        }
    }
    return out;
}

} // namespace ts::cli
