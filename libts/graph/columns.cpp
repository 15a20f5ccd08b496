// Per-column accumulation: direct mapping for a known length, pair-merged buckets otherwise.
#include "graph/columns.hpp"

#include <algorithm>
#include <limits>

namespace ts::graph {

Columns::Columns(int width, std::int64_t frames, std::vector<Combine> ops, std::size_t limit)
    : width_(width), frames_(frames), ops_(std::move(ops)),
      limit_(std::max<std::size_t>(limit, 2)) {
    std::size_t count = frames_ >= 0 ? static_cast<std::size_t>(width_) : 0;
    data_.resize(count * ops_.size());
    used_.assign(count, 0);
    for (std::size_t i = 0; i < count; ++i)
        reset(&data_[i * ops_.size()]);
}

void Columns::reset(float *r) const {
    for (std::size_t s = 0; s < ops_.size(); ++s)
        r[s] = ops_[s] == Combine::min   ? std::numeric_limits<float>::infinity()
               : ops_[s] == Combine::max ? -std::numeric_limits<float>::infinity()
                                         : 0.0f;
}

void Columns::combine(float *into, const float *from) const {
    for (std::size_t s = 0; s < ops_.size(); ++s)
        into[s] = ops_[s] == Combine::min   ? std::min(into[s], from[s])
                  : ops_[s] == Combine::max ? std::max(into[s], from[s])
                                            : into[s] + from[s];
}

void Columns::merge_pairs() {
    const std::size_t n = ops_.size(), half = (used_.size() + 1) / 2;
    for (std::size_t i = 0; i < half; ++i) {
        float *dst = &data_[i * n];
        const float *a = &data_[2 * i * n];
        if (i > 0)
            std::copy(a, a + n, dst);
        char used = used_[2 * i];
        if (2 * i + 1 < used_.size()) {
            combine(dst, &data_[(2 * i + 1) * n]);
            used |= used_[2 * i + 1];
        }
        used_[i] = used;
    }
    used_.resize(half);
    data_.resize(half * n);
    bucket_ *= 2;
}

float *Columns::record_at(std::int64_t position, std::int64_t &end) {
    const std::size_t n = ops_.size();
    std::size_t i;
    if (frames_ >= 0) {
        std::int64_t p =
            std::clamp<std::int64_t>(position, 0, std::max<std::int64_t>(frames_ - 1, 0));
        i = frames_ > 0 ? static_cast<std::size_t>(p * width_ / frames_) : 0;
        // the first p' with p' * width / frames >= i + 1
        end = frames_ > 0 ? ((static_cast<std::int64_t>(i) + 1) * frames_ + width_ - 1) / width_
                          : std::numeric_limits<std::int64_t>::max();
        if (i + 1 >= static_cast<std::size_t>(width_))
            end = std::numeric_limits<std::int64_t>::max();
    } else {
        std::int64_t b = std::max<std::int64_t>(position, 0) / bucket_;
        while (static_cast<std::size_t>(b) >= limit_) {
            merge_pairs();
            b = std::max<std::int64_t>(position, 0) / bucket_;
        }
        i = static_cast<std::size_t>(b);
        end = (b + 1) * bucket_;
        if (i >= used_.size()) {
            std::size_t old = used_.size();
            used_.resize(i + 1, 0);
            data_.resize((i + 1) * n);
            for (std::size_t k = old; k <= i; ++k)
                reset(&data_[k * n]);
        }
    }
    used_[i] = 1;
    return &data_[i * n];
}

void Columns::add(std::int64_t position, const float *values) {
    std::int64_t end = 0;
    combine(record_at(position, end), values);
}

void Columns::finish(std::int64_t frames, std::vector<float> &out, std::vector<char> &filled) {
    const std::size_t n = ops_.size(), w = static_cast<std::size_t>(width_);
    if (frames_ >= 0) {
        out = std::move(data_);
        filled = std::move(used_);
        return;
    }
    out.assign(w * n, 0.0f);
    filled.assign(w, 0);
    for (std::size_t c = 0; c < w; ++c)
        reset(&out[c * n]);
    if (frames <= 0)
        return;
    for (std::size_t b = 0; b < used_.size(); ++b) {
        if (!used_[b])
            continue;
        std::int64_t centre = static_cast<std::int64_t>(b) * bucket_ + bucket_ / 2;
        centre = std::min(centre, frames - 1);
        std::size_t c = static_cast<std::size_t>(centre * width_ / frames);
        combine(&out[c * n], &data_[b * n]);
        filled[c] = 1;
    }
}

} // namespace ts::graph
