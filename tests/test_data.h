// Test inputs that need nothing of the library (only the reference's types):
// golden case files, random matrices from fixed seeds, and a problem's
// one-line description. The reference's own tests (reference_test,
// rng_test) build on these alone; tests/test_util.h adds the bridge to the
// library's API.
#ifndef PHASE_ROUTER_TESTS_TEST_DATA_H_
#define PHASE_ROUTER_TESTS_TEST_DATA_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/reference.h"

namespace phase_router_test {

// The directory that holds golden/*.case and golden/rng.txt.
std::string GoldenDir();

// One golden/*.case file (format in tests/golden/README.md, SPEC.md v2).
struct GoldenCase {
  std::string name;  // file name without directory
  size_t M = 0, E = 0;
  uint32_t k = 0;
  uint64_t seed = 0;
  bool align = true;
  bool row_perm = false;
  std::string select;           // "random" or "lowest"
  std::string tiling;           // "auto", "on" or "off"
  std::vector<uint8_t> S;       // M x E, 0/1
  std::vector<uint8_t> T;       // E x M, 0/1
  std::vector<int32_t> routes;  // M x k
};

// Parses one .case file (README format); fails the calling test (and returns
// false) when the file is malformed. Every header field is required.
bool ParseGoldenCase(const std::string& path, GoldenCase* out);
// Sorted file names of golden/*.case.
std::vector<std::string> GoldenCaseNames();

phase_router_ref::Problem ProblemOf(const GoldenCase& c);

// Random 0/1 rows x cols matrix; each row gets a density drawn from a mix that
// includes empty rows, full rows, single bits and uniform densities.
std::vector<uint8_t> RandomMatrix(size_t rows, size_t cols,
                                  std::mt19937_64* rng);

// Uniform integer in [lo, hi].
uint64_t Uniform(std::mt19937_64* rng, uint64_t lo, uint64_t hi);

std::string Describe(const phase_router_ref::Problem& p);

}  // namespace phase_router_test

#endif  // PHASE_ROUTER_TESTS_TEST_DATA_H_
