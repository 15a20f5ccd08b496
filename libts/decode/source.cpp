// open(): pick the reader for an input by what it is and what its first bytes say.
#include "decode/source.hpp"

#include "core/error.hpp"
#include "decode/flac_source.hpp"
#include "decode/media_module.hpp"
#include "decode/pcm_source.hpp"
#include "decode/wav_source.hpp"
#include "io/input.hpp"
#include "pcm/reader.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

namespace ts::decode {

FileHash::~FileHash() {
    if (hashing_.valid()) {
        stop_ = true;
        hashing_.wait();
    }
}

void FileHash::start(const std::string &path, const OpenOptions &options, std::string &header_sha1) {
    if (!options.sha1)
        return;
    struct stat st;
    const bool small = stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (1 << 20);
    if (options.sha1_background && !small)
        hashing_ = std::async(std::launch::async, [this, path] { return io::sha1_file(path, &stop_); });
    else
        header_sha1 = io::sha1_file(path);
}

std::string FileHash::get(const std::string &header_sha1) {
    return hashing_.valid() ? hashing_.get() : header_sha1;
}

std::string seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f s", s);
    return buf;
}

Error truncated(const std::string &name, std::int64_t declared, std::int64_t held) {
    return Error(name + ": truncated: the container declares " + std::to_string(declared) +
                 " frames, the data holds " + std::to_string(held));
}

std::string tag_key(const std::string &name) {
    std::string out;
    for (char ch : name) {
        auto c = static_cast<unsigned char>(ch);
        out += (std::isalnum(c) || c == '_' || c == '-' || c == '.') ? static_cast<char>(std::tolower(c))
                                                                     : '_';
    }
    return out;
}

bool native_readers() {
    const char *e = std::getenv("TS_DECODE_NATIVE");
    return !(e && std::strcmp(e, "0") == 0);
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
    if (n >= 4 && std::memcmp(head, "fLaC", 4) == 0)
        if (auto flac = open_flac(input, reader, options))
            return flac;
    return media_module().open_media(input, std::move(reader), options);
}

} // namespace ts::decode
