// Unit tests: cli — help and man from one declaration, exit statuses, shared option groups.
#include <doctest/doctest.h>

#include "support.hpp"

#include "cli/groups.hpp"
#include "cli/tool.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/version.hpp"

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <new>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace ts::test;

namespace {

std::string read_fd(int fd) {
    std::string out;
    char buf[4096];
    lseek(fd, 0, SEEK_SET);
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    return out;
}

// Points fd 1 and fd 2 at temporary files for the scope, and puts the real ones back, so
// that a tool's output (and Tool::run closing stdout) cannot reach doctest's own report.
class Capture {
  public:
    Capture() {
        std::cout.flush();
        std::cerr.flush();
        std::fflush(stdout);
        std::fflush(stderr);
        saved_out_ = dup(STDOUT_FILENO);
        saved_err_ = dup(STDERR_FILENO);
        REQUIRE(saved_out_ >= 0);
        REQUIRE(saved_err_ >= 0);
        out_ = temp_fd();
        err_ = temp_fd();
        REQUIRE(dup2(out_, STDOUT_FILENO) == STDOUT_FILENO);
        REQUIRE(dup2(err_, STDERR_FILENO) == STDERR_FILENO);
    }
    ~Capture() { restore(); }
    Capture(const Capture &) = delete;
    Capture &operator=(const Capture &) = delete;

    // Ends the capture; out() and err() then hold what was written.
    void restore() {
        if (saved_out_ < 0)
            return;
        std::cout.flush();
        std::cerr.flush();
        std::fflush(stdout);
        std::fflush(stderr);
        dup2(saved_out_, STDOUT_FILENO); // also reopens fd 1 if the tool closed it
        dup2(saved_err_, STDERR_FILENO);
        close(saved_out_);
        close(saved_err_);
        saved_out_ = saved_err_ = -1;
        out_text_ = read_fd(out_);
        err_text_ = read_fd(err_);
        close(out_);
        close(err_);
    }
    const std::string &out() const { return out_text_; }
    const std::string &err() const { return err_text_; }

  private:
    static int temp_fd() {
        char name[] = "/tmp/ts-unit-cli-XXXXXX";
        int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        unlink(name);
        return fd;
    }
    int saved_out_ = -1, saved_err_ = -1, out_ = -1, err_ = -1;
    std::string out_text_, err_text_;
};

// argv for Tool::run from strings (CLI11 does not write through it).
class Argv {
  public:
    Argv(std::initializer_list<std::string> args) : strings_(args) {
        for (auto &s : strings_)
            ptrs_.push_back(s.data());
        ptrs_.push_back(nullptr);
    }
    int argc() const { return static_cast<int>(strings_.size()); }
    char **argv() { return ptrs_.data(); }

  private:
    std::vector<std::string> strings_;
    std::vector<char *> ptrs_;
};

ts::cli::Spec demo_spec() {
    ts::cli::Spec spec;
    spec.name = "ts-demo";
    spec.summary = "make demos of an input, with a back\\slash";
    spec.synopsis = {"[OPTIONS] INPUT", "--mode slow INPUT"};
    spec.description = "The first paragraph is long enough that it has to be wrapped over "
                       "more than one line of the eighty columns help uses.\n"
                       "\n"
                       "A second paragraph, with -hyphens.\n"
                       "  ts-demo --verbatim line\n"
                       "'quoted start and .dot lines need care in roff\n"
                       ".like this one";
    spec.sections = {{"Notes", "A note - with a dash."}};
    spec.examples = {{"ts-demo -n 3 song.wav", "makes three demos of song.wav"},
                     {"ts-demo --mode slow -l x.wav | ts-info", "slowly and loudly"}};
    spec.see_also = "ts-info(1), ts-pcm(5)";
    return spec;
}

// A small tool: a flag, a ranged int, a string from a set, a positional.
struct Demo {
    ts::cli::Tool tool{demo_spec()};
    bool loud = false;
    int count = 3;
    std::string mode = "fast";
    std::string input;
    Demo() {
        auto &app = tool.app();
        app.add_flag("-l,--loud", loud, "make them loud");
        app.add_option("-n,--count", count, "number of demos")
            ->check(CLI::Range(1, 10))
            ->type_name("N")
            ->capture_default_str();
        app.add_option("--mode", mode, "how to make them")
            ->check(CLI::IsMember({"fast", "slow"}))
            ->capture_default_str();
        app.add_option("input", input, "the input file")->required()->type_name("INPUT");
    }
    int run(std::initializer_list<std::string> args, const std::function<int()> &body) {
        Argv argv(args);
        return tool.run(argv.argc(), argv.argv(), body);
    }
};

int exit_code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string temp_file_with(const std::string &text) {
    char name[] = "/tmp/ts-unit-cli-man-XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    close(fd);
    return name;
}

} // namespace

TEST_CASE("cli: help lists options, types, ranges, defaults, examples and exit statuses") {
    Demo demo;
    const std::string help = demo.tool.help();
    CHECK(help.rfind("ts-demo " + std::string(ts::version()) +
                         " - make demos of an input, with a back\\slash\n",
                     0) == 0);
    CHECK(contains(help, "Usage:\n  ts-demo [OPTIONS] INPUT\n  ts-demo --mode slow INPUT\n"));
    CHECK(contains(help, "\nThe first paragraph is long enough that it has to be wrapped over"));
    CHECK(contains(help, "\n  ts-demo --verbatim line\n")); // verbatim lines keep their indent
    CHECK(contains(help, "-l, --loud"));
    CHECK(contains(help, "-n, --count N"));
    CHECK(contains(help, "number of demos (1 to 10) [default: 3]"));
    CHECK(contains(help, "--mode {fast,slow}"));
    CHECK(contains(help, "how to make them [default: fast]"));
    CHECK(contains(help, "Arguments:\n  input"));
    CHECK(contains(help, "the input file (required)"));
    CHECK(contains(help, "-h, --help"));
    CHECK(contains(help, "--version"));
    CHECK_FALSE(contains(help, "--man")); // a hidden option
    CHECK(contains(help,
                   "Examples:\n  ts-demo -n 3 song.wav\n      makes three demos of song.wav\n"));
    CHECK(contains(help, "  ts-demo --mode slow -l x.wav | ts-info\n      slowly and loudly\n"));
    CHECK(contains(help, "Exit status:\n  0     success\n"));
    CHECK(contains(help, "\n  2     a usage error"));
    CHECK(contains(help, "\n  130   interrupted"));
    CHECK(contains(help, "See ts-demo(1) for the full manual.\n"));
    // Arguments first, then the tool's options, General last.
    CHECK(help.find("Arguments:") < help.find("Options:"));
    CHECK(help.find("Options:") < help.find("General:"));
    CHECK(help.find("General:") < help.find("Examples:"));
    // Wrapped to 80 columns.
    std::size_t start = 0;
    while (start < help.size()) {
        std::size_t nl = help.find('\n', start);
        if (nl == std::string::npos)
            nl = help.size();
        CAPTURE(help.substr(start, nl - start));
        CHECK(nl - start <= 80);
        start = nl + 1;
    }
}

TEST_CASE("cli: man is roff with the standard sections and escaped hyphens") {
    Demo demo;
    const std::string man = demo.tool.man();
    CHECK(man.rfind(".\\\" ", 0) == 0); // a comment line first
    const std::size_t second = man.find('\n') + 1;
    CHECK(man.compare(second, 13, ".TH TS-DEMO 1") == 0);
    CHECK(contains(man, "\n.SH NAME\nts\\-demo \\- make demos of an input, with a back\\eslash\n"));
    CHECK(contains(man, "\n.SH SYNOPSIS\n"));
    CHECK(contains(man, "\n.SH DESCRIPTION\n"));
    CHECK(contains(man, "\n.SH OPTIONS\n"));
    CHECK(contains(man, "\n.SH NOTES\n"));
    CHECK(contains(man, "\n.SH EXAMPLES\n"));
    CHECK(contains(man, "\n.SH EXIT STATUS\n"));
    CHECK(contains(man, "\n.SH SEE ALSO\nts\\-info(1), ts\\-pcm(5)\n"));
    CHECK(contains(man, "\n.B \\-n, \\-\\-count N\nnumber of demos (1 to 10) [default: 3]\n"));
    CHECK(contains(man, "\n.B \\-\\-mode {fast,slow}\n"));
    CHECK(contains(man, "\n.B \\-l, \\-\\-loud\n"));
    CHECK(contains(man, "\n.B ts\\-demo \\-n 3 song.wav\nmakes three demos of song.wav\n"));
    CHECK(contains(man, "\n.B 130\ninterrupted"));
    CHECK(contains(man, "A second paragraph, with \\-hyphens."));
    CHECK(contains(man, "\n.nf\nts\\-demo \\-\\-verbatim line\n"));
    // Text lines that roff would take for requests are protected.
    CHECK(contains(man, "\n\\&'quoted start"));
    CHECK(contains(man, "\n\\&.like this one\n"));
    // No bare hyphen after the comment and .TH lines (the title is a name, not text).
    const std::string body = man.substr(man.find('\n', second) + 1);
    for (std::size_t i = body.find('-'); i != std::string::npos; i = body.find('-', i + 1)) {
        CAPTURE(body.substr(i < 20 ? 0 : i - 20, 40));
        CHECK((i > 0 && body[i - 1] == '\\'));
    }
}

TEST_CASE("cli: the man page renders through man(1) without warnings") {
    if (std::system("command -v man > /dev/null 2>&1") != 0) {
        MESSAGE("man is not installed: rendering not checked");
        return;
    }
    Demo demo;
    const std::string page = temp_file_with(demo.tool.man());
    const std::string errors = page + ".err";
    const std::string rendered = page + ".txt";
    const int status = std::system(
        ("MANWIDTH=80 man --warnings -l '" + page + "' > '" + rendered + "' 2> '" + errors + "'")
            .c_str());
    CHECK(exit_code(status) == 0);
    // groff's complaints name troff and say "warning"; man's own notes (an unset locale) pass.
    const std::string complaints = read_file(errors);
    CAPTURE(complaints);
    CHECK_FALSE(contains(complaints, "troff"));
    CHECK_FALSE(contains(complaints, "warning"));
    const std::string text = read_file(rendered);
    CHECK(contains(text, "NAME"));
    CHECK(contains(text, "ts-demo - make demos of an input, with a back\\slash"));
    CHECK(contains(text, "-n, --count N"));
    CHECK(contains(text, "EXIT STATUS"));
    CHECK(contains(text, "'quoted start"));
    CHECK(contains(text, ".like this one"));
    std::remove(page.c_str());
    std::remove(errors.c_str());
    std::remove(rendered.c_str());
}

TEST_CASE("cli: run parses the options and returns the body's status") {
    Demo demo;
    bool ran = false;
    Capture cap;
    const int status =
        demo.run({"/usr/bin/ts-demo", "-l", "--count", "7", "--mode=slow", "in put.wav"}, [&] {
            ran = true;
            std::cout << "payload";
            std::printf(" and more");
            return 3;
        });
    cap.restore();
    CHECK(status == 3);
    CHECK(ran);
    CHECK(demo.loud);
    CHECK(demo.count == 7);
    CHECK(demo.mode == "slow");
    CHECK(demo.input == "in put.wav");
    CHECK(cap.out() == "payload and more"); // flushed by Tool::run before it closes stdout
    CHECK(cap.err().empty());
}

TEST_CASE("cli: defaults stay when options are not given") {
    Demo demo;
    Capture cap;
    const int status = demo.run({"ts-demo", "x.wav"}, [] { return 0; });
    cap.restore();
    CHECK(status == 0);
    CHECK_FALSE(demo.loud);
    CHECK(demo.count == 3);
    CHECK(demo.mode == "fast");
    CHECK(demo.input == "x.wav");
    CHECK(cap.out().empty());
}

TEST_CASE("cli: usage errors return 2 without running the body") {
    const std::vector<std::vector<std::string>> bad = {
        {"ts-demo", "--bogus", "x.wav"},          // unknown option
        {"ts-demo"},                              // the required input is missing
        {"ts-demo", "-n", "11", "x.wav"},         // out of range
        {"ts-demo", "-n", "0", "x.wav"},          // out of range
        {"ts-demo", "-n", "abc", "x.wav"},        // not a number
        {"ts-demo", "--mode", "medium", "x.wav"}, // not a member
        {"ts-demo", "x.wav", "y.wav"},            // one positional too many
        {"ts-demo", "--count"},                   // a value missing
    };
    for (const auto &args : bad) {
        Demo demo;
        std::vector<std::string> strings = args;
        std::vector<char *> ptrs;
        for (auto &s : strings)
            ptrs.push_back(s.data());
        ptrs.push_back(nullptr);
        CAPTURE(strings.size() > 1 ? strings[1] : std::string("(none)"));
        bool ran = false;
        Capture cap;
        const int status = demo.tool.run(static_cast<int>(strings.size()), ptrs.data(), [&] {
            ran = true;
            return 0;
        });
        cap.restore();
        CHECK(status == 2);
        CHECK_FALSE(ran);
        CHECK(cap.out().empty());
        CHECK(contains(cap.err(), "ts-demo: "));
        CHECK(contains(cap.err(), "error"));
        CHECK(contains(cap.err(), "Try 'ts-demo --help' for more information."));
    }
}

TEST_CASE("cli: what the body throws becomes the exit status") {
    struct Case {
        const char *what;
        std::function<int()> body;
        int status;
        const char *says; // on stderr; empty: nothing at all
    };
    const std::vector<Case> cases = {
        {"Error", []() -> int { throw ts::Error("in.wav: truncated"); }, 1,
         "ts-demo: error: in.wav: truncated\n"},
        {"Error with a status", []() -> int { throw ts::Error("odd", 7); }, 7,
         "ts-demo: error: odd\n"},
        {"UsageError", []() -> int { throw ts::UsageError("--start needs a time"); }, 2,
         "ts-demo: error: --start needs a time\n"},
        {"BrokenPipe", []() -> int { throw ts::BrokenPipe(); }, 0, ""},
        {"Interrupted", []() -> int { throw ts::Interrupted(); }, 130,
         "ts-demo: error: interrupted\n"},
        {"bad_alloc", []() -> int { throw std::bad_alloc(); }, 1,
         "ts-demo: error: out of memory\n"},
        {"runtime_error", []() -> int { throw std::runtime_error("surprise"); }, 1,
         "ts-demo: error: surprise\n"},
    };
    const bool colour = isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr;
    for (const auto &c : cases) {
        CAPTURE(c.what);
        Demo demo;
        Capture cap;
        const int status = demo.run({"ts-demo", "x.wav"}, c.body);
        cap.restore();
        CHECK(status == c.status);
        CHECK(cap.out().empty());
        if (!colour) // the log decides on colour once, from the real stderr
            CHECK(cap.err() == c.says);
    }
}

TEST_CASE("cli: --help, --version and --man print and return 0 before parsing") {
    Demo demo;
    bool ran = false;
    auto body = [&] {
        ran = true;
        return 1;
    };
    {
        Capture cap;
        // The required input is missing and --count is bad: --help is answered anyway.
        CHECK(demo.run({"ts-demo", "--count", "99", "--help"}, body) == 0);
        cap.restore();
        CHECK(cap.out() == demo.tool.help());
    }
    {
        Capture cap;
        CHECK(demo.run({"ts-demo", "-h"}, body) == 0);
        cap.restore();
        CHECK(cap.out() == demo.tool.help());
    }
    {
        Capture cap;
        CHECK(demo.run({"ts-demo", "--version"}, body) == 0);
        cap.restore();
        CHECK(cap.out() == "ts-demo (timeside) " + std::string(ts::version()) + "\n");
    }
    {
        Capture cap;
        CHECK(demo.run({"ts-demo", "--man"}, body) == 0);
        cap.restore();
        CHECK(cap.out() == demo.tool.man());
    }
    {
        Capture cap; // after "--", --help is an argument, not a request for help
        CHECK(demo.run({"ts-demo", "--", "--help"}, body) == 1);
        cap.restore();
        CHECK(demo.input == "--help");
        CHECK(cap.out().empty());
    }
    CHECK(ran);
}

TEST_CASE("cli: command_line quotes what the shell would need") {
    Argv a({"/usr/local/bin/ts-decode", "--rate", "44100", "my song.mp3", "it's", "",
            "a=b,c:d@e%f+g.h/i_j-k", "$HOME", "*.wav"});
    CHECK(ts::cli::command_line(a.argc(), a.argv()) ==
          "ts-decode --rate 44100 'my song.mp3' 'it'\\''s' '' a=b,c:d@e%f+g.h/i_j-k '$HOME' "
          "'*.wav'");
    Argv b({"ts-x"});
    CHECK(ts::cli::command_line(b.argc(), b.argv()) == "ts-x");
    Argv c({"./tools/ts-x", "''"});
    CHECK(ts::cli::command_line(c.argc(), c.argv()) == "ts-x ''\\'''\\'''");
}

TEST_CASE("cli: command_line reads back through bash as the same arguments") {
    const std::vector<std::string> args = {"my song.mp3", "it's",        "",      "$HOME", "`id`",
                                           "\"dq\"",      "back\\slash", "*",     "~",     "a;b",
                                           "two\nlines",  "tab\there",   "!bang", "ünï",   "'",
                                           "x'y'z",       "--opt=val",   "-"};
    // printf itself is the command, so bash prints each argument back between brackets.
    std::vector<std::string> strings = {"/usr/bin/printf", "[%s]\\n"};
    strings.insert(strings.end(), args.begin(), args.end());
    std::vector<char *> ptrs;
    for (auto &s : strings)
        ptrs.push_back(s.data());
    const std::string line = ts::cli::command_line(static_cast<int>(ptrs.size()), ptrs.data());
    CHECK(line.rfind("printf '[%s]\\n' ", 0) == 0);
    CHECK(line.find('\n') != std::string::npos); // kept literally, inside quotes

    const std::string script = temp_file_with(line + "\n");
    std::FILE *p = popen(("bash '" + script + "'").c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    char buf[512];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    CHECK(exit_code(pclose(p)) == 0);
    std::remove(script.c_str());
    std::string expect;
    for (const auto &a : args)
        expect += "[" + a + "]\n";
    CHECK(out == expect);
}

TEST_CASE("cli: the raw input group and its checks") {
    auto parse = [](std::vector<std::string> args, ts::cli::RawInput &raw) {
        CLI::App app("t", "t");
        ts::cli::add_raw_input(app, raw);
        args.insert(args.begin(), "t");
        std::vector<char *> ptrs;
        for (auto &s : args)
            ptrs.push_back(s.data());
        app.parse(static_cast<int>(ptrs.size()), ptrs.data());
    };
    {
        ts::cli::RawInput raw;
        parse({"--input-raw", "--input-rate", "48000", "--input-channels", "2", "--input-format",
               "s16le"},
              raw);
        CHECK(raw.raw);
        CHECK(raw.rate == 48000);
        CHECK(raw.channels == 2);
        CHECK(raw.format == "s16le");
        CHECK_NOTHROW(ts::cli::check_raw_input(raw));
    }
    {
        ts::cli::RawInput raw;
        parse({}, raw);
        CHECK_FALSE(raw.raw);
        CHECK(raw.format == "f32le");
        CHECK_NOTHROW(ts::cli::check_raw_input(raw));
    }
    {
        ts::cli::RawInput raw;
        parse({"--input-raw", "--input-rate", "8000"}, raw);
        CHECK_THROWS_AS(ts::cli::check_raw_input(raw), ts::UsageError);
    }
    {
        ts::cli::RawInput raw;
        parse({"--input-rate", "8000", "--input-channels", "1"}, raw);
        CHECK_THROWS_AS(ts::cli::check_raw_input(raw), ts::UsageError);
    }
    {
        ts::cli::RawInput raw;
        CHECK_THROWS_AS(parse({"--input-raw", "--input-channels", "65"}, raw), CLI::ParseError);
        CHECK_THROWS_AS(parse({"--input-rate", "0"}, raw), CLI::ParseError);
        CHECK_THROWS_AS(parse({"--input-format", "f64le"}, raw), CLI::ParseError);
    }
}

TEST_CASE("cli: output, verbosity and history groups") {
    CLI::App app("t", "t");
    std::string out = "-";
    ts::cli::Verbosity v;
    bool no_history = false;
    ts::cli::add_output(app, out, "the stream");
    ts::cli::add_verbosity(app, v);
    ts::cli::add_no_history(app, no_history);
    std::vector<std::string> args = {"t", "-o", "x.tspcm", "-q", "--progress", "--no-history"};
    std::vector<char *> ptrs;
    for (auto &s : args)
        ptrs.push_back(s.data());
    app.parse(static_cast<int>(ptrs.size()), ptrs.data());
    CHECK(out == "x.tspcm");
    CHECK(v.quiet);
    CHECK_FALSE(v.verbose);
    CHECK(v.progress);
    CHECK(no_history);
    CHECK(v.progress_bar()); // forced, even with --quiet

    v.apply();
    CHECK(ts::log::level() == ts::log::Level::quiet);
    ts::cli::Verbosity loud;
    loud.verbose = true;
    loud.apply();
    CHECK(ts::log::level() == ts::log::Level::verbose);
    ts::cli::Verbosity quiet;
    quiet.quiet = true;
    CHECK_FALSE(quiet.progress_bar()); // --quiet silences the bar unless forced
    ts::cli::Verbosity{}.apply();
    CHECK(ts::log::level() == ts::log::Level::normal);
}
