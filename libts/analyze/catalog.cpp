// --list and --list --json, read from the registry and the installed VAMP plugins; the
// manual, from the registry and the paragraphs on vamp: and exec:.
#include "analyze/catalog.hpp"

#include "analyze/exec.hpp"
#include "analyze/registry.hpp"
#include "analyze/vamp.hpp"

#include <cstdio>

namespace ts::analyze {
namespace {

std::string output_id(const Definition &d, const OutputSpec &o) {
    return o.id.empty() ? d.id : d.id + "." + o.id;
}

std::string join(const std::vector<std::string> &items) {
    std::string out;
    for (const auto &s : items)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

// "(one of: a, b, c)" for a choice, "(one or more of: ...)" for a list with fixed items.
std::string allowed(const ParamSpec &p) {
    if (p.choices.empty())
        return "";
    return std::string(p.type == ParamType::list ? "one or more of: " : "one of: ") +
           join(p.choices);
}

// "by method: energy 4, hfc 6, ..." for a default that depends on another parameter.
std::string defaults_by(const ParamSpec &p) {
    std::vector<std::string> items;
    for (const auto &[value, def] : p.defaults_by)
        items.push_back(value + " " + def);
    return "by " + p.default_from + ": " + join(items);
}

void list_one(const Definition &d, std::string &out) {
    out += d.id + " - " + d.name + "\n";
    for (const auto &o : d.outputs) {
        std::string line = "    " + output_id(d, o);
        line.resize(std::max<std::size_t>(line.size() + 1, 30), ' ');
        out += line + result::time_mode_name(o.time_mode) + (o.unit.empty() ? "" : ", " + o.unit) + "\n";
    }
    for (const auto &p : d.params) {
        std::string line = "    -p " + d.id + "." + p.key + "=" + p.default_value;
        line.resize(std::max<std::size_t>(line.size() + 1, 30), ' ');
        std::string notes = allowed(p);
        if (!p.default_from.empty())
            notes += (notes.empty() ? "" : "; ") + std::string("default ") + defaults_by(p);
        out += line + p.description + (notes.empty() ? "" : " (" + notes + ")") + "\n";
    }
}

nlohmann::json json_one(const Definition &d) {
    nlohmann::json a;
    a["id"] = d.id;
    a["name"] = d.name;
    a["description"] = d.description;
    a["channels"] = d.all_channels ? "all" : "mono";
    a["outputs"] = nlohmann::json::array();
    for (const auto &o : d.outputs)
        a["outputs"].push_back({{"id", output_id(d, o)},
                                {"name", o.name},
                                {"unit", o.unit},
                                {"time_mode", result::time_mode_name(o.time_mode)},
                                {"data_mode", result::data_mode_name(o.data_mode)},
                                {"description", o.description}});
    a["params"] = nlohmann::json::array();
    for (const auto &p : d.params) {
        nlohmann::json j = {{"key", p.key},
                            {"type", param_type_name(p.type)},
                            {"default", p.default_value},
                            {"description", p.description}};
        if (p.type == ParamType::integer || p.type == ParamType::number)
            j["range"] = {p.min, p.max};
        if (!p.choices.empty())
            j["choices"] = p.choices;
        if (!p.default_from.empty()) {
            nlohmann::json by = nlohmann::json::object();
            for (const auto &[value, def] : p.defaults_by)
                by[value] = def;
            j["default_by"] = {{"param", p.default_from}, {"values", by}};
        }
        a["params"].push_back(j);
    }
    return a;
}

} // namespace

std::string list_text() {
    std::string out;
    for (const auto &d : registry())
        list_one(d, out);
    std::string path;
    for (const auto &dir : vamp::search_path())
        path += (path.empty() ? "" : ":") + dir;
    auto plugins = vamp::installed();
    out += "\nVAMP plugins (-a vamp:LIBRARY:PLUGIN[:OUTPUT]; searched in " + path + "): " +
           (plugins.empty() ? "none installed\n" : std::to_string(plugins.size()) + "\n");
    for (const auto &d : plugins)
        list_one(*d, out);
    out += "\nexec:PROGRAM [ARGS] - a program of yours: it reads TSPCM on stdin and prints "
           "ts-result lines (see ts-analyze --help)\n";
    return out;
}

std::string manual_text() {
    std::string out;
    for (const auto &d : registry()) {
        out += d.id + " - " + d.name + ". " + d.description +
               (d.all_channels ? " Reads every channel." : "") + "\n\n";
        for (const auto &o : d.outputs) {
            out += "Output " + output_id(d, o) + " (" + result::time_mode_name(o.time_mode) +
                   (o.unit.empty() ? "" : ", " + o.unit) + "): " + o.description + "\n\n";
        }
        for (const auto &p : d.params) {
            out += "Parameter " + d.id + "." + p.key + " (" + param_type_name(p.type) +
                   ", default " + (p.default_from.empty() ? p.default_value : defaults_by(p));
            if (p.type == ParamType::integer || p.type == ParamType::number) {
                char range[64];
                std::snprintf(range, sizeof range, ", %.15g to %.15g", p.min, p.max);
                out += range;
            }
            if (!p.choices.empty()) {
                out += ", one";
                out += p.type == ParamType::list ? " or more" : "";
                out += " of";
                for (const auto &c : p.choices)
                    out += " " + c;
            }
            out += "): " + p.description + "\n\n";
        }
    }
    out += std::string("vamp:LIBRARY:PLUGIN[:OUTPUT] - VAMP plugins. ") + vamp::about + "\n\n";
    out += std::string("exec:PROGRAM [ARGS] - programs of yours. ") + exec::about + "\n\n";
    return out;
}

nlohmann::json list_json() {
    nlohmann::json all = nlohmann::json::array();
    for (const auto &d : registry())
        all.push_back(json_one(d));
    for (const auto &d : vamp::installed()) {
        auto j = json_one(*d);
        j["plugin"] = "vamp";
        all.push_back(j);
    }
    // The door for any program: no fixed outputs or parameters, its protocol in words.
    all.push_back({{"id", "exec:PROGRAM [ARGS]"},
                   {"name", "a program of yours"},
                   {"plugin", "exec"},
                   {"channels", "all"},
                   {"description", exec::about},
                   {"outputs", nlohmann::json::array()},
                   {"params", nlohmann::json::array()}});
    return all;
}

} // namespace ts::analyze
