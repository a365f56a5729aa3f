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
//    backend). The bracket is narrowed the same way once more and its last
//    few dozen keys ranked by vector compares (RankBracket).
// Copying the keys of the bracket and the winners uses VPCOMPRESSD on
// AVX-512 and a table-driven lane shuffle on AVX2 and SSSE3/SSE4
// (StoreCompressed).
//
// Tried and dropped (issue 13): a dense-row path that skips the decode,
// hashing every column sixteen at a time (id = base + iota) with the row's
// bits as the lane mask, bracket by masked compares and VPCOMPRESSD, and a
// second pass recomputing the keys to compress the winners' ids. On Zen 4
// (AVX3_DL, 4096 columns, k = 512) it cost 1.7x the decode path at density
// 1/4, 1.3x at 0.58 and 1.1x at 0.82: hashing a column costs about as much
// as decoding and hashing a candidate, and it hashes every column twice.

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

// SPEC.md's SelectionKey on every lane: fmix32(row_constant + (id + 1) *
// 0x9E3779B9), the "+ 1" folded into the constant term.
template <class D>
HWY_INLINE hn::Vec<D> SelectionKeyLanes(D d, uint32_t row_constant, hn::Vec<D> ids) {
  return Fmix32Lanes(
      d, hn::Add(hn::Set(d, row_constant + kGamma32), hn::Mul(ids, hn::Set(d, kGamma32))));
}

// Targets with a native compress instruction for 32-bit lanes. (On the
// others Highway 1.0.3 emulates Compress with a lookup table that it
// rebuilds on every call, slower than scalar loops.) AVX-512's VPCOMPRESSD
// is used in its register form: compressing straight to memory is several
// times slower on Zen 4. Set anew for each target's pass of this file.
#undef PHASE_ROUTER_NATIVE_COMPRESS
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
#define PHASE_ROUTER_NATIVE_COMPRESS 1
HWY_INLINE hn::Vec512<uint32_t> CompressLanes(hn::Vec512<uint32_t> v, hn::Mask512<uint32_t> m) {
  return hn::Vec512<uint32_t>{_mm512_maskz_compress_epi32(m.raw, v.raw)};
}
#else
#define PHASE_ROUTER_NATIVE_COMPRESS 0
#endif

// StoreCompressed(d, v, m, out): the lanes of v selected by m, packed to the
// front of a whole vector stored at out (room for N lanes); returns how many.
// AVX2 and SSSE3/SSE4 have no compress instruction but a lane shuffle with
// indices in a register: one shuffle per vector, its indices looked up by the
// mask's bits in a table built once (VPERMD on AVX2, PSHUFB on SSSE3/SSE4). This replaced branch-free scalar loops (out[n] = x;
// n += keep), which took over half the time of a dense row on AVX2 at about
// two cycles a key.
#if PHASE_ROUTER_NATIVE_COMPRESS
#define PHASE_ROUTER_VECTOR_COMPRESS 1
template <class D>
HWY_INLINE size_t StoreCompressed(D d, hn::Vec<D> v, hn::Mask<D> m, uint32_t* out) {
  hn::StoreU(CompressLanes(v, m), d, out);
  return static_cast<size_t>(_mm_popcnt_u32(m.raw));
}
#elif HWY_TARGET == HWY_AVX2
#define PHASE_ROUTER_VECTOR_COMPRESS 1
// VPERMD's indices for mask bits b are the set bits of b: row b of the
// decoder's table (select_top_k_common.h), already 32-bit lanes.
template <class D>
HWY_INLINE size_t StoreCompressed(D /*d*/, hn::Vec<D> v, hn::Mask<D> m, uint32_t* out) {
  const int bits = _mm256_movemask_ps(_mm256_castsi256_ps(m.raw));
  const __m256i index =
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(SetBitPositions().positions[bits]));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_permutevar8x32_epi32(v.raw, index));
  return static_cast<size_t>(_mm_popcnt_u32(static_cast<unsigned>(bits)));
}
#elif HWY_TARGET == HWY_SSE4 || HWY_TARGET == HWY_SSSE3
#define PHASE_ROUTER_VECTOR_COMPRESS 1
// PSHUFB's byte indices for mask bits b: the bytes of lane i for each set
// bit i of b, from the decoder's table.
struct CompressIndexTable {
  alignas(16) uint8_t index[16][16];
};
HWY_INLINE const CompressIndexTable& CompressIndices() {
  static const CompressIndexTable table = [] {
    CompressIndexTable t{};
    for (uint32_t bits = 0; bits < 16; ++bits) {
      for (uint32_t n = 0; n < 16; ++n) {
        t.index[bits][n] = static_cast<uint8_t>(4 * SetBitPositions().positions[bits][n / 4] + n % 4);
      }
    }
    return t;
  }();
  return table;
}
template <class D>
HWY_INLINE size_t StoreCompressed(D /*d*/, hn::Vec<D> v, hn::Mask<D> m, uint32_t* out) {
  const int bits = _mm_movemask_ps(_mm_castsi128_ps(m.raw));
  const __m128i index =
      _mm_load_si128(reinterpret_cast<const __m128i*>(CompressIndices().index[bits]));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_shuffle_epi8(v.raw, index));
  return static_cast<size_t>((0x4332322132212110ull >> (4 * bits)) & 0xF);  // popcount
}
#else
#define PHASE_ROUTER_VECTOR_COMPRESS 0
#endif

// keys[j] = SelectionKey(row_constant, ids[j])
//         = fmix32(row_constant + (ids[j] + 1) * 0x9E3779B9),
// counting on the way the keys below lo and, where the target compresses
// with vectors, copying the keys in [lo, hi) to bracket (returns how many;
// -1 when the caller must collect them itself with KeysInRange).
HWY_INLINE ptrdiff_t HashIds(uint32_t row_constant, const uint32_t* HWY_RESTRICT ids, size_t c,
                             uint32_t lo, uint32_t hi, uint32_t* HWY_RESTRICT keys,
                             uint32_t* HWY_RESTRICT bracket, size_t* below_lo) {
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  const auto vlo = hn::Set(d, lo);
  size_t n_lo = 0, j = 0;
#if PHASE_ROUTER_VECTOR_COMPRESS
  const auto vhi = hn::Set(d, hi);
  size_t m = 0;
#endif
  for (; j + N <= c; j += N) {
    const auto key = SelectionKeyLanes(d, row_constant, hn::LoadU(d, ids + j));
    hn::StoreU(key, d, keys + j);
    const auto below = hn::Lt(key, vlo);
    n_lo += hn::CountTrue(d, below);
#if PHASE_ROUTER_VECTOR_COMPRESS
    m += StoreCompressed(d, key, hn::AndNot(below, hn::Lt(key, vhi)), bracket + m);
#endif
  }
  for (; j < c; ++j) {
    keys[j] = SelectionKey(row_constant, ids[j]);
    n_lo += keys[j] < lo;
#if PHASE_ROUTER_VECTOR_COMPRESS
    bracket[m] = keys[j];
    m += keys[j] >= lo && keys[j] < hi;
#endif
  }
  *below_lo = n_lo;
#if PHASE_ROUTER_VECTOR_COMPRESS
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
  // Sparse rows: count-trailing-zeros costs per id (and a mispredicted
  // branch per word that holds a few), the vector decoders per word, with
  // no branch on the word's bits. On AVX-512 and AVX2 they pay from one id
  // in four words: at one id a word (4096 columns, Zen 4) VPCOMPRESSB made
  // the whole selection 2.7x faster than count-trailing-zeros, the byte
  // table on AVX2 1.2x. SSSE3 and SSE4 (four lanes, a byte-table popcount
  // on SSSE3) keep count-trailing-zeros below 8 ids a word.
#if HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
  if (4 * size_t{limit} < words) {
#else
  if (limit < 8 * words) {
#endif
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
  // reload would stall on store forwarding). The first 32 are stored
  // whatever the count (zero words too): branches on the count mispredict
  // at the densities where words hold 0 to 32 ids.
  const hn::Full512<uint8_t> d8;
  const hn::Full256<uint8_t> d8h;
  const hn::Full128<uint8_t> d8q;
  const hn::Full512<uint32_t> d32;
  const auto iota = hn::Iota(d8, 0);
  // Rows of at most 4 ids a word on average (MoE rows of many experts) store
  // only the first 16 unless a word holds more, a branch almost never taken
  // there: the second store was half the stores of such a row
  // (kernels_bench SelectRandomK/AVX3_DL/4096/sparse, one id a word: 0.94
  // -> 0.70 ms).
  const bool few_per_word = size_t{limit} <= 4 * words;
  for (size_t w = 0; w < words && n < limit; ++w) {
    const uint64_t bits = row[w];
    const auto packed =
        hn::Compress(iota, hn::LoadMaskBits(d8, reinterpret_cast<const uint8_t*>(&bits)));
    const size_t count = hwy::PopCount(bits);
    const auto base = hn::Set(d32, static_cast<uint32_t>(w * kWordBits));
    const auto low = hn::LowerHalf(d8h, packed);
    hn::StoreU(hn::Add(base, hn::PromoteTo(d32, hn::LowerHalf(d8q, low))), d32, out + n);
    if (!few_per_word || count > 16) {
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

// Keeps the ids whose key is <= threshold, in order (CompactWinners), a
// vector at a time where the target compresses with vectors.
HWY_INLINE void KeepWinners(const uint32_t* HWY_RESTRICT keys, size_t c, uint32_t threshold,
                            uint32_t* ids) {
  size_t n = 0, j = 0;
#if PHASE_ROUTER_VECTOR_COMPRESS
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  const auto vt = hn::Set(d, threshold);
  for (; j + N <= c; j += N) {
    const auto win = hn::Not(hn::Lt(vt, hn::LoadU(d, keys + j)));
    n += StoreCompressed(d, hn::LoadU(d, ids + j), win, ids + n);
  }
#endif
  CompactWinners(keys, j, c, threshold, ids, n);
}

// out[0, n) = ids[0, n), n > 0, writing nothing past out + n (the next row's
// entries may belong to another thread): whole vectors, then a masked store
// where the target has one that leaves the other lanes untouched (AVX-512,
// AVX2, SVE; SSE4's is a lane-by-lane store), else lane by lane. A memcpy of
// the few dozen bytes of a MoE row is a library call: a fifth of the time of
// such a row before.
HWY_INLINE void CopyIds(const uint32_t* HWY_RESTRICT ids, size_t n, int32_t* HWY_RESTRICT out) {
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  uint32_t* to = reinterpret_cast<uint32_t*>(out);
  size_t j = 0;
  for (; j + N <= n; j += N) hn::StoreU(hn::LoadU(d, ids + j), d, to + j);
  if (j == n) return;
#if HWY_ARCH_X86 || HWY_TARGET == HWY_SVE || HWY_TARGET == HWY_SVE2 || \
    HWY_TARGET == HWY_SVE_256 || HWY_TARGET == HWY_SVE2_128
  const auto valid = hn::FirstN(d, n - j);
  hn::BlendedStore(hn::LoadU(d, ids + j), valid, d, to + j);  // ids has whole vectors
#else
  for (; j < n; ++j) to[j] = ids[j];
#endif
}

#if PHASE_ROUTER_NATIVE_COMPRESS
// AVX-512, lists of up to 16 candidates all in registers (the arc method's,
// select_list-inl.h): the ids are loaded once and the winners scattered
// once. Each round trip through memory between the steps (a 64-byte store
// read back a lane at a time, or scalar stores read back as a vector)
// stalls on Zen 4, which does not forward those stores to the loads. The
// bit path's short rows use them too on AVX3_DL, where their ids are
// decoded in registers (SelectShortRowInRegisters); on AVX3 they keep
// SelectShortRow: after a decode through memory the 15 rotations below
// (512-bit shuffles at half rate on Zen 4) measured slower than its
// broadcasts from memory.

// Lane l: how many lanes of v hold a smaller value (v's lanes distinct but
// for padding of ~0, which is smaller than no lane). v against each of its
// 15 rotations: 15 aligns, compares and masked adds, no memory.
HWY_INLINE __m512i RanksInVector(__m512i v) {
  const __m512i one = _mm512_set1_epi32(1);
  __m512i rank = _mm512_setzero_si512();
#define PHASE_ROUTER_RANK_ROTATION(r)                                                   \
  rank = _mm512_mask_add_epi32(rank, _mm512_cmplt_epu32_mask(_mm512_alignr_epi32(v, v, r), v), \
                               rank, one)
  PHASE_ROUTER_RANK_ROTATION(1);
  PHASE_ROUTER_RANK_ROTATION(2);
  PHASE_ROUTER_RANK_ROTATION(3);
  PHASE_ROUTER_RANK_ROTATION(4);
  PHASE_ROUTER_RANK_ROTATION(5);
  PHASE_ROUTER_RANK_ROTATION(6);
  PHASE_ROUTER_RANK_ROTATION(7);
  PHASE_ROUTER_RANK_ROTATION(8);
  PHASE_ROUTER_RANK_ROTATION(9);
  PHASE_ROUTER_RANK_ROTATION(10);
  PHASE_ROUTER_RANK_ROTATION(11);
  PHASE_ROUTER_RANK_ROTATION(12);
  PHASE_ROUTER_RANK_ROTATION(13);
  PHASE_ROUTER_RANK_ROTATION(14);
  PHASE_ROUTER_RANK_ROTATION(15);
#undef PHASE_ROUTER_RANK_ROTATION
  return rank;
}

// The k winners of the c <= 16 ids in the low lanes of `ids` (k < c), in
// the ids' lane order, compressed to the low k lanes.
HWY_INLINE __m512i WinnersInVector(__m512i ids, size_t c, uint32_t k, uint32_t row_constant) {
  const hn::Full512<uint32_t> d;
  const __mmask16 valid = static_cast<__mmask16>((1u << c) - 1);
  const auto id = hn::Vec512<uint32_t>{ids};
  const auto key = SelectionKeyLanes(d, row_constant, id);
  const __m512i padded = _mm512_mask_mov_epi32(_mm512_set1_epi32(-1), valid, key.raw);
  const __mmask16 win =
      _mm512_mask_cmplt_epu32_mask(valid, RanksInVector(padded), _mm512_set1_epi32(static_cast<int>(k)));
  return _mm512_maskz_compress_epi32(win, ids);
}
#endif

// A short row's selection (c <= kSmallRow candidates, c > k; MoE shapes
// have a handful per token): the winners are the ids whose key has fewer
// than k smaller keys, written ascending (ids are ascending) to out.
// Every key's rank at once: for each of the c keys in turn, broadcast, one
// compare against each vector of keys and a subtract of the mask as a
// vector (-1 per smaller key), so no mask moves to a general register. The
// count this replaced (a mask move and a popcount per key, a chain the next
// key waited on) and two memcpy calls were 60% of a 256-column MoE row on
// Zen 4. Keys past c are set to ~0, below no key, so they rank c > k and
// never win. ids and keys have room for whole vectors past c.
HWY_INLINE void SelectShortRow(uint32_t row_constant, uint32_t* HWY_RESTRICT ids, size_t c,
                               uint32_t k, int32_t* HWY_RESTRICT out,
                               uint32_t* HWY_RESTRICT keys) {
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  const size_t padded = (c + N - 1) / N * N;
  const auto none = hn::Set(d, ~0u);
  for (size_t j = 0; j < padded; j += N) {
    const auto key = SelectionKeyLanes(d, row_constant, hn::LoadU(d, ids + j));
    hn::StoreU(hn::IfThenElse(hn::FirstN(d, c - j), key, none), d, keys + j);
  }
  const auto vk = hn::Set(d, k);
  size_t n = 0;
  for (size_t j = 0; j < padded; j += N) {
    const auto key = hn::LoadU(d, keys + j);
    auto rank = hn::Zero(d);
    for (size_t i = 0; i < c; ++i) {  // subtracting a true mask (all ones) adds 1
      rank = hn::Sub(rank, hn::VecFromMask(d, hn::Lt(hn::Set(d, keys[i]), key)));
    }
    const auto win = hn::Lt(rank, vk);
#if PHASE_ROUTER_NATIVE_COMPRESS
    // Straight to out, exactly the winners' lanes (masked store).
    const uint32_t wins = static_cast<uint32_t>(_mm_popcnt_u32(win.raw));
    _mm512_mask_storeu_epi32(out + n, static_cast<__mmask16>((1u << wins) - 1),
                             CompressLanes(hn::LoadU(d, ids + j), win).raw);
    n += wins;
#elif PHASE_ROUTER_VECTOR_COMPRESS
    n += StoreCompressed(d, hn::LoadU(d, ids + j), win, ids + n);
#else
    uint32_t wins[HWY_MAX_BYTES / sizeof(uint32_t)];
    hn::StoreU(hn::VecFromMask(d, win), d, wins);
    for (size_t l = 0; l < N; ++l) {
      ids[n] = ids[j + l];
      n += wins[l] != 0;
    }
#endif
  }
#if !PHASE_ROUTER_NATIVE_COMPRESS
  CopyIds(ids, k, out);
#endif
}

// Rows with up to kSmallRow candidates are selected by SelectShortRow.
constexpr size_t kSmallRow = 24;

#if HWY_TARGET == HWY_AVX3_DL
// Rows of up to 16 candidates whose words the vector decoder would read
// (words <= 4 c: a MoE routing's rows, 64 or 256 experts), decoded, hashed
// and ranked without leaving registers. Through memory (DecodeSetBits'
// stores at each word's running offset, read back as one vector, then the
// keys stored and broadcast back a lane at a time) each row waited on
// store forwarding that Zen 4 cannot do for those loads: `perf annotate`
// put over half of a 65536 x 256, k = 8 selection's samples on the load
// after the decode's stores and on the rank loop. Each word's VPCOMPRESSB
// is appended to 16-bit ids by VPEXPANDW at the running count (ids < 2^16
// as words <= 64); the ranks are WinnersInVector's rotations. router_bench
// Route/AVX3_DL/65536x256/k8/degrees on one thread: 3.21 -> 2.62 ms.
HWY_INLINE void SelectShortRowInRegisters(const uint64_t* row, size_t words, uint32_t c,
                                          uint32_t k, uint32_t row_constant, int32_t* out) {
  const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50,
                                       49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36,
                                       35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22,
                                       21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6,
                                       5, 4, 3, 2, 1, 0);
  __m512i ids16 = _mm512_setzero_si512();
  uint32_t n = 0;
  for (size_t w = 0; w < words; ++w) {
    const uint64_t bits = row[w];
    const __m256i offsets = _mm512_castsi512_si256(_mm512_maskz_compress_epi8(bits, iota));
    const __m512i ids = _mm512_add_epi16(_mm512_cvtepu8_epi16(offsets),
                                         _mm512_set1_epi16(static_cast<short>(w * kWordBits)));
    const auto count = static_cast<uint32_t>(_mm_popcnt_u64(bits));
    // Lanes [n, n + count) of the 32 (n + count <= c <= 16).
    const auto slots = static_cast<__mmask32>(_bzhi_u32(~0u, n + count) & ~_bzhi_u32(~0u, n));
    ids16 = _mm512_mask_expand_epi16(ids16, slots, ids);
    n += count;
  }
  const __m512i winners =
      WinnersInVector(_mm512_cvtepu16_epi32(_mm512_castsi512_si256(ids16)), c, k, row_constant);
  _mm512_mask_storeu_epi32(out, static_cast<__mmask16>((1u << k) - 1), winners);
}
#endif


// Counts the m keys below lo and copies those in [lo, hi) to out (room for
// m + 16); returns how many were copied. StoreCompressed where the target
// has it, a branch-free scalar loop elsewhere.
HWY_INLINE size_t NarrowKeys(const uint32_t* HWY_RESTRICT keys, size_t m, uint32_t lo,
                             uint32_t hi, uint32_t* HWY_RESTRICT out, size_t* below_lo) {
  size_t n = 0, below = 0, j = 0;
#if PHASE_ROUTER_VECTOR_COMPRESS
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  const auto vlo = hn::Set(d, lo), vhi = hn::Set(d, hi);
  for (; j + N <= m; j += N) {
    const auto key = hn::LoadU(d, keys + j);
    const auto b = hn::Lt(key, vlo);
    below += hn::CountTrue(d, b);
    n += StoreCompressed(d, key, hn::AndNot(b, hn::Lt(key, vhi)), out + n);
  }
#endif
  size_t below_tail;
  n += CopyKeysInRange(keys + j, m - j, lo, hi, out + n, &below_tail);
  *below_lo = below + below_tail;
  return n;
}

// The rank-th smallest (0-based) of m <= kRankedKeys distinct keys, none of
// them ~0: the key with exactly `rank` smaller keys, counted with vector
// compares (m / N per key), stopping at the first hit: about m^2 / (2N)
// compares, no data-dependent branch but the exit. std::nth_element on the
// same 40-odd keys took a third of a dense row's time (mispredicted
// branches). Pads keys to whole vectors with ~0 (room for m + N).
constexpr size_t kRankedKeys = 64;
HWY_INLINE uint32_t RankByCounting(uint32_t* keys, size_t m, size_t rank) {
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  const size_t vectors = (m + N - 1) / N;
  for (size_t j = m; j < vectors * N; ++j) keys[j] = ~0u;
  for (size_t j = 0;; ++j) {
    const auto key = hn::Set(d, keys[j]);
    size_t smaller = 0;
    for (size_t v = 0; v < vectors; ++v) {
      smaller += hn::CountTrue(d, hn::Lt(hn::LoadU(d, keys + v * N), key));
    }
    if (smaller == rank || j + 1 == m) return keys[j];
  }
}

// The rank-th smallest (0-based) of the m distinct keys at `keys`, all in
// [lo, hi) and roughly uniform there (a bracket of uniform keys). Narrows
// the way the first bracket was found: a sub-bracket a few sigma around the
// expected place of the rank keeps ~6 sqrt(m) of the m keys (100 keys
// become ~40 in one vector pass, ~10 instructions per 16 keys with
// VPCOMPRESSD), then RankByCounting ranks the last few dozen. This replaced
// RankInRange's histogram on this path (a quarter of the time of a dense
// row: store-forwarded increments, a fill of up to 257 slots, then
// std::nth_element). A sub-bracket that misses (probability ~3e-3) hands
// the current keys to RankInRange: exact for any keys. `scratch` has room
// for m + 16 keys and may be overwritten, as may keys (room m + 16 too).
HWY_INLINE uint32_t RankBracket(uint32_t* keys, size_t m, uint32_t lo, uint32_t hi, size_t rank,
                                uint32_t* scratch) {
  while (m > kRankedKeys) {
    const Bracket sub =
        BracketQuantile((static_cast<double>(rank) + 0.5) / static_cast<double>(m),
                        static_cast<double>(m), lo, static_cast<double>(hi - lo), hi);
    size_t below;
    const size_t n = NarrowKeys(keys, m, sub.lo, sub.hi, scratch, &below);
    if (rank < below || rank >= below + n || n >= m) {
      return RankInRange(keys, m, lo, hi, rank, scratch);
    }
    rank -= below;
    m = n;
    lo = sub.lo;
    hi = sub.hi;
    uint32_t* t = keys;
    keys = scratch;
    scratch = t;
  }
  return RankByCounting(keys, m, rank);
}

HWY_INLINE void SelectRandomK(const uint64_t* row, size_t cols, uint32_t count,
                              uint32_t k, uint32_t row_constant, int32_t* out,
                              uint32_t* ids_scratch, uint32_t* keys_scratch) {
  if (count <= k) {  // every candidate is taken: no keys needed
    SelectLowestK(row, cols, count, k, out);
    return;
  }
#if HWY_TARGET == HWY_AVX3_DL
  if (count <= 16 && WordsFor(cols) <= 4 * size_t{count}) {
    SelectShortRowInRegisters(row, WordsFor(cols), count, k, row_constant, out);
    return;
  }
#endif
  const uint32_t c = DecodeSetBits(row, cols, count, ids_scratch);
  uint32_t* bracket = keys_scratch + c;  // room for 2 * c + 64 more keys
  if (c <= kSmallRow) {
    SelectShortRow(row_constant, ids_scratch, c, k, out, keys_scratch);
    return;
  }

  // Bracket the k-th smallest key: with q = k / c, the number of keys below
  // (q +- 3 sigma) * 2^32 misses k with probability ~3e-3.
  const Bracket b = BracketQuantile(static_cast<double>(k) / c, c, 0, kTwo32, ~0u);
  size_t below_lo;
  const ptrdiff_t in_bracket =
      HashIds(row_constant, ids_scratch, c, b.lo, b.hi, keys_scratch, bracket, &below_lo);
  const size_t m = in_bracket >= 0 ? static_cast<size_t>(in_bracket)
                                   : KeysInRange(keys_scratch, c, b.lo, b.hi, bracket);
  uint32_t threshold;  // the k-th smallest key: keys <= threshold are taken
  if (below_lo < k && k <= below_lo + m) {
    // The (k - below_lo)-th smallest key of the bracket is the k-th overall.
    threshold = RankBracket(bracket, m, b.lo, b.hi, k - below_lo - 1, bracket + m + 16);
  } else {
    threshold = KthSmallestKey(keys_scratch, c, k);
  }
  // The ids are ascending, so keeping the winners in order needs no sort.
#if PHASE_ROUTER_NATIVE_COMPRESS
  // Straight to out: masked loads for the last partial vector and masked
  // stores of the winners' lanes write exactly the k ids, so the copy from
  // the scratch (5% of a dense row) is saved.
  const __m512i vt = _mm512_set1_epi32(static_cast<int>(threshold));
  size_t n = 0;
  for (size_t j = 0; j < c; j += 16) {
    const __mmask16 valid =
        c - j >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (c - j)) - 1);
    const __m512i key = _mm512_maskz_loadu_epi32(valid, keys_scratch + j);
    const __mmask16 win = _mm512_mask_cmple_epu32_mask(valid, key, vt);
    const uint32_t wins = static_cast<uint32_t>(_mm_popcnt_u32(win));
    _mm512_mask_storeu_epi32(out + n, static_cast<__mmask16>((1u << wins) - 1),
                             _mm512_maskz_compress_epi32(
                                 win, _mm512_maskz_loadu_epi32(valid, ids_scratch + j)));
    n += wins;
  }
#else
  KeepWinners(keys_scratch, c, threshold, ids_scratch);
  CopyIds(ids_scratch, k, out);
#endif
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_SELECT_TOP_K_INL_H_
