// Per-kernel benchmarks, one family per kernel, registered once per supported
// target ("Transpose/AVX3_DL/4096"), with a memcpy of the same bytes in the
// same binary as the yardstick. Every kernel's output is checked against the
// generic backend (itself tested against the scalar twins) before timing.
// bytes_per_second counts bytes read plus bytes written.
//
//   build/bin/kernels_bench --benchmark_format=json > kernels.json
//   build/bin/kernels_bench --benchmark_filter='Transpose/.*/4096'
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "dispatch/dispatch.h"
#include "kernels/arc_candidates.h"
#include "kernels/bit_matrix.h"
#include "kernels/feistel_permute.h"
#include "kernels/random.h"
#include "kernels/rotate_rows.h"
#include "phase_router/phase_router.h"
#include "router/workspace.h"

namespace phase_router {
namespace {

// Deterministic test data from the spec's own generator.
std::vector<uint64_t> RandomWords(size_t n, uint64_t seed) {
  std::vector<uint64_t> w(n);
  for (size_t i = 0; i < n; ++i) w[i] = Draw(seed, i) & Draw(seed ^ 1, i);
  return w;
}

// Random rows x cols bit matrix, density 1/4, zero padding bits.
std::vector<uint64_t> RandomBits(size_t rows, size_t cols, uint64_t seed,
                                 size_t stride = 0) {
  const size_t words = WordsFor(cols);
  if (stride == 0) stride = words;
  std::vector<uint64_t> m = RandomWords(rows * stride, seed);
  for (size_t r = 0; r < rows; ++r) {
    m[r * stride + words - 1] &= LastWordMask(cols);
    for (size_t w = words; w < stride; ++w) m[r * stride + w] = 0;
  }
  return m;
}

std::vector<uint32_t> RandomBelow(size_t n, uint32_t bound, uint64_t seed) {
  std::vector<uint32_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint32_t>(Bounded(Draw(seed, i), bound));
  return v;
}

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "kernels_bench: %s differs from generic\n", what.c_str());
    std::exit(1);
  }
}

void SetRate(benchmark::State& state, double bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(bytes * static_cast<double>(state.iterations())));
}

void Memcpy(benchmark::State& state, size_t n) {
  const size_t bytes = n * WordsFor(n) * 8;
  std::vector<uint8_t> a(bytes, 1), b(bytes);
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), bytes);
    benchmark::DoNotOptimize(b.data());
    benchmark::ClobberMemory();
  }
  SetRate(state, 2.0 * bytes);
}

void Pack(benchmark::State& state, const KernelTable& K, size_t n) {
  std::vector<uint8_t> bytes(n * n);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = Draw(7, i) & 1 ? 0x5A : 0;
  const size_t words = WordsFor(n);
  std::vector<uint64_t> out(n * words), want(n * words);
  std::vector<uint32_t> pop(n), want_pop(n);
  GenericKernels().pack_bit_rows(bytes.data(), n, n, n, want.data(), words, want_pop.data());
  K.pack_bit_rows(bytes.data(), n, n, n, out.data(), words, pop.data());
  Check(out == want && pop == want_pop, "PackBitRows");
  for (auto _ : state) {
    K.pack_bit_rows(bytes.data(), n, n, n, out.data(), words, pop.data());
    benchmark::ClobberMemory();
  }
  SetRate(state, n * n + n * words * 8.0);
}

// A byte matrix's degrees (the router's count of byte input), bytes read.
void CountBytes(benchmark::State& state, const KernelTable& K, size_t n) {
  std::vector<uint8_t> bytes(n * n);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = Draw(7, i) & 1 ? 0x5A : 0;
  std::vector<uint32_t> counts(n), want(n);
  GenericKernels().count_nonzero_bytes(bytes.data(), n, n, n, want.data());
  K.count_nonzero_bytes(bytes.data(), n, n, n, counts.data());
  Check(counts == want, "CountNonzeroBytes");
  for (auto _ : state) {
    K.count_nonzero_bytes(bytes.data(), n, n, n, counts.data());
    benchmark::ClobberMemory();
  }
  SetRate(state, static_cast<double>(n) * n);
}

// Aligned rows rotated and transposed at once, as the router writes them.
void FillArcColumns(benchmark::State& state, const KernelTable& K, size_t n) {
  const size_t words = WordsFor(n);
  const std::vector<uint32_t> len = RandomBelow(n, static_cast<uint32_t>(n + 1), 3);
  std::vector<uint32_t> off(n);
  uint64_t sum = 0;
  for (size_t i = 0; i < n; ++i) {  // phase offsets, as the router has them
    off[i] = static_cast<uint32_t>(sum);
    sum = (sum + len[i]) % n;
  }
  std::vector<uint32_t> begin(n + 1), ids(2 * n);
  BuildArcToggles(len.data(), off.data(), n, n, begin.data(), ids.data());
  const ArcToggles toggles{begin.data(), ids.data()};
  std::vector<uint64_t> out(n * words), want(n * words);
  scalar::FillArcColumns(len.data(), off.data(), n, n, toggles, 0, n, want.data(), words);
  K.fill_arc_columns(len.data(), off.data(), n, n, toggles, 0, n, out.data(), words);
  Check(out == want, "FillArcColumns");
  for (auto _ : state) {
    K.fill_arc_columns(len.data(), off.data(), n, n, toggles, 0, n, out.data(), words);
    benchmark::ClobberMemory();
  }
  SetRate(state, n * words * 8.0);
}

void Rotate(benchmark::State& state, const KernelTable& K, size_t n) {
  const size_t words = WordsFor(n);
  const std::vector<uint64_t> src = RandomBits(n, n, 5);
  const std::vector<uint32_t> off = RandomBelow(n, static_cast<uint32_t>(n), 6);
  std::vector<uint64_t> out(n * words), want(n * words);
  GenericKernels().rotate_rows_on_ring(src.data(), words, n, n, off.data(), want.data(), words);
  K.rotate_rows_on_ring(src.data(), words, n, n, off.data(), out.data(), words);
  Check(out == want, "RotateRowsOnRing");
  for (auto _ : state) {
    K.rotate_rows_on_ring(src.data(), words, n, n, off.data(), out.data(), words);
    benchmark::ClobberMemory();
  }
  SetRate(state, 2.0 * n * words * 8);
}

void Transpose(benchmark::State& state, const KernelTable& K, size_t rows, size_t cols) {
  // The router's strides (router/workspace.h), as the pipeline runs them.
  const size_t sw = PaddedStride(WordsFor(cols)), dw = PaddedStride(WordsFor(rows));
  const std::vector<uint64_t> src = RandomBits(rows, cols, 8, sw);
  std::vector<uint64_t> out(cols * dw), want(cols * dw);
  GenericKernels().transpose_bits(src.data(), sw, nullptr, rows, cols, want.data(), dw);
  K.transpose_bits(src.data(), sw, nullptr, rows, cols, out.data(), dw);
  Check(out == want, "TransposeBits");
  for (auto _ : state) {
    K.transpose_bits(src.data(), sw, nullptr, rows, cols, out.data(), dw);
    benchmark::ClobberMemory();
  }
  SetRate(state, 2.0 * rows * sw * 8);
}

// Column gather the way the router does it: transpose, then a transpose that
// reads its rows through the permutation.
void GatherColumns(benchmark::State& state, const KernelTable& K, size_t n) {
  const std::vector<uint64_t> src = RandomBits(n, n, 9);
  const size_t w = WordsFor(n);
  std::vector<uint32_t> perm(n);
  for (size_t x = 0; x < n; ++x) perm[x] = Fperm(10, n, static_cast<uint32_t>(x));
  std::vector<uint64_t> tmp(n * w), out(n * w), want(n * w);
  auto run = [&](const KernelTable& k, uint64_t* dst) {
    k.transpose_bits(src.data(), w, nullptr, n, n, tmp.data(), w);
    k.transpose_bits(tmp.data(), w, perm.data(), n, n, dst, w);
  };
  run(GenericKernels(), want.data());
  run(K, out.data());
  Check(out == want, "GatherColumns");
  for (auto _ : state) {
    run(K, out.data());
    benchmark::ClobberMemory();
  }
  SetRate(state, 4.0 * n * w * 8);
}

void AndPopcount(benchmark::State& state, const KernelTable& K, size_t n) {
  const size_t w = WordsFor(n);
  const std::vector<uint64_t> a = RandomBits(n, n, 11), b = RandomBits(n, n, 12);
  std::vector<uint64_t> out(n * w), want(n * w);
  std::vector<uint32_t> counts(n), want_counts(n);
  GenericKernels().and_popcount_rows(a.data(), w, b.data(), w, nullptr, n, w, want.data(), w,
                                     want_counts.data());
  K.and_popcount_rows(a.data(), w, b.data(), w, nullptr, n, w, out.data(), w, counts.data());
  Check(out == want && counts == want_counts, "AndPopcountRows");
  for (auto _ : state) {
    K.and_popcount_rows(a.data(), w, b.data(), w, nullptr, n, w, out.data(), w, counts.data());
    benchmark::ClobberMemory();
  }
  SetRate(state, 3.0 * n * w * 8);
}

// Candidate rows of a given density (bits set with probability 1/4 by
// default, as in a dense square routing: with k = cols / 8 half the
// candidates survive), rows x cols. items_per_second counts candidates (set
// bits), so ns per candidate is 1e9 / items_per_second; bytes_per_second the
// rows read and the ids written.
// kTen: ten set bits a row, as a tiled MoE routing's rows (q = 10 laps,
// k = 8).
enum class Density { kQuarter, kDense, kSparse, kTen };

std::vector<uint64_t> CandidateRows(size_t rows, size_t cols, Density density) {
  const size_t w = WordsFor(cols);
  if (density == Density::kTen) {
    std::vector<uint64_t> m(rows * w, 0);
    for (size_t r = 0; r < rows; ++r) {
      for (uint64_t draw = 0, set = 0; set < 10; ++draw) {
        const size_t x = Bounded(Draw(17, r * 64 + draw), cols);
        uint64_t& word = m[r * w + x / 64];
        set += (word >> (x % 64) & 1) == 0;
        word |= uint64_t{1} << (x % 64);
      }
    }
    return m;
  }
  std::vector<uint64_t> m = RandomBits(rows, cols, 13);  // density 1/4
  if (density == Density::kQuarter) return m;
  const std::vector<uint64_t> a = RandomBits(rows, cols, 14), b = RandomBits(rows, cols, 16);
  for (size_t i = 0; i < m.size(); ++i) {
    // 1 - (3/4)^3 ~ 0.58, or (1/4)^3 = 1/64.
    m[i] = density == Density::kDense ? (m[i] | a[i] | b[i]) : (m[i] & a[i] & b[i]);
  }
  for (size_t r = 0; r < rows; ++r) m[r * w + w - 1] &= LastWordMask(cols);
  return m;
}

void Select(benchmark::State& state, const KernelTable& K, size_t n, size_t cols, uint32_t k,
            Density density, bool random) {
  const size_t w = WordsFor(cols);
  const std::vector<uint64_t> rows = CandidateRows(n, cols, density);
  std::vector<uint32_t> counts(n);
  uint64_t candidates = 0;
  uint32_t max_count = 0;
  for (size_t r = 0; r < n; ++r) {
    uint32_t c = 0;
    for (size_t j = 0; j < w; ++j) c += static_cast<uint32_t>(__builtin_popcountll(rows[r * w + j]));
    counts[r] = c;
    candidates += c;
    max_count = std::max(max_count, c);
  }
  // Scratch laid out as the router's (line-aligned, router/workspace.h).
  AlignedArray<uint32_t> ids, keys;
  ids.Resize(max_count + 64, true);
  keys.Resize(3 * size_t{max_count} + 64, true);
  std::vector<int32_t> out(n * k), want(n * k);
  auto run = [&](const KernelTable& kt, int32_t* dst) {
    for (size_t r = 0; r < n; ++r) {
      if (random) {
        kt.select_random_k(&rows[r * w], cols, counts[r], k, static_cast<uint32_t>(Draw(15, r)),
                           dst + r * k, ids.data(), keys.data());
      } else {
        kt.select_lowest_k(&rows[r * w], cols, counts[r], k, dst + r * k);
      }
    }
  };
  run(GenericKernels(), want.data());
  run(K, out.data());
  Check(out == want, random ? "SelectRandomK" : "SelectLowestK");
  for (auto _ : state) {
    run(K, out.data());
    benchmark::ClobberMemory();
  }
  SetRate(state, n * w * 8.0 + n * k * 4.0);
  state.SetItemsProcessed(static_cast<int64_t>(candidates * state.iterations()));
}

// SPEC.md's selection from lists of c distinct ids below id_bound in
// random order (the arc method's candidate lists), n lists of k winners.
// items_per_second counts candidates, as for Select.
void SelectList(benchmark::State& state, const KernelTable& K, size_t n, size_t id_bound,
                size_t c, uint32_t k) {
  std::vector<uint32_t> lists(n * c);
  std::vector<uint32_t> all(id_bound);
  for (size_t r = 0; r < n; ++r) {
    for (size_t x = 0; x < id_bound; ++x) all[x] = static_cast<uint32_t>(x);
    for (size_t j = 0; j < c; ++j) {  // a partial Fisher-Yates: c distinct ids
      std::swap(all[j], all[j + Bounded(Draw(19, r * id_bound + j), id_bound - j)]);
    }
    std::copy(all.begin(), all.begin() + static_cast<ptrdiff_t>(c), lists.begin() + r * c);
  }
  AlignedArray<uint32_t> ids, keys;  // as the router's (router/workspace.h)
  ids.Resize(c + 64, true);
  keys.Resize(3 * c + 64, true);
  AlignedWords bitmap;
  bitmap.Resize(id_bound / 64 + 1, true);
  std::vector<int32_t> out(n * k), want(n * k);
  auto run = [&](const KernelTable& kt, int32_t* dst) {
    for (size_t r = 0; r < n; ++r) {
      std::copy(lists.begin() + r * c, lists.begin() + (r + 1) * c, ids.data());
      kt.select_from_list(ids.data(), c, k, true, static_cast<uint32_t>(Draw(15, r)), id_bound,
                          dst + r * k, keys.data(), bitmap.data());
    }
  };
  run(GenericKernels(), want.data());
  run(K, out.data());
  Check(out == want, "SelectFromList");
  for (auto _ : state) {
    run(K, out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(n * c * state.iterations()));
}

// The arc method's listing of candidates by the s positions of each
// source's own arc (kernels/arc_candidates.h) for n sources of an M x E
// routing whose target arcs all have length t, at random offsets and
// positions (not an aligned routing's geometry, so few tests pass; a test
// costs the same either way). Items are sources.
void ListSourceArcs(benchmark::State& state, const KernelTable& K, size_t M, size_t E,
                    uint32_t t, uint32_t s) {
  const std::vector<uint32_t> length(E, t);
  const std::vector<uint32_t> offset = RandomBelow(E, static_cast<uint32_t>(M), 3);
  std::vector<uint32_t> position(E), target_at(E + kTargetAtPadding, 0);
  for (size_t j = 0; j < E; ++j) position[j] = static_cast<uint32_t>(j);
  for (size_t j = E; j-- > 1;) std::swap(position[j], position[Bounded(Draw(4, j), j + 1)]);
  for (size_t j = 0; j < E; ++j) target_at[position[j]] = static_cast<uint32_t>(j);
  const TargetArcs arcs =
      TargetArcs::Of(M, E, length.data(), offset.data(), position.data(), target_at.data());
  const size_t n = 65536;
  const std::vector<uint32_t> y = RandomBelow(n, static_cast<uint32_t>(M), 5);
  const std::vector<uint32_t> phi = RandomBelow(n, static_cast<uint32_t>(E), 6);
  std::vector<uint32_t> ids(E + kTargetAtPadding);
  using List = size_t (*)(const TargetArcs&, uint32_t, uint32_t, uint32_t, uint32_t*);
  const List list = K.list_by_source_arc;
  auto run = [&](List fn, std::vector<uint32_t>* all) {
    size_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      const size_t c = fn(arcs, s, phi[i], y[i], ids.data());
      if (all != nullptr) {  // each list ascending, as the twin's
        std::sort(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(c));
        all->insert(all->end(), ids.begin(), ids.begin() + static_cast<ptrdiff_t>(c));
      }
      total += c;
    }
    return total;
  };
  std::vector<uint32_t> want, got;
  run(&scalar::Candidates, &want);
  run(list, &got);
  if (got != want) {
    std::fprintf(stderr, "kernels_bench: ListBySourceArc differs from the scalar twin\n");
    std::exit(1);
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(run(list, nullptr));
  }
  state.counters["candidates_per_source"] = static_cast<double>(want.size()) / n;
  state.SetItemsProcessed(static_cast<int64_t>(n * state.iterations()));
}

// fperm over [0, L) (SPEC.md's permutations), through a table of the
// rounds built in the timed loop, as the router does for a whole
// permutation ("table"), or with every round computed ("direct", what a
// short row range of a huge ring does). Items are elements; ns per element
// is 1e9 / items_per_second. Also a Fisher-Yates shuffle of the same length
// (spec v1's permutation) as the yardstick.
void Permute(benchmark::State& state, const KernelTable& K, size_t n, bool table) {
  std::vector<uint32_t> out(n), want(n);
  std::vector<uint16_t> rounds(FeistelTableEntries(n));
  auto run = [&](const KernelTable& k, uint32_t* dst) {
    const uint16_t* t = nullptr;
    if (table) {
      k.build_feistel_table(42, n, 0, rounds.size(), rounds.data());
      t = rounds.data();
    }
    k.feistel_permute(42, n, t, FeistelDirection::kForward, nullptr, 0, n, dst);
  };
  scalar::FeistelPermute(42, n, nullptr, FeistelDirection::kForward, nullptr, 0, n, want.data());
  run(K, out.data());
  Check(out == want, "FeistelPermute");
  for (auto _ : state) {
    run(K, out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(n * state.iterations()));
}

void FisherYates(benchmark::State& state, size_t n) {
  std::vector<uint32_t> p(n);
  for (auto _ : state) {
    for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint32_t>(i);
    uint64_t draws = 0;
    for (size_t i = n; i-- > 1;) std::swap(p[i], p[Bounded(Draw(42, draws++), i + 1)]);
    benchmark::DoNotOptimize(p.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(n * state.iterations()));
}

void RegisterAll() {
  const std::vector<size_t> permutation_sizes = {1000, 4097, 65536, 1000000, 10000000};
  for (size_t n : permutation_sizes) {
    benchmark::RegisterBenchmark(("FisherYates/" + std::to_string(n)).c_str(), FisherYates, n);
  }
  const std::vector<size_t> sizes = {256, 1024, 4096, 16384};
  for (size_t n : sizes) {
    benchmark::RegisterBenchmark(("Memcpy/" + std::to_string(n)).c_str(), Memcpy, n);
    // Every target's table holds the generic FillArcColumns: one row.
    benchmark::RegisterBenchmark(("FillArcColumns/generic/" + std::to_string(n)).c_str(),
                                 [n](benchmark::State& s) { FillArcColumns(s, GenericKernels(), n); });
  }
  for (const std::string& target : SupportedTargetNames()) {
    const KernelTable& K = KernelsFor(target);
    auto add = [&](const char* family, size_t n, auto fn) {
      benchmark::RegisterBenchmark((std::string(family) + "/" + target + "/" + std::to_string(n)).c_str(),
                                   fn);
      (void)n;
    };
    for (size_t n : sizes) {
      add("PackBitRows", n, [&K, n](benchmark::State& s) { Pack(s, K, n); });
      add("CountNonzeroBytes", n, [&K, n](benchmark::State& s) { CountBytes(s, K, n); });
      add("RotateRowsOnRing", n, [&K, n](benchmark::State& s) { Rotate(s, K, n); });
      add("TransposeBits", n, [&K, n](benchmark::State& s) { Transpose(s, K, n, n); });
      add("GatherColumns", n, [&K, n](benchmark::State& s) { GatherColumns(s, K, n); });
      add("AndPopcountRows", n, [&K, n](benchmark::State& s) { AndPopcount(s, K, n); });
      const uint32_t k = static_cast<uint32_t>(n / 8);
      add("SelectRandomK", n,
          [&K, n, k](benchmark::State& s) { Select(s, K, n, n, k, Density::kQuarter, true); });
      add("SelectLowestK", n,
          [&K, n, k](benchmark::State& s) { Select(s, K, n, n, k, Density::kQuarter, false); });
    }
    for (size_t n : permutation_sizes) {
      add("FeistelPermute/table", n, [&K, n](benchmark::State& s) { Permute(s, K, n, true); });
      add("FeistelPermute/direct", n, [&K, n](benchmark::State& s) { Permute(s, K, n, false); });
    }
    // Selection at other densities of 4096 x 4096: dense rows (density
    // 0.58, ~2370 candidates, k = 512) and sparse ones (1/64, ~64
    // candidates, k = 16); and MoE-like short rows, 8192 x 64, k = 2, ~16
    // candidates a row.
    benchmark::RegisterBenchmark(("SelectRandomK/" + target + "/4096/dense").c_str(),
                                 [&K](benchmark::State& s) {
                                   Select(s, K, 4096, 4096, 512, Density::kDense, true);
                                 });
    benchmark::RegisterBenchmark(("SelectRandomK/" + target + "/4096/sparse").c_str(),
                                 [&K](benchmark::State& s) {
                                   Select(s, K, 4096, 4096, 16, Density::kSparse, true);
                                 });
    benchmark::RegisterBenchmark(
        ("SelectRandomK/" + target + "/8192x64").c_str(),
        [&K](benchmark::State& s) { Select(s, K, 8192, 64, 2, Density::kQuarter, true); });
    // A MoE routing's rows, 65536 x 256 with ten candidates a row, k = 8;
    // and the arc method's lists: the same ten of 256 (k = 8), and 80 of
    // 1024 (k = 64).
    benchmark::RegisterBenchmark(
        ("SelectRandomK/" + target + "/65536x256/k8").c_str(),
        [&K](benchmark::State& s) { Select(s, K, 65536, 256, 8, Density::kTen, true); });
    benchmark::RegisterBenchmark(
        ("SelectFromList/" + target + "/10of256/k8").c_str(),
        [&K](benchmark::State& s) { SelectList(s, K, 65536, 256, 10, 8); });
    benchmark::RegisterBenchmark(
        ("SelectFromList/" + target + "/80of1024/k64").c_str(),
        [&K](benchmark::State& s) { SelectList(s, K, 16384, 1024, 80, 64); });
    // The arc method's listing by the source arc: sparse attention's rows,
    // 4096 x 4096 with 64 a row, by the 64 positions of the source's arc.
    benchmark::RegisterBenchmark(
        ("ListBySourceArc/" + target + "/4096x4096/s64").c_str(),
        [&K](benchmark::State& s) { ListSourceArcs(s, K, 4096, 4096, 64, 64); });
    // Rectangular: MoE-like tall-and-narrow and its transpose.
    benchmark::RegisterBenchmark(("TransposeBits/" + target + "/65536x256").c_str(),
                                 [&K](benchmark::State& s) { Transpose(s, K, 65536, 256); });
    benchmark::RegisterBenchmark(("TransposeBits/" + target + "/256x65536").c_str(),
                                 [&K](benchmark::State& s) { Transpose(s, K, 256, 65536); });
  }
}

}  // namespace
}  // namespace phase_router

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  phase_router::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
