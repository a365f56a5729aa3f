// The bit path of one Highway target: TargetBitKernels forwards to this
// target's -inl.h building blocks, and RouteBitsOnTarget runs
// RouteBitsWith<TargetBitKernels> (bit_path_stages.h), so a stage's band
// calls them directly. Re-included once per target by the group
// translation units (bit_path_wide.cc, bit_path_narrow.cc), each of which
// exports its targets' entries.

// Per-target include guard: this file is re-included once per target.
#if defined(PHASE_ROUTER_ROUTER_BIT_PATH_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_ROUTER_BIT_PATH_INL_H_
#undef PHASE_ROUTER_ROUTER_BIT_PATH_INL_H_
#else
#define PHASE_ROUTER_ROUTER_BIT_PATH_INL_H_
#endif

#include "hwy/highway.h"

#if HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128
#include "kernels/pack_bit_rows-inl.h"
#include "kernels/rotate_rows-inl.h"
#include "kernels/select_rows-inl.h"
#include "kernels/transpose_bits-inl.h"
#endif
#include "router/bit_path_stages.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {
namespace {  // each group unit's baseline pass defines these too

using bit_path::BitPathCall;
using bit_path::RouteBitsWith;

#if HWY_TARGET != HWY_SCALAR && HWY_TARGET != HWY_EMU128
// This target's building blocks. FillArcColumns is store-bound (a row copy
// and a few bit flips a row): every target runs the generic build.
struct TargetBitKernels {
  static void PackBitRows(const uint8_t* src, size_t src_stride, size_t rows, size_t cols,
                          uint64_t* dst, size_t dst_stride, uint32_t* popcounts) {
    HWY_NAMESPACE::PackBitRows(src, src_stride, rows, cols, dst, dst_stride, popcounts);
  }
  static void RotateRowsOnRing(const uint64_t* src, size_t src_stride, size_t rows, size_t ring,
                               const uint32_t* offsets, uint64_t* dst, size_t dst_stride) {
    HWY_NAMESPACE::RotateRowsOnRing(src, src_stride, rows, ring, offsets, dst, dst_stride);
  }
  static void TransposeBits(const uint64_t* src, size_t src_stride, const uint32_t* row_index,
                            size_t rows, size_t cols, uint64_t* dst, size_t dst_stride) {
    HWY_NAMESPACE::TransposeBits(src, src_stride, row_index, rows, cols, dst, dst_stride);
  }
  static void FillArcColumns(const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                             size_t ring, ArcToggles toggles, size_t y_begin, size_t y_end,
                             uint64_t* dst, size_t dst_stride) {
    generic::FillArcColumns(lengths, offsets, arcs, ring, toggles, y_begin, y_end, dst,
                            dst_stride);
  }
  static void SelectRows(const uint64_t* a, size_t a_stride, const uint64_t* b, size_t b_stride,
                         const uint32_t* b_index, size_t rows, size_t cols,
                         const SelectRule& rule, uint64_t* row, uint32_t* ids, uint32_t* keys,
                         uint32_t* counts, int32_t* out) {
    HWY_NAMESPACE::SelectRows(a, a_stride, b, b_stride, b_index, rows, cols, rule, row, ids,
                              keys, counts, out);
  }
};

const char* RouteBitsOnTarget(const BitPathCall& c) {
  RouteBitsWith<TargetBitKernels>(c.in, c.plan, c.options, c.s, c.w, c.out, c.timer);
  return hwy::TargetName(HWY_TARGET);
}
#else
// SCALAR/EMU128 are not offered (dispatch/: the generic backend is the
// fallback), but HWY_EXPORT's table needs an entry for them.
const char* RouteBitsOnTarget(const BitPathCall& c) { return bit_path::RouteBitsGeneric(c); }
#endif

}  // namespace
// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_ROUTER_BIT_PATH_INL_H_
