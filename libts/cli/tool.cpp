// The tool runner: parse, dispatch help/version/man, and turn exceptions into exit statuses.
#include "cli/tool.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"
#include "core/version.hpp"
#include "io/output.hpp"

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <new>

namespace ts::cli {
namespace {

// Every numeric option refuses NaN and the infinities, which strtold reads and most range
// checks let through (NaN compares false with both bounds): `--tempo nan` looped forever. The
// options are known by their type names, the numeric ones being CLI11's FLOAT, INT and UINT
// and the units the tools declare (N, S, HZ, DB, ...).
bool numeric_type(const std::string &full) {
    static const char *const names[] = {"FLOAT", "INT", "UINT", "NUMBER", "N", "S", "HZ",
                                        "PX", "DB", "DBFS", "DBTP", "LUFS", "Q", "KBPS",
                                        "DEG", "BPM", "SECONDS"};
    const std::string name = full.substr(0, full.find(':'));
    for (const char *n : names)
        if (name == n)
            return true;
    return false;
}

void refuse_non_finite(CLI::App &app) {
    const CLI::Validator finite(
        [](std::string &v) -> std::string {
            char *end = nullptr;
            const long double x = std::strtold(v.c_str(), &end);
            if (!v.empty() && end == v.c_str() + v.size() && !std::isfinite(x))
                return "'" + v + "' is not a finite number";
            return {};
        },
        "");
    for (CLI::Option *opt : app.get_options())
        if (!opt->get_positional() && numeric_type(opt->get_type_name()))
            opt->check(finite);
    for (CLI::App *sub : app.get_subcommands([](CLI::App *) { return true; }))
        refuse_non_finite(*sub);
}

} // namespace

Tool::Tool(Spec spec) : spec_(std::move(spec)), app_(spec_.summary, spec_.name) {
    app_.set_help_flag();
    app_.set_help_all_flag();
    // Declared so they show in help and man; handled before parsing (see run()).
    app_.add_flag("-h,--help")->description("print this help and exit")->group("General");
    app_.add_flag("--version")->description("print the version and exit")->group("General");
    app_.add_flag("--man")->description("print the man page (roff) and exit")->group("");
    if (spec_.exit_status.empty())
        spec_.exit_status = {{0, "success"},
                             {1, "a runtime or data error: an input that cannot be read or "
                                 "decoded, a failed write"},
                             {2, "a usage error: an unknown option, a bad or out-of-range value"},
                             {130, "interrupted by SIGINT or SIGTERM; no output file is left"}};
}

// After --help, --version or --man: success only if the text reached stdout (a full device
// or a closed pipe is an error, not a silent exit 0).
int printed() {
    try {
        if (!std::cout && errno == EPIPE) // `| head`: the reader has all it wanted
            return exit_ok;
        if (!std::cout)
            throw Error(std::string("stdout: write failed") +
                        (errno != 0 ? std::string(": ") + std::strerror(errno) : ""));
        io::close_stdout();
    } catch (const Error &e) {
        log::error(e);
        return exit_failure;
    }
    return exit_ok;
}

int Tool::run(int argc, char **argv, const std::function<int()> &body) {
    signals::install();
    errno = 0;
    log::set_tool(spec_.name);
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--")
            break;
        if (arg == "-h" || arg == "--help") {
            std::cout << help() << std::flush;
            return printed();
        }
        if (arg == "--version") {
            std::cout << spec_.name << " (timeside) " << version() << "\n" << std::flush;
            return printed();
        }
        if (arg == "--man") {
            std::cout << man() << std::flush;
            return printed();
        }
    }
    refuse_non_finite(app_);
    try {
        app_.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        std::string what = e.what();
        log::error(what);
        std::cerr << "Try '" << spec_.name << " --help' for more information.\n";
        return exit_usage;
    }
    int status = exit_ok;
    try {
        for (const auto &check : after_parse_)
            check();
        status = body();
        io::close_stdout();
    } catch (const BrokenPipe &) {
        status = exit_ok; // the reader has all it wanted
    } catch (const Interrupted &) {
        log::error("interrupted");
        status = exit_interrupted;
    } catch (const Error &e) {
        if (signals::received() != 0) {
            log::error("interrupted");
            status = exit_interrupted;
        } else {
            log::error(e);
            status = e.status();
        }
    } catch (const std::bad_alloc &) {
        log::error("out of memory");
        status = exit_failure;
    } catch (const std::exception &e) {
        log::error(e.what());
        status = exit_failure;
    }
    return status;
}

} // namespace ts::cli
