// An independent, deliberately simple evaluator of SPEC.md, written from the
// spec text alone. It shares no code with kernels/ or router/ (not even
// kernels/random.h): its own mix/draw/perm, matrices as bytes (one byte per
// bit), selection by sorting. Slow (O(M * E) per routing, plus sorting) and
// obviously correct is the point: it is the oracle the tests trust.
//
// Two evaluators are provided and tested against each other:
//   EvaluateClosedForm: the closed form of SPEC.md ("t is a candidate of i iff
//     Sa[i][(pS[rT^-1[t]] - phi_i) mod E] = 1 and
//     Ta[t][(pT[rS^-1[i]] - psi_t) mod M] = 1").
//   EvaluateStages: the pipeline literally, stage by stage, on byte matrices
//     (align, phase offsets, rotate, gather, row perm, transpose, AND,
//     relabel).
#ifndef PHASE_ROUTER_TESTS_REFERENCE_H_
#define PHASE_ROUTER_TESTS_REFERENCE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace phase_router_ref {

// SPEC.md "Randomness", written out again on purpose.
uint64_t RefMix(uint64_t z);
uint64_t RefDraw(uint64_t key, uint64_t n);
uint64_t RefDomainKey(uint64_t seed, uint64_t d);
// floor(x * n / 2^64) computed with 32-bit limbs (no __int128).
uint64_t RefBounded(uint64_t x, uint64_t n);
std::vector<uint32_t> RefPerm(uint64_t key, size_t length);

struct Problem {
  size_t M = 0;
  size_t E = 0;
  std::vector<uint8_t> S;  // M x E, row-major, 0 or 1
  std::vector<uint8_t> T;  // E x M, row-major, 0 or 1
  uint32_t k = 1;
  uint64_t seed = 0;
  bool align = true;
  bool row_perm = false;
  bool select_lowest = false;  // false: SPEC.md "random"
};

struct Result {
  std::vector<int32_t> routes;       // M x k, ascending, -1 padded
  std::vector<uint8_t> candidate;    // M x E: candidate[i * E + t] = cand(i, t)
  std::vector<uint32_t> candidates;  // c_i = |C_i|, M entries
};

Result EvaluateClosedForm(const Problem& p);
Result EvaluateStages(const Problem& p);

// An aligned problem from degree vectors: S[i] = [x < s_i], T[t] = [y < t_t].
// (With align on, only the degrees matter, so this is the matrix twin of a
// degree-vector call.)
Problem FromDegrees(const std::vector<uint32_t>& s,
                    const std::vector<uint32_t>& t, uint32_t k, uint64_t seed,
                    bool row_perm, bool select_lowest);

// Row popcounts of a rows x cols byte matrix (nonzero = 1).
std::vector<uint32_t> RowDegrees(const std::vector<uint8_t>& m, size_t rows,
                                 size_t cols);

}  // namespace phase_router_ref

#endif  // PHASE_ROUTER_TESTS_REFERENCE_H_
