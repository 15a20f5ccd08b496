// Channel layouts: the loudspeaker each channel of a stream feeds, under FFmpeg's names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ts::pcm {

struct Header;

// Loudspeaker positions, numbered as FFmpeg's AV_CH_* bits (and, for the first 18, as the
// WAVE_FORMAT_EXTENSIBLE channel mask).
enum Speaker : int {
    FL = 0, FR, FC, LFE, BL, BR, FLC, FRC, BC, SL, SR, TC, TFL, TFC, TFR, TBL, TBC, TBR,
    DL = 29, DR, WL, WR, SDL, SDR, LFE2, TSL, TSR, BFC, BFL, BFR,
};

// The speakers of a layout given as FFmpeg names it: a standard name ("5.1(side)") or its
// channels joined by '+' ("FL+FR+FC+LFE+SL+SR"), also as FFmpeg describes a layout it has no
// name for ("3 channels (FL+FR+TC)"). nullopt for anything else.
std::optional<std::vector<int>> parse_layout(std::string_view name);

// FFmpeg's short name of a speaker ("FL", "LFE", "TBR"); empty for a position without one.
std::string speaker_name(int speaker);

// The name FFmpeg gives these speakers: the standard name when one matches, else the channel
// names joined by '+'. Empty for an empty list or a position without a name.
std::string layout_name(const std::vector<int> &speakers);

// The speakers of a WAVE_FORMAT_EXTENSIBLE channel mask, in bit order.
std::vector<int> mask_speakers(std::uint64_t mask);

// FFmpeg's default layout for a channel count (mono, stereo, 2.1, 4.0, 5.0, 5.1, 6.1, 7.1),
// empty above 8.
std::string default_layout(int channels);

// The speakers of a stream: its `layout` key when it names `channels` speakers, else the
// default layout of the count; empty when neither is known.
std::vector<int> stream_speakers(const Header &header);

} // namespace ts::pcm
