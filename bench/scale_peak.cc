// One routing at scale in a fresh process: wall time (best of --repeat) and
// the process's peak resident memory against the routes' size, with the
// checks the scale goals name (docs/scale.md): every source full, no target
// over its capacity. Peak memory needs a process of its own, which is why
// this is a program and not a Google Benchmark case (bench/scale_bench.cc
// has the time ratios).
//
//   build/bin/scale_peak --M 1000000 --E 1024 --k 8 --s full --t-total 1.25
//   build/bin/scale_peak --M 65536 --E 65536 --k 1024 --s half --t half --method bits
//
// --s full: every s_i = E. --s half / --t half: Binomial(n, 1/2) degrees
// (the row popcounts of a Bernoulli(1/2) matrix); --density D: both sides
// Binomial(n, D). --t-total X: Σt = X M k spread evenly (the capacity of an
// MoE layer with capacity factor X).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"

namespace {

using phase_router::Method;

struct Args {
  size_t M = 1000000, E = 1024;
  uint32_t k = 8;
  std::string s = "full", t = "total";
  double t_total = 1.25;
  double density = 0.5;  // of the "half" sides
  Method method = Method::kAuto;
  int threads = 0;
  int repeat = 3;
  uint64_t seed = 1;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "scale_peak: %s\n"
               "usage: scale_peak [--M N] [--E N] [--k N] [--s full|half] "
               "[--t half | --t-total X] [--density D] [--method auto|bits|arcs] [--threads N] "
               "[--repeat N] [--seed N]\n",
               why);
  std::exit(2);
}

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (i + 1 >= argc) Usage(("missing value after " + key).c_str());
    const std::string value = argv[++i];
    char* end = nullptr;
    const unsigned long long n = std::strtoull(value.c_str(), &end, 10);
    const bool number = end && *end == '\0' && !value.empty();
    if (key == "--M" && number && n > 0) a.M = n;
    else if (key == "--E" && number && n > 0) a.E = n;
    else if (key == "--k" && number && n > 0) a.k = static_cast<uint32_t>(n);
    else if (key == "--threads" && number) a.threads = static_cast<int>(n);
    else if (key == "--repeat" && number && n > 0) a.repeat = static_cast<int>(n);
    else if (key == "--seed" && number) a.seed = n;
    else if (key == "--s" && (value == "full" || value == "half")) a.s = value;
    else if (key == "--t" && value == "half") a.t = value;
    else if (key == "--density") {
      a.density = std::strtod(value.c_str(), &end);
      if (!end || *end || a.density <= 0 || a.density > 1) Usage("--density wants (0, 1]");
      a.s = a.t = "half";
    }
    else if (key == "--t-total") {
      a.t = "total";
      a.t_total = std::strtod(value.c_str(), &end);
      if (!end || *end || a.t_total <= 0) Usage("--t-total wants a positive number");
    } else if (key == "--method") {
      try {
        a.method = phase_router::ParseMethod(value);
      } catch (const phase_router::Error& e) {
        Usage(e.what());
      }
    } else {
      Usage(("bad option " + key + " " + value).c_str());
    }
  }
  return a;
}

std::vector<uint32_t> BinomialDegrees(size_t n, size_t ring, double p, std::mt19937_64& rng) {
  std::binomial_distribution<uint32_t> binomial(static_cast<uint32_t>(ring), p);
  std::vector<uint32_t> d(n);
  for (auto& x : d) x = binomial(rng);
  return d;
}

uint64_t PeakRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // Linux: KiB
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = Parse(argc, argv);
  std::mt19937_64 rng(a.seed);
  const std::vector<uint32_t> s =
      a.s == "full" ? std::vector<uint32_t>(a.M, static_cast<uint32_t>(a.E))
                    : BinomialDegrees(a.M, a.E, a.density, rng);
  std::vector<uint32_t> t;
  if (a.t == "half") {
    t = BinomialDegrees(a.E, a.M, a.density, rng);
  } else {
    // Σt = round(X M k), as even as integers allow, each at most M.
    const uint64_t total = static_cast<uint64_t>(std::llround(a.t_total * double(a.M) * a.k));
    t.resize(a.E);
    for (size_t j = 0; j < a.E; ++j) {
      const uint64_t share = total / a.E + (j < total % a.E);
      t[j] = static_cast<uint32_t>(std::min<uint64_t>(share, a.M));
    }
  }
  const uint64_t rss_inputs = PeakRssBytes();

  phase_router::Options o;
  o.k = a.k;
  o.seed = a.seed;
  o.method = a.method;
  o.threads = a.threads;
  phase_router::Router router;
  phase_router::Stats stats;
  std::vector<int32_t> out;
  double best_ms = 1e300;
  try {
    out.resize(a.M * size_t{a.k});
    for (int r = 0; r < a.repeat; ++r) {
      const auto start = std::chrono::steady_clock::now();
      router.RouteDegrees(s, t, o, out.data(), &stats);
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      best_ms = std::min(best_ms, ms);
    }
  } catch (const phase_router::Error& e) {
    std::fprintf(stderr, "scale_peak: %s\n", e.what());
    return 1;
  }

  // The goals' checks, from the routes alone.
  size_t full_rows = 0;
  std::vector<uint32_t> load(a.E, 0);
  for (size_t i = 0; i < a.M; ++i) {
    const int32_t* row = out.data() + i * a.k;
    full_rows += row[a.k - 1] >= 0;
    for (uint32_t j = 0; j < a.k; ++j) {
      if (row[j] >= 0) ++load[static_cast<size_t>(row[j])];
    }
  }
  size_t over = 0;
  for (size_t j = 0; j < a.E; ++j) over += load[j] > t[j];

  const double routes_mb = double(a.M) * a.k * 4 / 1e6;
  const double peak_mb = double(PeakRssBytes()) / 1e6;
  const double words = double(a.M) * double((a.E + 63) / 64);
  std::printf(
      "M=%zu E=%zu k=%u s=%s t=%s density=%g method=%s threads=%d target=%s\n"
      "  route: %.1f ms (best of %d), %.3f ns per M*E/64 word\n"
      "  peak RSS: %.1f MB (inputs alone %.1f MB); routes %.1f MB; peak/routes %.2f\n"
      "  rows full: %zu of %zu; targets over capacity: %zu; load max %u\n"
      "  candidates per source: min %u mean %.1f max %u\n",
      a.M, a.E, a.k, a.s.c_str(),
      a.t == "half" ? "half" : ("total " + std::to_string(a.t_total)).c_str(), a.density,
      stats.method.c_str(), a.threads, stats.backend.c_str(), best_ms, a.repeat,
      best_ms * 1e6 / words, peak_mb, double(rss_inputs) / 1e6, routes_mb, peak_mb / routes_mb,
      full_rows, a.M, over, stats.load_max, stats.candidates_min, stats.candidates_mean,
      stats.candidates_max);
  std::printf("  stages (ms):");
  for (const auto& [name, ms] : stats.stage_ms) std::printf(" %s %.1f", name.c_str(), ms);
  std::printf("\n");
  return over == 0 ? 0 : 1;
}
