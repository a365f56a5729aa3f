// router_eval: every router of phase_router/analysis.h on the input
// families of docs/evaluation.md, written as CSV for tools/evaluate.py.
//
//   router_eval --out DIR [--seeds N] [--only NAME,NAME...]
//
// DIR/summary.csv: one row per family and router, the metrics averaged over
// the seeds 0 .. N-1 (one routing per seed, on one thread, timed).
// DIR/profiles.csv: the seed-averaged load of every target, next to its
// capacity t_t, for the families marked for a profile plot.
//
// Inputs are built with kernels/random.h (the project's one source of random
// numbers) from fixed keys, so every run measures the same inputs; only the
// times change from run to run.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "kernels/random.h"
#include "phase_router/analysis.h"
#include "phase_router/phase_router.h"

namespace phase_router::eval {
namespace {

struct Family {
  std::string group;  // the table it belongs to
  std::string name;
  std::string what;  // one line for the docs
  size_t M = 0, E = 0;
  uint32_t k = 1;
  std::vector<uint32_t> s, t;
  std::vector<uint8_t> S, T;  // structured families: the matrices
  bool adversarial = false;   // two-phase: round 2 against round-1 loads
  bool profile = false;       // write per-target loads
};

// ---------------------------------------------------------------- inputs

// A fixed key per family, so inputs never depend on the seeds measured.
uint64_t InputKey(const std::string& name) {
  uint64_t h = 0;
  for (char c : name) h = Mix(h ^ static_cast<uint8_t>(c));
  return h;
}

// Degrees w_r proportional to 1 / (r + 1)^alpha, scaled so they sum to
// `total` (each clipped to [lo, cap], then topped up or trimmed one unit at
// a time from the largest room), then shuffled with Fperm(key).
std::vector<uint32_t> ZipfDegrees(size_t n, double alpha, uint64_t total,
                                  uint32_t lo, uint32_t cap, uint64_t key) {
  std::vector<double> w(n);
  for (size_t r = 0; r < n; ++r) {
    w[r] = 1.0 / std::pow(static_cast<double>(r + 1), alpha);
  }
  const double sum = std::accumulate(w.begin(), w.end(), 0.0);
  std::vector<uint32_t> d(n);
  uint64_t have = 0;
  for (size_t r = 0; r < n; ++r) {
    const double x = std::floor(w[r] / sum * static_cast<double>(total));
    d[r] = static_cast<uint32_t>(std::clamp<double>(x, lo, cap));
    have += d[r];
  }
  // Spread the difference over the entries with room, round robin.
  for (size_t r = 0; have < total; r = (r + 1) % n) {
    if (d[r] < cap) {
      ++d[r];
      ++have;
    }
  }
  for (size_t r = n; have > total; r = r == 0 ? n - 1 : r - 1) {
    const size_t at = r % n;
    if (d[at] > lo) {
      --d[at];
      --have;
    }
  }
  std::vector<uint32_t> p(n);
  for (size_t r = 0; r < n; ++r) p[r] = Fperm(key, n, static_cast<uint32_t>(r));
  std::vector<uint32_t> shuffled(n);
  for (size_t r = 0; r < n; ++r) shuffled[r] = d[p[r]];
  return shuffled;
}

std::vector<uint32_t> RowDegrees(const std::vector<uint8_t>& m, size_t rows,
                                 size_t cols) {
  std::vector<uint32_t> d(rows, 0);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) d[r] += m[r * cols + c] != 0;
  }
  return d;
}

Family Structured(const std::string& name, const std::string& what, size_t N,
                  uint32_t k, auto&& bit) {
  Family f;
  f.group = "structured";
  f.name = name;
  f.what = what;
  f.M = f.E = N;
  f.k = k;
  f.S.resize(N * N);
  f.T.resize(N * N);
  for (size_t r = 0; r < N; ++r) {
    for (size_t c = 0; c < N; ++c) {
      f.S[r * N + c] = bit(r, c, /*is_s=*/true);
      f.T[r * N + c] = bit(r, c, /*is_s=*/false);
    }
  }
  f.s = RowDegrees(f.S, N, N);
  f.t = RowDegrees(f.T, N, N);
  return f;
}

std::vector<Family> Families() {
  std::vector<Family> out;
  // Capacity tiling: every source accepts every expert, capacity
  // cf * M * k / E each (MoE's capacity factor).
  for (double cf : {1.0, 1.25, 2.0}) {
    Family f;
    f.group = "capacity tiling";
    char name[32];
    std::snprintf(name, sizeof(name), "tiling-cf%.2f", cf);
    f.name = name;
    f.what = "s_i = E; t_t = cf * M * k / E, cf = " + std::string(name + 9);
    f.M = 8192;
    f.E = 256;
    f.k = 8;
    f.s.assign(f.M, static_cast<uint32_t>(f.E));
    f.t.assign(f.E, static_cast<uint32_t>(cf * f.M * f.k / f.E));
    out.push_back(f);
  }
  {
    Family f;
    f.group = "capacity tiling";
    f.name = "tiling-zipf-cf1.00";
    f.what = "s_i = E; Zipf(1.1) capacities summing to exactly M * k";
    f.M = 8192;
    f.E = 256;
    f.k = 8;
    f.s.assign(f.M, static_cast<uint32_t>(f.E));
    f.t = ZipfDegrees(f.E, 1.1, uint64_t{f.M} * f.k, 1,
                      static_cast<uint32_t>(f.M), InputKey(f.name));
    f.profile = true;
    out.push_back(f);
  }
  // k-hot rows: every source accepts exactly k targets.
  {
    Family f;
    f.group = "k-hot rows";
    f.name = "khot-open";
    f.what = "s_i = k; t_t = M (every target accepts every source)";
    f.M = 8192;
    f.E = 1024;
    f.k = 8;
    f.s.assign(f.M, f.k);
    f.t.assign(f.E, static_cast<uint32_t>(f.M));
    out.push_back(f);
  }
  {
    Family f;
    f.group = "k-hot rows";
    f.name = "khot-cf1.25";
    f.what = "s_i = k; t_t = 1.25 * M * k / E (both sides sparse)";
    f.M = 8192;
    f.E = 1024;
    f.k = 8;
    f.s.assign(f.M, f.k);
    f.t.assign(f.E, static_cast<uint32_t>(1.25 * f.M * f.k / f.E));
    out.push_back(f);
  }
  // Power-law degrees on both sides.
  {
    Family f;
    f.group = "Zipf degrees";
    f.name = "zipf";
    f.what =
        "s: Zipf(0.8) in [1, E], sum 4 * M * k; t: Zipf(1.1) in [1, M], "
        "sum 1.25 * M * k";
    f.M = 8192;
    f.E = 512;
    f.k = 8;
    f.s = ZipfDegrees(f.M, 0.8, uint64_t{4} * f.M * f.k, 1,
                      static_cast<uint32_t>(f.E), InputKey("zipf-s"));
    f.t = ZipfDegrees(f.E, 1.1, uint64_t{5} * f.M * f.k / 4, 1,
                      static_cast<uint32_t>(f.M), InputKey("zipf-t"));
    f.profile = true;
    out.push_back(f);
  }
  // Structured matrices (N = 1024, k = 16): S and T share the pattern.
  constexpr size_t N = 1024;
  const uint32_t k = 16;
  out.push_back(Structured(
      "diagonal", "S = T = identity (s_i = t_t = 1)", N, k,
      [](size_t r, size_t c, bool) { return static_cast<uint8_t>(r == c); }));
  out.push_back(Structured("checkerboard",
                           "S = T = checkerboard (s_i = t_t = N / 2)", N, k,
                           [](size_t r, size_t c, bool) {
                             return static_cast<uint8_t>((r + c) & 1);
                           }));
  out.push_back(
      Structured("blocks", "8 diagonal blocks of 128 x 128 (s_i = t_t = 128)",
                 N, k, [](size_t r, size_t c, bool) {
                   return static_cast<uint8_t>(r / (N / 8) == c / (N / 8));
                 }));
  out.push_back(Structured(
      "tail-packed",
      "row r holds 1 + (37 r mod N) ones at its end (degrees 1 .. N)", N, k,
      [](size_t r, size_t c, bool) {
        return static_cast<uint8_t>(c >= N - 1 - (37 * r) % N);
      }));
  out.push_back(Structured(
      "one-full-row", "S: row 0 full, row r > 0 one 1 at column r; T full", N,
      k, [](size_t r, size_t c, bool is_s) {
        return static_cast<uint8_t>(!is_s || r == 0 || c == r);
      }));
  // Two-phase adversarial: round 2's capacities are each router's own
  // round-1 loads (tight: they sum to round 1's routes), fresh seed.
  {
    Family f;
    f.group = "two-phase adversarial";
    f.name = "two-phase";
    f.what =
        "round 1: s_i = E, Zipf(1.1) capacities, cf 1.25; round 2: t_t = the "
        "router's own round-1 load of t, next seed";
    f.M = 8192;
    f.E = 256;
    f.k = 8;
    f.s.assign(f.M, static_cast<uint32_t>(f.E));
    f.t = ZipfDegrees(f.E, 1.1, uint64_t{5} * f.M * f.k / 4, 1,
                      static_cast<uint32_t>(f.M), InputKey(f.name));
    f.adversarial = true;
    out.push_back(f);
  }
  // Mixture-of-Experts shapes, capacity factor 1.25.
  for (const auto& [M, E, kk] :
       {std::tuple<size_t, size_t, uint32_t>{8192, 64, 2}, {65536, 256, 8}}) {
    Family f;
    f.group = "MoE";
    f.name = "moe-" + std::to_string(M) + "x" + std::to_string(E);
    f.what = std::to_string(M) + " tokens x " + std::to_string(E) +
             " experts, k = " + std::to_string(kk) +
             ", s_i = E, t_t = 1.25 * M * k / E";
    f.M = M;
    f.E = E;
    f.k = kk;
    f.s.assign(M, static_cast<uint32_t>(E));
    f.t.assign(E, static_cast<uint32_t>(1.25 * M * kk / E));
    f.profile = M == 65536;
    out.push_back(f);
  }
  return out;
}

// ---------------------------------------------------------------- metrics

struct Variant {
  std::string name;
  Algorithm algorithm;
  bool unaligned;  // phase on the matrices with align off
};

struct Row {
  double fill = 0, fill_min = 1e300, dropped = 0, skew = 0, skew_max = 0;
  double cv = 0, p99 = 0, overflow = 0, overflow_pct = 0;
  // max over targets of load / (routes * t_t / sum(t)): max/mean load
  // against a capacity-proportional share (= max/mean for uniform t).
  double share_skew = 0;
  double max_rel_err = 0;
  double time_ms = 0;
  std::vector<double> mean_load;
};

// Upper bound on fill for a router that respects both degree vectors.
double BoundFill(const Family& f) {
  uint64_t demand = 0, supply = 0;
  for (uint32_t d : f.s) demand += std::min<uint32_t>(d, f.k);
  for (uint32_t d : f.t) supply += d;
  return static_cast<double>(std::min(demand, supply)) /
         (static_cast<double>(f.M) * f.k);
}

Row Measure(const Family& f, const Variant& v, size_t seeds) {
  Router router;
  std::vector<int32_t> out(f.M * f.k);
  std::vector<double> times;
  Row row;
  row.mean_load.assign(f.E, 0);
  std::vector<uint32_t> load(f.E);
  for (uint64_t seed = 0; seed < seeds; ++seed) {
    Options o;
    o.k = f.k;
    o.seed = seed;
    o.threads = 1;
    o.align = !v.unaligned;
    std::vector<uint32_t> t = f.t;
    if (f.adversarial) {  // round 1, then its loads are round 2's capacity
      RouteWith(v.algorithm, RoutingInput::Degrees(f.s, f.t), o, router,
                out.data());
      std::fill(t.begin(), t.end(), 0);
      for (int32_t id : out) {
        if (id >= 0) ++t[static_cast<size_t>(id)];
      }
      o.seed = seed + 1000003;
    }
    const RoutingInput input =
        v.unaligned
            ? RoutingInput::Matrices(ByteMatrixView{f.S.data(), f.M, f.E, 0},
                                     ByteMatrixView{f.T.data(), f.E, f.M, 0})
            : RoutingInput::Degrees(f.s, t);
    Stats stats;
    RouteWith(v.algorithm, input, o, router, out.data(), &stats);
    times.push_back(stats.route_ms);
    std::fill(load.begin(), load.end(), 0);
    for (int32_t id : out) {
      if (id >= 0) ++load[static_cast<size_t>(id)];
    }
    const double active = static_cast<double>(stats.active_routes);
    const double mean = active / static_cast<double>(f.E);
    double squares = 0, share_skew = active > 0 ? 0 : 1;
    uint64_t overflow = 0;
    const double sum_t = std::accumulate(t.begin(), t.end(), 0.0);
    for (size_t j = 0; j < f.E; ++j) {
      squares += (load[j] - mean) * (load[j] - mean);
      overflow += load[j] > t[j] ? load[j] - t[j] : 0;
      row.mean_load[j] += load[j];
      if (active > 0 && t[j] > 0) {
        share_skew = std::max(share_skew, load[j] / (active * t[j] / sum_t));
      }
    }
    std::vector<uint32_t> sorted = load;
    const size_t rank = static_cast<size_t>(std::ceil(0.99 * f.E - 1e-9));
    std::nth_element(sorted.begin(), sorted.begin() + (rank - 1), sorted.end());
    const double fill = stats.fill_ratio;
    row.fill += fill;
    row.fill_min = std::min(row.fill_min, fill);
    row.dropped += static_cast<double>(f.M) * f.k - active;
    row.skew += stats.load_skew;
    row.skew_max = std::max(row.skew_max, stats.load_skew);
    row.cv += mean > 0 ? std::sqrt(squares / f.E) / mean : 0;
    row.p99 += mean > 0 ? sorted[rank - 1] / mean : 1;
    row.overflow += static_cast<double>(overflow);
    row.share_skew += share_skew;
    row.overflow_pct += active > 0 ? 100.0 * overflow / active : 0;
  }
  const double n = static_cast<double>(seeds);
  for (double* x : {&row.fill, &row.dropped, &row.skew, &row.cv, &row.p99,
                    &row.overflow, &row.overflow_pct, &row.share_skew}) {
    *x /= n;
  }
  for (double& x : row.mean_load) x /= n;
  // Seed-averaged loads against ideal_mean (as SeedStats defines it); not
  // for the two-phase input, whose capacities change with the seed.
  if (!f.adversarial) {
    const double total =
        std::accumulate(row.mean_load.begin(), row.mean_load.end(), 0.0);
    const double sum_t = std::accumulate(f.t.begin(), f.t.end(), 0.0);
    for (size_t j = 0; j < f.E; ++j) {
      const double ideal = sum_t > 0 ? total * f.t[j] / sum_t : 0;
      if (ideal > 0) {
        row.max_rel_err = std::max(row.max_rel_err,
                                   std::abs(row.mean_load[j] - ideal) / ideal);
      }
    }
  } else {
    row.max_rel_err = NAN;
  }
  std::sort(times.begin(), times.end());
  row.time_ms = times[times.size() / 2];
  return row;
}

bool Wanted(const std::string& only, const std::string& name) {
  if (only.empty()) return true;
  size_t start = 0;
  while (start <= only.size()) {
    const size_t end = std::min(only.find(',', start), only.size());
    if (only.compare(start, end - start, name) == 0) return true;
    start = end + 1;
  }
  return false;
}

int Main(int argc, char** argv) {
  std::string out_dir, only;
  size_t seeds = 16;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--out" && a + 1 < argc) {
      out_dir = argv[++a];
    } else if (arg == "--seeds" && a + 1 < argc) {
      seeds = std::strtoull(argv[++a], nullptr, 10);
    } else if (arg == "--only" && a + 1 < argc) {
      only = argv[++a];
    } else {
      std::fprintf(
          stderr,
          "usage: router_eval --out DIR [--seeds N] [--only NAME,...]\n");
      return 2;
    }
  }
  if (out_dir.empty() || seeds == 0) {
    std::fprintf(
        stderr,
        "router_eval: --out DIR is required and --seeds must be >= 1\n");
    return 2;
  }
  std::ofstream summary(out_dir + "/summary.csv");
  std::ofstream profiles(out_dir + "/profiles.csv");
  if (!summary || !profiles) {
    std::fprintf(stderr, "router_eval: cannot write into %s\n",
                 out_dir.c_str());
    return 1;
  }
  summary << "group,family,what,M,E,k,sum_s,sum_t,bound_fill,router,seeds,fill,"
             "fill_min,dropped,skew,skew_max,load_cv,p99_ratio,overflow,"
             "overflow_pct,share_skew,max_rel_err,time_ms\n";
  profiles << "family,router,target,t,mean_load\n";
  for (const Family& f : Families()) {
    if (!Wanted(only, f.name)) continue;
    std::vector<Variant> variants = {{"phase", Algorithm::kPhase, false}};
    if (!f.S.empty())
      variants.push_back({"phase-noalign", Algorithm::kPhase, true});
    variants.push_back({"hash", Algorithm::kHash, false});
    variants.push_back({"chung-lu", Algorithm::kChungLu, false});
    variants.push_back({"two-choice", Algorithm::kTwoChoice, false});
    const uint64_t sum_s = std::accumulate(f.s.begin(), f.s.end(), uint64_t{0});
    const uint64_t sum_t = std::accumulate(f.t.begin(), f.t.end(), uint64_t{0});
    for (const Variant& v : variants) {
      const Row r = Measure(f, v, seeds);
      char line[1024];
      std::snprintf(
          line, sizeof(line),
          "%s,%s,\"%s\",%zu,%zu,%u,%llu,%llu,%.6f,%s,%zu,%.6f,%.6f,%.2f,"
          "%.6f,%.6f,%.6f,%.6f,%.2f,%.4f,%.6f,%.6f,%.4f\n",
          f.group.c_str(), f.name.c_str(), f.what.c_str(), f.M, f.E, f.k,
          static_cast<unsigned long long>(sum_s),
          static_cast<unsigned long long>(sum_t), BoundFill(f), v.name.c_str(),
          seeds, r.fill, r.fill_min, r.dropped, r.skew, r.skew_max, r.cv, r.p99,
          r.overflow, r.overflow_pct, r.share_skew, r.max_rel_err, r.time_ms);
      summary << line;
      if (f.profile) {
        for (size_t j = 0; j < f.E; ++j) {
          profiles << f.name << ',' << v.name << ',' << j << ',' << f.t[j]
                   << ',' << r.mean_load[j] << '\n';
        }
      }
      std::fprintf(
          stderr,
          "  %-20s %-14s fill %.4f  max/share %.3f  overflow %.1f  %.2f ms\n",
          f.name.c_str(), v.name.c_str(), r.fill, r.share_skew, r.overflow,
          r.time_ms);
    }
  }
  summary.close();
  profiles.close();
  if (!summary || !profiles) {
    std::fprintf(stderr, "router_eval: writing into %s failed\n",
                 out_dir.c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace phase_router::eval

int main(int argc, char** argv) {
  try {
    return phase_router::eval::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "router_eval: %s\n", e.what());
    return 1;
  }
}
