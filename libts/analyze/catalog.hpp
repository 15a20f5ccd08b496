// Describing the analyzers: the --list table for people and the JSON schema for programs.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace ts::analyze {

std::string list_text();
nlohmann::json list_json();

} // namespace ts::analyze
