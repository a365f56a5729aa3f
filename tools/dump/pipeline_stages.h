// SPEC.md's pipeline evaluated literally, one byte per cell and one stage at
// a time, keeping every intermediate matrix: the pictures of
// `phase-router dump`. Slow (O(M * E) bytes per stage) and plain on
// purpose; the router's own pipeline fuses and skips most of these stages
// (docs/architecture.md), and `dump` checks that both give the same routes.
#ifndef PHASE_ROUTER_TOOLS_DUMP_PIPELINE_STAGES_H_
#define PHASE_ROUTER_TOOLS_DUMP_PIPELINE_STAGES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "phase_router/phase_router.h"

namespace phase_router::dump {

// A rows x cols 0/1 matrix, one byte per cell, row-major.
struct ByteMatrix {
  size_t rows = 0, cols = 0;
  std::vector<uint8_t> cells;

  ByteMatrix() = default;
  ByteMatrix(size_t rows_in, size_t cols_in)
      : rows(rows_in), cols(cols_in), cells(rows_in * cols_in, 0) {}
  uint8_t& at(size_t r, size_t c) { return cells[r * cols + c]; }
  uint8_t at(size_t r, size_t c) const { return cells[r * cols + c]; }
};

// The aligned matrix of a degree vector: row i is [x < degrees[i]] on a
// ring of `ring` cells (SPEC.md step 1).
ByteMatrix ArcMatrix(const std::vector<uint32_t>& degrees, size_t ring);

// One intermediate matrix.
struct Stage {
  std::string file_stem;  // "03_S_shuffled": order, then name
  std::string title;      // "S shuffled": a caption
  ByteMatrix matrix;
};

struct Pipeline {
  std::vector<uint32_t> s, t;      // row degrees of S and T
  std::vector<uint64_t> phi, psi;  // phase offsets (step 2)
  std::vector<uint32_t> sigma;     // sigma[t]: target t's place in the lay-out order
  std::vector<uint32_t> t_arc;     // t'_t: the target arcs' lengths (scaled when tiled)
  bool tiled = false;              // whether the tiling applied
  uint64_t laps = 0;               // q when tiled
  // In pipeline order: S aligned, S rotated, S shuffled, [S row-permuted],
  // T aligned, T rotated, T shuffled, [T row-permuted], T transposed, O.
  // (The row-permuted stages only with options.row_perm.)
  std::vector<Stage> stages;
  ByteMatrix candidates;        // M x E by source and target id (step 8)
  std::vector<int32_t> routes;  // M x k, the spec's selection
};

// Evaluates S (M x E) and T (E x M) with `options` (k, seed, align,
// row_perm, select, tiling). The caller has validated the shapes and k.
Pipeline EvaluatePipeline(const ByteMatrix& S, const ByteMatrix& T,
                          const Options& options);

// Const access to a stage by its title; nullptr when absent.
const Stage* FindStage(const Pipeline& pipeline, const std::string& title);

}  // namespace phase_router::dump

#endif  // PHASE_ROUTER_TOOLS_DUMP_PIPELINE_STAGES_H_
