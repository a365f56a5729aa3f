// router_eval: every router of phase_router/analysis.h on the input
// families of docs/evaluation.md, written as CSV for tools/evaluate.py.
// Phase Router runs with tiling auto ("phase") and, where that tiles, with
// tiling off ("phase-untiled"); "hash-drop" is the hash router with
// Switch-style capacity dropping, defined here (DropOverCapacity), not in
// the library.
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
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
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

// An MoE gate: M tokens, E experts, every token accepts every expert
// (s_i = E), every expert takes t_t = ceil(1.25 * M * k / E) tokens (the
// capacity factor 1.25 of Switch-style gates), in exact integer arithmetic.
Family Moe(size_t M, size_t E, uint32_t k) {
  Family f;
  f.group = "MoE";
  f.name = "moe-" + std::to_string(M) + "x" + std::to_string(E) + "-k" +
           std::to_string(k);
  f.what = std::to_string(M) + " tokens x " + std::to_string(E) +
           " experts, k = " + std::to_string(k) +
           ", s_i = E, t_t = ceil(1.25 * M * k / E)";
  f.M = M;
  f.E = E;
  f.k = k;
  f.s.assign(M, static_cast<uint32_t>(E));
  f.t.assign(E, static_cast<uint32_t>((5 * M * k + 4 * E - 1) / (4 * E)));
  f.profile = M == 65536 && k == 2;
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
  // Mixture-of-Experts gates at capacity factor 1.25, k = 1 and 2 (and 8 at
  // the large shape): every token accepts every expert.
  for (const auto& [M, E] :
       {std::pair<size_t, size_t>{4096, 64}, {65536, 256}}) {
    for (uint32_t k : {1u, 2u}) out.push_back(Moe(M, E, k));
  }
  out.push_back(Moe(65536, 256, 8));
  return out;
}

// ---------------------------------------------------------------- routers

struct Variant {
  std::string name;
  Algorithm algorithm = Algorithm::kPhase;
  bool unaligned = false;         // phase on the matrices with align off
  Tiling tiling = Tiling::kAuto;  // phase only (SPEC.md step 2)
  bool drop = false;              // hash + Switch-style capacity dropping
};

// Switch-style capacity dropping (Fedus et al., Switch Transformers): the
// tokens in order 0 .. M-1, and an expert that already holds t_t tokens
// drops every later one. Rows stay ascending and -1 padded. No randomness of
// its own: the routes it trims are HashRoute's (Domain::kHashRouter).
void DropOverCapacity(std::span<const uint32_t> t, size_t M, size_t k,
                      int32_t* out) {
  std::vector<uint32_t> load(t.size(), 0);
  for (size_t i = 0; i < M; ++i) {
    int32_t* row = out + i * k;
    size_t kept = 0;
    for (size_t slot = 0; slot < k && row[slot] >= 0; ++slot) {
      const size_t id = static_cast<size_t>(row[slot]);
      if (load[id] < t[id]) {
        ++load[id];
        row[kept++] = row[slot];
      }
    }
    std::fill(row + kept, row + k, -1);
  }
}

// One routing of `input` by `v` into out; stats gets the route-derived
// fields, route_ms (the drop pass included) and, for phase, tiled and laps.
void RouteOnce(const Variant& v, const RoutingInput& input,
               const Options& options, Router& router, int32_t* out,
               Stats* stats) {
  if (!v.drop) {
    RouteWith(v.algorithm, input, options, router, out, stats);
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  RouteWith(Algorithm::kHash, input, options, router, out);
  DropOverCapacity(input.t(), input.M(), options.k, out);
  const auto stop = std::chrono::steady_clock::now();
  *stats = Stats{};
  ComputeRouteStats(out, input.M(), input.E(), options.k, stats);
  stats->route_ms =
      std::chrono::duration<double, std::milli>(stop - start).count();
}

// ---------------------------------------------------------------- metrics

struct Row {
  double fill = 0, fill_min = 1e300, dropped = 0, skew = 0, skew_max = 0;
  double cv = 0, p99 = 0, overflow = 0, overflow_pct = 0;
  // max over targets of load / (routes * t_t / sum(t)): max/mean load
  // against a capacity-proportional share (= max/mean for uniform t).
  double share_skew = 0;
  // max over targets of load / t_t: how close the busiest target comes to
  // its capacity (above 1 only for the hash router, which ignores it).
  double max_cap = 0;
  // Pearson correlation of the load vectors of seeds n and n + 1, averaged
  // over the pairs where both vary: near 0 unless the same targets are
  // favoured routing after routing. NaN when no pair varies (every
  // routing gives every target the same load).
  double load_corr = NAN;
  double max_rel_err = 0;
  double time_ms = 0;
  uint64_t laps = 0;  // Stats::laps, the most over the seeds (round 2's)
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

// Routes into each of E targets.
std::vector<uint32_t> Loads(const std::vector<int32_t>& routes, size_t E) {
  std::vector<uint32_t> load(E, 0);
  for (int32_t id : routes) {
    if (id >= 0) ++load[static_cast<size_t>(id)];
  }
  return load;
}

// Pearson correlation of a and b; NaN when either is constant.
double Pearson(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  const double n = static_cast<double>(a.size());
  const double mean_a = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mean_b = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double ab = 0, aa = 0, bb = 0;
  for (size_t j = 0; j < a.size(); ++j) {
    ab += (a[j] - mean_a) * (b[j] - mean_b);
    aa += (a[j] - mean_a) * (a[j] - mean_a);
    bb += (b[j] - mean_b) * (b[j] - mean_b);
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : NAN;
}

// Adds one routing's metrics (loads `load` against capacities t) to row;
// Finish divides by the number of seeds.
void Accumulate(const Family& f, const std::vector<uint32_t>& t,
                const std::vector<uint32_t>& load, const Stats& stats,
                Row& row) {
  const double active = static_cast<double>(stats.active_routes);
  const double mean = active / static_cast<double>(f.E);
  const double sum_t = std::accumulate(t.begin(), t.end(), 0.0);
  double squares = 0, share_skew = active > 0 ? 0 : 1, max_cap = 0;
  uint64_t overflow = 0;
  for (size_t j = 0; j < f.E; ++j) {
    squares += (load[j] - mean) * (load[j] - mean);
    overflow += load[j] > t[j] ? load[j] - t[j] : 0;
    row.mean_load[j] += load[j];
    if (t[j] > 0) {  // a target without capacity has no share to exceed
      max_cap = std::max(max_cap, static_cast<double>(load[j]) / t[j]);
      if (active > 0) {
        share_skew = std::max(share_skew, load[j] / (active * t[j] / sum_t));
      }
    }
  }
  std::vector<uint32_t> sorted = load;
  const size_t rank = static_cast<size_t>(std::ceil(0.99 * f.E - 1e-9));
  std::nth_element(sorted.begin(), sorted.begin() + (rank - 1), sorted.end());
  row.fill += stats.fill_ratio;
  row.fill_min = std::min(row.fill_min, stats.fill_ratio);
  row.dropped += static_cast<double>(f.M) * f.k - active;
  row.skew += stats.load_skew;
  row.skew_max = std::max(row.skew_max, stats.load_skew);
  row.cv += mean > 0 ? std::sqrt(squares / f.E) / mean : 0;
  row.p99 += mean > 0 ? sorted[rank - 1] / mean : 1;
  row.overflow += static_cast<double>(overflow);
  row.share_skew += share_skew;
  row.max_cap += max_cap;
  row.overflow_pct += active > 0 ? 100.0 * overflow / active : 0;
  row.laps = std::max(row.laps, stats.laps);
}

// Seed-averaged loads against ideal_mean (as SeedStats defines it): the
// largest relative error over targets. NaN for the two-phase input, whose
// capacities change with the seed.
double MaxRelativeError(const Family& f, const std::vector<double>& mean_load) {
  if (f.adversarial) return NAN;
  const double total = std::accumulate(mean_load.begin(), mean_load.end(), 0.0);
  const double sum_t = std::accumulate(f.t.begin(), f.t.end(), 0.0);
  double worst = 0;
  for (size_t j = 0; j < f.E; ++j) {
    const double ideal = sum_t > 0 ? total * f.t[j] / sum_t : 0;
    if (ideal > 0) {
      worst = std::max(worst, std::abs(mean_load[j] - ideal) / ideal);
    }
  }
  return worst;
}

// Routes f once per seed 0 .. seeds-1 with v (one thread) and averages.
Row Measure(const Family& f, const Variant& v, size_t seeds) {
  Router router;
  std::vector<int32_t> out(f.M * f.k);
  std::vector<double> times;
  std::vector<uint32_t> previous;
  double corr_sum = 0;
  size_t corr_pairs = 0;
  Row row;
  row.mean_load.assign(f.E, 0);
  for (uint64_t seed = 0; seed < seeds; ++seed) {
    Options o;
    o.k = f.k;
    o.seed = seed;
    o.threads = 1;
    o.align = !v.unaligned;
    o.tiling = v.tiling;
    std::vector<uint32_t> t = f.t;
    Stats stats;
    if (f.adversarial) {  // round 1, then its loads are round 2's capacity
      RouteOnce(v, RoutingInput::Degrees(f.s, f.t), o, router, out.data(),
                &stats);
      t = Loads(out, f.E);
      o.seed = seed + 1000003;
    }
    const RoutingInput input =
        v.unaligned
            ? RoutingInput::Matrices(ByteMatrixView{f.S.data(), f.M, f.E, 0},
                                     ByteMatrixView{f.T.data(), f.E, f.M, 0})
            : RoutingInput::Degrees(f.s, t);
    RouteOnce(v, input, o, router, out.data(), &stats);
    times.push_back(stats.route_ms);
    const std::vector<uint32_t> load = Loads(out, f.E);
    Accumulate(f, t, load, stats, row);
    if (!previous.empty()) {
      const double r = Pearson(previous, load);
      if (!std::isnan(r)) {
        corr_sum += r;
        ++corr_pairs;
      }
    }
    previous = load;
  }
  const double n = static_cast<double>(seeds);
  for (double* x :
       {&row.fill, &row.dropped, &row.skew, &row.cv, &row.p99, &row.overflow,
        &row.overflow_pct, &row.share_skew, &row.max_cap}) {
    *x /= n;
  }
  for (double& x : row.mean_load) x /= n;
  row.max_rel_err = MaxRelativeError(f, row.mean_load);
  if (corr_pairs > 0) {
    row.load_corr = corr_sum / static_cast<double>(corr_pairs);
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

// One summary.csv line (and the profile, if f wants one) for router v.
void Write(const Family& f, const Variant& v, size_t seeds, const Row& r,
           std::ostream& summary, std::ostream& profiles) {
  const uint64_t sum_s = std::accumulate(f.s.begin(), f.s.end(), uint64_t{0});
  const uint64_t sum_t = std::accumulate(f.t.begin(), f.t.end(), uint64_t{0});
  char line[1024];
  std::snprintf(
      line, sizeof(line),
      "%s,%s,\"%s\",%zu,%zu,%u,%llu,%llu,%.6f,%s,%zu,%.6f,%.6f,%.2f,"
      "%.6f,%.6f,%.6f,%.6f,%.2f,%.4f,%.6f,%.6f,%.4f,%.6f,%.6f,%llu,%d\n",
      f.group.c_str(), f.name.c_str(), f.what.c_str(), f.M, f.E, f.k,
      static_cast<unsigned long long>(sum_s),
      static_cast<unsigned long long>(sum_t), BoundFill(f), v.name.c_str(),
      seeds, r.fill, r.fill_min, r.dropped, r.skew, r.skew_max, r.cv, r.p99,
      r.overflow, r.overflow_pct, r.share_skew, r.max_rel_err, r.time_ms,
      r.max_cap, r.load_corr, static_cast<unsigned long long>(r.laps),
      f.adversarial ? 2 : 1);
  summary << line;
  if (f.profile) {
    for (size_t j = 0; j < f.E; ++j) {
      profiles << f.name << ',' << v.name << ',' << j << ',' << f.t[j] << ','
               << r.mean_load[j] << '\n';
    }
  }
  std::fprintf(stderr,
               "  %-20s %-14s fill %.4f  max/share %.3f  CV %.4f  overflow "
               "%.1f  %.2f ms\n",
               f.name.c_str(), v.name.c_str(), r.fill, r.share_skew, r.cv,
               r.overflow, r.time_ms);
}

// Whether tiling off routes f differently from the phase router's tiling
// auto, given the laps that one ran: only where it tiles and Σt is not a
// multiple of M (when Σt = q M the scaled arcs are the arcs, SPEC.md step 2).
// For the two-phase input Σt is round 1's; round 2's is M k when round 1 is
// full, as the phase router's always is there.
bool TilingChangesRoutes(const Family& f, uint64_t laps) {
  const uint64_t sum_t = std::accumulate(f.t.begin(), f.t.end(), uint64_t{0});
  return laps > 0 && sum_t % f.M != 0;
}

// Every router on family f. "phase" is the default (tiling auto);
// "phase-untiled" (tiling off) is measured only where that changes the
// routes, so that no table shows the same routing twice.
void Evaluate(const Family& f, size_t seeds, std::ostream& summary,
              std::ostream& profiles) {
  const Variant phase{"phase", Algorithm::kPhase};
  const Row tiled = Measure(f, phase, seeds);
  Write(f, phase, seeds, tiled, summary, profiles);
  std::vector<Variant> others;
  if (TilingChangesRoutes(f, tiled.laps)) {
    others.push_back({"phase-untiled", Algorithm::kPhase, false, Tiling::kOff});
  }
  if (!f.S.empty()) {
    others.push_back({"phase-noalign", Algorithm::kPhase, true});
  }
  others.push_back({"hash", Algorithm::kHash});
  others.push_back({"hash-drop", Algorithm::kHash, false, Tiling::kAuto, true});
  others.push_back({"chung-lu", Algorithm::kChungLu});
  others.push_back({"two-choice", Algorithm::kTwoChoice});
  for (const Variant& v : others) {
    Write(f, v, seeds, Measure(f, v, seeds), summary, profiles);
  }
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
             "overflow_pct,share_skew,max_rel_err,time_ms,max_cap,load_corr,"
             "laps,rounds\n";
  profiles << "family,router,target,t,mean_load\n";
  for (const Family& f : Families()) {
    if (Wanted(only, f.name)) Evaluate(f, seeds, summary, profiles);
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
