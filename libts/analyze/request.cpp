// Parsing of -a and -p values into requests: names, outputs, parameters, vamp: and exec:.
#include "analyze/request.hpp"

#include "analyze/exec.hpp"
#include "analyze/registry.hpp"
#include "analyze/vamp.hpp"
#include "core/error.hpp"

#include <algorithm>

namespace ts::analyze {
namespace {

std::vector<std::string> analyzer_ids() {
    std::vector<std::string> ids;
    for (const auto &d : registry())
        ids.push_back(d.id);
    return ids;
}

const Definition &lookup(const std::string &id) {
    if (const Definition *d = find(id))
        return *d;
    std::string msg = "unknown analyzer '" + id + "'";
    std::string near = did_you_mean(id, analyzer_ids());
    msg += near.empty() ? "; see ts-analyze --list" : "; did you mean '" + near + "'?";
    throw UsageError(msg);
}

// The items of one -a value: split at commas, except that "exec:" takes the rest verbatim.
std::vector<std::string> items(const std::string &arg) {
    std::vector<std::string> out;
    if (arg.find_first_not_of(" \t") == std::string::npos)
        throw UsageError("-a '" + arg + "': no analyzer named (see ts-analyze --list)");
    std::size_t pos = 0;
    while (pos < arg.size()) {
        while (pos < arg.size() && (arg[pos] == ' ' || arg[pos] == '\t'))
            ++pos;
        if (exec::is_exec(arg.substr(pos, 5))) {
            out.push_back(arg.substr(pos));
            break;
        }
        std::size_t comma = arg.find(',', pos);
        std::string item = arg.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (item.find_first_not_of(" \t") == std::string::npos)
            throw UsageError("-a '" + arg + "': an empty name between commas");
        out.push_back(item);
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
        if (pos == arg.size())
            throw UsageError("-a '" + arg + "': an empty name after the last comma");
    }
    return out;
}

} // namespace

std::vector<std::string> output_ids(const Definition &d) {
    std::vector<std::string> ids;
    for (const auto &o : d.outputs)
        ids.push_back(o.id);
    return ids;
}

const Definition &definition_of(const Request &r) {
    return r.definition ? *r.definition : lookup(r.analyzer);
}

std::vector<Request> make_requests(const std::vector<std::string> &analyzers,
                                   const std::vector<std::string> &params) {
    std::vector<Request> out;
    auto request_for = [&](const std::string &id) -> Request & {
        for (auto &r : out)
            if (r.analyzer == id)
                return r;
        out.push_back(Request{id, {}, {}, nullptr});
        return out.back();
    };
    for (const auto &arg : analyzers)
        for (const auto &item : items(arg)) {
            if (exec::is_exec(item)) {
                auto def = exec::definition(item.substr(5));
                Request &r = request_for(def->id);
                r.definition = def;
                continue;
            }
            if (vamp::is_vamp(item)) {
                auto name = vamp::parse_name(item);
                Request &r = request_for(name.id());
                r.definition = vamp::definition(name);
                if (name.output.empty()) {
                    r.outputs.clear();
                    r.outputs.push_back("*");
                } else if (std::find(r.outputs.begin(), r.outputs.end(), "*") == r.outputs.end() &&
                           std::find(r.outputs.begin(), r.outputs.end(), name.output) == r.outputs.end()) {
                    r.outputs.push_back(name.output);
                }
                continue;
            }
            auto dot = item.find('.');
            std::string id = item.substr(0, dot);
            const Definition &d = lookup(id);
            Request &r = request_for(id);
            if (dot == std::string::npos) {
                r.outputs.clear();
                r.outputs.push_back("*");
                continue;
            }
            std::string o = item.substr(dot + 1);
            auto ids = output_ids(d);
            if (std::find(ids.begin(), ids.end(), o) == ids.end()) {
                std::string near = did_you_mean(o, ids);
                throw UsageError("unknown output '" + item + "'" +
                                 (near.empty() ? "; " + id + " has no named outputs"
                                               : "; did you mean '" + id + "." + near + "'?"));
            }
            if (std::find(r.outputs.begin(), r.outputs.end(), "*") == r.outputs.end())
                r.outputs.push_back(o);
        }
    for (const auto &p : params) {
        auto eq = p.find('=');
        auto dot = eq == std::string::npos ? std::string::npos : p.rfind('.', eq);
        if (eq == std::string::npos || dot == std::string::npos)
            throw UsageError("-p " + p + ": expected NAME.KEY=VALUE");
        std::string id = p.substr(0, dot), key = p.substr(dot + 1, eq - dot - 1);
        if (vamp::is_vamp(id))
            id = vamp::parse_name(id).id();
        else if (!exec::is_exec(id))
            lookup(id);
        bool asked = std::any_of(out.begin(), out.end(),
                                 [&](const Request &r) { return r.analyzer == id; });
        if (!asked)
            throw UsageError("-p " + p + ": analyzer '" + id + "' is not asked for (-a " + id + ")");
        request_for(id).params[key] = p.substr(eq + 1);
    }
    for (auto &r : out) {
        if (!r.outputs.empty() && r.outputs.front() == "*")
            r.outputs.clear();
        const Definition &d = definition_of(r);
        Params(d.id, d.params, r.params); // a bad value is a usage error before any input
    }
    return out;
}

std::vector<std::string> result_ids(const std::vector<Request> &requests, bool *complete) {
    std::vector<std::string> ids;
    *complete = true;
    for (const auto &req : requests) {
        if (exec::is_exec(req.analyzer)) { // the program names its results when it runs
            *complete = false;
            continue;
        }
        const Definition &d = definition_of(req);
        for (const auto &o : d.outputs) {
            if (!req.outputs.empty() && std::find(req.outputs.begin(), req.outputs.end(), o.id) == req.outputs.end())
                continue;
            // vamp: results are named LIBRARY:PLUGIN.OUTPUT, as the registry's NAME.OUTPUT
            std::string id = o.id.empty() ? d.id : d.id + "." + o.id;
            if (std::find(ids.begin(), ids.end(), id) == ids.end())
                ids.push_back(id);
        }
    }
    return ids;
}

} // namespace ts::analyze
