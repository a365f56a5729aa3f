// Highway bodies of BuildFeistelTable and FeistelPermute
// (kernels/feistel_permute.h), per target.
//
// The hashing is vectorized, one 64-bit lane per round input: SPEC.md's draw
// (the SplitMix64 finalizer) needs 64-bit multiplies, native on AVX-512 and
// SVE, three 32 x 32 -> 64 products elsewhere. BuildFeistelTable hashes
// every round input once; FeistelPermute without a table runs whole
// networks per lane, cycle walking per lane: lanes whose value is still
// >= L run the network again while the others keep theirs (a blend), until
// none is left. With a table the passes are scalar lookups
// (FeistelPermuteByTable), but for networks of h <= 8 on AVX3_DL, whose
// rounds fit byte lookups in registers (FeistelPermuteBytes).

#if defined(PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_INL_H_
#undef PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_INL_H_
#else
#define PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hwy/highway.h"
#include "kernels/feistel_permute.h"
#include "kernels/random.h"

HWY_BEFORE_NAMESPACE();
namespace phase_router {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Low 64 bits of a * c per lane.
template <class D>
HWY_INLINE hn::Vec<D> MulLow64(D d, hn::Vec<D> a, uint64_t c) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_SVE || \
    HWY_TARGET == HWY_SVE2 || HWY_TARGET == HWY_SVE_256 || HWY_TARGET == HWY_SVE2_128
  return hn::Mul(a, hn::Set(d, c));  // SVE has no operator*
#else
  // (a_hi 2^32 + a_lo)(c_hi 2^32 + c_lo) mod 2^64 from 32 x 32 -> 64 products.
  const hn::Repartition<uint32_t, D> d32;
  const auto c_lo = hn::BitCast(d32, hn::Set(d, c & 0xFFFFFFFFull));
  const auto c_hi = hn::BitCast(d32, hn::Set(d, c >> 32));
  const auto a_lo = hn::BitCast(d32, a);
  const auto a_hi = hn::BitCast(d32, hn::ShiftRight<32>(a));
  const auto cross = hn::Add(hn::MulEven(a_hi, c_lo), hn::MulEven(a_lo, c_hi));
  return hn::Add(hn::MulEven(a_lo, c_lo), hn::ShiftLeft<32>(cross));
#endif
}

// SPEC.md's mix on every lane.
template <class D>
HWY_INLINE hn::Vec<D> MixLanes(D d, hn::Vec<D> z) {
  z = hn::Xor(z, hn::ShiftRight<30>(z));
  z = MulLow64(d, z, 0xBF58476D1CE4E5B9ull);
  z = hn::Xor(z, hn::ShiftRight<27>(z));
  z = MulLow64(d, z, 0x94D049BB133111EBull);
  return hn::Xor(z, hn::ShiftRight<31>(z));
}

// rounds[e] for e in [begin, end): draw(key, (e >> h) 2^32 + (e & mask)) & mask.
HWY_INLINE void BuildFeistelTable(uint64_t key, uint64_t length, size_t begin, size_t end,
                                  uint16_t* HWY_RESTRICT rounds) {
  const hn::ScalableTag<uint64_t> d;
  const hn::Rebind<uint16_t, decltype(d)> d16;
  const size_t N = hn::Lanes(d);
  const uint32_t h = FeistelHalfBits(length);
  const uint64_t mask = (uint64_t{1} << h) - 1;
  const auto vmask = hn::Set(d, mask);
  const auto vkey = hn::Set(d, key);
  size_t e = begin;
  for (; e + N <= end; e += N) {
    // The draw's counter r 2^32 + x, plus one.
    const auto entry = hn::Iota(d, e);
    const auto n = hn::Add(hn::Or(hn::ShiftLeft<32>(hn::ShiftRightSame(entry, static_cast<int>(h))),
                                  hn::And(entry, vmask)),
                           hn::Set(d, 1));
    const auto f = hn::And(MixLanes(d, hn::Add(vkey, MulLow64(d, n, kGamma))), vmask);
    hn::StoreU(hn::TruncateTo(d16, f), d16, rounds + e);
  }
  scalar::BuildFeistelTable(key, length, e, end, rounds);
}

// The network's constants: draw(K, r 2^32 + half) = mix(base[r] + half G)
// with base[r] = K + (r 2^32 + 1) G.
struct FeistelNetwork {
  uint64_t base[8];
  uint32_t h;
  FeistelNetwork(uint64_t key, uint64_t length) : h(FeistelHalfBits(length)) {
    for (uint64_t r = 0; r < 8; ++r) base[r] = key + ((r << 32) + 1) * kGamma;
  }
};

// One pass of the network (all eight rounds) on every lane.
template <bool kForward, class D>
HWY_INLINE hn::Vec<D> FeistelPass(D d, const FeistelNetwork& net, hn::Vec<D> y) {
  const auto mask = hn::Set(d, (uint64_t{1} << net.h) - 1);
  const int h = static_cast<int>(net.h);
  auto round = [&](uint32_t r, hn::Vec<D> half) {
    return hn::And(MixLanes(d, hn::Add(hn::Set(d, net.base[r]), MulLow64(d, half, kGamma))),
                   mask);
  };
  auto lo = hn::And(y, mask);
  auto hi = hn::ShiftRightSame(y, h);
  if (kForward) {
    for (uint32_t r = 0; r < 8; ++r) {
      const auto next_lo = hn::Xor(hi, round(r, lo));
      hi = lo;
      lo = next_lo;
    }
  } else {
    for (uint32_t r = 8; r-- > 0;) {
      const auto prev_hi = hn::Xor(lo, round(r, hi));
      lo = hi;
      hi = prev_hi;
    }
  }
  return hn::Or(hn::ShiftLeftSame(hi, h), lo);
}

template <bool kForward>
HWY_INLINE void FeistelPermuteLanes(uint64_t key, uint64_t length, const uint32_t* in,
                                    uint32_t first, size_t count, uint32_t* out) {
  const hn::ScalableTag<uint64_t> d;
  const hn::Rebind<uint32_t, decltype(d)> d32;
  const hn::RebindToSigned<decltype(d)> di;
  const size_t N = hn::Lanes(d);
  const FeistelNetwork net(key, length);
  // Values stay below 2^32, so a signed compare is an unsigned one.
  const auto last = hn::Set(di, static_cast<int64_t>(length - 1));
  size_t j = 0;
  for (; j + N <= count; j += N) {
    const auto x = in ? hn::PromoteTo(d, hn::LoadU(d32, in + j))
                      : hn::Iota(d, uint64_t{first} + j);
    auto y = FeistelPass<kForward>(d, net, x);
    auto outside = hn::RebindMask(d, hn::Gt(hn::BitCast(di, y), last));
    while (!hn::AllFalse(d, outside)) {
      y = hn::IfThenElse(outside, FeistelPass<kForward>(d, net, y), y);
      outside = hn::RebindMask(d, hn::Gt(hn::BitCast(di, y), last));
    }
    hn::StoreU(hn::TruncateTo(d32, y), d32, out + j);
  }
  scalar::FeistelPermute(key, length, nullptr,
                         kForward ? FeistelDirection::kForward : FeistelDirection::kInverse,
                         in ? in + j : nullptr, first + static_cast<uint32_t>(j), count - j,
                         out + j);
}

#if HWY_TARGET == HWY_AVX3_DL
// Networks of half width h <= 8 (L <= 65536: every expert count, token
// counts up to 65536) with a table, on AVX-512 VBMI. A round's table is
// 2^h <= 256 one-byte entries, so VPERMI2B looks up 64 halves at once from
// registers (two lookups and a blend on bit 7 when h = 8): a pass over 64
// values is about 30 instructions, and as many again convert them from and
// to 32-bit lanes, against the scalar loop's 64 chains of eight dependent
// loads (about 6.6 cycles a value on Zen 4). Lanes still >= L pass again as
// a whole vector while at least kVectorWalkers of the 64 do; the few left
// finish one by one through the 16-bit table (one long walk would
// otherwise hold the other 63 lanes: the most of 64 geometric counts).
// kernels_bench FeistelPermute/table, AVX3_DL against AVX3 (the scalar
// lookups) in one run: 9x at L = 65536 (no value walks), 3.7x at 4097 and
// 32769 (half or more walk); 4 walkers measured best of 1, 2, 4, 8, 16, 32.
constexpr uint32_t kByteNetworkMaxHalf = 8;
constexpr int kVectorWalkers = 4;

// The rounds of one network as bytes: round r's table at bytes[r][0, 2^h),
// zeros after.
struct ByteRounds {
  alignas(64) uint8_t bytes[8][256];
  ByteRounds(const uint16_t* rounds, uint32_t h) {
    std::memset(bytes, 0, sizeof(bytes));
    const uint32_t n = 1u << h;
    for (uint32_t r = 0; r < 8; ++r) {
      const uint16_t* from = rounds + (r << h);
      uint32_t x = 0;
      for (; x + 32 <= n; x += 32) {  // VPMOVWB, 32 entries at a time
        _mm256_store_si256(reinterpret_cast<__m256i*>(bytes[r] + x),
                           _mm512_cvtepi16_epi8(_mm512_loadu_si512(from + x)));
      }
      for (; x < n; ++x) bytes[r][x] = static_cast<uint8_t>(from[x]);
    }
  }
};

// Round r's function of 64 halves, each < 2^h.
template <bool kWide>
HWY_INLINE __m512i ByteRound(const uint8_t* table, __m512i half) {
  const __m512i* t = reinterpret_cast<const __m512i*>(table);
  const __m512i low = _mm512_permutex2var_epi8(_mm512_load_si512(t), half, _mm512_load_si512(t + 1));
  if (!kWide) return low;  // h <= 7: bits 0-6 index the first 128 bytes
  const __m512i high =
      _mm512_permutex2var_epi8(_mm512_load_si512(t + 2), half, _mm512_load_si512(t + 3));
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(half), low, high);
}

// One pass of the network on 64 values held as their halves.
template <bool kForward, bool kWide>
HWY_INLINE void ByteFeistelPass(const ByteRounds& t, __m512i& hi, __m512i& lo) {
  if (kForward) {
    for (uint32_t r = 0; r < 8; ++r) {
      const __m512i next_lo = _mm512_xor_si512(hi, ByteRound<kWide>(t.bytes[r], lo));
      hi = lo;
      lo = next_lo;
    }
  } else {
    for (uint32_t r = 8; r-- > 0;) {
      const __m512i prev_hi = _mm512_xor_si512(lo, ByteRound<kWide>(t.bytes[r], hi));
      lo = hi;
      hi = prev_hi;
    }
  }
}

// One vector from its four 16-byte quarters, and back (the lane indices of
// the insert and extract must be constants).
HWY_INLINE __m512i FromQuarters(const __m128i* q) {
  const __m512i low = _mm512_inserti32x4(_mm512_castsi128_si512(q[0]), q[1], 1);
  return _mm512_inserti32x4(_mm512_inserti32x4(low, q[2], 2), q[3], 3);
}
HWY_INLINE void ToQuarters(__m512i v, __m128i* q) {
  q[0] = _mm512_castsi512_si128(v);
  q[1] = _mm512_extracti32x4_epi32(v, 1);
  q[2] = _mm512_extracti32x4_epi32(v, 2);
  q[3] = _mm512_extracti32x4_epi32(v, 3);
}

template <bool kForward, bool kWide>
HWY_INLINE void FeistelPermuteBytes(const uint16_t* rounds, uint64_t length, const uint32_t* in,
                                    uint32_t first, size_t count, uint32_t* out) {
  const uint32_t h = FeistelHalfBits(length);
  const ByteRounds table(rounds, h);
  const __m512i mask32 = _mm512_set1_epi32(static_cast<int>((1u << h) - 1));
  const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(h));
  // y >= L, on the halves: hi > last's hi, or equal and lo > last's lo.
  const auto last = static_cast<uint32_t>(length - 1);
  const __m512i last_hi = _mm512_set1_epi8(static_cast<char>(last >> h));
  const __m512i last_lo = _mm512_set1_epi8(static_cast<char>(last & ((1u << h) - 1)));
  auto outside = [&](__m512i hi, __m512i lo) {
    return _mm512_cmpgt_epu8_mask(hi, last_hi) |
           (_mm512_cmpeq_epi8_mask(hi, last_hi) & _mm512_cmpgt_epu8_mask(lo, last_lo));
  };
  size_t j = 0;
  for (; j + 64 <= count; j += 64) {
    __m128i lo_quarters[4], hi_quarters[4];
    for (int q = 0; q < 4; ++q) {  // sixteen values a quarter
      const __m512i x =
          in ? _mm512_loadu_si512(in + j + 16 * q)
             : _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(first + j + 16 * q)),
                                _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
      lo_quarters[q] = _mm512_cvtepi32_epi8(_mm512_and_si512(x, mask32));
      hi_quarters[q] = _mm512_cvtepi32_epi8(_mm512_srl_epi32(x, shift));
    }
    __m512i hi = FromQuarters(hi_quarters), lo = FromQuarters(lo_quarters);
    ByteFeistelPass<kForward, kWide>(table, hi, lo);
    __mmask64 walking = outside(hi, lo);
    while (_mm_popcnt_u64(walking) >= kVectorWalkers) {
      __m512i next_hi = hi, next_lo = lo;
      ByteFeistelPass<kForward, kWide>(table, next_hi, next_lo);
      hi = _mm512_mask_mov_epi8(hi, walking, next_hi);
      lo = _mm512_mask_mov_epi8(lo, walking, next_lo);
      walking = outside(hi, lo);
    }
    ToQuarters(hi, hi_quarters);
    ToQuarters(lo, lo_quarters);
    for (int q = 0; q < 4; ++q) {
      const __m512i y_hi = _mm512_cvtepu8_epi32(hi_quarters[q]);
      const __m512i y_lo = _mm512_cvtepu8_epi32(lo_quarters[q]);
      _mm512_storeu_si512(out + j + 16 * q, _mm512_or_si512(_mm512_sll_epi32(y_hi, shift), y_lo));
    }
    for (; walking != 0; walking &= walking - 1) {
      uint32_t& y = out[j + static_cast<size_t>(_tzcnt_u64(walking))];
      do {
        y = FeistelTablePass<kForward>(rounds, h, y);
      } while (y >= length);
    }
  }
  FeistelPermuteByTable<kForward>(rounds, length, in ? in + j : nullptr,
                                  first + static_cast<uint32_t>(j), count - j, out + j);
}

template <bool kForward>
HWY_INLINE void FeistelPermuteBytes(const uint16_t* rounds, uint64_t length, const uint32_t* in,
                                    uint32_t first, size_t count, uint32_t* out) {
  FeistelHalfBits(length) == kByteNetworkMaxHalf
      ? FeistelPermuteBytes<kForward, true>(rounds, length, in, first, count, out)
      : FeistelPermuteBytes<kForward, false>(rounds, length, in, first, count, out);
}
#endif

HWY_INLINE void FeistelPermute(uint64_t key, uint64_t length, const uint16_t* rounds,
                               FeistelDirection direction, const uint32_t* in, uint32_t first,
                               size_t count, uint32_t* out) {
  const bool forward = direction == FeistelDirection::kForward;
  if (length <= 1) {
    for (size_t j = 0; j < count; ++j) out[j] = 0;
  } else if (rounds != nullptr) {
#if HWY_TARGET == HWY_AVX3_DL
    if (FeistelHalfBits(length) <= kByteNetworkMaxHalf && count >= 64) {
      forward ? FeistelPermuteBytes<true>(rounds, length, in, first, count, out)
              : FeistelPermuteBytes<false>(rounds, length, in, first, count, out);
      return;
    }
#endif
    forward ? FeistelPermuteByTable<true>(rounds, length, in, first, count, out)
            : FeistelPermuteByTable<false>(rounds, length, in, first, count, out);
  } else {
    forward ? FeistelPermuteLanes<true>(key, length, in, first, count, out)
            : FeistelPermuteLanes<false>(key, length, in, first, count, out);
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace phase_router
HWY_AFTER_NAMESPACE();

#endif  // PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_INL_H_
