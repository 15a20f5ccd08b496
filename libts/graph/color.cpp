// Colours and palettes. The perceptual maps (viridis, magma, inferno) are matplotlib's, sampled
// at 17 stops: linear interpolation between them stays within about 1% of the full tables.
#include "graph/color.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace ts::graph {
namespace {

Rgba hex(unsigned v) {
    return {((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0, 1.0};
}

std::vector<Rgba> stops(std::initializer_list<unsigned> values) {
    std::vector<Rgba> out;
    for (unsigned v : values)
        out.push_back(hex(v));
    return out;
}

struct Named {
    const char *name;
    const char *what;
    std::vector<Rgba> stops;
};

const std::vector<Named> &table() {
    static const std::vector<Named> t = {
        // TimeSide's default colour scheme (timeside.core.grapher): black, slate, blue-grey,
        // green, yellow, red, white.
        {"timeside",
         "TimeSide's default look: black through blue-grey, green, yellow and red "
         "to white",
         stops({0x000000, 0x0e1110, 0x28324c, 0x5ab464, 0xe0e02c, 0xff3c1e, 0xffffff})},
        {"viridis", "perceptually uniform: dark blue through green to yellow (matplotlib)",
         stops({0x440154, 0x482173, 0x433e85, 0x3b528b, 0x345f8d, 0x2c728e, 0x287d8e, 0x21918c,
                0x1f9e89, 0x27ad81, 0x3bbb75, 0x5ec962, 0x7ad151, 0xa5db36, 0xc8e020, 0xe5e419,
                0xfde725})},
        {"magma", "perceptually uniform: black through purple and orange to pale yellow",
         stops({0x000004, 0x0c0926, 0x221150, 0x3b0f70, 0x51127c, 0x641a80, 0x7b2382, 0x8c2981,
                0xa3307e, 0xb73779, 0xcf4070, 0xe34e65, 0xf1605d, 0xfa7876, 0xfe9f6d, 0xfec98d,
                0xfcfdbf})},
        {"inferno", "perceptually uniform: black through red and orange to pale yellow",
         stops({0x000004, 0x0c0826, 0x240c4f, 0x3e0966, 0x57106e, 0x6f196e, 0x88226a, 0xa02a63,
                0xb73557, 0xcc4248, 0xde5238, 0xed6925, 0xf68013, 0xfb9b06, 0xfbb61a, 0xf4d543,
                0xfcffa4})},
        {"grey", "black to white", stops({0x000000, 0xffffff})},
        {"grey-inverted", "white to black (for print)", stops({0xffffff, 0x000000})},
    };
    return t;
}

std::size_t distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

int hexdigit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

Rgba parse_color(std::string_view text, const std::string &what) {
    static const std::pair<const char *, unsigned> names[] = {
        {"black", 0x000000},  {"white", 0xffffff}, {"red", 0xff0000},      {"green", 0x008000},
        {"blue", 0x0000ff},   {"grey", 0x808080},  {"gray", 0x808080},     {"orange", 0xffa500},
        {"yellow", 0xffff00}, {"navy", 0x000080},  {"steelblue", 0x4682b4}};
    if (text == "transparent" || text == "none")
        return {0, 0, 0, 0};
    for (const auto &[n, v] : names)
        if (text == n)
            return hex(v);
    if (!text.empty() && text[0] == '#') {
        std::string_view h = text.substr(1);
        std::vector<int> d;
        for (char c : h)
            d.push_back(hexdigit(c));
        bool ok = std::all_of(d.begin(), d.end(), [](int x) { return x >= 0; });
        if (ok && d.size() == 3)
            return {d[0] / 15.0, d[1] / 15.0, d[2] / 15.0, 1.0};
        if (ok && (d.size() == 6 || d.size() == 8)) {
            Rgba c{(d[0] * 16 + d[1]) / 255.0, (d[2] * 16 + d[3]) / 255.0,
                   (d[4] * 16 + d[5]) / 255.0, 1.0};
            if (d.size() == 8)
                c.a = (d[6] * 16 + d[7]) / 255.0;
            return c;
        }
    }
    throw UsageError(what + ": '" + std::string(text) +
                     "' is not a colour; use #rrggbb, #rrggbbaa, a name such as white or black, "
                     "or transparent");
}

Rgba Palette::at(double t) const {
    if (stops_.empty())
        return {};
    if (!(t > 0))
        return stops_.front();
    if (t >= 1)
        return stops_.back();
    double x = t * static_cast<double>(stops_.size() - 1);
    std::size_t i = static_cast<std::size_t>(x);
    double f = x - static_cast<double>(i);
    const Rgba &a = stops_[i], &b = stops_[std::min(i + 1, stops_.size() - 1)];
    return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f,
            a.a + (b.a - a.a) * f};
}

void Palette::at(double t, unsigned char rgb[3]) const {
    Rgba c = at(t);
    rgb[0] = static_cast<unsigned char>(std::lround(c.r * 255));
    rgb[1] = static_cast<unsigned char>(std::lround(c.g * 255));
    rgb[2] = static_cast<unsigned char>(std::lround(c.b * 255));
}

Palette palette(std::string_view name) {
    const Named *best = nullptr;
    std::size_t best_d = 1000;
    for (const auto &p : table()) {
        if (name == p.name)
            return Palette(p.stops, p.name);
        std::size_t d = distance(name, p.name);
        if (d < best_d)
            best_d = d, best = &p;
    }
    std::string msg = "--palette: unknown palette '" + std::string(name) + "'";
    if (best && best_d <= 3)
        msg += "; did you mean " + std::string(best->name) + "?";
    msg += " (palettes:";
    for (const auto &p : table())
        msg += std::string(" ") + p.name;
    throw UsageError(msg + ")");
}

const std::vector<std::string> &palette_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto &p : table())
            v.push_back(p.name);
        return v;
    }();
    return names;
}

std::string palette_help() {
    std::string out;
    for (const auto &p : table())
        out += std::string("  ") + p.name + std::string(16 - std::string(p.name).size(), ' ') +
               p.what + "\n";
    return out;
}

} // namespace ts::graph
