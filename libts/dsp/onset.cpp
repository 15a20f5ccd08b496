// Onset detection functions and the onset peak picker.
#include "dsp/onset.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace ts::dsp {
namespace {

struct MethodRow {
    OdfMethod method;
    const char *name;
    const char *formula;
};

const std::array<MethodRow, 8> methods = {{
    {OdfMethod::energy, "energy",
     "energy: max(0, E(t) - E(t-1)), E = sum_k m_k^2 (the rise of the frame's energy; aubio "
     "peak-picks E itself)"},
    {OdfMethod::hfc, "hfc",
     "hfc: max(0, H(t) - H(t-1)), H = sum_k k m_k^2 (the rise of Masri's high-frequency "
     "content; aubio peak-picks sum (k+1) m_k itself)"},
    {OdfMethod::complex, "complex",
     "complex: rectified complex domain (Duxbury 2003, Dixon 2006): sum over the bins with "
     "m_k(t) >= m_k(t-1) of |X_k(t) - m_k(t-1) e^(i(2 phi_k(t-1) - phi_k(t-2)))|, on "
     "normalised bins"},
    {OdfMethod::phase, "phase",
     "phase: weighted phase deviation (Dixon 2006): sum_k m_k(t) |princarg(phi_k(t) - "
     "2 phi_k(t-1) + phi_k(t-2))| / K, K bins"},
    {OdfMethod::specflux, "specflux",
     "specflux: spectral flux (Masri, Dixon 2006): sum_k max(0, m_k(t) - m_k(t-1))"},
    {OdfMethod::specdiff, "specdiff",
     "specdiff: spectral difference (Foote, as aubio): sum_k sqrt(|m_k(t)^2 - m_k(t-1)^2|)"},
    {OdfMethod::kl, "kl",
     "kl: Kullback-Leibler (Hainsworth 2003, as aubio): sum_k m_k(t) ln(1 + m_k(t) / "
     "(m_k(t-1) + 1e-4))"},
    {OdfMethod::mkl, "mkl",
     "mkl: modified Kullback-Leibler (Brossier 2006, as aubio): sum_k ln(1 + m_k(t) / "
     "(m_k(t-1) + 1e-4))"},
}};

// sum_k max(0, g m_k - prev_k), then prev = g m: in 8 float lanes, so that it vectorises.
double flux(const float *__restrict mag, float g, float *__restrict prev, std::size_t n) {
    float lane[8] = {};
    std::size_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (std::size_t j = 0; j < 8; ++j) {
            const float m = mag[k + j] * g;
            const float d = m - prev[k + j];
            lane[j] += d > 0.0f ? d : 0.0f;
            prev[k + j] = m;
        }
    double sum = 0.0;
    for (; k < n; ++k) {
        const float m = mag[k] * g;
        sum += std::max(0.0f, m - prev[k]);
        prev[k] = m;
    }
    for (float v : lane)
        sum += v;
    return sum;
}

// kl: sum m ln(1 + m / (prev + floor)); mkl: sum ln(1 + m / (prev + floor)); prev = g m.
double kl(const float *__restrict mag, float g, float *__restrict prev, std::size_t n,
          bool weighted) {
    float lane[8] = {};
    std::size_t k = 0;
    const float w = weighted ? 1.0f : 0.0f;
    for (; k + 8 <= n; k += 8)
        for (std::size_t j = 0; j < 8; ++j) {
            const float m = mag[k + j] * g;
            const float l = ln_at_least_1(1.0f + m / (prev[k + j] + odf_kl_floor));
            lane[j] += (w * m + (1.0f - w)) * l;
            prev[k + j] = m;
        }
    double sum = 0.0;
    for (; k < n; ++k) {
        const float m = mag[k] * g;
        const float l = ln_at_least_1(1.0f + m / (prev[k] + odf_kl_floor));
        sum += (w * m + (1.0f - w)) * l;
        prev[k] = m;
    }
    for (float v : lane)
        sum += v;
    return sum;
}

std::complex<float> unit(std::complex<float> x) {
    const float a = std::abs(x);
    return a > 0.0f ? x / a : std::complex<float>(1.0f, 0.0f);
}

} // namespace

std::optional<OdfMethod> parse_odf_method(std::string_view name) {
    for (const auto &m : methods)
        if (name == m.name)
            return m.method;
    return std::nullopt;
}

const std::vector<std::string> &odf_method_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto &m : methods)
            v.emplace_back(m.name);
        return v;
    }();
    return names;
}

const char *odf_method_formula(OdfMethod method) {
    for (const auto &m : methods)
        if (m.method == method)
            return m.formula;
    return "";
}

OnsetFunction::OnsetFunction(OdfMethod method, int bins, float gain)
    : method_(method), gain_(gain), prev_(static_cast<std::size_t>(bins), 0.0f) {
    if (method == OdfMethod::complex || method == OdfMethod::phase) {
        u1_.assign(static_cast<std::size_t>(bins), {1.0f, 0.0f});
        u2_.assign(static_cast<std::size_t>(bins), {1.0f, 0.0f});
    }
}

float OnsetFunction::next(const float *magnitude, const std::complex<float> *bins) {
    const std::size_t n = prev_.size();
    const float g = gain_;
    double sum = 0.0;
    switch (method_) {
    case OdfMethod::energy:
    case OdfMethod::hfc: {
        // Sums in 8 float lanes, branch-free, so the loops vectorise; the total in double.
        float lane[8] = {};
        const bool hfc = method_ == OdfMethod::hfc;
        std::size_t k = 0;
        for (; k + 8 <= n; k += 8)
            for (std::size_t j = 0; j < 8; ++j) {
                const float m = magnitude[k + j] * g;
                lane[j] += (hfc ? static_cast<float>(k + j) : 1.0f) * m * m;
            }
        double s = 0.0;
        for (; k < n; ++k) {
            const double m = magnitude[k] * g;
            s += (hfc ? static_cast<double>(k) : 1.0) * m * m;
        }
        for (float v : lane)
            s += v;
        sum = std::max(0.0, s - prev_sum_);
        prev_sum_ = s;
        return static_cast<float>(sum);
    }
    case OdfMethod::specflux:
        sum = flux(magnitude, g, prev_.data(), n);
        break;
    case OdfMethod::specdiff:
        for (std::size_t k = 0; k < n; ++k) {
            const float m = magnitude[k] * g;
            sum += std::sqrt(std::abs(m * m - prev_[k] * prev_[k]));
            prev_[k] = m;
        }
        break;
    case OdfMethod::kl:
        sum = kl(magnitude, g, prev_.data(), n, true);
        break;
    case OdfMethod::mkl:
        sum = kl(magnitude, g, prev_.data(), n, false);
        break;
    case OdfMethod::complex:
        for (std::size_t k = 0; k < n; ++k) {
            const float m = magnitude[k] * g;
            const std::complex<float> x = bins[k] * g;
            if (m >= prev_[k]) {
                const std::complex<float> target = prev_[k] * u1_[k] * u1_[k] * std::conj(u2_[k]);
                sum += std::abs(x - target);
            }
            prev_[k] = m;
            u2_[k] = u1_[k];
            u1_[k] = unit(bins[k]);
        }
        break;
    case OdfMethod::phase:
        for (std::size_t k = 0; k < n; ++k) {
            const float m = magnitude[k] * g;
            const std::complex<float> u = unit(bins[k]);
            // The angle of u / (u1^2 / u2): the deviation from the phase predicted by a
            // steady frequency, already wrapped to (-pi, pi].
            const std::complex<float> d = u * std::conj(u1_[k] * u1_[k]) * u2_[k];
            sum += m * std::abs(std::atan2(d.imag(), d.real()));
            u2_[k] = u1_[k];
            u1_[k] = u;
        }
        sum /= static_cast<double>(n);
        break;
    }
    return static_cast<float>(sum);
}

std::vector<std::size_t> pick_onsets(const std::vector<float> &raw, const std::vector<bool> &loud,
                                     const PeakRule &rule) {
    std::vector<std::size_t> out;
    const std::size_t n = raw.size();
    std::vector<float> smoothed;
    if (rule.smooth > 0) {
        smoothed.resize(n);
        const double a = rule.smooth, norm = 1.0 / (1.0 + 2.0 * a);
        for (std::size_t i = 0; i < n; ++i)
            smoothed[i] = static_cast<float>(
                norm *
                (raw[i] + a * ((i > 0 ? raw[i - 1] : 0.0f) + (i + 1 < n ? raw[i + 1] : 0.0f))));
    }
    const std::vector<float> &odf = rule.smooth > 0 ? smoothed : raw;
    const std::size_t h = static_cast<std::size_t>(std::max(0, rule.half_window));
    const std::size_t after = rule.after >= 0 ? static_cast<std::size_t>(rule.after) : h;
    std::vector<float> w;
    w.reserve(2 * h + 1);
    for (std::size_t i = 0; i < n; ++i) {
        const float v = odf[i];
        if (v <= 0.0f || !loud[i])
            continue;
        if ((i > 0 && odf[i - 1] > v) || (i + 1 < n && odf[i + 1] >= v))
            continue;
        const std::size_t a = i >= h ? i - h : 0, b = std::min(n, i + after + 1);
        w.assign(odf.begin() + static_cast<std::ptrdiff_t>(a),
                 odf.begin() + static_cast<std::ptrdiff_t>(b));
        double mean = 0.0;
        for (float x : w)
            mean += x;
        mean /= static_cast<double>(w.size());
        auto mid = w.begin() + static_cast<std::ptrdiff_t>(w.size() / 2);
        std::nth_element(w.begin(), mid, w.end());
        double median = *mid;
        if (w.size() % 2 == 0)
            median = 0.5 * (median + *std::max_element(w.begin(), mid));
        if (v <= median + rule.threshold * mean)
            continue;
        if (!out.empty() && i - out.back() < static_cast<std::size_t>(rule.min_gap)) {
            if (v > odf[out.back()])
                out.back() = i;
            continue;
        }
        out.push_back(i);
    }
    return out;
}

} // namespace ts::dsp
