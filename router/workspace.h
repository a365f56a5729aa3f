// The router's reusable buffers. Sized once per shape (M, E, threads) and
// kept across calls, so a steady stream of same-shape routings allocates
// nothing.
#ifndef PHASE_ROUTER_ROUTER_WORKSPACE_H_
#define PHASE_ROUTER_ROUTER_WORKSPACE_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "phase_router/error.h"
#include "router/plan.h"

namespace phase_router {

// A cache-line aligned array of a trivial type that grows, never shrinks,
// and keeps nothing when it grows. The per-thread scratch below is laid out
// in whole lines from its start, so the start must be a line too: from a
// std::vector, the selection's ids began 32 bytes before a page (malloc's
// alignment is 16), and every row's first 64-byte store of ids split a page
// (65536 x 256, k = 8: a third of the selection's time on that store).
template <class T>
class AlignedArray {
 public:
  // Room for n entries, uninitialized (the bit matrices: every stage writes
  // all the words it later reads) or zeroed.
  void Resize(size_t n, bool zeroed = false) {
    if (n <= size_) return;
    const size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
    T* p = static_cast<T*>(std::aligned_alloc(64, bytes));
    if (p == nullptr) {
      throw Error(ErrorCode::kOutOfMemory,
                  "cannot allocate " + std::to_string(bytes) + " bytes of workspace");
    }
    if (zeroed) std::memset(static_cast<void*>(p), 0, bytes);
    data_.reset(p);
    size_ = n;
  }
  T* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  size_t size_ = 0;
};
using AlignedWords = AlignedArray<uint64_t>;

// Row stride for rows of `words` words. Long rows get an odd number of
// 64-byte lines: the transposes write one word into each of hundreds of rows
// in turn, and a power-of-two stride would map all of those rows to a few
// cache sets and evict them before their lines fill.
constexpr size_t PaddedStride(size_t words) {
  if (words <= 8) return words;
  const size_t lines = (words + 7) / 8;
  return (lines % 2 == 0 ? lines + 1 : lines) * 8;
}

// Per-thread scratch: n entries of `bytes` each, rounded up to whole
// 64-byte lines, so that no two threads ever write one line. At E = 256 a
// row of candidates is 32 bytes: packed back to back, two threads shared
// its line on every row and two threads selected slower than one
// (65536 x 256, k = 8: select 7.7 ms on 2 threads, 5.9 ms on 1).
constexpr size_t LineRounded(size_t n, size_t bytes) {
  const size_t per_line = 64 / bytes;
  return (n + per_line - 1) / per_line * per_line;
}

// Selection scratch per thread for rows of e candidates
// (kernels/select_top_k.h: SIMD builds store whole vectors and rank a bracket
// of keys apart).
constexpr size_t SelectIdsPerThread(size_t e) { return LineRounded(e + 64, 4); }
constexpr size_t SelectKeysPerThread(size_t e) { return LineRounded(3 * e + 64, 4); }
// One row of candidates per thread (SelectRows), for rows of `stride` words.
constexpr size_t RowWordsPerThread(size_t stride) { return LineRounded(stride, 8); }
// The arc path's bitmap of winning ids per thread (kernels/arc_candidates.h).
constexpr size_t BitmapWordsPerThread(size_t e) { return LineRounded(e / 64 + 1, 8); }

// Bit-matrix positions per tile when an unaligned row range reads T_rot's
// columns (bit_path_stages.h): 512 positions, 8 words a target.
inline constexpr size_t kTileWords = 8;

// Element counts of every workspace buffer for a plan: the one formula
// that sizes the workspace (Workspace::Reserve) and counts it for the
// memory ceiling, so the two cannot drift. Saturating arithmetic: absurd
// shapes give UINT64_MAX bytes, never a wrapped count.
struct WorkspaceSizes {
  size_t stride_e = 0, stride_r = 0;  // words a row: rows x E, E x rows
  uint64_t matrix_words = 0;   // each of a, b (and c); a multiple of 8 (64 bytes)
  uint64_t matrices = 0;       // 2 (aligned: a, b) or 3 (a, b, c); 0 for arcs
  uint64_t tile_words = 0;     // unaligned row ranges: T_rot tiles, all threads
  uint64_t row_words = 0;      // one row of candidates per thread
  uint64_t u32 = 0;            // uint32_t entries of all the vectors
  uint64_t u64 = 0;            // uint64_t entries of all the vectors
  uint64_t ids = 0, keys = 0;  // selection scratch, all threads
  uint64_t bitmap = 0;         // arcs: the winners' id bitmaps, all threads
  uint64_t sources = 0;        // entries of s (0: degree vectors read in place)
  uint64_t rounds = 0;         // uint16_t entries of the permutations' table
  uint64_t bytes = 0;

  static WorkspaceSizes For(const Plan& plan);
};

struct Workspace {
  size_t M = 0, E = 0;
  size_t stride_e = 0;  // row stride in words of rows x E matrices
  size_t stride_r = 0;  // row stride in words of E x rows matrices
  // Bit matrices, each large enough for rows x E or E x rows; the bit
  // path hands them from stage to stage (docs/architecture.md draws the
  // flow). c only for unaligned input; none for the arc path.
  AlignedWords a, b, c;
  AlignedWords tiles;              // per-thread T_rot tiles (unaligned ranges)
  AlignedWords row_scratch;        // per-thread row of candidates (SelectRows)
  std::vector<uint32_t> s, t;      // degrees of S rows (counted) and T rows
  std::vector<uint32_t> phi, psi;  // phase offsets (phi: rows routed)
  std::vector<uint32_t> order;     // the target at each place (sigma^-1)
  std::vector<uint32_t> t_arc;     // t'_t: the target arcs' lengths
  std::vector<uint64_t> start;     // the arcs' starts on the unrolled line, by place
  std::vector<uint32_t> q_s;       // column gather of S: pS composed with rT^-1
  std::vector<uint32_t> q_t;       // rows routed: pT composed with rS^-1
  std::vector<uint32_t> toggles;   // BuildArcToggles' begin and ids
  std::vector<uint32_t> row_of;    // row ranges: position on Z_M -> row routed
  std::vector<uint32_t> target_at; // arcs: inverse of q_s, padded (TargetArcs)
  std::vector<uint32_t> first;     // arcs: the locator's buckets
  std::vector<uint32_t> counts;    // candidates per row routed
  AlignedArray<uint32_t> ids;      // selection scratch, per thread
  AlignedArray<uint32_t> keys;     // selection scratch, per thread
  AlignedWords bitmap;             // arcs: winners' id bitmaps, per thread
  std::vector<uint16_t> rounds;    // one permutation's table at a time

  // Makes room for the plan's routing (buffers grow, never shrink).
  void Reserve(const Plan& plan);
  size_t bytes() const;
};

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_WORKSPACE_H_
