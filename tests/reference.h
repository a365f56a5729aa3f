// An independent, deliberately simple evaluator of SPEC.md (version 2),
// written from the spec text alone. It shares no code with kernels/ or
// router/ (not even kernels/random.h): its own mix, draw, fmix32 and Feistel
// bijection, matrices as bytes (one byte per bit), exact 128-bit arithmetic
// for the tiling rule, selection by sorting. Slow (O(M * E) per routing, plus
// sorting) and obviously correct is the point: it is the oracle the tests
// trust.
//
// Two evaluators are provided and tested against each other:
//   EvaluateClosedForm: the closed form of SPEC.md ("t is a candidate of i iff
//     Sa[i][(pS[rT^-1[t]] - phi_i) mod E] = 1 and
//     Ta[t][(pT[rS^-1[i]] - psi_t) mod M] = 1").
//   EvaluateStages: the pipeline literally, stage by stage, on byte matrices
//     (align, phase offsets, rotate, gather, row perm, transpose, AND,
//     relabel).
// Both share steps 1 and 2 (alignment and the lay-out, RefLayout) and the
// permutations; they differ in everything after.
#ifndef PHASE_ROUTER_TESTS_REFERENCE_H_
#define PHASE_ROUTER_TESTS_REFERENCE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace phase_router_ref {

// ---- SPEC.md "Randomness", written out again on purpose ---------------------

uint64_t RefMix(uint64_t z);
// draw(K, n) = mix(K + (n + 1) * GAMMA).
uint64_t RefDraw(uint64_t key, uint64_t n);
// domain_key(d) = mix(seed ^ (d * DOMAIN)); d is 1..6 (see SPEC.md).
uint64_t RefDomainKey(uint64_t seed, uint64_t d);
// MurmurHash3's 32-bit finalizer, as SPEC.md writes it.
uint32_t RefFmix32(uint32_t h);

// fperm(K, L, x): the keyed bijection on [0, L) (eight Feistel rounds on 2h
// bits, then cycle walking). Needs 1 <= length <= 2^32 - 1 and x < length.
uint64_t RefFperm(uint64_t key, uint64_t length, uint64_t x);
// fperm_inverse(K, L, y): RefFperm(key, L, RefFpermInverse(key, L, y)) == y.
uint64_t RefFpermInverse(uint64_t key, uint64_t length, uint64_t y);
// The whole permutation: p[x] = fperm(key, length, x) for x < length
// (empty for length 0). length <= 2^32 - 1.
std::vector<uint32_t> RefFpermVector(uint64_t key, size_t length);

// SPEC.md "Selection": R_i = draw(domain_key(5), i).
uint64_t RefSelectionRowKey(uint64_t seed, uint64_t source);
// key(i, t) = fmix32((c + (t + 1) * 0x9E3779B9) mod 2^32), c = R_i mod 2^32.
uint32_t RefSelectionKey(uint64_t row_key, uint64_t target);

// ---- The lay-out of SPEC.md step 2 ------------------------------------------

// SPEC.md's option `tiling`.
enum class RefTiling { kAuto, kOn, kOff };
// "auto", "on", "off".
const char* RefTilingName(RefTiling tiling);
// Parses a name of RefTilingName; false (and *out untouched) otherwise.
bool ParseRefTiling(const std::string& name, RefTiling* out);

// The targets' arcs on the source ring Z_M.
struct Layout {
  std::vector<uint32_t> sigma;    // E: sigma[t], the 0-based place of target t
  std::vector<uint32_t> t_prime;  // E: arc lengths t'_t (t_t without tiling)
  std::vector<uint32_t> psi;      // E: phase offsets psi_t on Z_M
  bool tiled = false;             // whether the tiling rule applied
  uint64_t q = 0;                 // floor(L / M), the laps (tiled or not)
};

// Step 2's target side from the degrees: M = s.size(), E = t.size() (both
// >= 1), s_i and t_t the rows' popcounts. `align` and `tiling` are the
// options; k the fan-out cap (the auto rule's k * M * E).
Layout RefLayout(const std::vector<uint32_t>& s, const std::vector<uint32_t>& t,
                 uint32_t k, uint64_t seed, bool align, RefTiling tiling);

// ---- Whole routings ---------------------------------------------------------

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
  RefTiling tiling = RefTiling::kAuto;
};

struct Result {
  std::vector<int32_t> routes;       // M x k, ascending, -1 padded
  std::vector<uint8_t> candidate;    // M x E: candidate[i * E + t] = cand(i, t)
  std::vector<uint32_t> candidates;  // c_i = |C_i|, M entries
  // The lay-out the routing used (RefLayout of the problem).
  std::vector<uint32_t> sigma;    // E
  std::vector<uint32_t> t_prime;  // E
  std::vector<uint32_t> psi;      // E
  bool tiled = false;
  uint64_t q = 0;
};

Result EvaluateClosedForm(const Problem& p);
Result EvaluateStages(const Problem& p);

// An aligned problem from degree vectors: S[i] = [x < s_i], T[t] = [y < t_t].
// (With align on, only the degrees matter, so this is the matrix twin of a
// degree-vector call.)
Problem FromDegrees(const std::vector<uint32_t>& s,
                    const std::vector<uint32_t>& t, uint32_t k, uint64_t seed,
                    bool row_perm, bool select_lowest,
                    RefTiling tiling = RefTiling::kAuto);

// Row popcounts of a rows x cols byte matrix (nonzero = 1).
std::vector<uint32_t> RowDegrees(const std::vector<uint8_t>& m, size_t rows,
                                 size_t cols);

}  // namespace phase_router_ref

#endif  // PHASE_ROUTER_TESTS_REFERENCE_H_
