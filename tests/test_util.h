// Shared test helpers: packing byte matrices into bit matrices (with chosen
// strides), and the bridge between the public API's types and the reference
// evaluator; with tests/test_data.h (golden case files, random inputs from
// fixed seeds), which needs nothing of the library.
#ifndef PHASE_ROUTER_TESTS_TEST_UTIL_H_
#define PHASE_ROUTER_TESTS_TEST_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"
#include "tests/reference.h"
#include "tests/test_data.h"

namespace phase_router_test {

// The case's options for the library, with `threads` OpenMP threads.
phase_router::Options OptionsOf(const GoldenCase& c, int threads);

// Packs a rows x cols 0/1 byte matrix into words, `stride` words a row
// (>= WordsFor(cols)); padding (stride tail and high bits) is zero.
std::vector<uint64_t> PackBits(const std::vector<uint8_t>& m, size_t rows,
                               size_t cols, size_t stride);

// A byte matrix with `stride` >= cols bytes a row; the ones become random
// nonzero bytes and the stride tail holds nonzero garbage (not part of the
// matrix, so it must be ignored).
std::vector<uint8_t> NoisyBytes(const std::vector<uint8_t>& m, size_t rows,
                                size_t cols, size_t stride,
                                std::mt19937_64* rng);

// A 70 x 50 random problem (RandomMatrix from `seed`) in every input form,
// with k = 3 and room for 8 routes a source: the refusal tests' input.
struct SmallProblem {
  explicit SmallProblem(uint64_t seed);
  phase_router::ByteMatrixView SB() const { return {S.data(), M, E, 0}; }
  phase_router::ByteMatrixView TB() const { return {T.data(), E, M, 0}; }
  phase_router::BitMatrixView SW() const { return {Sw.data(), M, E, 0}; }
  phase_router::BitMatrixView TW() const { return {Tw.data(), E, M, 0}; }
  size_t M = 70, E = 50;
  std::vector<uint8_t> S, T;
  std::vector<uint64_t> Sw, Tw;
  std::vector<uint32_t> s, t;
  phase_router::Options o;
  std::vector<int32_t> out;
};

// Every kernel target this CPU runs (phase_router::SupportedTargets()).
std::vector<std::string> TargetsToTest();

// Forces a kernel target for the scope, then restores the default.
class ScopedTarget {
 public:
  explicit ScopedTarget(const std::string& name) {
    phase_router::ForceTarget(name);
  }
  ~ScopedTarget() { phase_router::ForceTarget(""); }
  ScopedTarget(const ScopedTarget&) = delete;
  ScopedTarget& operator=(const ScopedTarget&) = delete;
};

}  // namespace phase_router_test

#endif  // PHASE_ROUTER_TESTS_TEST_UTIL_H_
