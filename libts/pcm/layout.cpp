// Channel layouts: FFmpeg's channel and layout names, parsed and formatted without FFmpeg.
#include "pcm/layout.hpp"

#include "pcm/header.hpp"

#include <array>
#include <utility>

namespace ts::pcm {
namespace {

// FFmpeg's channel names by AV_CH_* bit; empty where no channel is defined.
constexpr std::array<std::string_view, 41> channel_names = {
    "FL",  "FR",  "FC",  "LFE", "BL",  "BR",  "FLC", "FRC", "BC",  "SL",  "SR",
    "TC",  "TFL", "TFC", "TFR", "TBL", "TBC", "TBR", "",    "",    "",    "",
    "",    "",    "",    "",    "",    "",    "",    "DL",  "DR",  "WL",  "WR",
    "SDL", "SDR", "LFE2", "TSL", "TSR", "BFC", "BFL", "BFR"};

// FFmpeg 5.1's standard layouts, in the order av_channel_layout_default searches them.
constexpr std::pair<std::string_view, std::string_view> standard[] = {
    {"mono", "FC"},
    {"stereo", "FL+FR"},
    {"2.1", "FL+FR+LFE"},
    {"3.0", "FL+FR+FC"},
    {"3.0(back)", "FL+FR+BC"},
    {"4.0", "FL+FR+FC+BC"},
    {"quad", "FL+FR+BL+BR"},
    {"quad(side)", "FL+FR+SL+SR"},
    {"3.1", "FL+FR+FC+LFE"},
    {"5.0", "FL+FR+FC+BL+BR"},
    {"5.0(side)", "FL+FR+FC+SL+SR"},
    {"4.1", "FL+FR+FC+LFE+BC"},
    {"5.1", "FL+FR+FC+LFE+BL+BR"},
    {"5.1(side)", "FL+FR+FC+LFE+SL+SR"},
    {"6.0", "FL+FR+FC+BC+SL+SR"},
    {"6.0(front)", "FL+FR+FLC+FRC+SL+SR"},
    {"hexagonal", "FL+FR+FC+BL+BR+BC"},
    {"6.1", "FL+FR+FC+LFE+BC+SL+SR"},
    {"6.1(back)", "FL+FR+FC+LFE+BL+BR+BC"},
    {"6.1(front)", "FL+FR+LFE+FLC+FRC+SL+SR"},
    {"7.0", "FL+FR+FC+BL+BR+SL+SR"},
    {"7.0(front)", "FL+FR+FC+FLC+FRC+SL+SR"},
    {"7.1", "FL+FR+FC+LFE+BL+BR+SL+SR"},
    {"7.1(wide)", "FL+FR+FC+LFE+BL+BR+FLC+FRC"},
    {"7.1(wide-side)", "FL+FR+FC+LFE+FLC+FRC+SL+SR"},
    {"octagonal", "FL+FR+FC+BL+BR+BC+SL+SR"},
    {"downmix", "DL+DR"},
};

std::optional<std::vector<int>> parse_list(std::string_view list) {
    std::vector<int> out;
    while (!list.empty()) {
        const auto plus = list.find('+');
        const std::string_view name = list.substr(0, plus);
        int found = -1;
        for (std::size_t i = 0; i < channel_names.size(); ++i)
            if (!name.empty() && channel_names[i] == name)
                found = static_cast<int>(i);
        if (found < 0)
            return std::nullopt;
        out.push_back(found);
        if (plus == std::string_view::npos)
            break;
        list.remove_prefix(plus + 1);
        if (list.empty())
            return std::nullopt;
    }
    if (out.empty())
        return std::nullopt;
    return out;
}

} // namespace

std::optional<std::vector<int>> parse_layout(std::string_view name) {
    for (const auto &[n, list] : standard)
        if (n == name)
            return parse_list(list);
    // "3 channels (FL+FR+TC)": how FFmpeg describes a layout it has no name for
    const auto open = name.find(" channels ("), close = name.rfind(')');
    if (open != std::string_view::npos && close == name.size() - 1 && close > open + 11)
        return parse_list(name.substr(open + 11, close - open - 11));
    return parse_list(name);
}

std::string speaker_name(int speaker) {
    if (speaker < 0 || static_cast<std::size_t>(speaker) >= channel_names.size())
        return {};
    return std::string(channel_names[static_cast<std::size_t>(speaker)]);
}

std::string layout_name(const std::vector<int> &speakers) {
    std::string list;
    for (int s : speakers) {
        if (s < 0 || static_cast<std::size_t>(s) >= channel_names.size() ||
            channel_names[static_cast<std::size_t>(s)].empty())
            return {};
        list += (list.empty() ? "" : "+") + std::string(channel_names[static_cast<std::size_t>(s)]);
    }
    for (const auto &[n, l] : standard)
        if (l == list)
            return std::string(n);
    return list;
}

std::vector<int> mask_speakers(std::uint64_t mask) {
    std::vector<int> out;
    for (int b = 0; b < 64; ++b)
        if (mask & (std::uint64_t{1} << b))
            out.push_back(b);
    return out;
}

std::string default_layout(int channels) {
    static const char *const names[] = {"mono", "stereo", "2.1", "4.0",
                                        "5.0",  "5.1",    "6.1", "7.1"};
    return channels >= 1 && channels <= 8 ? names[channels - 1] : "";
}

std::vector<int> stream_speakers(const Header &header) {
    if (auto s = parse_layout(header.layout);
        s && static_cast<int>(s->size()) == header.channels)
        return *s;
    if (auto s = parse_layout(default_layout(header.channels)))
        return *s;
    return {};
}

} // namespace ts::pcm
