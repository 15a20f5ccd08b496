// open(): pick the reader for an input by what it is and what its first bytes say.
#include "decode/source.hpp"

#include "core/error.hpp"
#include "decode/media_module.hpp"
#include "decode/pcm_source.hpp"
#include "decode/wav_source.hpp"
#include "pcm/reader.hpp"

#include <cstring>
#include <sys/stat.h>

namespace ts::decode {

bool small_file(const std::string &path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (1 << 20);
}

std::unique_ptr<Source> open(const std::string &input, const OpenOptions &options) {
    if (io::is_url(input)) {
        if (options.raw.raw)
            throw UsageError("--input-raw reads a file or stdin, not a URL");
        return media_module().open_media(input, nullptr, options);
    }
    auto reader = std::make_unique<io::Reader>(input);
    if (options.raw.raw)
        return open_raw(std::move(reader), options.raw);
    const char *head = nullptr;
    std::size_t n = reader->peek(&head, 8);
    if (n == 0)
        throw Error(reader->name() + ": empty input");
    if (pcm::looks_like_tspcm(head, n))
        return open_tspcm(std::move(reader));
    if (n >= 4 && std::memcmp(head, "RIFF", 4) == 0)
        if (auto wav = open_wav(input, reader, options))
            return wav;
    return media_module().open_media(input, std::move(reader), options);
}

} // namespace ts::decode
