// Colours and palettes for ts-graph: parsing "#rrggbb" and names, and the named colour maps.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ts::graph {

struct Rgba {
    double r = 0, g = 0, b = 0, a = 1; // 0..1
};

// "#rgb", "#rrggbb", "#rrggbbaa", or a name (white, black, transparent, red, ...).
// Throws ts::UsageError naming `what` (the option) on anything else.
Rgba parse_color(std::string_view text, const std::string &what);

// A colour map: stops equally spaced over [0, 1], interpolated linearly in sRGB.
class Palette {
  public:
    Palette() = default;
    explicit Palette(std::vector<Rgba> stops, std::string name = "")
        : stops_(std::move(stops)), name_(std::move(name)) {}
    Rgba at(double t) const;                       // t clamped to [0, 1]
    void at(double t, unsigned char rgb[3]) const; // 8-bit, for images
    const std::string &name() const { return name_; }

  private:
    std::vector<Rgba> stops_;
    std::string name_;
};

// The palettes by name (see palette_help()); a name that is none of them throws a usage
// error with the closest name ("did you mean viridis?").
Palette palette(std::string_view name);
const std::vector<std::string> &palette_names();
// One line per palette, for --help and the man page.
std::string palette_help();

} // namespace ts::graph
