// The end-to-end cases shared by bench/router_bench (Google Benchmark) and
// `phase-router bench`: the shapes, their deterministic inputs, and the
// same-run yardsticks (memcpy of the bytes a routing must touch, and the
// hash router with the same M, E, k).
#ifndef PHASE_ROUTER_TOOLS_TIMING_END_TO_END_H_
#define PHASE_ROUTER_TOOLS_TIMING_END_TO_END_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"

namespace phase_router::bench {

enum class InputKind { kDegrees, kBits, kBytes };
const char* InputName(InputKind kind);

struct Shape {
  size_t M, E;
  uint32_t k;
  // Square shapes: every row of S and T is a Bernoulli(1/2) row. MoE shapes:
  // every token accepts every expert (s_i = E) and every expert takes
  // 1.25 * M * k / E tokens (capacity factor 1.25).
  bool moe;
  std::string Name() const;  // "4096x4096/k512"
};

// The shapes of the end-to-end table, small to large.
std::vector<Shape> EndToEndShapes();

// One routing's inputs, ready for Router (only the kind's fields are filled).
struct Inputs {
  InputKind kind;
  std::vector<uint32_t> s, t;                  // kDegrees
  std::vector<uint64_t> s_bits, t_bits;        // kBits
  std::vector<uint8_t> s_bytes, t_bytes;       // kBytes
  size_t bytes = 0;  // input bytes the router must read
};
Inputs MakeInputs(const Shape& shape, InputKind kind);

// Routes one case with `router` (output into out, M * k entries).
void RouteCase(Router& router, const Shape& shape, const Inputs& in, const Options& options,
               int32_t* out, Stats* stats = nullptr);

// Bytes a routing must touch: its input and its M * k routes.
size_t TouchedBytes(const Shape& shape, const Inputs& in);

// The memcpy yardstick: copies TouchedBytes between two buffers.
class MemcpyYardstick {
 public:
  explicit MemcpyYardstick(size_t bytes);
  void Run();

 private:
  std::vector<uint8_t> from_, to_;
};

}  // namespace phase_router::bench

#endif  // PHASE_ROUTER_TOOLS_TIMING_END_TO_END_H_
