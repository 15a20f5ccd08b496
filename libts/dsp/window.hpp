// Analysis windows (periodic, as for spectral analysis: w[n] for n in [0, size)).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ts::dsp {

enum class Window { hann, hamming, blackman, rect };
// Every window by its name.
inline const std::vector<std::pair<std::string, Window>> window_names = {
    {"hann", Window::hann},
    {"hamming", Window::hamming},
    {"blackman", Window::blackman},
    {"rect", Window::rect}};

std::optional<Window> parse_window(std::string_view name);
const char *window_name(Window w);
std::vector<float> make_window(Window w, int size);

} // namespace ts::dsp
