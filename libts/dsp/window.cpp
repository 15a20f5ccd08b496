// Periodic windows: the DFT-even forms that sum to a constant under 50 %/75 % overlap.
#include "dsp/window.hpp"

#include <cmath>
#include <numbers>

namespace ts::dsp {

std::optional<Window> parse_window(std::string_view name) {
    for (const auto &[n, w] : window_names)
        if (n == name)
            return w;
    return std::nullopt;
}

const char *window_name(Window w) {
    for (const auto &[n, v] : window_names)
        if (v == w)
            return n.c_str();
    return "hann";
}

std::vector<float> make_window(Window w, int size) {
    std::vector<float> out(static_cast<std::size_t>(size));
    const double k = 2.0 * std::numbers::pi / size;
    for (int n = 0; n < size; ++n) {
        double v = 1.0;
        switch (w) {
        case Window::hann: v = 0.5 - 0.5 * std::cos(k * n); break;
        case Window::hamming: v = 0.54 - 0.46 * std::cos(k * n); break;
        case Window::blackman: v = 0.42 - 0.5 * std::cos(k * n) + 0.08 * std::cos(2 * k * n); break;
        case Window::rect: v = 1.0; break;
        }
        out[static_cast<std::size_t>(n)] = static_cast<float>(v);
    }
    return out;
}

} // namespace ts::dsp
