// The comparison baselines of phase_router/analysis.h: the independent-edge
// (Chung-Lu) sampler and the sequential power-of-two-choices router. Both
// see only the degree vectors and draw every random number from
// kernels/random.h, each from a Domain of its own.
#include "router/baselines.h"
#include "router/validation.h"

#include <omp.h>

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "kernels/random.h"
#include "phase_router/analysis.h"

namespace phase_router {
namespace {

constexpr size_t kMaxSide =
    static_cast<size_t>(std::numeric_limits<int32_t>::max());

// The checks Route makes on a degree-vector request, with its messages.
void CheckDegreeRequest(std::span<const uint32_t> s,
                        std::span<const uint32_t> t, const Options& options,
                        const int32_t* out) {
  RequireAllRows(options, "the baselines");
  const size_t M = s.size(), E = t.size();
  if (M == 0 || E == 0) {
    throw Error(ErrorCode::kBadShape,
                "empty routing: M = " + std::to_string(M) + " sources, E = " +
                    std::to_string(E) + " targets (both must be >= 1)");
  }
  if (M > kMaxSide || E > kMaxSide) {
    throw Error(ErrorCode::kBadShape,
                "routing " + std::to_string(M) + "x" + std::to_string(E) +
                    " is too large: M and E must be below 2^31");
  }
  if (options.k == 0)
    throw Error(ErrorCode::kBadOption, "k must be >= 1 (got 0)");
  if (options.k > kMaxSide) {
    throw Error(ErrorCode::kBadOption,
                "k = " + std::to_string(options.k) + " does not fit in int32");
  }
  CheckThreads(options);
  for (size_t i = 0; i < M; ++i) {
    if (s[i] > E) {
      throw Error(ErrorCode::kBadDegree,
                  "s[" + std::to_string(i) + "] = " + std::to_string(s[i]) +
                      " exceeds the ring size E = " + std::to_string(E));
    }
  }
  for (size_t j = 0; j < E; ++j) {
    if (t[j] > M) {
      throw Error(ErrorCode::kBadDegree,
                  "t[" + std::to_string(j) + "] = " + std::to_string(t[j]) +
                      " exceeds the ring size M = " + std::to_string(M));
    }
  }
  if (out == nullptr) throw Error(ErrorCode::kBadData, "output buffer is null");
}

Routes Allocate(size_t M, uint32_t k) {
  if (k == 0) throw Error(ErrorCode::kBadOption, "k must be >= 1 (got 0)");
  size_t entries = 0;
  if (__builtin_mul_overflow(M, static_cast<size_t>(k), &entries)) {
    throw Error(ErrorCode::kBadShape, "M * k overflows");
  }
  Routes routes;
  routes.M = M;
  routes.k = k;
  routes.ids.resize(entries);
  return routes;
}

}  // namespace

// ---------------------------------------------------------------- Chung-Lu

void ChungLuRouteCounting(std::span<const uint32_t> s,
                          std::span<const uint32_t> t, const Options& options,
                          int32_t* out, uint32_t* row_candidates) {
  CheckDegreeRequest(s, t, options, out);
  const size_t M = s.size(), E = t.size(), k = options.k;
  const uint64_t pairs = uint64_t{E} * M;  // < 2^62
  const uint64_t domain = DomainKey(options.seed, Domain::kChungLu);
  const bool parallel = pairs >= (uint64_t{1} << 18);
#pragma omp parallel num_threads(ThreadsOf(options)) if (parallel)
  {
    std::vector<std::pair<uint64_t, int32_t>> kept;  // (key, target)
    kept.reserve(std::min<size_t>(E, 4 * k + 64));
#pragma omp for schedule(dynamic, 64)
    for (size_t i = 0; i < M; ++i) {
      int32_t* row = out + i * k;
      kept.clear();
      if (s[i] != 0) {
        const uint64_t row_key = Draw(domain, i);
        for (size_t j = 0; j < E; ++j) {
          const uint64_t weight = uint64_t{s[i]} * t[j];  // P = weight / pairs
          if (weight == 0 || Bounded(Draw(row_key, 2 * j), pairs) >= weight)
            continue;
          kept.emplace_back(Draw(row_key, 2 * j + 1), static_cast<int32_t>(j));
        }
      }
      if (row_candidates)
        row_candidates[i] = static_cast<uint32_t>(kept.size());
      size_t n = kept.size();
      if (n > k) {  // the row cap: the k smallest keys (distinct: Mix is a
                    // bijection)
        std::nth_element(kept.begin(),
                         kept.begin() + static_cast<ptrdiff_t>(k) - 1,
                         kept.end());
        n = k;
      }
      for (size_t m = 0; m < n; ++m) row[m] = kept[m].second;
      std::sort(row, row + n);
      std::fill(row + n, row + k, -1);
    }
  }
  // The target cap, in source order.
  std::vector<uint32_t> load(E, 0);
  for (size_t i = 0; i < M; ++i) {
    int32_t* row = out + i * k;
    size_t n = 0;
    for (size_t m = 0; m < k && row[m] >= 0; ++m) {
      const size_t j = static_cast<size_t>(row[m]);
      if (load[j] < t[j]) {
        ++load[j];
        row[n++] = row[m];
      }
    }
    std::fill(row + n, row + k, -1);
  }
}

void ChungLuRoute(std::span<const uint32_t> s, std::span<const uint32_t> t,
                  const Options& options, int32_t* out) {
  ChungLuRouteCounting(s, t, options, out, nullptr);
}

Routes ChungLuRoute(std::span<const uint32_t> s, std::span<const uint32_t> t,
                    const Options& options) {
  Routes routes = Allocate(s.size(), options.k);
  ChungLuRoute(s, t, options, routes.ids.data());
  return routes;
}

// ------------------------------------------------------- two choices

void TwoChoiceRoute(std::span<const uint32_t> s, std::span<const uint32_t> t,
                    const Options& options, int32_t* out) {
  CheckDegreeRequest(s, t, options, out);
  const size_t M = s.size(), E = t.size(), k = options.k;
  const uint64_t domain = DomainKey(options.seed, Domain::kTwoChoice);
  constexpr uint32_t kClosed = std::numeric_limits<uint32_t>::max();
  // The open targets (load < t_t) in a list; position[j] is j's index in it.
  std::vector<uint32_t> open, position(E, kClosed), load(E, 0);
  for (size_t j = 0; j < E; ++j) {
    if (t[j] > 0) {
      position[j] = static_cast<uint32_t>(open.size());
      open.push_back(static_cast<uint32_t>(j));
    }
  }
  std::vector<uint8_t> held(E, 0);  // held[j]: the current source holds j
  for (size_t i = 0; i < M; ++i) {
    int32_t* row = out + i * k;
    const size_t slots = std::min<size_t>({k, s[i], E});
    const uint64_t row_key = Draw(domain, i);
    uint64_t n = 0;  // draws used by this source
    size_t taken = 0;
    size_t held_open = 0;  // targets held by this source that are still open
    // A uniform open target that this source does not hold, other than
    // `not_this`.
    auto draw_target = [&](uint32_t not_this) {
      for (;;) {
        const uint32_t j = open[Bounded(Draw(row_key, n++), open.size())];
        if (!held[j] && j != not_this) return j;
      }
    };
    while (taken < slots) {
      const size_t eligible = open.size() - held_open;
      if (eligible == 0) break;
      const uint32_t a = draw_target(kClosed);
      uint32_t pick = a;
      if (eligible >= 2) {
        const uint32_t b = draw_target(a);
        // load_b / t_b < load_a / t_a, exactly (t of an open target is >= 1).
        if (uint64_t{load[b]} * t[a] < uint64_t{load[a]} * t[b]) pick = b;
      }
      row[taken++] = static_cast<int32_t>(pick);
      held[pick] = 1;
      if (++load[pick] == t[pick]) {  // full: leaves the open list
        const uint32_t at = position[pick];
        open[at] = open.back();
        position[open[at]] = at;
        open.pop_back();
        position[pick] = kClosed;
      } else {
        ++held_open;
      }
    }
    for (size_t m = 0; m < taken; ++m) held[static_cast<size_t>(row[m])] = 0;
    std::sort(row, row + taken);
    std::fill(row + taken, row + k, -1);
  }
}

Routes TwoChoiceRoute(std::span<const uint32_t> s, std::span<const uint32_t> t,
                      const Options& options) {
  Routes routes = Allocate(s.size(), options.k);
  TwoChoiceRoute(s, t, options, routes.ids.data());
  return routes;
}

}  // namespace phase_router
