// The bit-matrix path's stages, once for any Kernels: RouteBitsWith<Kernels>
// runs SPEC.md steps 3-7 on bit matrices with Kernels' building blocks (a
// target's, router/bit_path-inl.h, or GenericBitKernels). Included by the
// group translation units that compile the path per Highway target
// (bit_path_wide.cc, bit_path_narrow.cc) and by bit_path.cc, which picks
// one per call.
//
// Three identities keep the path short (docs/architecture.md):
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
#ifndef PHASE_ROUTER_ROUTER_BIT_PATH_STAGES_H_
#define PHASE_ROUTER_ROUTER_BIT_PATH_STAGES_H_

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "kernels/bit_matrix.h"
#include "kernels/pack_bit_rows.h"
#include "kernels/rotate_rows.h"
#include "kernels/select_rows.h"
#include "kernels/transpose_bits.h"
#include "router/bit_path.h"

namespace phase_router {
namespace bit_path {

// dst (cols x rows) = transpose of src (rows x cols) read through row_index,
// in tiles of kTransposeWords source word columns x kTransposeRows source
// rows. Tiles write disjoint words of dst, and a tile is wide enough for the
// widest vector (8 words) yet small enough to give every thread work.
template <class Kernels>
void TransposeParallel(const uint64_t* src, size_t src_stride,
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
      Kernels::TransposeBits(src + (row_index ? 0 : r * src_stride) + w, src_stride,
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
template <class Kernels>
void ReadTargetColumns(const Input& in, const Plan& plan,
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
        Kernels::TransposeBits(window + r * kTileWords, kTileWords, nullptr,
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


template <class Kernels>
void RouteBitsWith(const Input& in, const Plan& plan, const Options& options, const uint32_t* s,
                   Workspace& w, int32_t* out, StageTimer& timer) {
  const int threads = static_cast<int>(plan.threads);
  const size_t M = plan.M, E = plan.E, R = plan.rows(), first_row = plan.row_begin;
  // Strides of the R x E and E x R matrices, and the words a row uses.
  const size_t we = w.stride_e, wr = w.stride_r;
  const size_t words_e = WordsFor(E);
  uint64_t* A = w.a.data();
  uint64_t* B = w.b.data();
  uint64_t* C = w.c.data();  // T_rot (unaligned whole routings)

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
  // Sources that accept every target (MoE tokens: s_i = E for each one
  // routed) have rows of S_rot, and so of S', of all ones, whatever the
  // rotations and permutations: then O[i] = U[q_T[i]], the S side (its
  // fill or rotation, gather and transposes: a quarter of a 4096 x 4096,
  // k = 64 MoE routing) is skipped, and every row is ANDed with one row of
  // ones (a stride of 0).
  const bool full_sources =
      R > 0 && std::all_of(s + first_row, s + first_row + R, [E](uint32_t d) { return d == E; });
  if (full_sources) {
    std::fill(A, A + we, uint64_t{0});
    std::fill(A, A + words_e, ~uint64_t{0});
    A[words_e - 1] = LastWordMask(E);
  }
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
    // One band a thread: a band's first row is built arc by arc (O(arcs):
    // the R sources for V), the rest from the row before and its toggles,
    // so more bands would repeat that first row (at 65536 x 256 on 2
    // threads, 16 bands made the stage slower than on one thread).
    const auto fill_grain = [&](size_t rows) { return (rows + plan.threads - 1) / plan.threads; };
    if (!full_sources) {
      const ArcToggles s_toggles = toggles(s + first_row, w.phi.data(), R, E);
      ParallelBands(E, fill_grain(E), threads, [&](size_t y0, size_t y1) {
        Kernels::FillArcColumns(s + first_row, w.phi.data(), R, E, s_toggles, y0, y1,
                                B + y0 * wr, wr);
      });
      timer.Stop("rotate");
      TransposeParallel<Kernels>(B, wr, q_s, E, R, A, we, threads);
      timer.Stop("gather");
    }
    // T's arcs have the layout's lengths t' (SPEC.md step 1: scaled when
    // tiled).
    const ArcToggles t_toggles = toggles(w.t_arc.data(), w.psi.data(), E, M);
    if (!plan.partial()) {
      ParallelBands(M, fill_grain(M), threads, [&](size_t y0, size_t y1) {
        Kernels::FillArcColumns(w.t_arc.data(), w.psi.data(), E, M, t_toggles, y0, y1, B + y0 * we,
                           we);
      });
    } else {
      // Walk the whole ring, keep the routed positions' rows. Long bands:
      // each starts with an O(E) row.
      const size_t grain = std::max<size_t>(4096, M / (4 * plan.threads) + 1);
      ParallelBands(M, grain, threads, [&](size_t y0, size_t y1) {
        uint64_t* scratch =
            w.tiles.data() + static_cast<size_t>(omp_get_thread_num()) * RowWordsPerThread(we);
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
          Kernels::PackBitRows(bytes->data + r0 * bs, bs, r1 - r0, ring, B + r0 * words,
                          words, nullptr);
        });
        bits = B;
        bits_stride = words;
        timer.Stop("pack");
      }
      ParallelBands(rows, grain, threads, [&](size_t r0, size_t r1) {
        Kernels::RotateRowsOnRing(bits + r0 * bits_stride, bits_stride, r1 - r0, ring,
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
    if (!full_sources) {
      pack_then_rotate(bytes ? &s_bytes : nullptr, s_bits, s_stride, R, E, we, w.phi.data(), A,
                       grain_r);
    }
    if (!plan.partial()) {
      const size_t t_stride = bytes ? 0 : (in.t_bits.stride ? in.t_bits.stride : WordsFor(M));
      pack_then_rotate(bytes ? &in.t_bytes : nullptr, bytes ? nullptr : in.t_bits.words,
                       t_stride, E, M, wr, w.psi.data(), C, grain_e);
    }

    // S's column gather: V = S_rot^T -> B (E x R), then S' = V[q_s]^T -> A.
    if (!full_sources) {
      TransposeParallel<Kernels>(A, we, nullptr, R, E, B, wr, threads);
      TransposeParallel<Kernels>(B, wr, q_s, E, R, A, we, threads);
      timer.Stop("gather");
    }

    // T's transpose: U = T_rot^T -> B (M x E), or its routed rows only.
    if (!plan.partial()) {
      TransposeParallel<Kernels>(C, wr, nullptr, E, M, B, we, threads);
    } else {
      ReadTargetColumns<Kernels>(in, plan, w.psi.data(), w.row_of.data(), w, B, we);
    }
    timer.Stop("transpose");
  }

  // Candidates and selection, fused per row (kernels/select_rows.h):
  // O[r] = S'[r] & U[q_t[r]] goes to one row of per-thread scratch and is
  // selected from at once, so no R x E candidate matrix is written.
  const SelectRule rule{options.k, options.select != Select::kLowest, options.seed, first_row};
  uint32_t* counts = w.counts.data();
  ParallelBands(R, grain_r, threads, [&](size_t r0, size_t r1) {
    const size_t tid = static_cast<size_t>(omp_get_thread_num());
    SelectRule band = rule;  // its row 0 is row r0
    band.first_source += r0;
    Kernels::SelectRows(full_sources ? A : A + r0 * we, full_sources ? 0 : we,
                        u_index ? B : B + r0 * we, we,
                        u_index ? u_index + r0 : nullptr, r1 - r0, E, band,
                        w.row_scratch.data() + tid * RowWordsPerThread(we),
                        w.ids.data() + tid * SelectIdsPerThread(E),
                        w.keys.data() + tid * SelectKeysPerThread(E), counts + r0,
                        out + r0 * rule.k);
  });
  timer.Stop("select");
}


// The generic backend's building blocks, in the shape of a target's.
struct GenericBitKernels {
  static constexpr const char* kName = "generic";
  static void PackBitRows(const uint8_t* src, size_t src_stride, size_t rows, size_t cols,
                          uint64_t* dst, size_t dst_stride, uint32_t* popcounts) {
    generic::PackBitRows(src, src_stride, rows, cols, dst, dst_stride, popcounts);
  }
  static void RotateRowsOnRing(const uint64_t* src, size_t src_stride, size_t rows, size_t ring,
                               const uint32_t* offsets, uint64_t* dst, size_t dst_stride) {
    generic::RotateRowsOnRing(src, src_stride, rows, ring, offsets, dst, dst_stride);
  }
  static void TransposeBits(const uint64_t* src, size_t src_stride, const uint32_t* row_index,
                            size_t rows, size_t cols, uint64_t* dst, size_t dst_stride) {
    generic::TransposeBits(src, src_stride, row_index, rows, cols, dst, dst_stride);
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
    generic::SelectRows(a, a_stride, b, b_stride, b_index, rows, cols, rule, row, ids, keys,
                        counts, out);
  }
};

// What one routing hands the per-target path (HWY_EXPORT needs one
// signature), and a target's entry point.
struct BitPathCall {
  const Input& in;
  const Plan& plan;
  const Options& options;
  const uint32_t* s;
  Workspace& w;
  int32_t* out;
  StageTimer& timer;
};
using BitPathEntry = const char* (*)(const BitPathCall&);

// RouteBitsWith<GenericBitKernels> (bit_path.cc).
const char* RouteBitsGeneric(const BitPathCall& c);

// The entry of `target` (a Highway target bit) from the group translation
// unit that compiled it (bit_path_wide.cc, bit_path_narrow.cc), or null
// where that unit did not.
BitPathEntry WideBitPath(int64_t target);
BitPathEntry NarrowBitPath(int64_t target);

}  // namespace bit_path
}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_BIT_PATH_STAGES_H_
