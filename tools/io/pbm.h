// PBM bitmaps (netpbm P1 plain and P4 raw), the tool's matrix format.
//
// A PBM of width W and height H is an H x W 0/1 matrix; a set bit (a black
// pixel, '1') is a 1. The router's S (M x E) is a PBM of width E, height M.
#ifndef PHASE_ROUTER_TOOLS_IO_PBM_H_
#define PHASE_ROUTER_TOOLS_IO_PBM_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/io/file_io.h"

namespace phase_router::io {

enum class PbmEncoding {
  kPlain,  // P1: ASCII '0'/'1'
  kRaw,    // P4: 8 pixels a byte, most significant bit first
};

// Images above this many pixels are refused before anything is allocated:
// 2^34 pixels is 16 GiB as bytes, far beyond any routing this tool runs, and
// a typo in a header must not turn into a multi-terabyte allocation.
inline constexpr uint64_t kMaxPbmPixels = uint64_t{1} << 34;

// One pixel per byte (0 or 1), row-major, rows * cols bytes: directly usable
// as phase_router::ByteMatrixView{pixels.data(), rows, cols}.
struct PbmImage {
  size_t rows = 0;  // the PBM height
  size_t cols = 0;  // the PBM width
  std::vector<uint8_t> pixels;
};

// Parses a P1 or P4 image. P1 pixels are single '0'/'1' characters with
// optional whitespace between them; '#' comments run to the end of the line
// in the header and (P1) in the raster. P4 padding bits are ignored. Throws
// IoError on anything else: bad magic, missing or invalid or zero size, more
// than kMaxPbmPixels, truncated raster, invalid raster characters, and
// non-whitespace data after the raster (so multi-image files are refused).
// With a `budget`, the pixels (rows * cols bytes) are charged to it, as
// `what`, before they are allocated.
PbmImage ParsePbm(std::string_view bytes, MemoryBudget* budget = nullptr,
                  const std::string& what = "a PBM image");

// ParsePbm on the file's contents; messages are prefixed with the path.
// With a `budget`, the file's bytes are charged while they are held and the
// pixels stay charged (the caller releases pixels.size() when it frees
// them).
PbmImage ReadPbmFile(const std::string& path, MemoryBudget* budget = nullptr);

// The PBM text of a rows x cols matrix (nonzero byte = 1). P1 rows start on
// a new line and wrap at 70 characters, as netpbm asks; P4 rows are padded
// with zero bits to whole bytes.
std::string FormatPbm(const uint8_t* pixels, size_t rows, size_t cols,
                      PbmEncoding encoding);

// FormatPbm written all-or-nothing to `path` (see AtomicOutputFile).
void WritePbmFile(const std::string& path, const uint8_t* pixels, size_t rows,
                  size_t cols, PbmEncoding encoding);

}  // namespace phase_router::io

#endif  // PHASE_ROUTER_TOOLS_IO_PBM_H_
