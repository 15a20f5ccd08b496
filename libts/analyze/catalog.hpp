// Describing the analyzers: the --list table for people and the JSON schema for programs.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace ts::analyze {

std::string list_text();
// Every analyzer with its outputs and parameters as paragraphs, for the man page.
std::string manual_text();
nlohmann::json list_json();

} // namespace ts::analyze
