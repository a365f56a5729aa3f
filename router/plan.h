// Planning a call: what it routes (Input, the validated request) and how
// (Plan: rows, threads, method), decided once before anything large is
// allocated, with the cost model that picks the method and the memory
// ceiling's check.
#ifndef PHASE_ROUTER_ROUTER_PLAN_H_
#define PHASE_ROUTER_ROUTER_PLAN_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/kernel_table.h"
#include "phase_router/phase_router.h"

namespace phase_router {

// Where the rows come from.
struct Input {
  enum Kind { kDegrees, kBytes, kBits } kind;
  std::span<const uint32_t> s_degrees, t_degrees;
  ByteMatrixView s_bytes, t_bytes;
  BitMatrixView s_bits, t_bits;
};


// One call's plan: what is routed and how, decided once (PlanRouting) before anything large is allocated.
struct Plan {
  size_t M = 0, E = 0;
  size_t row_begin = 0, row_end = 0;  // the sources routed
  size_t threads = 1;
  bool arcs = false;      // arc intersection instead of bit matrices
  bool aligned = true;    // SPEC.md step 1
  bool row_perm = false;  // SPEC.md step 5
  bool degrees = false;   // degree vectors given: the arc path reads them in place
  size_t rows() const { return row_end - row_begin; }
  bool partial() const { return rows() != M; }
};

// Row popcounts of S (source side) or T, rows [r0, r1), into out[r - r0]:
// copied from degree vectors, counted by the backend's kernels otherwise.
void CountRows(const KernelTable& K, const Input& in, bool source_side, size_t r0, size_t r1,
               uint32_t* out);

// Options::memory_limit, or DefaultMemoryLimit() for 0.
uint64_t MemoryLimit(const Options& options);

// The plan of a validated request: the routed rows, the method (Method::kAuto
// asks the cost model, and falls back to the arcs when the bit matrices
// would not fit), the threads; then checks that the workspace plus `routes`
// bytes of an owned result fit the memory ceiling (Error(kOutOfMemory)).
Plan PlanRouting(const KernelTable& K, const Input& in, size_t M, size_t E,
                 const Options& options, uint64_t routes);

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_PLAN_H_
