// TSPCM and raw sources: a pcm::Reader behind the Source interface.
#include "decode/pcm_source.hpp"

#include "core/error.hpp"
#include "pcm/reader.hpp"

namespace ts::decode {
namespace {

class PcmSource : public Source {
  public:
    PcmSource(std::unique_ptr<io::Reader> in, pcm::Header h)
        : in_(std::move(in)), reader_(*in_, h), header_(std::move(h)),
          bits_(header_.format == pcm::SampleFormat::s16le ? 16 : 0) {
        header_.format = pcm::SampleFormat::f32le;
    }
    int bits() const override { return bits_; }
    const pcm::Header &header() const override { return header_; }
    std::size_t read(float *dst, std::size_t max_frames) override {
        return reader_.read(dst, max_frames);
    }
    const std::string &name() const override { return in_->name(); }

  private:
    std::unique_ptr<io::Reader> in_;
    pcm::Reader reader_;
    pcm::Header header_;
    int bits_;
};

} // namespace

std::unique_ptr<Source> open_tspcm(std::unique_ptr<io::Reader> in) {
    pcm::Header h = pcm::read_header(*in);
    if (h.source.empty() && !in->is_stdin())
        h.source = in->arg(); // a stream saved to a file, with no origin of its own
    return std::make_unique<PcmSource>(std::move(in), std::move(h));
}

std::unique_ptr<Source> open_raw(std::unique_ptr<io::Reader> in, const pcm::RawInput &raw) {
    pcm::Header h;
    h.rate = raw.rate;
    h.channels = raw.channels;
    auto format = pcm::parse_format(raw.format);
    if (!format)
        throw UsageError("--input-format " + raw.format + ": not f32le or s16le");
    h.format = *format;
    if (in->regular_file()) {
        auto fb = static_cast<std::int64_t>(h.frame_bytes());
        if (in->file_size() % fb != 0)
            throw Error(in->name() + ": raw input of " + std::to_string(in->file_size()) +
                        " bytes is not a whole number of " + std::to_string(fb) +
                        "-byte frames");
        h.frames = in->file_size() / fb;
    }
    if (!in->is_stdin())
        h.source = in->arg();
    return std::make_unique<PcmSource>(std::move(in), std::move(h));
}

} // namespace ts::decode
