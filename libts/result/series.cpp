// Spill files and series buffers: the framewise values of long inputs kept on disk.
#include "result/series.hpp"

#include "core/error.hpp"
#include "result/result.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace ts::result {
namespace {

std::string temp_dir() {
    const char *t = std::getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

[[noreturn]] void fail(const std::string &dir, const char *what, int err) {
    std::string why = std::strerror(err);
    if (err == ENOSPC || err == EDQUOT)
        why += " (set TMPDIR to a folder with room)";
    throw Error(std::string(what) + " a temporary file for framewise results in " + dir + ": " + why);
}

} // namespace

SpillFile::~SpillFile() {
    if (fd_ >= 0)
        ::close(fd_);
}

void SpillFile::open() {
    dir_ = temp_dir();
#ifdef O_TMPFILE
    fd_ = ::open(dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
    if (fd_ < 0) { // no O_TMPFILE here: a named file, unlinked at once
        std::string name = dir_ + "/ts-series-XXXXXX";
        fd_ = ::mkostemp(name.data(), O_CLOEXEC);
        if (fd_ < 0)
            fail(dir_, "cannot make", errno);
        ::unlink(name.c_str());
    }
}

std::uint64_t SpillFile::append(const float *v, std::size_t n) {
    if (fd_ < 0)
        open();
    const std::uint64_t at = end_;
    const char *p = reinterpret_cast<const char *>(v);
    std::size_t left = n * sizeof(float);
    while (left > 0) {
        ssize_t w = ::pwrite(fd_, p, left, static_cast<off_t>(end_));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            fail(dir_, "cannot write", w < 0 ? errno : ENOSPC);
        p += w;
        left -= static_cast<std::size_t>(w);
        end_ += static_cast<std::uint64_t>(w);
    }
    return at;
}

void SpillFile::read(std::uint64_t offset, float *out, std::size_t n) const {
    char *p = reinterpret_cast<char *>(out);
    std::size_t left = n * sizeof(float);
    while (left > 0) {
        ssize_t r = ::pread(fd_, p, left, static_cast<off_t>(offset));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            fail(dir_, "cannot read", r < 0 ? errno : EIO);
        p += r;
        left -= static_cast<std::size_t>(r);
        offset += static_cast<std::uint64_t>(r);
    }
}

float *SeriesBuffer::grow(std::size_t n) {
    if (file_ && !tail_.empty() && tail_.size() + n > limit)
        flush();
    const std::size_t at = tail_.size();
    tail_.resize(at + n, 0.0f);
    return tail_.data() + at;
}

void SeriesBuffer::flush() {
    if (tail_.empty())
        return;
    const std::uint64_t at = file_->append(tail_.data(), tail_.size());
    auto &e = spilled_.extents;
    if (!e.empty() && e.back().first + e.back().second * sizeof(float) == at)
        e.back().second += tail_.size(); // contiguous with the last extent
    else
        e.emplace_back(at, tail_.size());
    spilled_.size += tail_.size();
    tail_.clear();
}

void SeriesBuffer::into(Result &r) {
    r.spilled.reset();
    if (spilled_.size == 0) {
        r.series = std::move(tail_);
        tail_ = {};
        return;
    }
    flush();
    tail_.shrink_to_fit();
    spilled_.file = file_;
    r.series.clear();
    r.spilled = std::make_shared<const Spilled>(std::move(spilled_));
    spilled_ = Spilled();
}

void for_each_block(const Result &r, std::size_t block, const SeriesBlockFn &fn) {
    if (!r.spilled) {
        for (std::size_t i = 0; i < r.series.size(); i += block)
            fn(r.series.data() + i, i, std::min(block, r.series.size() - i));
        return;
    }
    std::vector<float> buf(std::min(block, r.spilled->size));
    std::size_t first = 0, have = 0;
    for (const auto &[offset, count] : r.spilled->extents) {
        std::size_t done = 0;
        while (done < count) {
            const std::size_t n = std::min(count - done, block - have);
            r.spilled->file->read(offset + done * sizeof(float), buf.data() + have, n);
            done += n;
            have += n;
            if (have == block) {
                fn(buf.data(), first, have);
                first += have;
                have = 0;
            }
        }
    }
    if (have > 0)
        fn(buf.data(), first, have);
}

void load_series(Result &r) {
    if (!r.spilled)
        return;
    std::vector<float> v(r.spilled->size);
    for_each_block(r, 1u << 16, [&](const float *x, std::size_t first, std::size_t n) {
        std::copy_n(x, n, v.data() + first);
    });
    r.series = std::move(v);
    r.spilled.reset();
}

} // namespace ts::result
