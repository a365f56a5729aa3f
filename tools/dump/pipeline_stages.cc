#include "tools/dump/pipeline_stages.h"

#include <algorithm>
#include <utility>

#include "kernels/random.h"
#include "kernels/target_layout.h"

namespace phase_router::dump {
namespace {

std::vector<uint32_t> RowDegrees(const ByteMatrix& m) {
  std::vector<uint32_t> d(m.rows, 0);
  for (size_t r = 0; r < m.rows; ++r) {
    for (size_t c = 0; c < m.cols; ++c) d[r] += m.at(r, c) != 0;
  }
  return d;
}

// Phase offsets: prefix sums of the degrees, mod the ring size.
std::vector<uint64_t> PhaseOffsets(const std::vector<uint32_t>& degrees,
                                   size_t ring) {
  std::vector<uint64_t> offsets(degrees.size());
  uint64_t sum = 0;
  for (size_t i = 0; i < degrees.size(); ++i) {
    offsets[i] = sum % ring;
    sum += degrees[i];
  }
  return offsets;
}

// p[x] = fperm(domain_key(domain), length, x), or the identity.
std::vector<uint32_t> Permutation(uint64_t seed, Domain domain, size_t length,
                                  bool identity) {
  std::vector<uint32_t> p(length);
  const uint64_t key = DomainKey(seed, domain);
  for (size_t x = 0; x < length; ++x) {
    p[x] = identity ? static_cast<uint32_t>(x)
                    : Fperm(key, length, static_cast<uint32_t>(x));
  }
  return p;
}

// The inverse of a permutation.
std::vector<uint32_t> Inverse(const std::vector<uint32_t>& p) {
  std::vector<uint32_t> inverse(p.size());
  for (size_t x = 0; x < p.size(); ++x) inverse[p[x]] = static_cast<uint32_t>(x);
  return inverse;
}

uint64_t Sum(const std::vector<uint32_t>& v) {
  uint64_t sum = 0;
  for (uint32_t x : v) sum += x;
  return sum;
}

// Step 1: the arc [0, degree) of each row, or the matrix itself.
ByteMatrix Align(const ByteMatrix& m, const std::vector<uint32_t>& degrees,
                 bool align) {
  if (!align) {
    ByteMatrix copy(m.rows, m.cols);
    for (size_t n = 0; n < m.cells.size(); ++n) copy.cells[n] = m.cells[n] != 0;
    return copy;
  }
  return ArcMatrix(degrees, m.cols);
}

// Step 3: rot[r][(x + offset_r) mod cols] = m[r][x].
ByteMatrix Rotate(const ByteMatrix& m, const std::vector<uint64_t>& offsets) {
  ByteMatrix rot(m.rows, m.cols);
  for (size_t r = 0; r < m.rows; ++r) {
    for (size_t x = 0; x < m.cols; ++x) {
      rot.at(r, (x + offsets[r]) % m.cols) = m.at(r, x);
    }
  }
  return rot;
}

// Step 4: shuf[r][c] = m[r][p[c]].
ByteMatrix GatherColumns(const ByteMatrix& m, const std::vector<uint32_t>& p) {
  ByteMatrix shuf(m.rows, m.cols);
  for (size_t r = 0; r < m.rows; ++r) {
    for (size_t c = 0; c < m.cols; ++c) shuf.at(r, c) = m.at(r, p[c]);
  }
  return shuf;
}

// Step 5: out[a] = m[p[a]].
ByteMatrix GatherRows(const ByteMatrix& m, const std::vector<uint32_t>& p) {
  ByteMatrix out(m.rows, m.cols);
  for (size_t a = 0; a < m.rows; ++a) {
    std::copy_n(m.cells.begin() + static_cast<ptrdiff_t>(p[a] * m.cols), m.cols,
                out.cells.begin() + static_cast<ptrdiff_t>(a * m.cols));
  }
  return out;
}

ByteMatrix Transpose(const ByteMatrix& m) {
  ByteMatrix t(m.cols, m.rows);
  for (size_t r = 0; r < m.rows; ++r) {
    for (size_t c = 0; c < m.cols; ++c) t.at(c, r) = m.at(r, c);
  }
  return t;
}

// SPEC.md "Selection": per source, the k candidates with the smallest keys
// (the target id for lowest, the 32-bit key(i, t) for random), reported
// ascending.
std::vector<int32_t> SelectRoutes(const ByteMatrix& candidates,
                                  const Options& options) {
  const size_t M = candidates.rows, E = candidates.cols, k = options.k;
  std::vector<int32_t> routes(M * k, -1);
  std::vector<std::pair<uint32_t, int32_t>> keyed;
  for (size_t i = 0; i < M; ++i) {
    keyed.clear();
    const uint32_t row_constant = SelectionRowConstant(options.seed, i);
    for (size_t t = 0; t < E; ++t) {
      if (!candidates.at(i, t)) continue;
      const uint32_t key = options.select == Select::kLowest
                               ? static_cast<uint32_t>(t)
                               : SelectionKey(row_constant, static_cast<uint32_t>(t));
      keyed.emplace_back(key, static_cast<int32_t>(t));
    }
    const size_t take = std::min(k, keyed.size());
    std::partial_sort(keyed.begin(),
                      keyed.begin() + static_cast<ptrdiff_t>(take),
                      keyed.end());
    std::vector<int32_t> chosen;
    for (size_t n = 0; n < take; ++n) chosen.push_back(keyed[n].second);
    std::sort(chosen.begin(), chosen.end());
    std::copy(chosen.begin(), chosen.end(),
              routes.begin() + static_cast<ptrdiff_t>(i * k));
  }
  return routes;
}

}  // namespace

ByteMatrix ArcMatrix(const std::vector<uint32_t>& degrees, size_t ring) {
  ByteMatrix m(degrees.size(), ring);
  for (size_t r = 0; r < degrees.size(); ++r) {
    for (size_t x = 0; x < degrees[r] && x < ring; ++x) m.at(r, x) = 1;
  }
  return m;
}

Pipeline EvaluatePipeline(const ByteMatrix& S, const ByteMatrix& T,
                          const Options& options) {
  const size_t M = S.rows, E = S.cols;
  Pipeline p;
  p.s = RowDegrees(S);
  p.t = RowDegrees(T);
  // Step 2: the sources' offsets; the targets laid in sigma's order, their
  // arcs scaled when tiling applies.
  p.phi = PhaseOffsets(p.s, E);
  p.sigma = Permutation(options.seed, Domain::kLayout, E, false);
  const std::vector<uint32_t> order = Inverse(p.sigma);
  const uint64_t L = Sum(p.t);
  const bool tile =
      options.align && options.tiling != Tiling::kOff && L >= M &&
      (options.tiling == Tiling::kOn || AutoTilingHolds(L, M, Sum(p.s), options.k, E));
  p.t_arc.resize(E);
  std::vector<uint32_t> psi(E);
  std::vector<uint64_t> starts(E + 1);
  const TargetLayout layout =
      LayTargetArcs(p.t.data(), order.data(), E, M, tile, p.t_arc.data(), psi.data(),
                    starts.data());
  p.tiled = layout.tiled;
  p.laps = layout.laps;
  p.psi.assign(psi.begin(), psi.end());
  const bool no_rows = !options.row_perm;
  const std::vector<uint32_t> pS =
      Permutation(options.seed, Domain::kSourceColumns, E, false);
  const std::vector<uint32_t> pT =
      Permutation(options.seed, Domain::kTargetColumns, M, false);
  const std::vector<uint32_t> rS =
      Permutation(options.seed, Domain::kSourceRows, M, no_rows);
  const std::vector<uint32_t> rT =
      Permutation(options.seed, Domain::kTargetRows, E, no_rows);

  auto add = [&](std::string stem, std::string title, ByteMatrix m) {
    p.stages.push_back({std::move(stem), std::move(title), std::move(m)});
    return &p.stages.back().matrix;
  };
  p.stages.reserve(16);  // at most 10: the pointers below stay valid
  const ByteMatrix* s_aligned =
      add("01_S_aligned", "S aligned", Align(S, p.s, options.align));
  const ByteMatrix* s_rot =
      add("02_S_rotated", "S rotated", Rotate(*s_aligned, p.phi));
  const ByteMatrix* s_fin =
      add("03_S_shuffled", "S shuffled", GatherColumns(*s_rot, pS));
  if (options.row_perm) {
    s_fin = add("04_S_row_permuted", "S row-permuted", GatherRows(*s_fin, rS));
  }
  const ByteMatrix* t_aligned =
      add("05_T_aligned", "T aligned", Align(T, p.t_arc, options.align));
  const ByteMatrix* t_rot =
      add("06_T_rotated", "T rotated", Rotate(*t_aligned, p.psi));
  const ByteMatrix* t_prep =
      add("07_T_shuffled", "T shuffled", GatherColumns(*t_rot, pT));
  if (options.row_perm) {
    t_prep =
        add("08_T_row_permuted", "T row-permuted", GatherRows(*t_prep, rT));
  }
  const ByteMatrix* t_fin =
      add("09_T_transposed", "T transposed", Transpose(*t_prep));
  ByteMatrix O(M, E);  // step 7, by position
  for (size_t n = 0; n < O.cells.size(); ++n) {
    O.cells[n] = s_fin->cells[n] & t_fin->cells[n];
  }
  const ByteMatrix* o = add("10_O", "O = S and T", std::move(O));
  // Step 8: position row a is source rS[a], position column b target rT[b].
  p.candidates = ByteMatrix(M, E);
  for (size_t a = 0; a < M; ++a) {
    for (size_t b = 0; b < E; ++b) p.candidates.at(rS[a], rT[b]) = o->at(a, b);
  }
  p.routes = SelectRoutes(p.candidates, options);
  return p;
}

const Stage* FindStage(const Pipeline& pipeline, const std::string& title) {
  for (const Stage& stage : pipeline.stages) {
    if (stage.title == title) return &stage;
  }
  return nullptr;
}

}  // namespace phase_router::dump
