// The test oracle: SPEC.md (version 2) evaluated as plainly as possible. See
// reference.h.
#include "tests/reference.h"

#include <algorithm>
#include <utility>

namespace phase_router_ref {

// ---- Randomness -------------------------------------------------------------

uint64_t RefMix(uint64_t z) {
  z = z ^ (z >> 30);
  z = z * 0xBF58476D1CE4E5B9ull;
  z = z ^ (z >> 27);
  z = z * 0x94D049BB133111EBull;
  z = z ^ (z >> 31);
  return z;
}

uint64_t RefDraw(uint64_t key, uint64_t n) {
  const uint64_t gamma = 0x9E3779B97F4A7C15ull;
  return RefMix(key + (n + 1) * gamma);
}

uint64_t RefDomainKey(uint64_t seed, uint64_t d) {
  const uint64_t domain = 0xD1B54A32D192ED03ull;
  return RefMix(seed ^ (d * domain));
}

uint32_t RefFmix32(uint32_t h) {
  h = h ^ (h >> 16);
  h = h * 0x85EBCA6Bu;
  h = h ^ (h >> 13);
  h = h * 0xC2B2AE35u;
  h = h ^ (h >> 16);
  return h;
}

namespace {

// h = ceil(b / 2) for b the bit length of L - 1 (L >= 2, so h >= 1).
uint64_t FeistelHalfWidth(uint64_t length) {
  uint64_t b = 0;
  for (uint64_t v = length - 1; v != 0; v >>= 1) ++b;
  return (b + 1) / 2;
}

// Round r's function of one half: draw(K, r * 2^32 + half), cut to h bits.
uint64_t RoundFunction(uint64_t key, uint64_t r, uint64_t half, uint64_t mask) {
  return RefDraw(key, (r << 32) + half) & mask;
}

// F: eight rounds on the 2h-bit value y.
uint64_t FeistelForward(uint64_t key, uint64_t h, uint64_t y) {
  const uint64_t mask = (uint64_t{1} << h) - 1;
  uint64_t lo = y & mask;
  uint64_t hi = y >> h;
  for (uint64_t r = 0; r < 8; ++r) {
    const uint64_t new_hi = lo;
    const uint64_t new_lo = hi ^ RoundFunction(key, r, lo, mask);
    hi = new_hi;
    lo = new_lo;
  }
  return (hi << h) | lo;
}

// F^-1: the rounds backwards, r = 7 down to 0.
uint64_t FeistelBackward(uint64_t key, uint64_t h, uint64_t y) {
  const uint64_t mask = (uint64_t{1} << h) - 1;
  uint64_t lo = y & mask;
  uint64_t hi = y >> h;
  for (uint64_t r = 8; r-- > 0;) {
    const uint64_t new_hi = lo ^ RoundFunction(key, r, hi, mask);
    const uint64_t new_lo = hi;
    hi = new_hi;
    lo = new_lo;
  }
  return (hi << h) | lo;
}

}  // namespace

uint64_t RefFperm(uint64_t key, uint64_t length, uint64_t x) {
  if (length == 1) return 0;
  const uint64_t h = FeistelHalfWidth(length);
  uint64_t y = FeistelForward(key, h, x);
  while (y >= length) y = FeistelForward(key, h, y);  // cycle walking
  return y;
}

uint64_t RefFpermInverse(uint64_t key, uint64_t length, uint64_t y) {
  if (length == 1) return 0;
  const uint64_t h = FeistelHalfWidth(length);
  uint64_t x = FeistelBackward(key, h, y);
  while (x >= length) x = FeistelBackward(key, h, x);
  return x;
}

std::vector<uint32_t> RefFpermVector(uint64_t key, size_t length) {
  std::vector<uint32_t> p(length);
  for (size_t x = 0; x < length; ++x) {
    p[x] = static_cast<uint32_t>(RefFperm(key, length, x));
  }
  return p;
}

uint64_t RefSelectionRowKey(uint64_t seed, uint64_t source) {
  return RefDraw(RefDomainKey(seed, 5), source);
}

uint32_t RefSelectionKey(uint64_t row_key, uint64_t target) {
  const uint32_t c = static_cast<uint32_t>(row_key);  // R_i mod 2^32
  const uint32_t step = static_cast<uint32_t>(target + 1) * 0x9E3779B9u;
  return RefFmix32(c + step);  // uint32_t arithmetic is mod 2^32
}

// ---- Lay-out ----------------------------------------------------------------

const char* RefTilingName(RefTiling tiling) {
  switch (tiling) {
    case RefTiling::kAuto:
      return "auto";
    case RefTiling::kOn:
      return "on";
    case RefTiling::kOff:
      return "off";
  }
  return "?";
}

bool ParseRefTiling(const std::string& name, RefTiling* out) {
  for (RefTiling t : {RefTiling::kAuto, RefTiling::kOn, RefTiling::kOff}) {
    if (name == RefTilingName(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

namespace {

using u128 = unsigned __int128;

uint64_t Sum(const std::vector<uint32_t>& v) {
  uint64_t sum = 0;
  for (uint32_t x : v) sum += x;
  return sum;
}

// SPEC.md step 2's three conditions for tiling.
bool TilingApplies(bool align, RefTiling tiling, uint64_t L, uint64_t q,
                   uint64_t sum_s, uint64_t k, uint64_t M, uint64_t E) {
  if (!align || L < M) return false;
  switch (tiling) {
    case RefTiling::kOn:
      return true;
    case RefTiling::kOff:
      return false;
    case RefTiling::kAuto:
      return u128{q} * sum_s >= u128{k} * M * E;
  }
  return false;
}

// floor(x * q * M / L), exactly (x <= L < 2^62, so the product < 2^124).
uint64_t Scaled(uint64_t x, uint64_t q, uint64_t M, uint64_t L) {
  return static_cast<uint64_t>(u128{x} * q * M / L);
}

// A_t = sum { t_r : sigma[r] < sigma[t] }: the targets' degrees summed in
// lay-out order, each target getting the sum of those laid before it.
std::vector<uint64_t> ArcStarts(const std::vector<uint32_t>& t,
                                const std::vector<uint32_t>& sigma) {
  const size_t E = t.size();
  std::vector<size_t> target_at_place(E);
  for (size_t r = 0; r < E; ++r) target_at_place[sigma[r]] = r;
  std::vector<uint64_t> A(E);
  uint64_t laid = 0;
  for (size_t place = 0; place < E; ++place) {
    const size_t r = target_at_place[place];
    A[r] = laid;
    laid += t[r];
  }
  return A;
}

}  // namespace

Layout RefLayout(const std::vector<uint32_t>& s, const std::vector<uint32_t>& t,
                 uint32_t k, uint64_t seed, bool align, RefTiling tiling) {
  const uint64_t M = s.size(), E = t.size();
  Layout out;
  out.sigma = RefFpermVector(RefDomainKey(seed, 6), E);
  const std::vector<uint64_t> A = ArcStarts(t, out.sigma);
  const uint64_t L = Sum(t);
  out.q = L / M;
  out.tiled = TilingApplies(align, tiling, L, out.q, Sum(s), k, M, E);
  out.t_prime.resize(E);
  out.psi.resize(E);
  for (size_t r = 0; r < E; ++r) {
    const uint64_t B = A[r] + t[r];
    if (out.tiled) {
      const uint64_t a = Scaled(A[r], out.q, M, L);
      const uint64_t b = Scaled(B, out.q, M, L);
      out.t_prime[r] = static_cast<uint32_t>(b - a);
      out.psi[r] = static_cast<uint32_t>(a % M);
    } else {
      out.t_prime[r] = t[r];
      out.psi[r] = static_cast<uint32_t>(A[r] % M);
    }
  }
  return out;
}

// ---- Problems ---------------------------------------------------------------

std::vector<uint32_t> RowDegrees(const std::vector<uint8_t>& m, size_t rows,
                                 size_t cols) {
  std::vector<uint32_t> d(rows, 0);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) d[r] += m[r * cols + c] != 0 ? 1 : 0;
  }
  return d;
}

Problem FromDegrees(const std::vector<uint32_t>& s,
                    const std::vector<uint32_t>& t, uint32_t k, uint64_t seed,
                    bool row_perm, bool select_lowest, RefTiling tiling) {
  Problem p;
  p.M = s.size();
  p.E = t.size();
  p.S.assign(p.M * p.E, 0);
  p.T.assign(p.E * p.M, 0);
  for (size_t i = 0; i < p.M; ++i) {
    for (size_t x = 0; x < s[i]; ++x) p.S[i * p.E + x] = 1;
  }
  for (size_t j = 0; j < p.E; ++j) {
    for (size_t y = 0; y < t[j]; ++y) p.T[j * p.M + y] = 1;
  }
  p.k = k;
  p.seed = seed;
  p.align = true;
  p.row_perm = row_perm;
  p.select_lowest = select_lowest;
  p.tiling = tiling;
  return p;
}

namespace {

// What both evaluators share: steps 1 and 2, and the permutations.
struct Common {
  std::vector<uint8_t> Sa, Ta;  // step 1
  std::vector<uint64_t> phi;    // step 2, sources
  Layout layout;                // step 2, targets
  std::vector<uint32_t> pS, pT, rS, rT;
};

std::vector<uint32_t> Identity(size_t n) {
  std::vector<uint32_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint32_t>(i);
  return p;
}

std::vector<uint32_t> Inverse(const std::vector<uint32_t>& p) {
  std::vector<uint32_t> inv(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[p[i]] = static_cast<uint32_t>(i);
  return inv;
}

// phi_i = (s_0 + ... + s_{i-1}) mod E.
std::vector<uint64_t> SourceOffsets(const std::vector<uint32_t>& s, size_t E) {
  std::vector<uint64_t> phi(s.size());
  uint64_t sum = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    phi[i] = sum % E;
    sum += s[i];
  }
  return phi;
}

Common Prepare(const Problem& p) {
  const size_t M = p.M, E = p.E;
  Common c;
  // Degrees of the original rows, whether or not align is on.
  const std::vector<uint32_t> s = RowDegrees(p.S, M, E);
  const std::vector<uint32_t> t = RowDegrees(p.T, E, M);
  c.layout = RefLayout(s, t, p.k, p.seed, p.align, p.tiling);
  c.phi = SourceOffsets(s, E);
  // Step 1: with align, arcs [0, s_i) and [0, t'_t) (t'_t from step 2).
  c.Sa.assign(M * E, 0);
  c.Ta.assign(E * M, 0);
  for (size_t i = 0; i < M; ++i) {
    for (size_t x = 0; x < E; ++x) {
      c.Sa[i * E + x] = p.align ? (x < s[i]) : (p.S[i * E + x] != 0);
    }
  }
  for (size_t j = 0; j < E; ++j) {
    for (size_t y = 0; y < M; ++y) {
      c.Ta[j * M + y] =
          p.align ? (y < c.layout.t_prime[j]) : (p.T[j * M + y] != 0);
    }
  }
  c.pS = RefFpermVector(RefDomainKey(p.seed, 1), E);
  c.pT = RefFpermVector(RefDomainKey(p.seed, 2), M);
  c.rS = p.row_perm ? RefFpermVector(RefDomainKey(p.seed, 3), M) : Identity(M);
  c.rT = p.row_perm ? RefFpermVector(RefDomainKey(p.seed, 4), E) : Identity(E);
  return c;
}

// SPEC.md "Selection" by sorting, from the candidate matrix.
void Select(const Problem& p, Result* r) {
  const size_t M = p.M, E = p.E, k = p.k;
  r->routes.assign(M * k, -1);
  r->candidates.assign(M, 0);
  for (size_t i = 0; i < M; ++i) {
    const uint64_t row_key = RefSelectionRowKey(p.seed, i);
    std::vector<std::pair<uint64_t, uint32_t>> keyed;  // (key, target)
    for (size_t t = 0; t < E; ++t) {
      if (!r->candidate[i * E + t]) continue;
      const uint64_t key = p.select_lowest ? t : RefSelectionKey(row_key, t);
      keyed.emplace_back(key, static_cast<uint32_t>(t));
    }
    r->candidates[i] = static_cast<uint32_t>(keyed.size());
    std::sort(keyed.begin(), keyed.end());
    const size_t take = std::min(k, keyed.size());
    std::vector<int32_t> chosen;
    for (size_t n = 0; n < take; ++n) {
      chosen.push_back(static_cast<int32_t>(keyed[n].second));
    }
    std::sort(chosen.begin(), chosen.end());
    for (size_t n = 0; n < take; ++n) r->routes[i * k + n] = chosen[n];
  }
}

// Selection, and the lay-out copied out for the tests.
Result Finish(const Problem& p, const Common& c,
              std::vector<uint8_t> candidate) {
  Result r;
  r.candidate = std::move(candidate);
  Select(p, &r);
  r.sigma = c.layout.sigma;
  r.t_prime = c.layout.t_prime;
  r.psi = c.layout.psi;
  r.tiled = c.layout.tiled;
  r.q = c.layout.q;
  return r;
}

}  // namespace

Result EvaluateClosedForm(const Problem& p) {
  const size_t M = p.M, E = p.E;
  const Common c = Prepare(p);
  const std::vector<uint32_t> rS_inv = Inverse(c.rS);
  const std::vector<uint32_t> rT_inv = Inverse(c.rT);
  std::vector<uint8_t> candidate(M * E, 0);
  for (size_t i = 0; i < M; ++i) {
    for (size_t t = 0; t < E; ++t) {
      const uint64_t x = (c.pS[rT_inv[t]] + E - c.phi[i]) % E;
      const uint64_t y = (c.pT[rS_inv[i]] + M - c.layout.psi[t]) % M;
      candidate[i * E + t] = c.Sa[i * E + x] && c.Ta[t * M + y];
    }
  }
  return Finish(p, c, std::move(candidate));
}

Result EvaluateStages(const Problem& p) {
  const size_t M = p.M, E = p.E;
  const Common c = Prepare(p);  // steps 1 and 2, and the permutations
  // 3. Rotation on the true ring.
  std::vector<uint8_t> S_rot(M * E, 0), T_rot(E * M, 0);
  for (size_t i = 0; i < M; ++i) {
    for (size_t x = 0; x < E; ++x) {
      S_rot[i * E + (x + c.phi[i]) % E] = c.Sa[i * E + x];
    }
  }
  for (size_t t = 0; t < E; ++t) {
    for (size_t y = 0; y < M; ++y) {
      T_rot[t * M + (y + c.layout.psi[t]) % M] = c.Ta[t * M + y];
    }
  }
  // 4. Column gather.
  std::vector<uint8_t> S_shuf(M * E), T_shuf(E * M);
  for (size_t i = 0; i < M; ++i) {
    for (size_t col = 0; col < E; ++col) {
      S_shuf[i * E + col] = S_rot[i * E + c.pS[col]];
    }
  }
  for (size_t t = 0; t < E; ++t) {
    for (size_t col = 0; col < M; ++col) {
      T_shuf[t * M + col] = T_rot[t * M + c.pT[col]];
    }
  }
  // 5. Row permutation.
  std::vector<uint8_t> S_fin(M * E), T_prep(E * M);
  for (size_t a = 0; a < M; ++a) {
    for (size_t col = 0; col < E; ++col) {
      S_fin[a * E + col] = S_shuf[c.rS[a] * E + col];
    }
  }
  for (size_t b = 0; b < E; ++b) {
    for (size_t col = 0; col < M; ++col) {
      T_prep[b * M + col] = T_shuf[c.rT[b] * M + col];
    }
  }
  // 6. Transpose: T_fin is M x E.
  std::vector<uint8_t> T_fin(M * E);
  for (size_t a = 0; a < M; ++a) {
    for (size_t b = 0; b < E; ++b) T_fin[a * E + b] = T_prep[b * M + a];
  }
  // 7. AND (the popcount is taken by Select from the relabelled matrix).
  std::vector<uint8_t> O_pos(M * E);
  for (size_t n = 0; n < M * E; ++n) O_pos[n] = S_fin[n] & T_fin[n];
  // 8. Relabel positions to source and target ids.
  std::vector<uint8_t> candidate(M * E, 0);
  for (size_t a = 0; a < M; ++a) {
    for (size_t b = 0; b < E; ++b) {
      candidate[c.rS[a] * E + c.rT[b]] = O_pos[a * E + b];
    }
  }
  return Finish(p, c, std::move(candidate));
}

}  // namespace phase_router_ref
