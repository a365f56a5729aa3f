// Capacity planning for a Mixture-of-Experts layer: M tokens, E experts that
// each take at most `capacity` tokens, k experts per token. For a sweep of
// capacity factors (capacity = factor * M * k / E), over several seeds,
// compares the phase router with the hash router:
//
//   phase router  every token accepts every expert (s_i = E) and expert e
//                 accepts capacity tokens (t_e = capacity): loads never
//                 exceed capacity, so nothing overflows; a token is short
//                 only when the capacities cannot cover M * k.
//   hash router   k distinct uniform experts per token; each expert keeps
//                 its first `capacity` tokens in token order and drops the
//                 rest (the usual capacity-factor drop).
//
// usage: moe_capacity [M [E [k [seeds]]]]   (default 4096 64 2 8)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"

namespace {

struct Outcome {
  double slots_dropped = 0;   // fraction of the M * k assignments not served
  double tokens_short = 0;    // fraction of tokens served by fewer than k
  double tokens_dropped = 0;  // fraction of tokens served by no expert
  double peak_load = 0;  // busiest expert's load before any drop / capacity
};

// `served[i]`: how many experts serve token i.
Outcome Summarize(const std::vector<uint32_t>& served, size_t k,
                  uint64_t peak_load, uint32_t capacity) {
  Outcome o;
  const double M = static_cast<double>(served.size());
  uint64_t total = 0;
  for (uint32_t n : served) {
    total += n;
    o.tokens_short += n < k ? 1 : 0;
    o.tokens_dropped += n == 0 ? 1 : 0;
  }
  o.slots_dropped =
      1.0 - static_cast<double>(total) / (M * static_cast<double>(k));
  o.tokens_short /= M;
  o.tokens_dropped /= M;
  o.peak_load = static_cast<double>(peak_load) / capacity;
  return o;
}

Outcome PhaseRouter(phase_router::Router& router, size_t M, size_t E, size_t k,
                    uint32_t capacity, uint64_t seed) {
  const std::vector<uint32_t> s(M, static_cast<uint32_t>(E));  // any expert
  const std::vector<uint32_t> t(E, capacity);
  phase_router::Options options;
  options.k = static_cast<uint32_t>(k);
  options.seed = seed;
  const phase_router::Routes routes = router.RouteDegrees(s, t, options);
  std::vector<uint32_t> served(M, 0), load(E, 0);
  for (size_t i = 0; i < M; ++i) {
    for (int32_t e : routes.row(i)) {
      if (e < 0) continue;
      ++served[i];
      ++load[static_cast<size_t>(e)];
    }
  }
  const uint32_t peak = *std::max_element(load.begin(), load.end());
  if (peak > capacity) {  // the spec's capacity guarantee
    std::fprintf(stderr, "bug: an expert got %u tokens, capacity %u\n", peak,
                 capacity);
    std::exit(1);
  }
  return Summarize(served, k, peak, capacity);
}

Outcome HashRouter(size_t M, size_t E, size_t k, uint32_t capacity,
                   uint64_t seed) {
  phase_router::Options options;
  options.k = static_cast<uint32_t>(k);
  options.seed = seed;
  const phase_router::Routes routes = phase_router::HashRoute(M, E, options);
  std::vector<uint32_t> served(M, 0), load(E, 0);
  for (size_t i = 0; i < M; ++i) {  // token order: first come, first served
    for (int32_t e : routes.row(i)) {
      if (e < 0) continue;
      if (load[static_cast<size_t>(e)]++ < capacity) ++served[i];
    }
  }
  return Summarize(served, k, *std::max_element(load.begin(), load.end()),
                   capacity);
}

void Add(Outcome& sum, const Outcome& o, double weight) {
  sum.slots_dropped += o.slots_dropped * weight;
  sum.tokens_short += o.tokens_short * weight;
  sum.tokens_dropped += o.tokens_dropped * weight;
  sum.peak_load += o.peak_load * weight;
}

size_t Arg(int argc, char** argv, int index, size_t fallback) {
  if (argc <= index) return fallback;
  const long value = std::strtol(argv[index], nullptr, 10);
  if (value <= 0) {
    std::fprintf(
        stderr,
        "usage: moe_capacity [M [E [k [seeds]]]] (positive integers)\n");
    std::exit(2);
  }
  return static_cast<size_t>(value);
}

}  // namespace

int main(int argc, char** argv) {
  const size_t M = Arg(argc, argv, 1, 4096), E = Arg(argc, argv, 2, 64);
  const size_t k = std::min(Arg(argc, argv, 3, 2), E);
  const size_t seeds = Arg(argc, argv, 4, 8);
  const double factors[] = {0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0};

  std::printf(
      "MoE capacity planning: %zu tokens, %zu experts, k = %zu, %zu seeds\n", M,
      E, k, seeds);
  std::printf(
      "capacity = ceil(factor * M * k / E) tokens per expert; percentages are "
      "means over seeds\n\n");
  std::printf("%8s %8s | %-31s | %s\n", "capacity", "tokens",
              "phase router (never overflows)", "hash router (drops overflow)");
  std::printf("%8s %8s | %9s %10s %10s | %9s %10s %10s %9s\n", "factor",
              "/expert", "slots", "tokens", "tokens", "overflow", "tokens",
              "tokens", "peak");
  std::printf("%8s %8s | %9s %10s %10s | %9s %10s %10s %9s\n", "", "",
              "dropped", "short", "dropped", "slots", "short", "dropped",
              "load/cap");

  phase_router::Router router;  // one workspace for the whole sweep
  for (const double factor : factors) {
    const double exact =
        factor * static_cast<double>(M * k) / static_cast<double>(E);
    uint32_t capacity = static_cast<uint32_t>(exact);
    if (capacity < exact) ++capacity;
    capacity = std::clamp<uint32_t>(capacity, 1, static_cast<uint32_t>(M));
    Outcome phase, hash;
    for (size_t n = 0; n < seeds; ++n) {
      const uint64_t seed = 1000 + n;
      Add(phase, PhaseRouter(router, M, E, k, capacity, seed), 1.0 / seeds);
      Add(hash, HashRouter(M, E, k, capacity, seed), 1.0 / seeds);
    }
    std::printf(
        "%8.2f %8u | %8.2f%% %9.2f%% %9.2f%% | %8.2f%% %9.2f%% %9.2f%% %9.2f\n",
        factor, capacity, 100 * phase.slots_dropped, 100 * phase.tokens_short,
        100 * phase.tokens_dropped, 100 * hash.slots_dropped,
        100 * hash.tokens_short, 100 * hash.tokens_dropped, hash.peak_load);
  }
  std::printf(
      "\nslots dropped / overflow slots: unserved token-expert assignments of "
      "the "
      "M * k;\ntokens short: served by fewer than k experts; tokens dropped: "
      "by none; "
      "peak load/cap:\nthe busiest expert's hash-routed load before the drop, "
      "over "
      "its capacity.\n");
  return 0;
}
