// Highway bodies of SelectLowestK and SelectRandomK (kernels/select_top_k.h),
// per target.
//
// SelectRandomK spends its time in three places, each vectorized here:
//  * decoding the set bits to ids: VBMI2 byte compress on AVX3_DL (one
//    VPCOMPRESSB per 64-bit word, kept in a register: compressing straight to
//    memory is several times slower on Zen 4), count-trailing-zeros elsewhere;
//  * hashing the ids to SPEC.md's 32-bit keys: fmix32 on 32-bit lanes, two
//    native 32-bit multiplies on every target (16 lanes on AVX-512);
//  * finding the k-th smallest key: the keys are uniform, so the k-th
//    smallest lies near (k / c) * 2^32. One counting pass brackets it between
//    two thresholds a few standard deviations apart, only the keys between
//    them are ranked, and the result is exact whatever the keys are (a
//    bracket that misses falls back to the radix select of the generic
//    backend).

#if defined(PHASE_ROUTER_KERNELS_SELECT_TOP_K_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_KERNELS_SELECT_TOP_K_INL_H_
#undef PHASE_ROUTER_KERNELS_SELECT_TOP_K_INL_H_
#else
#define PHASE_ROUTER_KERNELS_SELECT_TOP_K_INL_H_
#endif

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hwy/highway.h"
#include "kernels/bit_matrix.h"
#include "kernels/random.h"
#include "kernels/select_top_k_common.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// SPEC.md's fmix32 on every lane.
template <class D>
HWY_INLINE hn::Vec<D> Fmix32Lanes(D d, hn::Vec<D> h) {
  h = hn::Xor(h, hn::ShiftRight<16>(h));
  h = hn::Mul(h, hn::Set(d, 0x85EBCA6Bu));  // SVE has no operator*
  h = hn::Xor(h, hn::ShiftRight<13>(h));
  h = hn::Mul(h, hn::Set(d, 0xC2B2AE35u));
  return hn::Xor(h, hn::ShiftRight<16>(h));
}

// Targets with a native compress instruction for 32-bit lanes. (On the
// others Highway 1.0.3 emulates Compress with a lookup table that it
// rebuilds on every call, slower than the scalar loops below.) AVX-512's
// VPCOMPRESSD is used in its register form: compressing straight to memory
// is several times slower on Zen 4.
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
#define PHASE_ROUTER_NATIVE_COMPRESS 1
HWY_INLINE hn::Vec512<uint32_t> CompressLanes(hn::Vec512<uint32_t> v, hn::Mask512<uint32_t> m) {
  return hn::Vec512<uint32_t>{_mm512_maskz_compress_epi32(m.raw, v.raw)};
}
#else
#define PHASE_ROUTER_NATIVE_COMPRESS 0
#endif

// keys[j] = SelectionKey(row_constant, ids[j])
//         = fmix32(row_constant + (ids[j] + 1) * 0x9E3779B9),
// counting on the way the keys below lo and, where the target compresses
// natively, copying the keys in [lo, hi) to bracket (returns how many; -1
// when the caller must collect them itself with KeysInRange).
HWY_INLINE ptrdiff_t HashIds(uint32_t row_constant, const uint32_t* HWY_RESTRICT ids, size_t c,
                             uint32_t lo, uint32_t hi, uint32_t* HWY_RESTRICT keys,
                             uint32_t* HWY_RESTRICT bracket, size_t* below_lo) {
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  const auto base = hn::Set(d, row_constant + kGamma32);  // the "+ 1" folded in
  const auto gamma = hn::Set(d, kGamma32);
  const auto vlo = hn::Set(d, lo);
  size_t n_lo = 0, j = 0;
#if PHASE_ROUTER_NATIVE_COMPRESS
  const auto vhi = hn::Set(d, hi);
  size_t m = 0;
#endif
  for (; j + N <= c; j += N) {
    const auto key = Fmix32Lanes(d, hn::Add(base, hn::Mul(hn::LoadU(d, ids + j), gamma)));
    hn::StoreU(key, d, keys + j);
    const auto below = hn::Lt(key, vlo);
    n_lo += hn::CountTrue(d, below);
#if PHASE_ROUTER_NATIVE_COMPRESS
    const auto in = hn::AndNot(below, hn::Lt(key, vhi));
    hn::StoreU(CompressLanes(key, in), d, bracket + m);
    m += hn::CountTrue(d, in);
#endif
  }
  for (; j < c; ++j) {
    keys[j] = SelectionKey(row_constant, ids[j]);
    n_lo += keys[j] < lo;
#if PHASE_ROUTER_NATIVE_COMPRESS
    bracket[m] = keys[j];
    m += keys[j] >= lo && keys[j] < hi;
#endif
  }
  *below_lo = n_lo;
#if PHASE_ROUTER_NATIVE_COMPRESS
  return static_cast<ptrdiff_t>(m);
#else
  (void)hi;
  (void)bracket;
  return -1;
#endif
}

// Writes the ids of the first `limit` set bits of `row` to out (which has
// room for limit + 64 entries: whole vectors are stored); returns the number
// written, min(limit, popcount).
HWY_INLINE uint32_t DecodeSetBits(const uint64_t* row, size_t cols, uint32_t limit,
                                  uint32_t* HWY_RESTRICT out) {
  const size_t words = WordsFor(cols);
  uint32_t n = 0;
  // Sparse rows (fewer than 8 ids per word on average, as in MoE shapes):
  // count-trailing-zeros costs per id, the vector decoders per word.
  if (limit < 8 * words) {
    for (size_t w = 0; w < words && n < limit; ++w) {
      for (uint64_t bits = row[w]; bits != 0; bits &= bits - 1) {
        out[n++] = static_cast<uint32_t>(w * kWordBits + hwy::Num0BitsBelowLS1Bit_Nonzero64(bits));
      }
    }
    return n < limit ? n : limit;
  }
#if HWY_TARGET == HWY_AVX3_DL
  // One VPCOMPRESSB turns a word into the byte offsets of its set bits; the
  // offsets are widened 16 at a time straight from the register (a store and
  // reload would stall on store forwarding).
  const hn::Full512<uint8_t> d8;
  const hn::Full256<uint8_t> d8h;
  const hn::Full128<uint8_t> d8q;
  const hn::Full512<uint32_t> d32;
  const auto iota = hn::Iota(d8, 0);
  for (size_t w = 0; w < words && n < limit; ++w) {
    const uint64_t bits = row[w];
    if (bits == 0) continue;
    const auto packed =
        hn::Compress(iota, hn::LoadMaskBits(d8, reinterpret_cast<const uint8_t*>(&bits)));
    const size_t count = hwy::PopCount(bits);
    const auto base = hn::Set(d32, static_cast<uint32_t>(w * kWordBits));
    const auto low = hn::LowerHalf(d8h, packed);
    hn::StoreU(hn::Add(base, hn::PromoteTo(d32, hn::LowerHalf(d8q, low))), d32, out + n);
    if (count > 16) {
      hn::StoreU(hn::Add(base, hn::PromoteTo(d32, hn::UpperHalf(d8q, low))), d32, out + n + 16);
    }
    if (count > 32) {
      const auto high = hn::UpperHalf(d8h, packed);
      hn::StoreU(hn::Add(base, hn::PromoteTo(d32, hn::LowerHalf(d8q, high))), d32, out + n + 32);
      if (count > 48) {
        hn::StoreU(hn::Add(base, hn::PromoteTo(d32, hn::UpperHalf(d8q, high))), d32,
                   out + n + 48);
      }
    }
    n += static_cast<uint32_t>(count);
  }
#else
  // Eight ids per byte of the row from an 8 KiB table of set-bit positions:
  // one vector add and store per byte, no branch per bit.
  const hn::CappedTag<uint32_t, 8> d32;
  const size_t N = hn::Lanes(d32);
  const uint32_t(*positions)[8] = SetBitPositions().positions;
  for (size_t w = 0; w < words && n < limit; ++w) {
    const uint64_t bits = row[w];
    if (bits == 0) continue;
    for (size_t byte = 0; byte < 8; ++byte) {
      const size_t b = (bits >> (8 * byte)) & 0xFF;
      const auto base = hn::Set(d32, static_cast<uint32_t>(w * kWordBits + 8 * byte));
      for (size_t l = 0; l < 8; l += N) {
        hn::StoreU(hn::Add(base, hn::LoadU(d32, positions[b] + l)), d32, out + n + l);
      }
      n += static_cast<uint32_t>(hwy::PopCount(b));
    }
  }
#endif
  return n < limit ? n : limit;
}

// The first k set bits, exactly k stores: the lowest-k rule keeps few ids
// per word on average, where count-trailing-zeros is as fast as a compress.
HWY_INLINE void SelectLowestK(const uint64_t* row, size_t cols, uint32_t /*count*/,
                              uint32_t k, int32_t* out) {
  const size_t words = WordsFor(cols);
  uint32_t n = 0;
  for (size_t w = 0; w < words && n < k; ++w) {
    for (uint64_t bits = row[w]; bits != 0 && n < k; bits &= bits - 1) {
      out[n++] = static_cast<int32_t>(w * kWordBits + hwy::Num0BitsBelowLS1Bit_Nonzero64(bits));
    }
  }
  for (; n < k; ++n) out[n] = -1;
}

// Copies the keys in [lo, hi) to out, in order; returns how many.
HWY_INLINE size_t KeysInRange(const uint32_t* HWY_RESTRICT keys, size_t c, uint32_t lo,
                              uint32_t hi, uint32_t* HWY_RESTRICT out) {
  size_t m = 0;
  for (size_t j = 0; j < c; ++j) {
    out[m] = keys[j];
    m += keys[j] >= lo && keys[j] < hi;
  }
  return m;
}

// Keeps the ids whose key is <= threshold, in order (CompactWinners),
// sixteen at a time where the target compresses natively.
HWY_INLINE void KeepWinners(const uint32_t* HWY_RESTRICT keys, size_t c, uint32_t threshold,
                            uint32_t* ids) {
  size_t n = 0, j = 0;
#if PHASE_ROUTER_NATIVE_COMPRESS
  const hn::Full512<uint32_t> d;
  const auto vt = hn::Set(d, threshold);
  for (; j + 16 <= c; j += 16) {
    const auto win = hn::Not(hn::Lt(vt, hn::LoadU(d, keys + j)));
    hn::StoreU(CompressLanes(hn::LoadU(d, ids + j), win), d, ids + n);
    n += hn::CountTrue(d, win);
  }
#endif
  CompactWinners(keys, j, c, threshold, ids, n);
}

// Keeps, in order, the ids whose key has fewer than k smaller keys among the
// c (distinct) keys: c^2 / N vector compares, no data-dependent branch.
// `padded` gets the keys rounded up to whole vectors with ~0 (never smaller
// than any key).
HWY_INLINE void KeepRankedBelow(const uint32_t* HWY_RESTRICT keys, size_t c, uint32_t k,
                                uint32_t* ids, uint32_t* HWY_RESTRICT padded) {
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  const size_t vectors = (c + N - 1) / N;
  std::memcpy(padded, keys, c * sizeof(uint32_t));
  for (size_t j = c; j < vectors * N; ++j) padded[j] = ~0u;
  size_t n = 0;
  for (size_t j = 0; j < c; ++j) {
    const auto key = hn::Set(d, keys[j]);
    size_t smaller = 0;
    for (size_t v = 0; v < vectors; ++v) {
      smaller += hn::CountTrue(d, hn::Lt(hn::LoadU(d, padded + v * N), key));
    }
    ids[n] = ids[j];
    n += smaller < k;
  }
}

// Brackets up to this size are ranked by std::nth_element directly; rows with
// up to kSmallRow candidates are ranked by KeepRankedBelow.
constexpr size_t kSmallBracket = 48;
constexpr size_t kSmallRow = 24;

HWY_INLINE void SelectRandomK(const uint64_t* row, size_t cols, uint32_t count,
                              uint32_t k, uint32_t row_constant, int32_t* out,
                              uint32_t* ids_scratch, uint32_t* keys_scratch) {
  if (count <= k) {  // every candidate is taken: no keys needed
    SelectLowestK(row, cols, count, k, out);
    return;
  }
  const uint32_t c = DecodeSetBits(row, cols, count, ids_scratch);
  uint32_t* bracket = keys_scratch + c;  // room for 2 * c + 64 more keys
  if (c <= kSmallRow) {
    // A short row (MoE shapes have a handful of candidates per token): a
    // key's rank is how many keys are smaller, counted branch-free with
    // vector compares, and the winners are the keys ranked below k.
    size_t unused;
    HashIds(row_constant, ids_scratch, c, 0, 0, keys_scratch, bracket, &unused);
    KeepRankedBelow(keys_scratch, c, k, ids_scratch, bracket);
    std::memcpy(out, ids_scratch, k * sizeof(uint32_t));
    return;
  }

  // Bracket the k-th smallest key: with q = k / c, the number of keys below
  // (q +- 4 sigma) * 2^32 misses k with probability below 1e-4.
  const double q = static_cast<double>(k) / c;
  const double margin = 4.0 * std::sqrt(q * (1 - q) / c) + 1.0 / c;
  const double kTwo32 = 4294967296.0;
  const uint32_t lo = q - margin <= 0 ? 0 : static_cast<uint32_t>((q - margin) * kTwo32);
  const uint32_t hi = q + margin >= 1 ? ~0u : static_cast<uint32_t>((q + margin) * kTwo32);
  size_t below_lo;
  const ptrdiff_t in_bracket =
      HashIds(row_constant, ids_scratch, c, lo, hi, keys_scratch, bracket, &below_lo);
  const size_t m = in_bracket >= 0 ? static_cast<size_t>(in_bracket)
                                   : KeysInRange(keys_scratch, c, lo, hi, bracket);
  uint32_t threshold;  // the k-th smallest key: keys <= threshold are taken
  if (m <= kSmallBracket && below_lo < k && k <= below_lo + m) {
    // Few keys to rank: a plain selection beats building a histogram.
    std::nth_element(bracket, bracket + (k - below_lo - 1), bracket + m);
    threshold = bracket[k - below_lo - 1];
  } else if (below_lo < k && k <= below_lo + m) {
    // The (k - below_lo)-th smallest key of the bracket is the k-th overall.
    threshold = RankInRange(bracket, m, lo, hi, k - below_lo - 1, bracket + m);
  } else {
    threshold = KthSmallestKey(keys_scratch, c, k);
  }
  // The ids are ascending, so keeping the winners in order needs no sort.
  KeepWinners(keys_scratch, c, threshold, ids_scratch);
  std::memcpy(out, ids_scratch, k * sizeof(uint32_t));
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_SELECT_TOP_K_INL_H_
