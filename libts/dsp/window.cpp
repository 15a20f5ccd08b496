// Periodic windows: the DFT-even forms that sum to a constant under 50 %/75 % overlap.
#include "dsp/window.hpp"

#include <cmath>
#include <numbers>

namespace ts::dsp {

std::optional<Window> parse_window(std::string_view name) {
    if (name == "hann") return Window::hann;
    if (name == "hamming") return Window::hamming;
    if (name == "blackman") return Window::blackman;
    if (name == "rect") return Window::rect;
    return std::nullopt;
}

const char *window_name(Window w) {
    switch (w) {
    case Window::hann: return "hann";
    case Window::hamming: return "hamming";
    case Window::blackman: return "blackman";
    case Window::rect: return "rect";
    }
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
