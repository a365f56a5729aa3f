// Shared test helpers: golden case files, packing byte matrices into bit
// matrices (with chosen strides), random inputs from fixed seeds, and the
// bridge between the public API's types and the reference evaluator.
#ifndef PHASE_ROUTER_TESTS_TEST_UTIL_H_
#define PHASE_ROUTER_TESTS_TEST_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"
#include "tests/reference.h"

namespace phase_router_test {

// The directory that holds golden/*.case and golden/rng.txt.
std::string GoldenDir();

struct GoldenCase {
  std::string name;  // file name without directory
  size_t M = 0, E = 0;
  uint32_t k = 0;
  uint64_t seed = 0;
  bool align = true;
  bool row_perm = false;
  std::string select;           // "random" or "lowest"
  std::vector<uint8_t> S;       // M x E, 0/1
  std::vector<uint8_t> T;       // E x M, 0/1
  std::vector<int32_t> routes;  // M x k
};

// Parses one .case file (README format); fails the calling test (and returns
// false) when the file is malformed.
bool ParseGoldenCase(const std::string& path, GoldenCase* out);
// Sorted file names of golden/*.case.
std::vector<std::string> GoldenCaseNames();

phase_router::Options OptionsOf(const GoldenCase& c, int threads);
phase_router_ref::Problem ProblemOf(const GoldenCase& c);

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

// Random 0/1 rows x cols matrix; each row gets a density drawn from a mix that
// includes empty rows, full rows, single bits and uniform densities.
std::vector<uint8_t> RandomMatrix(size_t rows, size_t cols,
                                  std::mt19937_64* rng);

// Uniform integer in [lo, hi].
uint64_t Uniform(std::mt19937_64* rng, uint64_t lo, uint64_t hi);

std::string Describe(const phase_router_ref::Problem& p);

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
