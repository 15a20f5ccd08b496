// ts::eval: the matching against brute force, and scores worked out by hand.
#include "eval/metrics.hpp"

#include <doctest/doctest.h>

#include <random>

namespace {

// The largest matching by trying every assignment (small graphs only).
std::size_t brute(const std::vector<std::vector<std::size_t>> &adj, std::size_t u,
                  std::vector<char> &used) {
    if (u == adj.size())
        return 0;
    std::size_t best = brute(adj, u + 1, used);
    for (std::size_t v : adj[u])
        if (!used[v]) {
            used[v] = 1;
            best = std::max(best, 1 + brute(adj, u + 1, used));
            used[v] = 0;
        }
    return best;
}

} // namespace

TEST_CASE("max_matching equals brute force on random bipartite graphs") {
    std::mt19937 rng(3);
    for (int trial = 0; trial < 300; ++trial) {
        const std::size_t left = rng() % 8, right = 1 + rng() % 8;
        std::vector<std::vector<std::size_t>> adj(left);
        for (auto &a : adj)
            for (std::size_t v = 0; v < right; ++v)
                if (rng() % 3 == 0)
                    a.push_back(v);
        std::vector<char> used(right, 0);
        CHECK(ts::eval::max_matching(adj, right) == brute(adj, 0, used));
    }
}

TEST_CASE("onsets: one of two matched, one extra") {
    // 1.0 matches 1.03 within 50 ms; 2.0 has no estimate; 3.5 is a false alarm.
    const auto s = ts::eval::onsets({1.0, 2.0}, {1.03, 3.5});
    CHECK(s[0].value == doctest::Approx(0.5)); // F
    CHECK(s[1].value == doctest::Approx(0.5)); // P
    CHECK(s[2].value == doctest::Approx(0.5)); // R
    CHECK(ts::eval::onsets({}, {1.0})[0].value == 0.0);
}

TEST_CASE("key: the MIREX weights") {
    auto w = [](const char *r, const char *e) { return ts::eval::key(r, e)[0].value; };
    CHECK(w("C major", "C major") == 1.0);
    CHECK(w("C major", "G major") == 0.5);
    CHECK(w("C major", "A minor") == 0.3);
    CHECK(w("A minor", "C major") == 0.3);
    CHECK(w("C major", "C minor") == 0.2);
    CHECK(w("C major", "D major") == 0.0);
    CHECK(ts::eval::normalize_key("a:min") == "A minor");
}

TEST_CASE("tempo: Acc1 within 4 %, Acc2 at double") {
    auto s = ts::eval::tempo({120.0}, 1.0, {124.0});
    CHECK(s[0].value == 1.0);
    s = ts::eval::tempo({120.0}, 1.0, {240.0});
    CHECK(s[0].value == 0.0);
    CHECK(s[1].value == 1.0);
}
