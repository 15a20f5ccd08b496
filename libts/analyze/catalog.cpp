// --list and --list --json, both read from the registry.
#include "analyze/catalog.hpp"

#include "analyze/registry.hpp"

namespace ts::analyze {

std::string list_text() {
    std::string out;
    for (const auto &d : registry()) {
        out += d.id + " - " + d.name + "\n";
        for (const auto &o : d.outputs) {
            std::string id = o.id.empty() ? d.id : d.id + "." + o.id;
            std::string line = "    " + id;
            line.resize(std::max<std::size_t>(line.size() + 1, 30), ' ');
            out += line + result::time_mode_name(o.time_mode) +
                   (o.unit.empty() ? "" : ", " + o.unit) + "\n";
        }
        for (const auto &p : d.params) {
            std::string line = "    -p " + d.id + "." + p.key + "=" + p.default_value;
            line.resize(std::max<std::size_t>(line.size() + 1, 30), ' ');
            out += line + p.description + "\n";
        }
    }
    return out;
}

std::string manual_text() {
    std::string out;
    for (const auto &d : registry()) {
        out += d.id + " - " + d.name + ". " + d.description +
               (d.all_channels ? " Reads every channel." : "") + "\n\n";
        for (const auto &o : d.outputs) {
            std::string id = o.id.empty() ? d.id : d.id + "." + o.id;
            out += "Output " + id + " (" + result::time_mode_name(o.time_mode) +
                   (o.unit.empty() ? "" : ", " + o.unit) + "): " + o.description + "\n\n";
        }
        for (const auto &p : d.params) {
            out += "Parameter " + d.id + "." + p.key + " (" + param_type_name(p.type) +
                   ", default " + p.default_value;
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
    return out;
}

nlohmann::json list_json() {
    nlohmann::json all = nlohmann::json::array();
    for (const auto &d : registry()) {
        nlohmann::json a;
        a["id"] = d.id;
        a["name"] = d.name;
        a["description"] = d.description;
        a["channels"] = d.all_channels ? "all" : "mono";
        a["outputs"] = nlohmann::json::array();
        for (const auto &o : d.outputs)
            a["outputs"].push_back({{"id", o.id.empty() ? d.id : d.id + "." + o.id},
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
            a["params"].push_back(j);
        }
        all.push_back(a);
    }
    return all;
}

} // namespace ts::analyze
