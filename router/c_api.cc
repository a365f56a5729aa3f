// The C API (phase_router_c.h): a thin layer over phase_router.h that turns
// exceptions into pr_error values and a thread-local message.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "phase_router/moe.h"
#include "phase_router/phase_router.h"
#include "phase_router/phase_router_c.h"

#ifndef PHASE_ROUTER_VERSION
#error "PHASE_ROUTER_VERSION must be defined by the build (project version)"
#endif

struct pr_router {
  phase_router::Router router;
};

namespace {

thread_local std::string g_last_error;
thread_local std::string g_active_target;

pr_error Fail(pr_error code, std::string message) {
  g_last_error = std::move(message);
  return code;
}

// Runs `body` (which may throw) and maps what it throws to a pr_error.
template <class Body>
pr_error Guarded(const Body& body) {
  try {
    body();
    g_last_error.clear();
    return PR_OK;
  } catch (const phase_router::Error& e) {
    return Fail(static_cast<pr_error>(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return Fail(PR_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return Fail(PR_ERROR_INTERNAL,
                std::string("unexpected failure: ") + e.what());
  } catch (...) {
    return Fail(PR_ERROR_INTERNAL, "unexpected failure of unknown type");
  }
}

// pr_options.tiling as phase_router::Tiling; any other value is refused,
// named. Read as an int for the reason ToOptions gives for select.
phase_router::Tiling ToTiling(const pr_tiling& field) {
  static_assert(sizeof(pr_tiling) == sizeof(int), "pr_tiling is an int-sized enum");
  int tiling;
  std::memcpy(&tiling, &field, sizeof(tiling));
  switch (tiling) {
    case PR_TILING_AUTO: return phase_router::Tiling::kAuto;
    case PR_TILING_ON: return phase_router::Tiling::kOn;
    case PR_TILING_OFF: return phase_router::Tiling::kOff;
  }
  throw phase_router::Error(phase_router::ErrorCode::kBadOption,
                            "unknown tiling " + std::to_string(tiling) +
                                " (expected PR_TILING_AUTO, _ON or _OFF)");
}

phase_router::Options ToOptions(const pr_options& o) {
  // A C caller may store any int in the enum field; reading it as pr_select
  // when it is not one of the enumerators is undefined in C++, so read the
  // bytes as the int they are.
  static_assert(sizeof(pr_select) == sizeof(int), "pr_select is an int-sized enum");
  int select;
  std::memcpy(&select, &o.select, sizeof(select));
  if (select != PR_SELECT_RANDOM && select != PR_SELECT_LOWEST) {
    throw phase_router::Error(phase_router::ErrorCode::kBadOption,
                              "unknown select mode " + std::to_string(select) +
                                  " (expected PR_SELECT_RANDOM or PR_SELECT_LOWEST)");
  }
  phase_router::Options options;
  options.k = o.k;
  options.seed = o.seed;
  options.align = o.align != 0;
  options.row_perm = o.row_perm != 0;
  options.select = select == PR_SELECT_LOWEST ? phase_router::Select::kLowest
                                              : phase_router::Select::kRandom;
  options.threads = o.threads;
  options.memory_limit = o.memory_limit;
  static_assert(sizeof(pr_method) == sizeof(int), "pr_method is an int-sized enum");
  int method;
  std::memcpy(&method, &o.method, sizeof(method));
  switch (method) {
    case PR_METHOD_AUTO: options.method = phase_router::Method::kAuto; break;
    case PR_METHOD_BITS: options.method = phase_router::Method::kBits; break;
    case PR_METHOD_ARCS: options.method = phase_router::Method::kArcs; break;
    default:
      throw phase_router::Error(phase_router::ErrorCode::kBadOption,
                                "unknown method " + std::to_string(method) +
                                    " (expected PR_METHOD_AUTO, _BITS or _ARCS)");
  }
  options.row_begin = o.row_begin;
  options.row_end = o.row_end;
  options.tiling = ToTiling(o.tiling);
  return options;
}

void CheckNotNull(const void* p, const char* what) {
  if (p == nullptr) {
    throw phase_router::Error(phase_router::ErrorCode::kBadData,
                              std::string(what) + " is null");
  }
}

void CopyStats(const phase_router::Stats& from, pr_stats* to) {
  *to = pr_stats{};
  to->M = from.M;
  to->E = from.E;
  to->k = from.k;
  to->active_routes = from.active_routes;
  to->fill_ratio = from.fill_ratio;
  to->candidates_min = from.candidates_min;
  to->candidates_max = from.candidates_max;
  to->candidates_mean = from.candidates_mean;
  to->load_max = from.load_max;
  to->load_mean = from.load_mean;
  to->load_skew = from.load_skew;
  to->route_ms = from.route_ms;
  std::snprintf(to->backend, sizeof(to->backend), "%s", from.backend.c_str());
  std::snprintf(to->method, sizeof(to->method), "%s", from.method.c_str());
  to->row_begin = from.row_begin;
  to->row_end = from.row_end;
  to->tiled = from.tiled ? 1 : 0;
  to->laps = from.laps;
  to->spec = from.spec;
}

// Routes with `route(options, stats_or_null)` and copies the stats out.
template <class Route>
void RouteWithStats(const pr_options* options, pr_stats* stats,
                    const Route& route) {
  CheckNotNull(options, "options");
  const phase_router::Options o = ToOptions(*options);
  phase_router::Stats s;
  route(o, stats != nullptr ? &s : nullptr);
  if (stats != nullptr) CopyStats(s, stats);
}

// pr_route_bits and pr_route_bytes: S (M x E) and T (E x M) as views of
// the same kind, routed on `router`.
template <class View, class Cell>
pr_error RouteMatrices(pr_router* router, const Cell* s, size_t s_stride, const Cell* t,
                       size_t t_stride, size_t M, size_t E, const pr_options* options,
                       int32_t* out, pr_stats* stats) {
  return Guarded([&] {
    CheckNotNull(router, "router");
    RouteWithStats(options, stats, [&](const phase_router::Options& o, phase_router::Stats* st) {
      router->router.Route(View{s, M, E, s_stride}, View{t, E, M, t_stride}, o, out, st);
    });
  });
}

}  // namespace

extern "C" {

void pr_options_init(pr_options* options) {
  if (options == nullptr) return;
  const phase_router::Options defaults;
  *options = pr_options{};
  options->k = defaults.k;
  options->seed = defaults.seed;
  options->align = defaults.align ? 1 : 0;
  options->row_perm = defaults.row_perm ? 1 : 0;
  options->select = PR_SELECT_RANDOM;
  options->threads = defaults.threads;
  options->memory_limit = defaults.memory_limit;
  options->method = PR_METHOD_AUTO;
  options->row_begin = defaults.row_begin;
  options->row_end = defaults.row_end;
  options->tiling = PR_TILING_AUTO;
}

pr_error pr_router_create(pr_router** out) {
  if (out == nullptr)
    return Fail(PR_ERROR_BAD_DATA, "out (the router pointer) is null");
  *out = nullptr;
  return Guarded([&] { *out = new pr_router(); });
}

void pr_router_destroy(pr_router* router) { delete router; }

size_t pr_router_workspace_bytes(const pr_router* router) {
  return router != nullptr ? router->router.workspace_bytes() : 0;
}

pr_error pr_route_bits(pr_router* router, const uint64_t* s_words,
                       size_t s_stride, const uint64_t* t_words,
                       size_t t_stride, size_t M, size_t E,
                       const pr_options* options, int32_t* out,
                       pr_stats* stats) {
  return RouteMatrices<phase_router::BitMatrixView>(router, s_words, s_stride, t_words, t_stride,
                                                    M, E, options, out, stats);
}

pr_error pr_route_bytes(pr_router* router, const uint8_t* s_bytes,
                        size_t s_stride, const uint8_t* t_bytes,
                        size_t t_stride, size_t M, size_t E,
                        const pr_options* options, int32_t* out,
                        pr_stats* stats) {
  return RouteMatrices<phase_router::ByteMatrixView>(router, s_bytes, s_stride, t_bytes,
                                                     t_stride, M, E, options, out, stats);
}

pr_error pr_route_degrees(pr_router* router, const uint32_t* s, size_t M,
                          const uint32_t* t, size_t E,
                          const pr_options* options, int32_t* out,
                          pr_stats* stats) {
  return Guarded([&] {
    CheckNotNull(router, "router");
    // A null vector of length 0 is an empty routing (the router names it);
    // a null vector with entries is bad data.
    if (M != 0) CheckNotNull(s, "s (the source degrees)");
    if (E != 0) CheckNotNull(t, "t (the target degrees)");
    RouteWithStats(
        options, stats,
        [&](const phase_router::Options& o, phase_router::Stats* st) {
          router->router.RouteDegrees(std::span<const uint32_t>(s, M),
                                      std::span<const uint32_t>(t, E), o, out,
                                      st);
        });
  });
}

pr_error pr_hash_route(size_t M, size_t E, const pr_options* options,
                       int32_t* out) {
  return Guarded([&] {
    CheckNotNull(options, "options");
    phase_router::HashRoute(M, E, ToOptions(*options), out);
  });
}

pr_error pr_routes_by_target(const int32_t* routes, size_t M, size_t k,
                             size_t E, int threads, int64_t* offsets,
                             int32_t* sources, int32_t* slots,
                             size_t capacity) {
  return Guarded([&] {
    size_t entries = 0;
    if (__builtin_mul_overflow(M, k, &entries)) {
      throw phase_router::Error(phase_router::ErrorCode::kBadShape, "M * k overflows");
    }
    if (entries != 0) CheckNotNull(routes, "routes");
    CheckNotNull(offsets, "offsets");
    if (capacity != 0) {
      CheckNotNull(sources, "sources");
      CheckNotNull(slots, "slots");
    }
    // E + 1 would wrap for E = SIZE_MAX; the library refuses such an E.
    const size_t offset_entries = E < SIZE_MAX ? E + 1 : E;
    phase_router::ComputeRoutesByTarget(
        std::span<const int32_t>(routes, entries), k, E,
        std::span<int64_t>(offsets, offset_entries),
        std::span<int32_t>(sources, capacity), std::span<int32_t>(slots, capacity), threads);
  });
}

pr_error pr_capacities(size_t M, size_t E, uint32_t k, double capacity_factor,
                       const double* weights, uint32_t* out) {
  return Guarded([&] {
    CheckNotNull(out, "out");
    const std::span<const double> w =
        weights != nullptr ? std::span<const double>(weights, E) : std::span<const double>();
    const std::vector<uint32_t> t = phase_router::Capacities(M, E, k, capacity_factor, w);
    std::copy(t.begin(), t.end(), out);
  });
}

pr_error pr_route_tokens(pr_router* router, size_t num_tokens,
                         const uint32_t* capacities, size_t E,
                         const pr_options* options, int32_t* out,
                         pr_stats* stats) {
  return Guarded([&] {
    CheckNotNull(router, "router");
    if (E != 0) CheckNotNull(capacities, "capacities");
    RouteWithStats(options, stats, [&](const phase_router::Options& o, phase_router::Stats* st) {
      phase_router::RouteTokens(router->router, num_tokens,
                                std::span<const uint32_t>(capacities, E), o, out, st);
    });
  });
}

const char* pr_last_error_message(void) { return g_last_error.c_str(); }

const char* pr_error_name(pr_error code) {
  switch (code) {
    case PR_OK:
      return "PR_OK";
    case PR_ERROR_BAD_SHAPE:
      return "PR_ERROR_BAD_SHAPE";
    case PR_ERROR_BAD_DEGREE:
      return "PR_ERROR_BAD_DEGREE";
    case PR_ERROR_BAD_OPTION:
      return "PR_ERROR_BAD_OPTION";
    case PR_ERROR_BAD_DATA:
      return "PR_ERROR_BAD_DATA";
    case PR_ERROR_OUT_OF_MEMORY:
      return "PR_ERROR_OUT_OF_MEMORY";
    case PR_ERROR_INTERNAL:
      return "PR_ERROR_INTERNAL";
  }
  return "PR_ERROR_UNKNOWN";
}

const char* pr_version(void) { return PHASE_ROUTER_VERSION; }

const char* pr_active_target(void) {
  const pr_error status =
      Guarded([] { g_active_target = phase_router::ActiveTarget(); });
  return status == PR_OK ? g_active_target.c_str() : nullptr;
}

pr_error pr_force_target(const char* name) {
  return Guarded(
      [&] { phase_router::ForceTarget(name != nullptr ? name : ""); });
}

}  // extern "C"
