// TSPCM writing, with the frame count patched into files whose length was not known.
#include "pcm/writer.hpp"

#include "core/error.hpp"
#include "pcm/convert.hpp"

namespace ts::pcm {

Writer::Writer(io::Output &out, Header header, bool raw)
    : out_(out), header_(std::move(header)), raw_(raw) {
    if (raw_)
        return;
    bool pad = header_.frames < 0 && out_.seekable();
    std::string text = format_header(header_, pad);
    if (pad)
        frames_offset_ = out_.written() + frames_value_offset(text);
    out_.write(text);
}

void Writer::write(const float *frames, std::size_t count) {
    std::size_t n = count * static_cast<std::size_t>(header_.channels);
    if (header_.format == SampleFormat::f32le) {
        out_.write(frames, n * sizeof(float));
    } else {
        s16_.resize(n);
        float_to_s16(frames, s16_.data(), n);
        out_.write(s16_.data(), n * sizeof(std::int16_t));
    }
    written_ += static_cast<std::int64_t>(count);
}

void Writer::finish() {
    if (header_.frames >= 0 && written_ != header_.frames)
        throw Error(out_.path() + ": wrote " + std::to_string(written_) +
                    " frames where the header promised " + std::to_string(header_.frames));
    if (frames_offset_ != std::string::npos)
        out_.patch(frames_offset_, frames_patch(written_));
}

} // namespace ts::pcm
