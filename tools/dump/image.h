// RGB pictures of the pipeline for `phase-router dump`: matrices scaled up
// by nearest neighbour, the routes over their candidates, a bar chart of
// target loads, labelled overviews, and PNG files through libpng.
#ifndef PHASE_ROUTER_TOOLS_DUMP_IMAGE_H_
#define PHASE_ROUTER_TOOLS_DUMP_IMAGE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/dump/pipeline_stages.h"

namespace phase_router::dump {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

inline constexpr Rgb kWhite{255, 255, 255};
inline constexpr Rgb kBlack{0, 0, 0};

// 8-bit RGB, row-major, 3 bytes a pixel.
class Image {
 public:
  Image() = default;
  Image(size_t width, size_t height, Rgb fill);

  size_t width() const { return width_; }
  size_t height() const { return height_; }
  const std::vector<uint8_t>& pixels() const { return pixels_; }

  void Set(size_t x, size_t y, Rgb color);
  // Clipped to the image.
  void FillRect(size_t x, size_t y, size_t w, size_t h, Rgb color);
  // Copies `other` with its top-left corner at (x, y), clipped.
  void Paste(const Image& other, size_t x, size_t y);

 private:
  size_t width_ = 0, height_ = 0;
  std::vector<uint8_t> pixels_;
};

// Each cell a scale x scale square: 1 = `one`, 0 = `zero`.
Image RenderMatrix(const ByteMatrix& m, size_t scale, Rgb one = kBlack,
                   Rgb zero = kWhite);

// The routes as an M x E picture: chosen (source, target) pairs in black,
// candidates not chosen in light grey.
Image RenderRoutes(const ByteMatrix& candidates,
                   const std::vector<int32_t>& routes, size_t k, size_t scale);

// A bar per target (targets in id order; for many targets, bins of
// consecutive targets): its capacity t_t in light grey, its load in blue,
// and the mean load as a red line. At most about 1024 bars wide.
Image RenderLoadHistogram(const std::vector<uint32_t>& loads,
                          const std::vector<uint32_t>& capacities,
                          size_t height);

// Text in a built-in 5 x 7 pixel font (letters, digits, " _-().:=,/+"),
// each font pixel a scale x scale square; other characters draw as blanks.
size_t TextWidth(std::string_view text, size_t scale);
size_t TextHeight(size_t scale);
void DrawText(Image& image, size_t x, size_t y, std::string_view text,
              size_t scale, Rgb color);

// A labelled tile of an overview.
struct Tile {
  std::string label;
  const Image* image = nullptr;
};

// Rows of labelled tiles on a white page, under a title line.
Image Overview(const std::string& title,
               const std::vector<std::vector<Tile>>& rows);

// The PNG encoding of `image` (libpng); throws io::IoError if libpng fails.
std::string EncodePng(const Image& image);

// EncodePng written all-or-nothing to `path` (io::AtomicOutputFile).
void WritePngFile(const std::string& path, const Image& image);

}  // namespace phase_router::dump

#endif  // PHASE_ROUTER_TOOLS_DUMP_IMAGE_H_
