#include "tests/test_util.h"

#include <algorithm>

#include "kernels/bit_matrix.h"

namespace phase_router_test {

phase_router::Options OptionsOf(const GoldenCase& c, int threads) {
  phase_router::Options o;
  o.k = c.k;
  o.seed = c.seed;
  o.align = c.align;
  o.row_perm = c.row_perm;
  o.select = c.select == "lowest" ? phase_router::Select::kLowest
                                  : phase_router::Select::kRandom;
  o.tiling = c.tiling == "on"    ? phase_router::Tiling::kOn
             : c.tiling == "off" ? phase_router::Tiling::kOff
                                 : phase_router::Tiling::kAuto;
  o.threads = threads;
  return o;
}

std::vector<uint64_t> PackBits(const std::vector<uint8_t>& m, size_t rows,
                               size_t cols, size_t stride) {
  std::vector<uint64_t> w(std::max<size_t>(rows * stride, 1), 0);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) {
      if (m[r * cols + c]) w[r * stride + c / 64] |= 1ull << (c % 64);
    }
  }
  return w;
}

std::vector<uint8_t> NoisyBytes(const std::vector<uint8_t>& m, size_t rows,
                                size_t cols, size_t stride,
                                std::mt19937_64* rng) {
  std::vector<uint8_t> b(std::max<size_t>(rows * stride, 1), 0);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < stride; ++c) {
      const uint8_t nonzero = static_cast<uint8_t>(Uniform(rng, 1, 255));
      if (c >= cols) {
        b[r * stride + c] = nonzero;  // outside the matrix
      } else {
        b[r * stride + c] = m[r * cols + c] ? nonzero : 0;
      }
    }
  }
  return b;
}

std::vector<std::string> TargetsToTest() {
  return phase_router::SupportedTargets();
}

SmallProblem::SmallProblem(uint64_t seed) {
  std::mt19937_64 rng(seed);
  S = RandomMatrix(M, E, &rng);
  T = RandomMatrix(E, M, &rng);
  Sw = PackBits(S, M, E, phase_router::WordsFor(E));
  Tw = PackBits(T, E, M, phase_router::WordsFor(M));
  s = phase_router_ref::RowDegrees(S, M, E);
  t = phase_router_ref::RowDegrees(T, E, M);
  o.k = 3;
  out.resize(M * 8);
}

}  // namespace phase_router_test
