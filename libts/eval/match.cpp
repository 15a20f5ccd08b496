// What several tasks share: maximum bipartite matching, event matching, F-measure, rounding.
#include "eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ts::eval {

std::size_t max_matching(const std::vector<std::vector<std::size_t>> &adjacent,
                         std::size_t right_count) {
    // Hopcroft-Karp: BFS layers from the free left vertices, then vertex-disjoint shortest
    // augmenting paths by an iterative DFS, until no augmenting path is left.
    const std::size_t n = adjacent.size(), none = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> match_left(n, none), match_right(right_count, none), dist(n), next(n),
        queue, stack;
    queue.reserve(n);
    std::size_t size = 0;
    for (;;) {
        queue.clear();
        for (std::size_t u = 0; u < n; ++u) {
            dist[u] = match_left[u] == none ? 0 : none;
            if (match_left[u] == none)
                queue.push_back(u);
        }
        bool found = false;
        for (std::size_t q = 0; q < queue.size(); ++q) {
            const std::size_t u = queue[q];
            for (std::size_t v : adjacent[u]) {
                const std::size_t w = match_right[v];
                if (w == none)
                    found = true;
                else if (dist[w] == none) {
                    dist[w] = dist[u] + 1;
                    queue.push_back(w);
                }
            }
        }
        if (!found)
            return size;
        std::fill(next.begin(), next.end(), 0);
        for (std::size_t root = 0; root < n; ++root) {
            if (match_left[root] != none)
                continue;
            stack.assign(1, root);
            while (!stack.empty()) {
                const std::size_t u = stack.back();
                if (next[u] == adjacent[u].size()) {
                    dist[u] = none; // a dead end for this phase
                    stack.pop_back();
                    continue;
                }
                const std::size_t v = adjacent[u][next[u]];
                const std::size_t w = match_right[v];
                if (w == none) {
                    // Augment along the stack: each left vertex takes the right vertex it
                    // stands at.
                    for (std::size_t x : stack) {
                        const std::size_t y = adjacent[x][next[x]];
                        match_right[y] = x;
                        match_left[x] = y;
                    }
                    for (std::size_t x : stack)
                        dist[x] = none; // used in this phase
                    ++size;
                    stack.clear();
                } else if (dist[w] != std::numeric_limits<std::size_t>::max() &&
                           dist[w] == dist[u] + 1) {
                    stack.push_back(w);
                } else {
                    ++next[u];
                }
            }
        }
    }
}

double f_measure(double precision, double recall) {
    if (precision == 0 && recall == 0)
        return 0.0;
    return 2.0 * precision * recall / (precision + recall);
}

double round_decimals(double x, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::nearbyint(x * scale) / scale;
}

std::size_t match_events(const std::vector<double> &reference, const std::vector<double> &estimate,
                         double window) {
    // The hits of mir_eval.util._fast_hit_windows: reference times in [e - w, e + w], the
    // bounds computed as numpy computes them.
    std::vector<std::size_t> order(reference.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](auto a, auto b) { return reference[a] < reference[b]; });
    std::vector<double> sorted(reference.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        sorted[i] = reference[order[i]];
    std::vector<std::vector<std::size_t>> adjacent(estimate.size());
    for (std::size_t j = 0; j < estimate.size(); ++j) {
        auto lo = std::lower_bound(sorted.begin(), sorted.end(), estimate[j] - window);
        auto hi = std::upper_bound(sorted.begin(), sorted.end(), estimate[j] + window);
        for (auto it = lo; it < hi; ++it)
            adjacent[j].push_back(order[it - sorted.begin()]);
    }
    return max_matching(adjacent, reference.size());
}

} // namespace ts::eval
