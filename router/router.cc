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
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <string>

#include "dispatch/dispatch.h"
#include "kernels/arc_candidates.h"
#include "kernels/bit_matrix.h"
#include "kernels/random.h"
#include "kernels/rotate_rows.h"
#include "kernels/target_layout.h"
#include "phase_router/phase_router.h"
#include "router/pipeline.h"
#include "router/validation.h"
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
    z.ids = SatMul(threads, e);
    z.keys = SatMul(threads, e);
    z.bitmap = SatMul(threads, BitmapWordsPerThread(e));
    z.u32 = SatAdd(z.u32, SatAdd(3 * uint64_t{e} + 2, SatAdd(z.ids, z.keys)));
    z.u64 = SatAdd(z.u64, z.bitmap);
  } else {
    z.stride_e = PaddedStride(WordsFor(e));
    z.stride_r = PaddedStride(WordsFor(rows));
    const uint64_t words = std::max(SatMul(rows, z.stride_e), SatMul(e, z.stride_r));
    z.matrix_words = SatMul(SatAdd(words, 7) / 8, 8);  // whole 64-byte lines
    z.ids = SatMul(threads, SelectIdsPerThread(e));
    z.keys = SatMul(threads, SelectKeysPerThread(e));
    // The arc toggles (3 max(M, E) + 1); selection ids and keys.
    z.u32 = SatAdd(z.u32, SatAdd(3 * big + 1, SatAdd(z.ids, z.keys)));
    if (plan.partial()) {
      z.u32 = SatAdd(z.u32, m);  // row_of
      // One running row per thread (aligned), or a window of T_rot and its
      // transpose per thread (unaligned).
      const uint64_t per_thread =
          plan.aligned ? z.stride_e
                       : SatAdd(SatMul(e, kTileWords), SatMul(kTileWords * kWordBits, z.stride_e));
      z.tile_words = SatMul(threads, per_thread);
    }
  }
  z.bytes = SatAdd(SatAdd(SatMul(SatAdd(SatMul(3, z.matrix_words), z.tile_words),
                                 sizeof(uint64_t)),
                          SatMul(z.u32, sizeof(uint32_t))),
                   SatAdd(SatMul(z.u64, sizeof(uint64_t)), SatMul(z.rounds, sizeof(uint16_t))));
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

void Workspace::Reserve(const Plan& plan) {
  const WorkspaceSizes z = WorkspaceSizes::For(plan);
  const size_t m = plan.M, e = plan.E, rows = plan.rows(), big = std::max(m, e);
  M = m;
  E = e;
  stride_e = z.stride_e;
  stride_r = z.stride_r;
  a.Resize(z.matrix_words);
  b.Resize(z.matrix_words);
  c.Resize(z.matrix_words);
  tiles.Resize(z.tile_words);
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
    ids.resize(z.ids);
    keys.resize(z.keys);
    bitmap.resize(z.bitmap);
    rounds.resize(z.rounds);
    if (plan.arcs) {
      target_at.resize(e);
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
  auto u64 = [](const std::vector<uint64_t>& v) { return v.capacity() * sizeof(uint64_t); };
  return (a.size() + b.size() + c.size() + tiles.size()) * sizeof(uint64_t) + u32(s) + u32(t) +
         u32(phi) + u32(psi) + u32(order) + u32(t_arc) + u32(q_s) + u32(q_t) + u32(toggles) +
         u32(row_of) + u32(target_at) + u32(first) + u32(counts) + u32(ids) + u32(keys) +
         u64(start) + u64(bitmap) + rounds.capacity() * sizeof(uint16_t);
}

namespace {

// ---------------------------------------------------------------- validation

// Ids are int32 in the output, and every size below must fit its products.
constexpr size_t kMaxSide = static_cast<size_t>(std::numeric_limits<int32_t>::max());

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
  CheckThreads(options);
  const size_t row_end = options.row_end ? options.row_end : M;
  if (options.row_begin >= row_end || row_end > M) {
    throw Error(ErrorCode::kBadOption,
                "row range [" + std::to_string(options.row_begin) + ", " +
                    std::to_string(row_end) + ") is not a non-empty range of the M = " +
                    std::to_string(M) + " sources");
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

// Threads for one call: the requested number, else OpenMP's default; but a
// routing below kParallelBits bits (rows routed x E) runs on the calling
// thread alone, where waking a team would cost more than the whole call.
constexpr uint64_t kParallelBits = uint64_t{1} << 20;
int ThreadsFor(size_t rows, size_t E, const Options& options) {
  if (static_cast<uint64_t>(rows) * E < kParallelBits) return 1;
  return ThreadsOf(options);
}

// Where the rows come from.
struct Input {
  enum Kind { kDegrees, kBytes, kBits } kind;
  std::span<const uint32_t> s_degrees, t_degrees;
  ByteMatrixView s_bytes, t_bytes;
  BitMatrixView s_bits, t_bits;
};

// Row popcounts of S (source side) or T, rows [r0, r1), into out[r - r0].
void CountRows(const KernelTable& K, const Input& in, bool source_side, size_t r0, size_t r1,
               uint32_t* out) {
  if (in.kind == Input::kDegrees) {
    const auto& d = source_side ? in.s_degrees : in.t_degrees;
    std::copy(d.begin() + r0, d.begin() + r1, out);
  } else if (in.kind == Input::kBits) {
    const BitMatrixView& v = source_side ? in.s_bits : in.t_bits;
    const size_t words = WordsFor(v.cols), stride = v.stride ? v.stride : words;
    const uint64_t* rows = v.words + r0 * stride;
    // a & a = a: the AND kernel with no output is a row popcount.
    K.and_popcount_rows(rows, stride, rows, stride, nullptr, r1 - r0, words, nullptr, 0, out);
  } else {
    const ByteMatrixView& v = source_side ? in.s_bytes : in.t_bytes;
    const size_t stride = v.stride ? v.stride : v.cols;
    for (size_t r = r0; r < r1; ++r) {
      const uint8_t* row = v.data + r * stride;
      out[r - r0] = static_cast<uint32_t>(v.cols - std::count(row, row + v.cols, uint8_t{0}));
    }
  }
}

// ---------------------------------------------------------------- the plan

// The cost model (docs/scale.md): nanoseconds per routed row on one core,
// fitted to bench/scale_bench.cc's one-thread runs on Zen 4 (the per-method
// times of 24 shapes across M, E, k and density). With H = ceil(Σt / M) the
// arcs over a position and c_i = s_i Σt / (E M) the expected candidates:
//   arcs: kArcRowNs + kArcTestNs * min(s_i, kSearchCost * H) + kArcCandidateNs * c_i
//   bits: kBitRowNs + kBitWordNs * ceil(E / 64)              + kBitCandidateNs * c_i
// The bit path pays per word of the row (fill, gather transpose, AND, the
// selection's scan) and little per candidate (vector key hashing); the arc
// path pays per test and more per candidate (scalar keys, a sort).
constexpr double kArcRowNs = 40, kArcTestNs = 1.7, kArcCandidateNs = 6;
constexpr double kBitRowNs = 95, kBitWordNs = 5.3, kBitCandidateNs = 0.7;

bool ArcsCheaper(const KernelTable& K, const Input& in, const Plan& plan) {
  uint64_t total = 0;
  constexpr size_t kChunk = 1024;
  uint32_t degrees[kChunk];
  for (size_t j = 0; j < plan.E; j += kChunk) {
    const size_t n = std::min(kChunk, plan.E - j);
    CountRows(K, in, false, j, j + n, degrees);
    for (size_t x = 0; x < n; ++x) total += degrees[x];
  }
  const double M = static_cast<double>(plan.M), E = static_cast<double>(plan.E);
  const double search =
      std::ceil(static_cast<double>(total) / M) * static_cast<double>(ArcCostModel::kSearchCost);
  const double candidates_per_degree = static_cast<double>(total) / (E * M);
  const double bit_row = kBitRowNs + kBitWordNs * static_cast<double>(WordsFor(plan.E));
  double arcs = 0, bits = 0;
  for (size_t i = plan.row_begin; i < plan.row_end; i += kChunk) {
    const size_t n = std::min(kChunk, plan.row_end - i);
    CountRows(K, in, true, i, i + n, degrees);
    for (size_t x = 0; x < n; ++x) {
      const double s = degrees[x], c = s * candidates_per_degree;
      arcs += kArcRowNs + kArcTestNs * std::min(s, search) + kArcCandidateNs * c;
      bits += bit_row + kBitCandidateNs * c;
    }
  }
  return arcs < bits;
}

uint64_t MemoryLimit(const Options& options) {
  return options.memory_limit ? options.memory_limit : DefaultMemoryLimit();
}

// The memory ceiling (Options::memory_limit): counted from the same formula
// that sizes the workspace, before anything is allocated. `routes`: the
// bytes of an owned result, 0 when the caller holds the output.
void CheckMemory(const Plan& plan, const Options& options, uint64_t routes) {
  const uint64_t limit = MemoryLimit(options);
  const uint64_t workspace = WorkspaceSizes::For(plan).bytes;
  const uint64_t need = SatAdd(workspace, routes);
  if (need <= limit) return;
  std::string range;
  if (plan.partial()) {
    range = " rows [" + std::to_string(plan.row_begin) + ", " + std::to_string(plan.row_end) +
            ")";
  }
  throw Error(ErrorCode::kOutOfMemory,
              "routing " + Shape(plan.M, plan.E) + range + " with k = " +
                  std::to_string(options.k) + " by " + (plan.arcs ? "arcs" : "bits") +
                  " on " + std::to_string(plan.threads) + " thread(s) needs " +
                  std::to_string(need) + " bytes (" + HumanBytes(need) + ": " +
                  std::to_string(workspace) + " of workspace + " + std::to_string(routes) +
                  " of routes), over the memory limit of " + std::to_string(limit) +
                  " bytes (" + HumanBytes(limit) + "); raise memory_limit to allow it");
}

// Decides what a call routes and how, and checks it fits, before anything
// is allocated. Input already validated.
Plan PlanRouting(const Input& in, size_t M, size_t E, const Options& options,
                 uint64_t routes) {
  Plan plan;
  plan.M = M;
  plan.E = E;
  plan.row_begin = options.row_begin;
  plan.row_end = options.row_end ? options.row_end : M;
  plan.aligned = in.kind == Input::kDegrees || options.align;
  plan.degrees = in.kind == Input::kDegrees;
  plan.row_perm = options.row_perm;
  // The arc method's work is per source, not per bit: narrow routings
  // still spread over threads from a few thousand sources.
  auto set_method = [&](bool arcs) {
    plan.arcs = arcs;
    plan.threads = static_cast<size_t>(
        ThreadsFor(plan.rows(), arcs ? std::max<size_t>(E, 256) : E, options));
  };
  set_method(false);
  switch (options.method) {
    case Method::kArcs:
      if (!plan.aligned) {
        throw Error(ErrorCode::kBadOption,
                    "method arcs needs aligned input (degree vectors, or matrices with "
                    "align on); this call has align off");
      }
      set_method(true);
      break;
    case Method::kBits:
      break;
    case Method::kAuto:
      if (plan.aligned) {
        set_method(ArcsCheaper(ActiveKernels(), in, plan));
        // Bit matrices over the ceiling: the arcs may still fit.
        if (!plan.arcs && SatAdd(WorkspaceSizes::For(plan).bytes, routes) > MemoryLimit(options)) {
          set_method(true);
          if (SatAdd(WorkspaceSizes::For(plan).bytes, routes) > MemoryLimit(options)) {
            set_method(false);  // neither fits: report the bits' need
          }
        }
      }
      break;
    default:
      throw Error(ErrorCode::kBadOption, "unknown method " +
                                             std::to_string(static_cast<int>(options.method)));
  }
  CheckMemory(plan, options, routes);
  return plan;
}

// ---------------------------------------------------------------- pipeline

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

// Row ranges of unaligned routings: the rows of U = T_rot^T at the positions
// routed (row_of[y] != kNoRow) go to dst + row_of[y] * dst_stride, without
// rotating T as a whole. Per tile of kTileWords * 64 positions, each target's
// window of T_rot is read off its unrotated row (ExtractRingWindow) and the
// E x 512 tile transposed; tiles with no position routed are skipped.
void ReadTargetColumns(const KernelTable& K, const Input& in, const Plan& plan,
                       const uint32_t* psi, const uint32_t* row_of, Workspace& w,
                       uint64_t* dst, size_t dst_stride) {
  constexpr size_t kTileBits = kTileWords * kWordBits, kTransposeRows = 1024;
  const size_t M = plan.M, E = plan.E, words_e = WordsFor(E);
  const size_t per_thread = E * kTileWords + kTileBits * w.stride_e;
  const size_t tiles = (M + kTileBits - 1) / kTileBits;
  const bool bits = in.kind == Input::kBits;
  const size_t t_stride = bits ? (in.t_bits.stride ? in.t_bits.stride : WordsFor(M))
                               : (in.t_bytes.stride ? in.t_bytes.stride : M);
  ParallelBands(tiles, 1, static_cast<int>(plan.threads), [&](size_t t0, size_t t1) {
    uint64_t* window = w.tiles.data() + static_cast<size_t>(omp_get_thread_num()) * per_thread;
    uint64_t* columns = window + E * kTileWords;
    for (size_t tile = t0; tile < t1; ++tile) {
      const size_t y0 = tile * kTileBits, n = std::min(kTileBits, M - y0);
      if (std::all_of(row_of + y0, row_of + y0 + n, [](uint32_t r) { return r == kNoRow; })) {
        continue;
      }
      for (size_t j = 0; j < E; ++j) {
        const size_t begin = (y0 + M - psi[j]) % M;  // T_rot[j][y] = T[j][(y - psi_j) mod M]
        if (bits) {
          generic::ExtractRingWindow(in.t_bits.words + j * t_stride, M, begin, kTileWords,
                                     window + j * kTileWords);
        } else {
          ExtractRingWindowBytes(in.t_bytes.data + j * t_stride, M, begin, kTileWords,
                                 window + j * kTileWords);
        }
      }
      for (size_t r = 0; r < E; r += kTransposeRows) {
        K.transpose_bits(window + r * kTileWords, kTileWords, nullptr,
                         std::min(kTransposeRows, E - r), n, columns + r / kWordBits,
                         w.stride_e);
      }
      for (size_t c = 0; c < n; ++c) {
        if (row_of[y0 + c] == kNoRow) continue;
        std::memcpy(dst + row_of[y0 + c] * dst_stride, columns + c * w.stride_e,
                    words_e * sizeof(uint64_t));
      }
    }
  });
}

}  // namespace

// SPEC.md step 2's tiling rule. The auto rule needs Σ s_i over every
// source (`before`: those before the range): degree vectors are summed in
// place; matrices have their rows past the range counted into w.s first
// (only then).
bool Tiles(const KernelTable& K, const Input& in, const Plan& plan, const Options& options,
           const uint32_t* s, uint64_t before, Workspace& w) {
  if (!plan.aligned || options.tiling == Tiling::kOff) return false;
  uint64_t L = 0;
  for (size_t j = 0; j < plan.E; ++j) L += w.t[j];
  if (L < plan.M) return false;
  if (options.tiling == Tiling::kOn) return true;
  if (!plan.degrees && plan.row_end < plan.M) {
    const int threads = static_cast<int>(plan.threads);
    const size_t rest = plan.M - plan.row_end;
    ParallelBands(rest, RowGrain(rest, threads), threads, [&](size_t r0, size_t r1) {
      CountRows(K, in, true, plan.row_end + r0, plan.row_end + r1, &w.s[plan.row_end + r0]);
    });
  }
  const uint64_t sum_s = before + SumOfDegrees(s, plan.row_begin, plan.M);
  return AutoTilingHolds(L, plan.M, sum_s, options.k, plan.E);
}

struct Router::Impl {
  Workspace ws;

  void Run(const Input& in, const Plan& plan, const Options& options, int32_t* out,
           Stats* stats);
  void RunBits(const KernelTable& K, const Input& in, const Plan& plan, const Options& options,
               const uint32_t* s, int32_t* out, StageTimer& timer);
  // A call into the caller's buffer: plan (checking the ceiling), then route.
  void RouteInto(const Input& in, size_t M, size_t E, const Options& options, int32_t* out,
                 Stats* stats);
  // The calls that return Routes: the ceiling counts the result too, so a
  // refused request never allocates its rows * k ids.
  Routes RouteOwned(const Input& in, size_t M, size_t E, const Options& options, Stats* stats);
};

void Router::Impl::Run(const Input& in, const Plan& plan, const Options& options, int32_t* out,
                       Stats* stats) {
  const Clock::time_point t_begin = Clock::now();
  const KernelTable& K = ActiveKernels();
  const int threads = static_cast<int>(plan.threads);
  if (stats) *stats = Stats{};
  StageTimer timer(stats);

  Workspace& w = ws;
  w.Reserve(plan);
  const size_t M = plan.M, E = plan.E, rows = plan.rows(), first_row = plan.row_begin;

  // Degrees of every source up to the range's end (the phase offsets sum
  // them) and of every target; degree vectors are read in place.
  const uint32_t* s = plan.degrees ? in.s_degrees.data() : w.s.data();
  if (!plan.degrees) {
    ParallelBands(plan.row_end, RowGrain(plan.row_end, threads), threads,
                  [&](size_t r0, size_t r1) { CountRows(K, in, true, r0, r1, &w.s[r0]); });
  }
  ParallelBands(E, RowGrain(E, threads), threads,
                [&](size_t r0, size_t r1) { CountRows(K, in, false, r0, r1, &w.t[r0]); });
  timer.Stop("degrees");

  // SPEC.md step 2: the sources' phase offsets, the targets' layout.
  const uint64_t before = SumOfDegrees(s, 0, first_row);
  PhaseOffsets(s, before, first_row, plan.row_end, E, w.phi.data());
  const TargetLayout layout =
      LayOutTargets(K, plan, options.seed, Tiles(K, in, plan, options, s, before, w), w);
  timer.Stop("phase_offsets");

  RingPositions(K, plan, options.seed, w);
  timer.Stop("permutations");

  if (plan.arcs) {
    RouteArcs(plan, options, s, layout.total, w, out, timer);
  } else {
    RunBits(K, in, plan, options, s, out, timer);
  }

  if (stats) {
    const size_t k = options.k;
    ComputeRouteStats(out, rows, E, k, stats);
    stats->M = M;
    stats->row_begin = plan.row_begin;
    stats->row_end = plan.row_end;
    uint64_t sum = 0;
    uint32_t lo = std::numeric_limits<uint32_t>::max(), hi = 0;
    for (size_t r = 0; r < rows; ++r) {
      sum += w.counts[r];
      lo = std::min(lo, w.counts[r]);
      hi = std::max(hi, w.counts[r]);
    }
    stats->candidates_min = lo;
    stats->candidates_max = hi;
    stats->candidates_mean = static_cast<double>(sum) / static_cast<double>(rows);
    stats->backend = K.name;  // the arc path runs the same scalar code on every target
    stats->method = plan.arcs ? "arcs" : "bits";
    stats->tiled = layout.tiled;
    stats->laps = layout.laps;
    stats->route_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - t_begin).count();
  }
}

void Router::Impl::RunBits(const KernelTable& K, const Input& in, const Plan& plan,
                           const Options& options, const uint32_t* s, int32_t* out,
                           StageTimer& timer) {
  const int threads = static_cast<int>(plan.threads);
  Workspace& w = ws;
  const size_t M = plan.M, E = plan.E, R = plan.rows(), first_row = plan.row_begin;
  // Strides of the R x E and E x R matrices, and the words a row uses.
  const size_t we = w.stride_e, wr = w.stride_r;
  const size_t words_e = WordsFor(E);
  uint64_t* A = w.a.data();
  uint64_t* B = w.b.data();
  uint64_t* C = w.c.data();

  const uint32_t* q_s = w.q_s.data();
  // U's row for routed row r: U[q_t[r]] over the whole ring, or row r itself
  // when only the routed positions are built (row ranges).
  const uint32_t* u_index = w.q_t.data();
  if (plan.partial()) {
    std::fill(w.row_of.begin(), w.row_of.end(), kNoRow);
    for (size_t r = 0; r < R; ++r) w.row_of[u_index[r]] = static_cast<uint32_t>(r);
    u_index = nullptr;
    timer.Stop("permutations");
  }

  const size_t grain_r = RowGrain(R, threads), grain_e = RowGrain(E, threads);
  if (plan.aligned) {
    // Aligned rows rotated are arcs, and the transpose of a matrix of arcs
    // can be written row by row directly (FillArcColumns): S's first
    // transpose and T's transpose never run.
    //   rotate:  V = S_rot^T -> B (E x R)
    //   gather:  S' = V[q_s]^T -> A
    //   rotate:  U = T_rot^T -> B (M x E; R x E for a row range)
    uint32_t* begin = w.toggles.data();
    auto toggles = [&](const uint32_t* lengths, const uint32_t* offsets, size_t arcs,
                       size_t ring) {
      uint32_t* ids = begin + ring + 1;
      BuildArcToggles(lengths, offsets, arcs, ring, begin, ids);
      return ArcToggles{begin, ids};
    };
    const ArcToggles s_toggles = toggles(s + first_row, w.phi.data(), R, E);
    ParallelBands(E, grain_e, threads, [&](size_t y0, size_t y1) {
      K.fill_arc_columns(s + first_row, w.phi.data(), R, E, s_toggles, y0, y1, B + y0 * wr, wr);
    });
    timer.Stop("rotate");
    TransposeParallel(K, B, wr, q_s, E, R, A, we, threads);
    timer.Stop("gather");
    // T's arcs have the layout's lengths t' (SPEC.md step 1: scaled when
    // tiled).
    const ArcToggles t_toggles = toggles(w.t_arc.data(), w.psi.data(), E, M);
    if (!plan.partial()) {
      ParallelBands(M, RowGrain(M, threads), threads, [&](size_t y0, size_t y1) {
        K.fill_arc_columns(w.t_arc.data(), w.psi.data(), E, M, t_toggles, y0, y1, B + y0 * we,
                           we);
      });
    } else {
      // Walk the whole ring, keep the routed positions' rows. Long bands:
      // each starts with an O(E) row.
      const size_t grain = std::max<size_t>(4096, M / (4 * plan.threads) + 1);
      ParallelBands(M, grain, threads, [&](size_t y0, size_t y1) {
        uint64_t* scratch = w.tiles.data() + static_cast<size_t>(omp_get_thread_num()) * we;
        generic::FillArcColumnsAt(w.t_arc.data(), w.psi.data(), E, M, t_toggles, y0, y1,
                                  w.row_of.data(), scratch, B, we);
      });
    }
    timer.Stop("rotate");
  } else {
    // Rotation on the true rings: S_rot -> A (rows routed), T_rot -> C
    // (whole routings only). Byte input is packed into B first, one side at
    // a time (B is free until the transposes).
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
    ByteMatrixView s_bytes = in.s_bytes;
    const uint64_t* s_bits = nullptr;
    size_t s_stride = 0;
    if (bytes) {
      const size_t bs = s_bytes.stride ? s_bytes.stride : s_bytes.cols;
      s_bytes.data += first_row * bs;
    } else {
      s_stride = in.s_bits.stride ? in.s_bits.stride : words_e;
      s_bits = in.s_bits.words + first_row * s_stride;
    }
    pack_then_rotate(bytes ? &s_bytes : nullptr, s_bits, s_stride, R, E, we, w.phi.data(), A,
                     grain_r);
    if (!plan.partial()) {
      const size_t t_stride = bytes ? 0 : (in.t_bits.stride ? in.t_bits.stride : WordsFor(M));
      pack_then_rotate(bytes ? &in.t_bytes : nullptr, bytes ? nullptr : in.t_bits.words,
                       t_stride, E, M, wr, w.psi.data(), C, grain_e);
    }

    // S's column gather: V = S_rot^T -> B (E x R), then S' = V[q_s]^T -> A.
    TransposeParallel(K, A, we, nullptr, R, E, B, wr, threads);
    TransposeParallel(K, B, wr, q_s, E, R, A, we, threads);
    timer.Stop("gather");

    // T's transpose: U = T_rot^T -> B (M x E), or its routed rows only.
    if (!plan.partial()) {
      TransposeParallel(K, C, wr, nullptr, E, M, B, we, threads);
    } else {
      ReadTargetColumns(K, in, plan, w.psi.data(), w.row_of.data(), w, B, we);
    }
    timer.Stop("transpose");
  }

  // Candidates: O = S' & U[q_t] -> C, and their counts.
  uint32_t* counts = w.counts.data();
  ParallelBands(R, grain_r, threads, [&](size_t r0, size_t r1) {
    K.and_popcount_rows(A + r0 * we, we, u_index ? B : B + r0 * we, we,
                        u_index ? u_index + r0 : nullptr, r1 - r0, words_e, C + r0 * we, we,
                        counts + r0);
  });
  timer.Stop("and_popcount");

  const uint32_t k = options.k;
  const uint64_t selection_key = DomainKey(options.seed, Domain::kSelection);
  ParallelBands(R, grain_r, threads, [&](size_t r0, size_t r1) {
    const size_t tid = static_cast<size_t>(omp_get_thread_num());
    uint32_t* ids = w.ids.data() + tid * SelectIdsPerThread(E);
    uint32_t* keys = w.keys.data() + tid * SelectKeysPerThread(E);
    for (size_t r = r0; r < r1; ++r) {
      int32_t* row_out = out + r * k;
      if (options.select == Select::kLowest) {
        K.select_lowest_k(C + r * we, E, counts[r], k, row_out);
      } else {
        const auto row_constant = static_cast<uint32_t>(Draw(selection_key, first_row + r));
        K.select_random_k(C + r * we, E, counts[r], k, row_constant, row_out, ids, keys);
      }
    }
  });
  timer.Stop("select");
}

// ---------------------------------------------------------------- API

Router::Router() : impl_(std::make_unique<Impl>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

size_t Router::workspace_bytes() const { return impl_->ws.bytes(); }

uint64_t Router::WorkspaceBytesFor(size_t M, size_t E, size_t threads) {
  Plan plan;
  plan.M = M;
  plan.E = E;
  plan.row_end = M;
  plan.threads = threads;
  plan.degrees = true;
  return WorkspaceSizes::For(plan).bytes;
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

void Router::Impl::RouteInto(const Input& in, size_t M, size_t E, const Options& options,
                             int32_t* out, Stats* stats) {
  if (out == nullptr) throw Error(ErrorCode::kBadData, "output buffer is null");
  Run(in, PlanRouting(in, M, E, options, 0), options, out, stats);
}

Routes Router::Impl::RouteOwned(const Input& in, size_t M, size_t E, const Options& options,
                                Stats* stats) {
  const size_t rows = (options.row_end ? options.row_end : M) - options.row_begin;
  const uint64_t bytes = SatMul(SatMul(rows, options.k), sizeof(int32_t));
  const Plan plan = PlanRouting(in, M, E, options, bytes);
  Routes routes;
  routes.M = rows;
  routes.k = options.k;
  routes.row_begin = options.row_begin;
  try {
    routes.ids.resize(rows * options.k);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kOutOfMemory, "cannot allocate the " + std::to_string(bytes) +
                                             " bytes of " + Shape(rows, options.k) + " routes");
  }
  Run(in, plan, options, routes.ids.data(), stats);
  return routes;
}

void Router::Route(const ByteMatrixView& S, const ByteMatrixView& T, const Options& options,
                   int32_t* out, Stats* stats) {
  impl_->RouteInto(CheckedBytes(S, T, options), S.rows, S.cols, options, out, stats);
}

void Router::Route(const BitMatrixView& S, const BitMatrixView& T, const Options& options,
                   int32_t* out, Stats* stats) {
  impl_->RouteInto(CheckedBits(S, T, options), S.rows, S.cols, options, out, stats);
}

void Router::RouteDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                          const Options& options, int32_t* out, Stats* stats) {
  impl_->RouteInto(CheckedDegrees(s, t, options), s.size(), t.size(), options, out, stats);
}

Routes Router::Route(const ByteMatrixView& S, const ByteMatrixView& T, const Options& options,
                     Stats* stats) {
  return impl_->RouteOwned(CheckedBytes(S, T, options), S.rows, S.cols, options, stats);
}

Routes Router::Route(const BitMatrixView& S, const BitMatrixView& T, const Options& options,
                     Stats* stats) {
  return impl_->RouteOwned(CheckedBits(S, T, options), S.rows, S.cols, options, stats);
}

Routes Router::RouteDegrees(std::span<const uint32_t> s, std::span<const uint32_t> t,
                            const Options& options, Stats* stats) {
  return impl_->RouteOwned(CheckedDegrees(s, t, options), s.size(), t.size(), options,
                     stats);
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
