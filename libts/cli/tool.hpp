// One declaration per tool: from it come option parsing, --help, --version and the man page.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ts::cli {

struct Example {
    std::string command;
    std::string explanation;
};

// What a tool says about itself. Options are declared on app() with CLI11, each with a
// description, a type name and a default where one applies: help and man read them back.
struct Spec {
    std::string name;                      // "ts-decode"
    std::string summary;                   // one line, lower case, no final period
    std::vector<std::string> synopsis;     // lines after the name: "[OPTIONS] [INPUT]"
    std::string description;               // paragraphs split by blank lines; lines that
                                           // start with two spaces are shown verbatim
    std::vector<std::pair<std::string, std::string>> sections; // extra man sections (title, text)
    std::vector<Example> examples;
    std::vector<std::pair<int, std::string>> exit_status;      // empty: the standard four
    std::string see_also;                  // "ts-info(1), ts-pcm(5)"
};

class Tool {
  public:
    explicit Tool(Spec spec);
    CLI::App &app() { return app_; }
    const Spec &spec() const { return spec_; }

    // Parses argv (printing help, version or the man page when asked), runs the checks
    // registered with after_parse in their order, then body, and maps what they throw to an
    // exit status with a message on stderr.
    int run(int argc, char **argv, const std::function<int()> &body);

    // What an option group does once the command line is parsed: check its values together,
    // apply them. Groups register it as they add their options (cli/groups.hpp).
    void after_parse(std::function<void()> check) { after_parse_.push_back(std::move(check)); }

    std::string help() const;
    std::string man() const;

  private:
    Spec spec_;
    CLI::App app_;
    std::vector<std::function<void()>> after_parse_;
};

} // namespace ts::cli
