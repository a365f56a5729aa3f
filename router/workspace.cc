#include "router/workspace.h"

#include <algorithm>
#include <new>
#include <string>

#include "kernels/bit_matrix.h"
#include "kernels/feistel_permute.h"
#include "phase_router/phase_router.h"
#include "router/saturate.h"

namespace phase_router {

WorkspaceSizes WorkspaceSizes::For(const Plan& plan) {
  WorkspaceSizes z;
  const size_t m = plan.M, e = plan.E, rows = plan.rows(), threads = plan.threads;
  // Beyond 2^40 rows nothing below is meaningful (or free of overflow in
  // the per-thread counts); such a shape needs "everything".
  constexpr size_t kHuge = size_t{1} << 40;
  if (m > kHuge || e > kHuge || threads > kHuge) {
    z.bytes = kMaxU64;
    return z;
  }
  const uint64_t big = std::max(m, e);
  // Degrees of S counted (the arc path reads degree vectors in place);
  // degrees, offsets, lay-out order and arc lengths of T (t, psi, order,
  // t_arc); the positions q_s (E) and q_t (rows); phase offsets and
  // candidate counts of the rows routed. The arcs' starts in 64 bits.
  z.sources = plan.arcs && plan.degrees ? 0 : m;
  // The permutations' table, when one pays (pipeline.h, PermuteIndices):
  // one at a time, so the larger of the two sides'.
  const auto table = [](uint64_t n, uint64_t count) {
    return FeistelTablePays(n, count) ? uint64_t{FeistelTableEntries(n)} : 0;
  };
  z.rounds = std::max(table(e, e), table(m, rows));
  z.u32 = SatAdd(z.sources + 5 * uint64_t{e}, 3 * uint64_t{rows});
  z.u64 = uint64_t{e} + 1;
  if (plan.arcs) {
    // target_at, the locator (ArcIndexSizes: at most 2E + 2 buckets),
    // candidate ids and keys and the winners' bitmap per thread.
    z.ids = SatMul(threads, SelectIdsPerThread(e));
    z.keys = SatMul(threads, SelectKeysPerThread(e));
    z.bitmap = SatMul(threads, BitmapWordsPerThread(e));
    z.u32 = SatAdd(z.u32, SatAdd(3 * uint64_t{e} + 2 + kTargetAtPadding, SatAdd(z.ids, z.keys)));
    z.u64 = SatAdd(z.u64, z.bitmap);
  } else {
    z.stride_e = PaddedStride(WordsFor(e));
    z.stride_r = PaddedStride(WordsFor(rows));
    const uint64_t words = std::max(SatMul(rows, z.stride_e), SatMul(e, z.stride_r));
    z.matrix_words = SatMul(SatAdd(words, 7) / 8, 8);  // whole 64-byte lines
    // The aligned path needs two matrices (its arcs are filled, not
    // rotated); the unaligned one a third for T_rot.
    z.matrices = plan.aligned ? 2 : 3;
    // One row of candidates per thread (SelectRows' scratch).
    z.row_words = SatMul(threads, RowWordsPerThread(z.stride_e));
    z.ids = SatMul(threads, SelectIdsPerThread(e));
    z.keys = SatMul(threads, SelectKeysPerThread(e));
    // The arc toggles (3 max(M, E) + 1); selection ids and keys.
    z.u32 = SatAdd(z.u32, SatAdd(3 * big + 1, SatAdd(z.ids, z.keys)));
    if (plan.partial()) {
      z.u32 = SatAdd(z.u32, m);  // row_of
      // One running row per thread (aligned), or a window of T_rot and its
      // transpose per thread (unaligned).
      const uint64_t per_thread =
          plan.aligned ? RowWordsPerThread(z.stride_e)
                       : SatAdd(SatMul(e, kTileWords), SatMul(kTileWords * kWordBits, z.stride_e));
      z.tile_words = SatMul(threads, per_thread);
    }
  }
  z.bytes = SatAdd(SatAdd(SatMul(SatAdd(SatMul(z.matrices, z.matrix_words),
                                        SatAdd(z.tile_words, z.row_words)),
                                 sizeof(uint64_t)),
                          SatMul(z.u32, sizeof(uint32_t))),
                   SatAdd(SatMul(z.u64, sizeof(uint64_t)), SatMul(z.rounds, sizeof(uint16_t))));
  return z;
}

void Workspace::Reserve(const Plan& plan) {
  const WorkspaceSizes z = WorkspaceSizes::For(plan);
  const size_t m = plan.M, e = plan.E, rows = plan.rows(), big = std::max(m, e);
  M = m;
  E = e;
  stride_e = z.stride_e;
  stride_r = z.stride_r;
  a.Resize(z.matrix_words);
  b.Resize(z.matrix_words);
  c.Resize(z.matrices > 2 ? z.matrix_words : 0);
  tiles.Resize(z.tile_words);
  row_scratch.Resize(z.row_words);
  ids.Resize(z.ids, true);
  keys.Resize(z.keys, true);
  bitmap.Resize(z.bitmap, true);
  try {
    s.resize(z.sources);
    t.resize(e);
    phi.resize(rows);
    psi.resize(e);
    order.resize(e);
    t_arc.resize(e);
    start.resize(e + 1);
    q_s.resize(e);
    q_t.resize(rows);
    counts.resize(rows);
    rounds.resize(z.rounds);
    if (plan.arcs) {
      target_at.resize(e + kTargetAtPadding);  // zeros past E: valid indices
      first.resize(2 * e + 2);
    } else {
      toggles.resize(3 * big + 1);
      if (plan.partial()) row_of.resize(m);
    }
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kOutOfMemory, "cannot allocate the " + std::to_string(z.bytes) +
                                             " bytes of workspace of a routing of " +
                                             std::to_string(m) + "x" + std::to_string(e));
  }
}

size_t Workspace::bytes() const {
  auto u32 = [](const std::vector<uint32_t>& v) { return v.capacity() * sizeof(uint32_t); };
  const size_t aligned = (a.size() + b.size() + c.size() + tiles.size() + row_scratch.size() +
                          bitmap.size()) * sizeof(uint64_t) +
                         (ids.size() + keys.size()) * sizeof(uint32_t);
  return aligned + u32(s) + u32(t) + u32(phi) + u32(psi) + u32(order) + u32(t_arc) + u32(q_s) +
         u32(q_t) + u32(toggles) + u32(row_of) + u32(target_at) + u32(first) + u32(counts) +
         start.capacity() * sizeof(uint64_t) + rounds.capacity() * sizeof(uint16_t);
}

}  // namespace phase_router
