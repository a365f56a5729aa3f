/* The MoE functions of the C API (phase_router_c.h), from C11: routes by
 * target against a plain per-target scan for several thread counts,
 * capacities against a plain uniform split, routing tokens (a partial batch
 * with full-batch capacities, exact at capacity factor 1), and each error
 * value with its message.
 *
 * usage: c_api_moe_test   (exit 0 when every check passes) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phase_router/phase_router_c.h"

static int g_failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                            \
    }                                                                          \
  } while (0)

#define CHECK_OK(call)                                                         \
  do {                                                                         \
    const pr_error got_ = (call);                                              \
    if (got_ != PR_OK) {                                                       \
      fprintf(stderr, "%s:%d: %s gave %s \"%s\"\n", __FILE__, __LINE__, #call, \
              pr_error_name(got_), pr_last_error_message());                   \
      ++g_failures;                                                            \
    }                                                                          \
  } while (0)

#define CHECK_FAILS(call, code, needle)                                        \
  do {                                                                         \
    const pr_error got_ = (call);                                              \
    if (got_ != (code) || strstr(pr_last_error_message(), (needle)) == NULL) { \
      fprintf(stderr, "%s:%d: %s gave %s \"%s\", expected %s with \"%s\"\n",   \
              __FILE__, __LINE__, #call, pr_error_name(got_),                  \
              pr_last_error_message(), pr_error_name(code), (needle));         \
      ++g_failures;                                                            \
    }                                                                          \
  } while (0)

enum { kM = 40000, kK = 2, kE = 50, kCapacity = kM * kK };

static int32_t g_routes[kM * kK];
static int64_t g_offsets[kE + 1], g_want_offsets[kE + 1];
static int32_t g_sources[kCapacity], g_slots[kCapacity];
static int32_t g_want_sources[kCapacity], g_want_slots[kCapacity];

/* The plain definition: for each target, scan the rows in order. */
static void scan_by_target(const int32_t* routes, size_t M, size_t k, size_t E) {
  size_t n = 0;
  g_want_offsets[0] = 0;
  for (size_t t = 0; t < E; ++t) {
    for (size_t x = 0; x < M * k; ++x) {
      if (routes[x] == (int32_t)t) {
        g_want_sources[n] = (int32_t)(x / k);
        g_want_slots[n] = (int32_t)(x % k);
        ++n;
      }
    }
    g_want_offsets[t + 1] = (int64_t)n;
  }
}

static void test_routes_by_target(void) {
  /* A routing's rows, with a few slots emptied. */
  pr_router* router = NULL;
  pr_options options;
  pr_options_init(&options);
  options.k = kK;
  options.seed = 4;
  uint32_t t[kE];
  CHECK_OK(pr_router_create(&router));
  CHECK_OK(pr_capacities(kM, kE, kK, 1.25, NULL, t));
  CHECK_OK(pr_route_tokens(router, kM, t, kE, &options, g_routes, NULL));
  for (size_t x = 0; x < (size_t)kM * kK; x += 17) g_routes[x] = -1;
  scan_by_target(g_routes, kM, kK, kE);
  const size_t routed = (size_t)g_want_offsets[kE];
  for (int threads = 0; threads <= 4; ++threads) {
    CHECK_OK(pr_routes_by_target(g_routes, kM, kK, kE, threads, g_offsets,
                                 g_sources, g_slots, kCapacity));
    CHECK(memcmp(g_offsets, g_want_offsets, sizeof(g_offsets)) == 0);
    CHECK(memcmp(g_sources, g_want_sources, routed * sizeof(int32_t)) == 0);
    CHECK(memcmp(g_slots, g_want_slots, routed * sizeof(int32_t)) == 0);
  }
  /* Exactly the routes' count suffices; one fewer is refused, named. */
  CHECK_OK(pr_routes_by_target(g_routes, kM, kK, kE, 1, g_offsets, g_sources,
                               g_slots, routed));
  char need[64];
  snprintf(need, sizeof(need), "the routes need %zu", routed);
  CHECK_FAILS(pr_routes_by_target(g_routes, kM, kK, kE, 1, g_offsets,
                                  g_sources, g_slots, routed - 1),
              PR_ERROR_BAD_SHAPE, need);
  g_routes[5] = kE;
  CHECK_FAILS(pr_routes_by_target(g_routes, kM, kK, kE, 0, g_offsets,
                                  g_sources, g_slots, kCapacity),
              PR_ERROR_BAD_DATA, "routes[2][1] = 50 is not a target id");
  CHECK_FAILS(pr_routes_by_target(NULL, kM, kK, kE, 0, g_offsets, g_sources,
                                  g_slots, kCapacity),
              PR_ERROR_BAD_DATA, "routes is null");
  CHECK_FAILS(pr_routes_by_target(g_routes, kM, 0, kE, 0, g_offsets, g_sources,
                                  g_slots, kCapacity),
              PR_ERROR_BAD_OPTION, "k must be >= 1");
  CHECK_FAILS(pr_routes_by_target(g_routes, kM, kK, 0, 0, g_offsets, g_sources,
                                  g_slots, kCapacity),
              PR_ERROR_BAD_SHAPE, "E = 0");
  pr_router_destroy(router);
}

static void test_capacities(void) {
  /* Uniform: floor(cf * M * k) split evenly, the lowest ids one more. */
  uint32_t t[7];
  const size_t M = 1001;
  CHECK_OK(pr_capacities(M, 7, 3, 1.25, NULL, t));
  const uint64_t total = (uint64_t)M * 3 * 125 / 100;
  for (size_t e = 0; e < 7; ++e) CHECK(t[e] == total / 7 + (e < total % 7));
  /* Weights 1 : 3 of 400 slots: expert 1's share 300 is over M = 250, so
   * it takes 250 and expert 0 the other 150. */
  const double w[2] = {1, 3};
  CHECK_OK(pr_capacities(250, 2, 2, 0.8, w, t));
  CHECK(t[0] == 150 && t[1] == 250);
  CHECK_FAILS(pr_capacities(250, 2, 2, 1.5, w, t), PR_ERROR_BAD_OPTION,
              "asks for more slots than the E = 2 experts can take");
  CHECK_FAILS(pr_capacities(250, 2, 2, -1, NULL, t), PR_ERROR_BAD_OPTION,
              "capacity_factor = -1 is not a finite number >= 0");
  CHECK_FAILS(pr_capacities(250, 2, 2, 1, NULL, NULL), PR_ERROR_BAD_DATA,
              "out is null");
}

static void test_route_tokens(void) {
  enum { E = 16, K = 2, FULL = 1024, PART = 100 };
  pr_router* router = NULL;
  pr_options options;
  pr_options_init(&options);
  options.k = K;
  uint32_t t[E], part_t[E];
  static int32_t out[FULL * K];
  CHECK_OK(pr_router_create(&router));
  /* Capacity factor 1: every slot filled, every expert at its capacity. */
  CHECK_OK(pr_capacities(FULL, E, K, 1.0, NULL, t));
  pr_stats stats;
  CHECK_OK(pr_route_tokens(router, FULL, t, E, &options, out, &stats));
  CHECK(stats.active_routes == (uint64_t)FULL * K);
  uint32_t load[E] = {0};
  for (size_t x = 0; x < (size_t)FULL * K; ++x) {
    CHECK(out[x] >= 0 && out[x] < E);
    if (out[x] >= 0 && out[x] < E) ++load[out[x]];
  }
  for (size_t e = 0; e < E; ++e) CHECK(load[e] == t[e]);
  /* A partial batch with the full batch's capacities (128 > 100): the same
   * routes as capacities clipped to 100. */
  static int32_t clipped[PART * K];
  for (size_t e = 0; e < E; ++e) part_t[e] = PART;
  uint32_t s[PART];
  for (size_t i = 0; i < PART; ++i) s[i] = E;
  CHECK_OK(pr_route_tokens(router, PART, t, E, &options, out, NULL));
  CHECK_OK(pr_route_degrees(router, s, PART, part_t, E, &options, clipped, NULL));
  CHECK(memcmp(out, clipped, sizeof(clipped)) == 0);
  CHECK_FAILS(pr_route_tokens(router, PART, NULL, E, &options, out, NULL),
              PR_ERROR_BAD_DATA, "capacities is null");
  CHECK_FAILS(pr_route_tokens(NULL, PART, t, E, &options, out, NULL),
              PR_ERROR_BAD_DATA, "router is null");
  pr_router_destroy(router);
}

int main(void) {
  test_routes_by_target();
  test_capacities();
  test_route_tokens();
  if (g_failures != 0) {
    fprintf(stderr, "c_api_moe_test: %d check(s) failed\n", g_failures);
    return 1;
  }
  printf("c_api_moe_test: all checks passed\n");
  return 0;
}
