// The test oracle: SPEC.md evaluated as plainly as possible. See reference.h.
#include "tests/reference.h"

#include <algorithm>
#include <utility>

namespace phase_router_ref {

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

uint64_t RefBounded(uint64_t x, uint64_t n) {
  // Schoolbook high half of a 64 x 64 -> 128 bit product.
  const uint64_t x_lo = x & 0xFFFFFFFFull, x_hi = x >> 32;
  const uint64_t n_lo = n & 0xFFFFFFFFull, n_hi = n >> 32;
  const uint64_t lo_lo = x_lo * n_lo;
  const uint64_t hi_lo = x_hi * n_lo;
  const uint64_t lo_hi = x_lo * n_hi;
  const uint64_t hi_hi = x_hi * n_hi;
  const uint64_t middle =
      (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFull) + (lo_hi & 0xFFFFFFFFull);
  return hi_hi + (hi_lo >> 32) + (lo_hi >> 32) + (middle >> 32);
}

std::vector<uint32_t> RefPerm(uint64_t key, size_t length) {
  std::vector<uint32_t> p(length);
  for (size_t i = 0; i < length; ++i) p[i] = static_cast<uint32_t>(i);
  uint64_t n = 0;
  for (size_t i = length; i >= 2; --i) {
    const size_t top = i - 1;  // i runs L-1 down to 1 in the spec
    const uint64_t j = RefBounded(RefDraw(key, n), top + 1);
    n = n + 1;
    std::swap(p[top], p[j]);
  }
  return p;
}

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
                    bool row_perm, bool select_lowest) {
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
  return p;
}

namespace {

struct Common {
  std::vector<uint8_t> Sa, Ta;     // step 1
  std::vector<uint64_t> phi, psi;  // step 2
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

Common Prepare(const Problem& p) {
  const size_t M = p.M, E = p.E;
  Common c;
  const std::vector<uint32_t> s = RowDegrees(p.S, M, E);
  const std::vector<uint32_t> t = RowDegrees(p.T, E, M);
  c.Sa.assign(M * E, 0);
  c.Ta.assign(E * M, 0);
  for (size_t i = 0; i < M; ++i) {
    for (size_t x = 0; x < E; ++x) {
      c.Sa[i * E + x] = p.align ? (x < s[i]) : (p.S[i * E + x] != 0);
    }
  }
  for (size_t j = 0; j < E; ++j) {
    for (size_t y = 0; y < M; ++y) {
      c.Ta[j * M + y] = p.align ? (y < t[j]) : (p.T[j * M + y] != 0);
    }
  }
  // Phase offsets from the original degrees (which align does not change).
  c.phi.assign(M, 0);
  c.psi.assign(E, 0);
  uint64_t sum = 0;
  for (size_t i = 0; i < M; ++i) {
    c.phi[i] = sum % E;
    sum += s[i];
  }
  sum = 0;
  for (size_t j = 0; j < E; ++j) {
    c.psi[j] = sum % M;
    sum += t[j];
  }
  c.pS = RefPerm(RefDomainKey(p.seed, 1), E);
  c.pT = RefPerm(RefDomainKey(p.seed, 2), M);
  c.rS = p.row_perm ? RefPerm(RefDomainKey(p.seed, 3), M) : Identity(M);
  c.rT = p.row_perm ? RefPerm(RefDomainKey(p.seed, 4), E) : Identity(E);
  return c;
}

// SPEC.md "Selection" by sorting, from the candidate matrix.
void Select(const Problem& p, Result* r) {
  const size_t M = p.M, E = p.E, k = p.k;
  r->routes.assign(M * k, -1);
  r->candidates.assign(M, 0);
  const uint64_t selection_key = RefDomainKey(p.seed, 5);
  for (size_t i = 0; i < M; ++i) {
    std::vector<std::pair<uint64_t, uint32_t>> keyed;  // (key, target)
    const uint64_t row_key = RefDraw(selection_key, i);
    for (size_t t = 0; t < E; ++t) {
      if (!r->candidate[i * E + t]) continue;
      const uint64_t key = p.select_lowest ? t : RefDraw(row_key, t);
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

}  // namespace

Result EvaluateClosedForm(const Problem& p) {
  const size_t M = p.M, E = p.E;
  const Common c = Prepare(p);
  const std::vector<uint32_t> rS_inv = Inverse(c.rS);
  const std::vector<uint32_t> rT_inv = Inverse(c.rT);
  Result r;
  r.candidate.assign(M * E, 0);
  for (size_t i = 0; i < M; ++i) {
    for (size_t t = 0; t < E; ++t) {
      const uint64_t x = (c.pS[rT_inv[t]] + E - c.phi[i]) % E;
      const uint64_t y = (c.pT[rS_inv[i]] + M - c.psi[t]) % M;
      r.candidate[i * E + t] = c.Sa[i * E + x] && c.Ta[t * M + y];
    }
  }
  Select(p, &r);
  return r;
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
      T_rot[t * M + (y + c.psi[t]) % M] = c.Ta[t * M + y];
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
  Result r;
  r.candidate.assign(M * E, 0);
  for (size_t a = 0; a < M; ++a) {
    for (size_t b = 0; b < E; ++b) {
      r.candidate[c.rS[a] * E + c.rT[b]] = O_pos[a * E + b];
    }
  }
  Select(p, &r);
  return r;
}

}  // namespace phase_router_ref
