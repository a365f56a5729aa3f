// The router: validates once, then runs SPEC.md's pipeline over the kernels of
// the active backend, splitting every stage into row bands across OpenMP
// threads. Every band writes disjoint rows, so the routes never depend on the
// number of threads.
//
// Three identities keep the pipeline short (docs/architecture.md):
//  * Row permutation is folded into the column permutations. Reporting
//    position row a as source rS[a] and column b as target rT[b] is the same
//    as gathering S's columns by pS[rT^-1[.]] and T^T's rows by
//    pT[rS^-1[.]]: no rows are moved and no relabel pass is needed.
//  * A column gather is a row gather of the transpose, and a row gather can
//    be fused into a transpose's reads, so gathering S's columns costs two
//    transposes, and T's column gather fuses into the AND's row reads.
//  * With alignment, rotated rows are arcs, and the transpose of a matrix of
//    arcs can be written directly, row by row (FillArcColumns): the aligned
//    path runs one transpose instead of three.
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <string>

#include "dispatch/dispatch.h"
#include "kernels/bit_matrix.h"
#include "kernels/random.h"
#include "kernels/rotate_rows.h"
#include "phase_router/phase_router.h"
#include "router/workspace.h"

namespace phase_router {

// ---------------------------------------------------------------- workspace

namespace {

constexpr uint64_t kMaxU64 = std::numeric_limits<uint64_t>::max();

uint64_t SatAdd(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? kMaxU64 : r;
}

uint64_t SatMul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kMaxU64 : r;
}

}  // namespace

WorkspaceSizes WorkspaceSizes::For(size_t m, size_t e, size_t threads) {
  WorkspaceSizes z;
  // Beyond 2^40 rows nothing below is meaningful (or free of overflow in
  // the per-thread counts); such a shape needs "everything".
  constexpr size_t kHuge = size_t{1} << 40;
  if (m > kHuge || e > kHuge || threads > kHuge) {
    z.bytes = kMaxU64;
    return z;
  }
  z.stride_e = PaddedStride(WordsFor(e));
  z.stride_m = PaddedStride(WordsFor(m));
  const uint64_t words = std::max(SatMul(m, z.stride_e), SatMul(e, z.stride_m));
  z.matrix_words = SatMul(SatAdd(words, 7) / 8, 8);  // whole 64-byte lines
  z.ids = SatMul(threads, SelectIdsPerThread(e));
  z.keys = SatMul(threads, SelectKeysPerThread(e));
  // s, phi, q_t, counts (M each); t, psi, q_s (E each); perm, inverse;
  // the arc toggles (3 max(M, E) + 1).
  z.u32 = SatAdd(4 * uint64_t{m} + 3 * uint64_t{e} + 5 * uint64_t{std::max(m, e)} + 1, z.ids);
  z.bytes = SatAdd(SatAdd(SatMul(SatMul(3, z.matrix_words), sizeof(uint64_t)),
                          SatMul(z.u32, sizeof(uint32_t))),
                   SatMul(z.keys, sizeof(uint64_t)));
  return z;
}

void AlignedWords::Resize(size_t words) {
  if (words <= size_) return;
  const size_t bytes = ((words * sizeof(uint64_t) + 63) / 64) * 64;
  auto* p = static_cast<uint64_t*>(std::aligned_alloc(64, bytes));
  if (p == nullptr) {
    throw Error(ErrorCode::kOutOfMemory,
                "cannot allocate " + std::to_string(bytes) + " bytes of workspace");
  }
  data_.reset(p);
  size_ = words;
}

void Workspace::Reserve(size_t m, size_t e, size_t threads) {
  const WorkspaceSizes z = WorkspaceSizes::For(m, e, threads);
  M = m;
  E = e;
  stride_e = z.stride_e;
  stride_m = z.stride_m;
  a.Resize(z.matrix_words);
  b.Resize(z.matrix_words);
  c.Resize(z.matrix_words);
  try {
    s.resize(m);
    t.resize(e);
    phi.resize(m);
    psi.resize(e);
    q_s.resize(e);
    q_t.resize(m);
    perm.resize(std::max(m, e));
    inverse.resize(std::max(m, e));
    toggles.resize(3 * std::max(m, e) + 1);
    counts.resize(m);
    ids.resize(z.ids);
    keys.resize(z.keys);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kOutOfMemory, "cannot allocate the " + std::to_string(z.bytes) +
                                             " bytes of workspace of a routing of " +
                                             std::to_string(m) + "x" + std::to_string(e));
  }
}

size_t Workspace::bytes() const {
  return (a.size() + b.size() + c.size()) * sizeof(uint64_t) +
         (s.capacity() + t.capacity() + phi.capacity() + psi.capacity() +
          q_s.capacity() + q_t.capacity() + perm.capacity() +
          inverse.capacity() + toggles.capacity() + counts.capacity() + ids.capacity()) *
             sizeof(uint32_t) +
         keys.capacity() * sizeof(uint64_t);
}

namespace {

// ---------------------------------------------------------------- validation

// Ids are int32 in the output, and every size below must fit its products.
constexpr size_t kMaxSide = static_cast<size_t>(std::numeric_limits<int32_t>::max());
// More OpenMP threads than this is a typo, not a machine; OpenMP would abort
// trying to start them.
constexpr int kMaxThreads = 4096;

std::string Shape(size_t rows, size_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

void CheckShape(size_t M, size_t E, const Options& options) {
  if (M == 0 || E == 0) {
    throw Error(ErrorCode::kBadShape, "empty routing: M = " + std::to_string(M) +
                                          " sources, E = " + std::to_string(E) +
                                          " targets (both must be >= 1)");
  }
  if (M > kMaxSide || E > kMaxSide) {
    throw Error(ErrorCode::kBadShape, "routing " + Shape(M, E) +
                                          " is too large: M and E must be below 2^31");
  }
  if (options.k == 0) throw Error(ErrorCode::kBadOption, "k must be >= 1 (got 0)");
  if (options.k > kMaxSide) {
    throw Error(ErrorCode::kBadOption,
                "k = " + std::to_string(options.k) + " does not fit in int32");
  }
  size_t out_entries = 0, bits = 0;
  if (__builtin_mul_overflow(M, static_cast<size_t>(options.k), &out_entries) ||
      out_entries > std::numeric_limits<size_t>::max() / sizeof(int32_t) ||
      __builtin_mul_overflow(M, WordsFor(E) * kWordBits, &bits)) {
    throw Error(ErrorCode::kBadShape, "routing " + Shape(M, E) + " with k = " +
                                          std::to_string(options.k) +
                                          " overflows the address space");
  }
  if (options.threads < 0 || options.threads > kMaxThreads) {
    throw Error(ErrorCode::kBadOption, "threads = " + std::to_string(options.threads) +
                                           " is out of range: expected 0 (OpenMP's default) "
                                           "to " + std::to_string(kMaxThreads));
  }
}

// S is M x E and T must be E x M.
void CheckPair(size_t s_rows, size_t s_cols, size_t t_rows, size_t t_cols) {
  if (t_rows != s_cols || t_cols != s_rows) {
    throw Error(ErrorCode::kBadShape,
                "shape mismatch: S is " + Shape(s_rows, s_cols) + " (M x E) so T must be " +
                    Shape(s_cols, s_rows) + " (E x M), but T is " + Shape(t_rows, t_cols));
  }
}

// The last byte of a rows x cols view with `stride` elements a row must be
// addressable: (rows - 1) * stride + cols elements of `size` bytes.
void CheckSpan(size_t rows, size_t stride, size_t cols, size_t size, const char* name) {
  size_t elements = 0, bytes = 0;
  if (rows == 0) return;
  if (__builtin_mul_overflow(rows - 1, stride, &elements) ||
      __builtin_add_overflow(elements, cols, &elements) ||
      __builtin_mul_overflow(elements, size, &bytes) ||
      bytes > static_cast<size_t>(std::numeric_limits<ptrdiff_t>::max())) {
    throw Error(ErrorCode::kBadShape, std::string(name) + " with " + std::to_string(rows) +
                                          " rows of stride " + std::to_string(stride) +
                                          " spans more than the address space");
  }
}

void CheckView(const ByteMatrixView& v, const char* name) {
  if (v.data == nullptr) throw Error(ErrorCode::kBadData, std::string(name) + " has no data");
  if (v.stride != 0 && v.stride < v.cols) {
    throw Error(ErrorCode::kBadData, std::string(name) + " stride " +
                                         std::to_string(v.stride) + " is below its width " +
                                         std::to_string(v.cols));
  }
  CheckSpan(v.rows, v.stride ? v.stride : v.cols, v.cols, 1, name);
}

void CheckView(const BitMatrixView& v, const char* name) {
  if (v.words == nullptr) throw Error(ErrorCode::kBadData, std::string(name) + " has no data");
  const size_t words = WordsFor(v.cols);
  if (v.stride != 0 && v.stride < words) {
    throw Error(ErrorCode::kBadData, std::string(name) + " stride " +
                                         std::to_string(v.stride) + " words is below the " +
                                         std::to_string(words) + " a row of " +
                                         std::to_string(v.cols) + " bits needs");
  }
  // The kernels count whole words, so a stray padding bit would count as a
  // phantom candidate: refuse it rather than route on it.
  const size_t stride = v.stride ? v.stride : words;
  CheckSpan(v.rows, stride, words, sizeof(uint64_t), name);
  const uint64_t pad = ~LastWordMask(v.cols);
  if (pad == 0) return;
  for (size_t r = 0; r < v.rows; ++r) {
    if (v.words[r * stride + words - 1] & pad) {
      throw Error(ErrorCode::kBadData, std::string(name) + " row " + std::to_string(r) +
                                           " has bits set beyond column " +
                                           std::to_string(v.cols - 1) +
                                           " (padding bits must be zero)");
    }
  }
}

void CheckDegrees(std::span<const uint32_t> d, size_t ring, const char* name,
                  const char* ring_name) {
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i] > ring) {
      throw Error(ErrorCode::kBadDegree,
                  std::string(name) + "[" + std::to_string(i) + "] = " +
                      std::to_string(d[i]) + " exceeds the ring size " + ring_name +
                      " = " + std::to_string(ring));
    }
  }
}

std::string HumanBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof(text), unit == 0 ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
  return text;
}

int ThreadsFor(size_t M, size_t E, int requested);  // the pipeline's, below

// The memory ceiling (Options::memory_limit): counted from the same formula
// that sizes the workspace, before anything is allocated. `owned_result`:
// the call also allocates the M * k int32 of a Routes.
void CheckMemory(size_t M, size_t E, const Options& options, bool owned_result) {
  const uint64_t limit = options.memory_limit ? options.memory_limit : DefaultMemoryLimit();
  const int threads = ThreadsFor(M, E, options.threads);
  const uint64_t workspace =
      Router::WorkspaceBytesFor(M, E, static_cast<size_t>(threads));
  const uint64_t routes =
      owned_result ? SatMul(SatMul(M, options.k), sizeof(int32_t)) : 0;
  const uint64_t need = SatAdd(workspace, routes);
  if (need <= limit) return;
  throw Error(ErrorCode::kOutOfMemory,
              "routing " + Shape(M, E) + " with k = " + std::to_string(options.k) + " on " +
                  std::to_string(threads) + " thread(s) needs " + std::to_string(need) +
                  " bytes (" + HumanBytes(need) + ": " + std::to_string(workspace) +
                  " of workspace + " + std::to_string(routes) +
                  " of routes), over the memory limit of " +
                  std::to_string(limit) + " bytes (" + HumanBytes(limit) +
                  "); raise memory_limit to allow it");
}

// ---------------------------------------------------------------- pipeline

using Clock = std::chrono::steady_clock;

// Accumulates milliseconds per named stage, keeping first-seen order.
class StageTimer {
 public:
  explicit StageTimer(Stats* stats) : stats_(stats), start_(Clock::now()) {}
  void Stop(const char* stage) {
    const Clock::time_point now = Clock::now();
    if (stats_) {
      const double ms = std::chrono::duration<double, std::milli>(now - start_).count();
      auto it = std::find_if(stats_->stage_ms.begin(), stats_->stage_ms.end(),
                             [&](const auto& p) { return p.first == stage; });
      if (it == stats_->stage_ms.end()) {
        stats_->stage_ms.emplace_back(stage, ms);
      } else {
        it->second += ms;
      }
    }
    start_ = now;
  }

 private:
  Stats* stats_;
  Clock::time_point start_;
};

// Runs body(begin, end) over [0, n) in bands of `grain` on `threads` threads.
template <class Body>
void ParallelBands(size_t n, size_t grain, int threads, const Body& body) {
  const size_t bands = (n + grain - 1) / grain;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (bands > 1)
  for (size_t band = 0; band < bands; ++band) {
    body(band * grain, std::min(n, (band + 1) * grain));
  }
}

// dst (cols x rows) = transpose of src (rows x cols) read through row_index,
// in tiles of kTransposeWords source word columns x kTransposeRows source
// rows. Tiles write disjoint words of dst, and a tile is wide enough for the
// widest vector (8 words) yet small enough to give every thread work.
void TransposeParallel(const KernelTable& K, const uint64_t* src, size_t src_stride,
                       const uint32_t* row_index, size_t rows, size_t cols,
                       uint64_t* dst, size_t dst_stride, int threads) {
  constexpr size_t kTransposeWords = 16, kTransposeRows = 1024;
  const size_t words = WordsFor(cols);
  const size_t word_bands = (words + kTransposeWords - 1) / kTransposeWords;
  const size_t row_bands = (rows + kTransposeRows - 1) / kTransposeRows;
  ParallelBands(word_bands * row_bands, 1, threads, [&](size_t t0, size_t t1) {
    for (size_t t = t0; t < t1; ++t) {
      const size_t w = (t % word_bands) * kTransposeWords;
      const size_t r = (t / word_bands) * kTransposeRows;
      const size_t band_cols = std::min(kTransposeWords * kWordBits, cols - w * kWordBits);
      const size_t band_rows = std::min(kTransposeRows, rows - r);
      K.transpose_bits(src + (row_index ? 0 : r * src_stride) + w, src_stride,
                       row_index ? row_index + r : nullptr, band_rows, band_cols,
                       dst + w * kWordBits * dst_stride + r / kWordBits, dst_stride);
    }
  });
}

// Row grain for the row-parallel stages: enough work per band to amortize
// scheduling, enough bands to balance.
size_t RowGrain(size_t rows, int threads) {
  return std::max<size_t>(1, std::min<size_t>(256, rows / (8 * threads) + 1));
}

// Threads for one call: the requested number, else OpenMP's default; but a
// routing below kParallelBits bits runs on the calling thread alone, where
// waking a team would cost more than the whole pipeline.
constexpr uint64_t kParallelBits = uint64_t{1} << 20;
int ThreadsFor(size_t M, size_t E, int requested) {
  if (static_cast<uint64_t>(M) * E < kParallelBits) return 1;
  return requested > 0 ? requested : omp_get_max_threads();
}

// Phase offsets: exclusive prefix sums of the degrees, mod the ring.
void PhaseOffsets(const uint32_t* degrees, size_t n, size_t ring, uint32_t* offsets) {
  uint64_t sum = 0;
  for (size_t i = 0; i < n; ++i) {
    offsets[i] = static_cast<uint32_t>(sum);
    sum = (sum + degrees[i]) % ring;
  }
}

// q[c] = p[r^-1[c]] with p = perm(domain_key(column)), r = perm(domain_key(row)):
// where column c of the relabelled matrix comes from.
void FoldedPermutation(uint64_t seed, Domain column, Domain row, size_t n,
                       uint32_t* scratch, uint32_t* inverse, uint32_t* q) {
  Perm(DomainKey(seed, row), n, scratch);
  for (size_t b = 0; b < n; ++b) inverse[scratch[b]] = static_cast<uint32_t>(b);
  Perm(DomainKey(seed, column), n, scratch);
  for (size_t c = 0; c < n; ++c) q[c] = scratch[inverse[c]];
}

// Where the rows come from.
struct Input {
  enum Kind { kDegrees, kBytes, kBits } kind;
  std::span<const uint32_t> s_degrees, t_degrees;
  ByteMatrixView s_bytes, t_bytes;
  BitMatrixView s_bits, t_bits;
};

}  // namespace

struct Router::Impl {
  Workspace ws;

  void Run(const Input& in, size_t M, size_t E, const Options& options, int32_t* out,
           Stats* stats);
};

void Router::Impl::Run(const Input& in, size_t M, size_t E, const Options& options,
                       int32_t* out, Stats* stats) {
  const Clock::time_point t_begin = Clock::now();
  const KernelTable& K = ActiveKernels();
  const int threads = ThreadsFor(M, E, options.threads);
  if (stats) *stats = Stats{};
  StageTimer timer(stats);

  Workspace& w = ws;
  w.Reserve(M, E, static_cast<size_t>(threads));
  // Strides of the M x E and E x M matrices, and the words a row uses.
  const size_t we = w.stride_e, wm = w.stride_m;
  const size_t words_e = WordsFor(E), words_m = WordsFor(M);
  uint64_t* A = w.a.data();
  uint64_t* B = w.b.data();
  uint64_t* C = w.c.data();
  const bool align = in.kind == Input::kDegrees || options.align;

  // Degrees (and, without alignment, the packed rows they come from).
  const uint64_t* s_rows = nullptr;  // unaligned S / T as packed bits
  const uint64_t* t_rows = nullptr;
  size_t s_stride = 0, t_stride = 0;
  if (in.kind == Input::kDegrees) {
    std::copy(in.s_degrees.begin(), in.s_degrees.end(), w.s.begin());
    std::copy(in.t_degrees.begin(), in.t_degrees.end(), w.t.begin());
  } else if (in.kind == Input::kBits) {
    s_rows = in.s_bits.words;
    t_rows = in.t_bits.words;
    s_stride = in.s_bits.stride ? in.s_bits.stride : words_e;
    t_stride = in.t_bits.stride ? in.t_bits.stride : words_m;
    // a & a = a: the AND kernel with no output is a row popcount.
    ParallelBands(M, RowGrain(M, threads), threads, [&](size_t r0, size_t r1) {
      K.and_popcount_rows(s_rows + r0 * s_stride, s_stride, s_rows + r0 * s_stride,
                          s_stride, nullptr, r1 - r0, words_e, nullptr, 0, &w.s[r0]);
    });
    ParallelBands(E, RowGrain(E, threads), threads, [&](size_t r0, size_t r1) {
      K.and_popcount_rows(t_rows + r0 * t_stride, t_stride, t_rows + r0 * t_stride,
                          t_stride, nullptr, r1 - r0, words_m, nullptr, 0, &w.t[r0]);
    });
  } else {  // bytes: count the nonzero entries of each row
    const ByteMatrixView& S = in.s_bytes;
    const ByteMatrixView& T = in.t_bytes;
    const size_t ss = S.stride ? S.stride : S.cols, ts = T.stride ? T.stride : T.cols;
    ParallelBands(M, RowGrain(M, threads), threads, [&](size_t r0, size_t r1) {
      for (size_t r = r0; r < r1; ++r) {
        const uint8_t* row = S.data + r * ss;
        w.s[r] = static_cast<uint32_t>(E - std::count(row, row + E, uint8_t{0}));
      }
    });
    ParallelBands(E, RowGrain(E, threads), threads, [&](size_t r0, size_t r1) {
      for (size_t r = r0; r < r1; ++r) {
        const uint8_t* row = T.data + r * ts;
        w.t[r] = static_cast<uint32_t>(M - std::count(row, row + M, uint8_t{0}));
      }
    });
  }
  timer.Stop("degrees");

  PhaseOffsets(w.s.data(), M, E, w.phi.data());
  PhaseOffsets(w.t.data(), E, M, w.psi.data());
  timer.Stop("phase_offsets");

  // Column permutations, with the optional row permutations folded in.
  uint32_t* q_s = w.q_s.data();
  uint32_t* q_t = w.q_t.data();
  if (options.row_perm) {
    FoldedPermutation(options.seed, Domain::kSourceColumns, Domain::kTargetRows, E,
                      w.perm.data(), w.inverse.data(), q_s);
    FoldedPermutation(options.seed, Domain::kTargetColumns, Domain::kSourceRows, M,
                      w.perm.data(), w.inverse.data(), q_t);
  } else {
    Perm(DomainKey(options.seed, Domain::kSourceColumns), E, q_s);
    Perm(DomainKey(options.seed, Domain::kTargetColumns), M, q_t);
  }
  timer.Stop("permutations");

  const size_t grain_m = RowGrain(M, threads), grain_e = RowGrain(E, threads);
  if (align) {
    // Aligned rows rotated are arcs, and the transpose of a matrix of arcs
    // can be written row by row directly (FillArcColumns): S's first
    // transpose and T's transpose never run.
    //   rotate:  V = S_rot^T -> B (E x M)
    //   gather:  S' = V[q_s]^T -> A
    //   rotate:  U = T_rot^T -> B (M x E)
    auto fill_transposed_arcs = [&](const uint32_t* lengths, const uint32_t* offsets,
                                    size_t arcs, size_t ring, size_t stride, size_t grain) {
      uint32_t* begin = w.toggles.data();
      uint32_t* ids = begin + ring + 1;
      BuildArcToggles(lengths, offsets, arcs, ring, begin, ids);
      ParallelBands(ring, grain, threads, [&](size_t y0, size_t y1) {
        K.fill_arc_columns(lengths, offsets, arcs, ring, ArcToggles{begin, ids}, y0, y1,
                           B + y0 * stride, stride);
      });
      timer.Stop("rotate");
    };
    fill_transposed_arcs(w.s.data(), w.phi.data(), M, E, wm, grain_e);
    TransposeParallel(K, B, wm, q_s, E, M, A, we, threads);
    timer.Stop("gather");
    fill_transposed_arcs(w.t.data(), w.psi.data(), E, M, we, grain_m);
  } else {
    // Rotation on the true rings: S_rot -> A, T_rot -> C. Byte input is
    // packed into B first, one side at a time (B is free until the
    // transposes).
    auto pack_then_rotate = [&](const ByteMatrixView* bytes, const uint64_t* bits,
                                size_t bits_stride, size_t rows, size_t ring,
                                size_t words, const uint32_t* offsets, uint64_t* dst,
                                size_t grain) {
      if (bytes) {
        const size_t bs = bytes->stride ? bytes->stride : bytes->cols;
        ParallelBands(rows, grain, threads, [&](size_t r0, size_t r1) {
          K.pack_bit_rows(bytes->data + r0 * bs, bs, r1 - r0, ring, B + r0 * words,
                          words, nullptr);
        });
        bits = B;
        bits_stride = words;
        timer.Stop("pack");
      }
      ParallelBands(rows, grain, threads, [&](size_t r0, size_t r1) {
        K.rotate_rows_on_ring(bits + r0 * bits_stride, bits_stride, r1 - r0, ring,
                              offsets + r0, dst + r0 * words, words);
      });
      timer.Stop("rotate");
    };
    const bool bytes = in.kind == Input::kBytes;
    pack_then_rotate(bytes ? &in.s_bytes : nullptr, s_rows, s_stride, M, E, we,
                     w.phi.data(), A, grain_m);
    pack_then_rotate(bytes ? &in.t_bytes : nullptr, t_rows, t_stride, E, M, wm,
                     w.psi.data(), C, grain_e);

    // S's column gather: V = S_rot^T -> B (E x M), then S' = V[q_s]^T -> A.
    TransposeParallel(K, A, we, nullptr, M, E, B, wm, threads);
    TransposeParallel(K, B, wm, q_s, E, M, A, we, threads);
    timer.Stop("gather");

    // T's transpose: U = T_rot^T -> B (M x E).
    TransposeParallel(K, C, wm, nullptr, E, M, B, we, threads);
    timer.Stop("transpose");
  }

  // Candidates: O = S' & U[q_t] -> C, and their counts.
  uint32_t* counts = w.counts.data();
  ParallelBands(M, grain_m, threads, [&](size_t r0, size_t r1) {
    K.and_popcount_rows(A + r0 * we, we, B, we, q_t + r0, r1 - r0, words_e, C + r0 * we, we,
                        counts + r0);
  });
  timer.Stop("and_popcount");

  const uint32_t k = options.k;
  const uint64_t selection_key = DomainKey(options.seed, Domain::kSelection);
  ParallelBands(M, grain_m, threads, [&](size_t r0, size_t r1) {
    const size_t tid = static_cast<size_t>(omp_get_thread_num());
    uint32_t* ids = w.ids.data() + tid * SelectIdsPerThread(E);
    uint64_t* keys = w.keys.data() + tid * SelectKeysPerThread(E);
    for (size_t r = r0; r < r1; ++r) {
      int32_t* row_out = out + r * k;
      if (options.select == Select::kLowest) {
        K.select_lowest_k(C + r * we, E, counts[r], k, row_out);
      } else {
        K.select_random_k(C + r * we, E, counts[r], k, Draw(selection_key, r), row_out,
                          ids, keys);
      }
    }
  });
  timer.Stop("select");

  if (stats) {
    ComputeRouteStats(out, M, E, k, stats);
    uint64_t sum = 0;
    uint32_t lo = std::numeric_limits<uint32_t>::max(), hi = 0;
    for (size_t i = 0; i < M; ++i) {
      sum += counts[i];
      lo = std::min(lo, counts[i]);
      hi = std::max(hi, counts[i]);
    }
    stats->candidates_min = lo;
    stats->candidates_max = hi;
    stats->candidates_mean = static_cast<double>(sum) / static_cast<double>(M);
    stats->backend = K.name;
    stats->route_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - t_begin).count();
  }
}

// ---------------------------------------------------------------- API

Router::Router() : impl_(std::make_unique<Impl>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

size_t Router::workspace_bytes() const { return impl_->ws.bytes(); }

uint64_t Router::WorkspaceBytesFor(size_t M, size_t E, size_t threads) {
  return WorkspaceSizes::For(M, E, threads).bytes;
}

uint64_t DefaultMemoryLimit() {
  static const uint64_t limit = [] {
    constexpr uint64_t k16GiB = uint64_t{16} << 30;
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page_size <= 0) return k16GiB;
    const uint64_t physical =
        SatMul(static_cast<uint64_t>(pages), static_cast<uint64_t>(page_size));
    return std::min(k16GiB, physical / 2);
  }();
  return limit;
}

namespace {

// Validation of each kind of request, all before anything is allocated.
Input CheckedBytes(const ByteMatrixView& S, const ByteMatrixView& T, const Options& options) {
  CheckShape(S.rows, S.cols, options);
  CheckPair(S.rows, S.cols, T.rows, T.cols);
  CheckView(S, "S");
  CheckView(T, "T");
  return Input{Input::kBytes, {}, {}, S, T, {}, {}};
}

Input CheckedBits(const BitMatrixView& S, const BitMatrixView& T, const Options& options) {
  CheckShape(S.rows, S.cols, options);
  CheckPair(S.rows, S.cols, T.rows, T.cols);
  CheckView(S, "S");
  CheckView(T, "T");
  return Input{Input::kBits, {}, {}, {}, {}, S, T};
}

Input CheckedDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                     const Options& options) {
  CheckShape(s.size(), t.size(), options);
  CheckDegrees(s, t.size(), "s", "E");
  CheckDegrees(t, s.size(), "t", "M");
  return Input{Input::kDegrees, s, t, {}, {}, {}, {}};
}

}  // namespace

void Router::Route(const ByteMatrixView& S, const ByteMatrixView& T, const Options& options,
                   int32_t* out, Stats* stats) {
  const Input in = CheckedBytes(S, T, options);
  if (out == nullptr) throw Error(ErrorCode::kBadData, "output buffer is null");
  CheckMemory(S.rows, S.cols, options, false);
  impl_->Run(in, S.rows, S.cols, options, out, stats);
}

void Router::Route(const BitMatrixView& S, const BitMatrixView& T, const Options& options,
                   int32_t* out, Stats* stats) {
  const Input in = CheckedBits(S, T, options);
  if (out == nullptr) throw Error(ErrorCode::kBadData, "output buffer is null");
  CheckMemory(S.rows, S.cols, options, false);
  impl_->Run(in, S.rows, S.cols, options, out, stats);
}

void Router::RouteDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                          const Options& options, int32_t* out, Stats* stats) {
  const Input in = CheckedDegrees(s, t, options);
  if (out == nullptr) throw Error(ErrorCode::kBadData, "output buffer is null");
  CheckMemory(s.size(), t.size(), options, false);
  impl_->Run(in, s.size(), t.size(), options, out, stats);
}

namespace {

// The calls that return Routes: the input is validated by the caller; the
// ceiling counts the result too, so a refused request never allocates its
// M * k ids. run(out) routes into them.
template <class Run>
Routes OwnedRoutes(size_t M, size_t E, const Options& options, const Run& run) {
  CheckMemory(M, E, options, true);
  Routes routes;
  routes.M = M;
  routes.k = options.k;
  try {
    routes.ids.resize(M * options.k);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kOutOfMemory, "cannot allocate the " +
                                             std::to_string(M * options.k * sizeof(int32_t)) +
                                             " bytes of " + Shape(M, options.k) + " routes");
  }
  run(routes.ids.data());
  return routes;
}

}  // namespace

Routes Router::Route(const ByteMatrixView& S, const ByteMatrixView& T, const Options& options,
                     Stats* stats) {
  const Input in = CheckedBytes(S, T, options);
  return OwnedRoutes(S.rows, S.cols, options, [&](int32_t* out) {
    impl_->Run(in, S.rows, S.cols, options, out, stats);
  });
}

Routes Router::Route(const BitMatrixView& S, const BitMatrixView& T, const Options& options,
                     Stats* stats) {
  const Input in = CheckedBits(S, T, options);
  return OwnedRoutes(S.rows, S.cols, options, [&](int32_t* out) {
    impl_->Run(in, S.rows, S.cols, options, out, stats);
  });
}

Routes Router::RouteDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                            const Options& options, Stats* stats) {
  const Input in = CheckedDegrees(s, t, options);
  return OwnedRoutes(s.size(), t.size(), options, [&](int32_t* out) {
    impl_->Run(in, s.size(), t.size(), options, out, stats);
  });
}

Routes Route(const ByteMatrixView& S, const ByteMatrixView& T, const Options& options,
             Stats* stats) {
  return Router().Route(S, T, options, stats);
}

Routes Route(const BitMatrixView& S, const BitMatrixView& T, const Options& options,
             Stats* stats) {
  return Router().Route(S, T, options, stats);
}

Routes RouteDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                    const Options& options, Stats* stats) {
  return Router().RouteDegrees(s, t, options, stats);
}

}  // namespace phase_router
