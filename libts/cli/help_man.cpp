// --help and the roff man page, both read from the one CLI11 declaration of a tool.
#include "cli/tool.hpp"

#include "core/version.hpp"
#include "ts_config.h"

#include <sstream>

namespace ts::cli {
namespace {

struct Item {
    std::string label;   // "-o, --output FILE"
    std::string text;    // description with choices and default
};

struct Group {
    std::string title;
    std::vector<Item> items;
};

// CLI11 spells a checked option's type as "NAME:CONSTRAINT" ("HZ:INT in [1 - 768000]",
// "TEXT:{f32le,s16le}"): the label shows the name (or the choices), the text the range.
std::pair<std::string, std::string> metavar(const CLI::Option *opt) {
    if (opt->get_type_size() == 0)
        return {};
    std::string t = opt->get_type_name();
    auto colon = t.find(':');
    if (colon == std::string::npos)
        return {t, {}};
    std::string name = t.substr(0, colon), rule = t.substr(colon + 1);
    if (!rule.empty() && rule.front() == '{')
        return {rule, {}};
    auto open = rule.find('['), dash = rule.find(" - "), close = rule.find(']');
    if (open != std::string::npos && dash != std::string::npos && close != std::string::npos)
        return {name, "(" + rule.substr(open + 1, dash - open - 1) + " to " +
                          rule.substr(dash + 3, close - dash - 3) + ")"};
    return {name, rule};
}

Item describe(const CLI::Option *opt) {
    Item item;
    if (opt->get_positional()) {
        item.label = opt->get_name(true);
    } else {
        std::string names;
        for (const auto &s : opt->get_snames())
            names += (names.empty() ? "-" : ", -") + s;
        for (const auto &l : opt->get_lnames())
            names += (names.empty() ? "--" : ", --") + l;
        item.label = names;
    }
    auto [mv, range] = metavar(opt);
    if (!opt->get_positional() && !mv.empty())
        item.label += " " + mv;
    item.text = opt->get_description();
    if (!range.empty())
        item.text += " " + range;
    std::string def = opt->get_default_str();
    if (!def.empty() && opt->get_type_size() != 0)
        item.text += " [default: " + def + "]";
    if (opt->get_required())
        item.text += " (required)";
    return item;
}

std::vector<Group> groups_of(const CLI::App &app) {
    std::vector<Group> groups;
    Group args{"Arguments", {}};
    for (const CLI::Option *opt : app.get_options()) {
        if (opt->get_group().empty())
            continue;
        if (opt->get_positional()) {
            args.items.push_back(describe(opt));
            continue;
        }
        std::string title = opt->get_group() == "Options" ? "Options" : opt->get_group();
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const Group &g) { return g.title == title; });
        if (it == groups.end()) {
            groups.push_back({title, {}});
            it = groups.end() - 1;
        }
        it->items.push_back(describe(opt));
    }
    // "General" (help, version) goes last; arguments first.
    std::stable_partition(groups.begin(), groups.end(),
                          [](const Group &g) { return g.title != "General"; });
    if (!args.items.empty())
        groups.insert(groups.begin(), args);
    return groups;
}

std::vector<const CLI::App *> subcommands_of(const CLI::App &app) {
    return app.get_subcommands([](const CLI::App *) { return true; });
}

// Wraps text to `width` columns with `indent` spaces before each line.
std::string wrap(const std::string &text, std::size_t indent, std::size_t width) {
    std::istringstream words(text);
    std::string word, line, out;
    const std::string pad(indent, ' ');
    while (words >> word) {
        if (!line.empty() && pad.size() + line.size() + 1 + word.size() > width) {
            out += pad + line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty())
        out += pad + line + "\n";
    return out;
}

// Paragraphs split by blank lines; lines starting with two spaces kept verbatim.
std::string paragraphs_text(const std::string &text, std::size_t indent) {
    std::istringstream in(text);
    std::string line, para, out;
    auto flush = [&] {
        if (!para.empty())
            out += wrap(para, indent, 80) + "\n";
        para.clear();
    };
    while (std::getline(in, line)) {
        if (line.empty()) {
            flush();
        } else if (line.rfind("  ", 0) == 0) {
            flush();
            out += std::string(indent, ' ') + line + "\n";
            if (in.peek() != ' ')
                out += "\n";
        } else {
            para += (para.empty() ? "" : " ") + line;
        }
    }
    flush();
    return out;
}

void help_groups(std::ostringstream &out, const std::vector<Group> &groups, std::size_t indent) {
    for (const auto &g : groups) {
        out << std::string(indent, ' ') << g.title << ":\n";
        for (const auto &item : g.items) {
            std::string label = std::string(indent + 2, ' ') + item.label;
            if (label.size() < indent + 26) {
                label.resize(indent + 26, ' ');
                std::string body = wrap(item.text, indent + 26, 80);
                out << label << body.substr(indent + 26);
            } else {
                out << label << "\n" << wrap(item.text, indent + 26, 80);
            }
        }
        out << "\n";
    }
}

std::string roff_escape(const std::string &s) {
    std::string out;
    for (char c : s) {
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
    }
    if (!out.empty() && (out[0] == '.' || out[0] == '\''))
        out = "\\&" + out;
    return out;
}

std::string roff_paragraphs(const std::string &text) {
    std::istringstream in(text);
    std::string line, out;
    bool verbatim = false, para_open = false;
    while (std::getline(in, line)) {
        bool v = line.rfind("  ", 0) == 0;
        if (line.empty()) {
            if (verbatim) {
                out += ".fi\n.in\n";
                verbatim = false;
            }
            para_open = false;
            continue;
        }
        if (v && !verbatim) {
            out += ".PP\n.in +4n\n.nf\n";
            verbatim = true;
        } else if (!v && verbatim) {
            out += ".fi\n.in\n";
            verbatim = false;
            para_open = false;
        }
        if (!v && !para_open) {
            out += ".PP\n";
            para_open = true;
        }
        out += roff_escape(v ? line.substr(2) : line) + "\n";
    }
    if (verbatim)
        out += ".fi\n.in\n";
    return out;
}

std::string upper(std::string s) {
    for (auto &c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

void man_groups(std::ostringstream &out, const std::vector<Group> &groups) {
    for (const auto &g : groups) {
        out << ".SS " << roff_escape(g.title) << "\n";
        for (const auto &item : g.items)
            out << ".TP\n.B " << roff_escape(item.label) << "\n" << roff_escape(item.text) << "\n";
    }
}

} // namespace

std::string Tool::help() const {
    std::ostringstream out;
    out << spec_.name << " " << version() << " - " << spec_.summary << "\n\nUsage:\n";
    for (const auto &s : spec_.synopsis)
        out << "  " << spec_.name << " " << s << "\n";
    out << "\n" << paragraphs_text(spec_.description, 0);
    help_groups(out, groups_of(app_), 0);
    for (const CLI::App *sub : subcommands_of(app_)) {
        out << "Command " << sub->get_name() << ": " << sub->get_description() << "\n";
        help_groups(out, groups_of(*sub), 2);
    }
    if (!spec_.examples.empty()) {
        out << "Examples:\n";
        for (const auto &ex : spec_.examples)
            out << "  " << ex.command << "\n" << wrap(ex.explanation, 6, 80);
        out << "\n";
    }
    out << "Exit status:\n";
    for (const auto &[code, what] : spec_.exit_status) {
        std::string label = "  " + std::to_string(code);
        label.resize(8, ' ');
        out << label << wrap(what, 8, 80).substr(8);
    }
    out << "\nSee " << spec_.name << "(1) for the full manual.\n";
    return out.str();
}

std::string Tool::man() const {
    std::ostringstream out;
    out << ".\\\" Generated by " << spec_.name << " --man from the tool's own option spec.\n";
    out << ".TH " << upper(spec_.name) << " 1 \"\" \"timeside " << version()
        << "\" \"TimeSide manual\"\n";
    out << ".SH NAME\n" << roff_escape(spec_.name) << " \\- " << roff_escape(spec_.summary) << "\n";
    out << ".SH SYNOPSIS\n";
    for (const auto &s : spec_.synopsis)
        out << ".B " << roff_escape(spec_.name) << "\n" << roff_escape(s) << "\n.br\n";
    out << ".SH DESCRIPTION\n" << roff_paragraphs(spec_.description);
    out << ".SH OPTIONS\n";
    man_groups(out, groups_of(app_));
    for (const CLI::App *sub : subcommands_of(app_)) {
        out << ".SH COMMAND " << upper(roff_escape(sub->get_name())) << "\n"
            << roff_escape(sub->get_description()) << "\n";
        man_groups(out, groups_of(*sub));
    }
    for (const auto &[title, text] : spec_.sections)
        out << ".SH " << roff_escape(upper(title)) << "\n" << roff_paragraphs(text);
    if (!spec_.examples.empty()) {
        out << ".SH EXAMPLES\n";
        for (const auto &ex : spec_.examples)
            out << ".TP\n.B " << roff_escape(ex.command) << "\n" << roff_escape(ex.explanation)
                << "\n";
    }
    out << ".SH EXIT STATUS\n";
    for (const auto &[code, what] : spec_.exit_status)
        out << ".TP\n.B " << code << "\n" << roff_escape(what) << "\n";
    out << ".SH ENVIRONMENT\n.TP\n.B NO_COLOR\nwhen set, messages on stderr are never coloured.\n"
        << ".TP\n.B TS_DECODE_NATIVE\nset to 0, plain WAV files are decoded by FFmpeg like every "
           "other format; by default TimeSide reads them itself (the same samples, length and "
           "tags, without loading FFmpeg).\n";
    out << ".SH FILES\n.TP\n.B " << roff_escape(TS_MODULE_INSTALL_DIR) << "/media.so, hdf5.so\n"
        << "FFmpeg's decoding and HDF5, loaded when an input or output first needs them.\n"
        << ".TP\n.B .NAME.tmp\\-XXXXXX\nthe temporary file that \\-o NAME is written to, in the "
           "same folder, renamed to NAME when complete and removed when the run fails or is "
           "interrupted, so NAME never holds a part. One that a killed run left (SIGKILL, a "
           "power cut) is removed by the next run that writes NAME; a run still writing holds "
           "a lock on its own, which is left alone. ts\\-batch removes them from its whole "
           "output folder.\n";
    if (!spec_.see_also.empty())
        out << ".SH SEE ALSO\n" << roff_escape(spec_.see_also) << "\n";
    return out.str();
}

} // namespace ts::cli
