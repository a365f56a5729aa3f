// Capacity planning (moe.h): Σt = ⌊capacity_factor · M · k⌋ split among the
// experts in proportion to their weights by the largest-remainder method,
// every capacity at most M.
//
// All shares are exact integer arithmetic (weights scaled to integers, 128-bit
// products), so the capacities, and which expert wins a tie, are the same on
// every platform and compiler.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "phase_router/moe.h"
#include "phase_router/phase_router.h"

namespace phase_router {
namespace {

using u128 = unsigned __int128;

constexpr size_t kMaxRing = static_cast<size_t>(std::numeric_limits<int32_t>::max());

// A double as the shortest text that reads back as it (1.1, not
// 1.100000000000000088817841970012523).
std::string Text(double value) {
  std::ostringstream out;
  out.precision(17);
  for (int digits = 1; digits <= 17; ++digits) {
    out.str("");
    out.precision(digits);
    out << value;
    if (std::strtod(out.str().c_str(), nullptr) == value) break;
  }
  return out.str();
}

void CheckArguments(size_t M, size_t E, uint32_t k, double capacity_factor) {
  if (M == 0 || M > kMaxRing) {
    throw Error(ErrorCode::kBadShape,
                "M = " + std::to_string(M) + " tokens is out of range; expected 1 to 2^31 - 1");
  }
  if (E == 0 || E > kMaxRing) {
    throw Error(ErrorCode::kBadShape,
                "E = " + std::to_string(E) + " experts is out of range; expected 1 to 2^31 - 1");
  }
  if (k == 0) throw Error(ErrorCode::kBadOption, "k must be >= 1 (got 0)");
  if (!std::isfinite(capacity_factor) || capacity_factor < 0) {
    throw Error(ErrorCode::kBadOption, "capacity_factor = " + Text(capacity_factor) +
                                           " is not a finite number >= 0");
  }
}

// Weights as integers below 2^53, scaled by one power of two (exact for
// integer weights up to 2^53); empty weights are uniform (all 1).
std::vector<uint64_t> IntegerWeights(size_t E, std::span<const double> weights) {
  if (weights.empty()) return std::vector<uint64_t>(E, 1);
  if (weights.size() != E) {
    throw Error(ErrorCode::kBadShape, "weights has " + std::to_string(weights.size()) +
                                          " entries; expected E = " + std::to_string(E) +
                                          " (one per expert)");
  }
  double largest = 0;
  for (size_t e = 0; e < E; ++e) {
    const double w = weights[e];
    if (!std::isfinite(w) || w < 0) {
      throw Error(ErrorCode::kBadOption, "weights[" + std::to_string(e) + "] = " + Text(w) +
                                             " is not a finite number >= 0");
    }
    largest = std::max(largest, w);
  }
  if (largest == 0) {
    throw Error(ErrorCode::kBadOption,
                "weights are all zero: no expert may take a token (give at least one "
                "expert a positive weight)");
  }
  // largest * 2^shift lies in [2^52, 2^53).
  const int shift = 52 - std::ilogb(largest);
  std::vector<uint64_t> scaled(E);
  for (size_t e = 0; e < E; ++e) {
    scaled[e] = static_cast<uint64_t>(std::nearbyint(std::ldexp(weights[e], shift)));
  }
  return scaled;
}

// ⌊capacity_factor · slots⌋, a product within 2^-48 (relative) of an
// integer counting as that integer: a factor written as a decimal is stored
// a few units in the last place off it, and 1.1 · 10 should be 11.
// `most` bounds the result (callers refuse more); larger products return
// most + 1 without converting an out-of-range double.
uint64_t TotalSlots(double capacity_factor, uint64_t slots, uint64_t most) {
  const double product = capacity_factor * static_cast<double>(slots);
  if (product > static_cast<double>(most) * (1 + 0x1p-40)) return most + 1;
  const double nearest = std::nearbyint(product);
  const double total =
      std::fabs(product - nearest) <= product * 0x1p-48 ? nearest : std::floor(product);
  return std::min(static_cast<uint64_t>(total), most + 1);
}

std::string DescribeRequest(size_t M, uint32_t k, double capacity_factor) {
  return "capacity_factor " + Text(capacity_factor) + " x M = " + std::to_string(M) +
         " tokens x k = " + std::to_string(k);
}

// Caps experts whose share of the rest reaches M at M, largest weight first:
// the capped ones are always a prefix of the experts by weight. Returns the
// experts of positive weight, by weight descending (ties by id), and sets
// *capped to how many lead the order at M.
std::vector<uint32_t> CapHeaviest(const std::vector<uint64_t>& w, uint64_t total, uint64_t M,
                                  size_t* capped) {
  std::vector<uint32_t> order;
  u128 weight_left = 0;
  for (size_t e = 0; e < w.size(); ++e) {
    if (w[e] != 0) {
      order.push_back(static_cast<uint32_t>(e));
      weight_left += w[e];
    }
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return w[a] > w[b]; });
  u128 left = total;
  size_t n = 0;
  // Share of expert e = left * w[e] / weight_left; it reaches M iff
  // left * w[e] >= M * weight_left (both below 2^116).
  while (n < order.size() && left * w[order[n]] >= u128{M} * weight_left) {
    left -= M;
    weight_left -= w[order[n]];
    ++n;
  }
  *capped = n;
  return order;
}

}  // namespace

std::vector<uint32_t> Capacities(size_t M, size_t E, uint32_t k, double capacity_factor,
                                 std::span<const double> weights) {
  CheckArguments(M, E, k, capacity_factor);
  const std::vector<uint64_t> w = IntegerWeights(E, weights);
  const size_t open = static_cast<size_t>(std::count_if(w.begin(), w.end(),
                                                        [](uint64_t x) { return x != 0; }));
  const uint64_t most = uint64_t{M} * open;  // every open expert at M
  const uint64_t total = TotalSlots(capacity_factor, uint64_t{M} * k, most);
  if (total > most) {
    throw Error(ErrorCode::kBadOption,
                DescribeRequest(M, k, capacity_factor) + " asks for more slots than " +
                    (open == E ? "the E = " + std::to_string(E) + " experts"
                               : "the " + std::to_string(open) + " experts of nonzero weight") +
                    " can take at most M = " + std::to_string(M) + " tokens each (" +
                    std::to_string(most) + "); lower capacity_factor to at most " +
                    Text(static_cast<double>(open) / k));
  }

  std::vector<uint32_t> t(E, 0);
  size_t capped = 0;
  const std::vector<uint32_t> order = CapHeaviest(w, total, M, &capped);
  for (size_t n = 0; n < capped; ++n) t[order[n]] = static_cast<uint32_t>(M);

  // Largest remainder over the others: floor(left * w / weight_left) each,
  // remainders (left * w) mod weight_left compared exactly.
  const uint64_t left = total - uint64_t{M} * capped;
  u128 weight_left = 0;
  for (size_t n = capped; n < order.size(); ++n) weight_left += w[order[n]];
  if (weight_left == 0) return t;  // every open expert capped
  struct Share {
    u128 remainder;
    uint32_t expert;
  };
  std::vector<Share> shares;
  shares.reserve(order.size() - capped);
  uint64_t given = 0;
  for (size_t n = capped; n < order.size(); ++n) {
    const uint32_t e = order[n];
    const u128 product = u128{left} * w[e];
    t[e] = static_cast<uint32_t>(product / weight_left);  // < M: not capped
    given += t[e];
    shares.push_back({product % weight_left, e});
  }
  // Σ floors > left - (number of shares), so fewer units than shares remain.
  const size_t units = static_cast<size_t>(left - given);
  std::partial_sort(shares.begin(), shares.begin() + static_cast<std::ptrdiff_t>(units),
                    shares.end(), [](const Share& a, const Share& b) {
                      return a.remainder != b.remainder ? a.remainder > b.remainder
                                                        : a.expert < b.expert;
                    });
  for (size_t n = 0; n < units; ++n) ++t[shares[n].expert];
  return t;
}

}  // namespace phase_router
