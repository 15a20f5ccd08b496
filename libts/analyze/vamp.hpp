// VAMP plugins as analyzers: "-a vamp:LIBRARY:PLUGIN[:OUTPUT]" hosts any installed plugin
// through the VAMP host SDK (vamp-hostsdk), its parameters set with -p, its outputs mapped
// to ts-result time modes.
#pragma once

#include "analyze/analyzer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace ts::analyze::vamp {

// What the user named: "vamp:LIBRARY:PLUGIN", with ":OUTPUT" or ".OUTPUT" after it.
struct Name {
    std::string library, plugin, output;
    std::string id() const { return "vamp:" + library + ":" + plugin; } // the analyzer id
};

// True for an analyzer name that starts with "vamp:".
bool is_vamp(const std::string &name);
// Parses "vamp:LIBRARY:PLUGIN[:OUTPUT]" (or "...PLUGIN.OUTPUT"); a malformed name is a usage error.
Name parse_name(const std::string &name);

// The definition of an installed plugin (its outputs and parameters, read from the plugin);
// a library, plugin or output that is not installed is a usage error naming it.
std::shared_ptr<const Definition> definition(const Name &name);

// Every installed plugin, in the loader's order (for --list). Plugins that fail to load are
// skipped with a warning.
std::vector<std::shared_ptr<const Definition>> installed();

// The folders searched, in order.
std::vector<std::string> search_path();

// The manual's paragraph on vamp: analyzers (the protocol, the mapping of outputs).
extern const char *const about;

} // namespace ts::analyze::vamp
