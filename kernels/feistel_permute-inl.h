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
// (FeistelPermuteByTable).

#if defined(PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_INL_H_
#undef PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_INL_H_
#else
#define PHASE_ROUTER_KERNELS_FEISTEL_PERMUTE_INL_H_
#endif

#include <cstddef>
#include <cstdint>

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

HWY_INLINE void FeistelPermute(uint64_t key, uint64_t length, const uint16_t* rounds,
                               FeistelDirection direction, const uint32_t* in, uint32_t first,
                               size_t count, uint32_t* out) {
  const bool forward = direction == FeistelDirection::kForward;
  if (length <= 1) {
    for (size_t j = 0; j < count; ++j) out[j] = 0;
  } else if (rounds != nullptr) {
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
