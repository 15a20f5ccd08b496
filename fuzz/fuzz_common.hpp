// Shared by the fuzz targets: the fuzzer's bytes as a file the library's readers open by path.
#pragma once

#include "core/error.hpp"
#include "core/log.hpp"
#include "decode/media_info.hpp"
#include "decode/source.hpp"
#include "io/input.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

// The bytes in an anonymous memory file (memfd: a regular file, no disk, nothing left behind),
// named "/proc/self/fd/N" so that every reader opens it as it would open any path.
class MemFile {
  public:
    MemFile(const std::uint8_t *data, std::size_t size) {
        fd_ = memfd_create("fuzz-input", MFD_CLOEXEC);
        if (fd_ < 0)
            std::abort();
        for (std::size_t done = 0; done < size;) {
            const ssize_t n = ::write(fd_, data + done, size - done);
            if (n <= 0)
                std::abort();
            done += static_cast<std::size_t>(n);
        }
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    ~MemFile() { ::close(fd_); }
    MemFile(const MemFile &) = delete;
    MemFile &operator=(const MemFile &) = delete;
    const std::string &path() const { return path_; }

  private:
    int fd_ = -1;
    std::string path_;
};

// The bytes split at newlines (the last line without one too, when not empty).
inline std::vector<std::string> lines(const std::uint8_t *data, std::size_t size) {
    std::vector<std::string> out;
    std::string_view text(reinterpret_cast<const char *>(data), size);
    while (!text.empty()) {
        const auto nl = text.find('\n');
        out.emplace_back(text.substr(0, nl));
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

// Warnings of the readers would only slow the fuzzer down.
inline void quiet() {
    static const bool done = [] {
        ts::log::set_level(ts::log::Level::quiet);
        return true;
    }();
    (void)done;
}

// A native reader over the bytes as a regular file: `open` (open_wav, open_flac) and every
// sample decoded, then `info` (wav_info, flac_info), each rejection a ts::Error.
template <class Open, class Info>
void native_reader(const MemFile &file, Open open, Info info) {
    try {
        ts::decode::OpenOptions options;
        options.sha1 = false;
        auto in = std::make_unique<ts::io::Reader>(file.path());
        if (auto source = open(file.path(), in, options)) {
            const auto channels = static_cast<std::size_t>(source->header().channels);
            std::vector<float> buf(channels * 1024);
            while (source->read(buf.data(), 1024) > 0) {
            }
        }
    } catch (const ts::Error &) {
    }
    try {
        ts::io::Reader in(file.path());
        ts::decode::MediaInfo facts;
        (void)info(in, facts);
    } catch (const ts::Error &) {
    }
}

} // namespace fuzz
