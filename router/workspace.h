// The router's reusable buffers. Sized once per shape (M, E, threads) and
// kept across calls, so a steady stream of same-shape routings allocates
// nothing.
#ifndef PHASE_ROUTER_ROUTER_WORKSPACE_H_
#define PHASE_ROUTER_ROUTER_WORKSPACE_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

namespace phase_router {

// Cache-line aligned words, uninitialized: every stage writes all the words
// it later reads.
class AlignedWords {
 public:
  void Resize(size_t words);
  uint64_t* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint64_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint64_t, Free> data_;
  size_t size_ = 0;
};

// Row stride for rows of `words` words. Long rows get an odd number of
// 64-byte lines: the transposes write one word into each of hundreds of rows
// in turn, and a power-of-two stride would map all of those rows to a few
// cache sets and evict them before their lines fill.
constexpr size_t PaddedStride(size_t words) {
  if (words <= 8) return words;
  const size_t lines = (words + 7) / 8;
  return (lines % 2 == 0 ? lines + 1 : lines) * 8;
}

// Selection scratch per thread for rows of e candidates
// (kernels/select_top_k.h: SIMD builds store whole vectors and rank a bracket
// of keys apart).
constexpr size_t SelectIdsPerThread(size_t e) { return e + 64; }
constexpr size_t SelectKeysPerThread(size_t e) { return 3 * e + 64; }

// Element counts of every workspace buffer for an M x E routing on
// `threads` threads: the one formula that sizes the workspace
// (Workspace::Reserve) and counts it for the memory ceiling
// (Router::WorkspaceBytesFor), so the two cannot drift. Saturating
// arithmetic: absurd shapes give UINT64_MAX bytes, never a wrapped count.
struct WorkspaceSizes {
  size_t stride_e = 0, stride_m = 0;
  uint64_t matrix_words = 0;   // each of a, b, c; a multiple of 8 (64 bytes)
  uint64_t u32 = 0;            // uint32_t entries of all the vectors
  uint64_t ids = 0, keys = 0;  // selection scratch, all threads
  uint64_t bytes = 0;

  static WorkspaceSizes For(size_t M, size_t E, size_t threads);
};

struct Workspace {
  size_t M = 0, E = 0;
  size_t stride_e = 0;  // row stride in words of M x E matrices
  size_t stride_m = 0;  // row stride in words of E x M matrices
  // Three bit matrices, each large enough for M x E or E x M; the pipeline
  // hands them from stage to stage (docs/architecture.md draws the flow).
  AlignedWords a, b, c;
  std::vector<uint32_t> s, t;      // degrees of S rows and T rows
  std::vector<uint32_t> phi, psi;  // phase offsets
  std::vector<uint32_t> q_s;       // column gather of S: pS composed with rT^-1
  std::vector<uint32_t> q_t;       // row gather of T^T: pT composed with rS^-1
  std::vector<uint32_t> perm, inverse;  // permutation scratch
  std::vector<uint32_t> toggles;        // BuildArcToggles' begin and ids
  std::vector<uint32_t> counts;    // candidates per source
  std::vector<uint32_t> ids;       // selection scratch, E per thread
  std::vector<uint64_t> keys;      // selection scratch, E per thread

  // Makes room for an M x E routing on `threads` threads.
  void Reserve(size_t M, size_t E, size_t threads);
  size_t bytes() const;
};

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_WORKSPACE_H_
