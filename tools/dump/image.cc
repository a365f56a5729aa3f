#include "tools/dump/image.h"

#include <png.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "tools/io/file_io.h"
#include "tools/io/io_error.h"
#include "tools/io/parse_number.h"

namespace phase_router::dump {
namespace {

constexpr Rgb kCandidateGrey{200, 200, 200};
constexpr Rgb kCapacityGrey{214, 214, 214};
constexpr Rgb kLoadBlue{40, 90, 200};
constexpr Rgb kMeanRed{220, 40, 40};

// ---- the 5 x 7 font: 7 rows of 5 bits, the leftmost pixel in bit 4.
struct Glyph {
  char c;
  uint8_t rows[7];
};

constexpr Glyph kFont[] = {
    {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
    {'D', {0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}},
    {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
    {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}},
    {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}},
    {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
    {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}},
    {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}},
    {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}},
    {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04}},
    {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'_', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}},
    {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
    {'=', {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}},
    {',', {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}},
    {'/', {0x01, 0x02, 0x02, 0x04, 0x08, 0x08, 0x10}},
    {'+', {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}},
};

const Glyph* FindGlyph(char c) {
  const char upper =
      static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const Glyph& glyph : kFont) {
    if (glyph.c == upper) return &glyph;
  }
  return nullptr;
}

constexpr size_t kGlyphWidth = 5, kGlyphHeight = 7, kGlyphAdvance = 6;

}  // namespace

// ---------------------------------------------------------------- Image

Image::Image(size_t width, size_t height, Rgb fill)
    : width_(width), height_(height), pixels_(width * height * 3) {
  FillRect(0, 0, width, height, fill);
}

void Image::Set(size_t x, size_t y, Rgb color) {
  if (x >= width_ || y >= height_) return;
  uint8_t* p = &pixels_[(y * width_ + x) * 3];
  p[0] = color.r;
  p[1] = color.g;
  p[2] = color.b;
}

void Image::FillRect(size_t x, size_t y, size_t w, size_t h, Rgb color) {
  const size_t x_end = std::min(width_, x + w),
               y_end = std::min(height_, y + h);
  for (size_t yy = y; yy < y_end; ++yy) {
    for (size_t xx = x; xx < x_end; ++xx) Set(xx, yy, color);
  }
}

void Image::Paste(const Image& other, size_t x, size_t y) {
  if (x >= width_ || y >= height_) return;
  const size_t w = std::min(other.width_, width_ - x);
  const size_t h = std::min(other.height_, height_ - y);
  for (size_t row = 0; row < h; ++row) {
    std::memcpy(&pixels_[((y + row) * width_ + x) * 3],
                &other.pixels_[row * other.width_ * 3], w * 3);
  }
}

// ---------------------------------------------------------------- matrices

Image RenderMatrix(const ByteMatrix& m, size_t scale, Rgb one, Rgb zero) {
  Image image(m.cols * scale, m.rows * scale, zero);
  for (size_t r = 0; r < m.rows; ++r) {
    for (size_t c = 0; c < m.cols; ++c) {
      if (m.at(r, c)) image.FillRect(c * scale, r * scale, scale, scale, one);
    }
  }
  return image;
}

Image RenderRoutes(const ByteMatrix& candidates,
                   const std::vector<int32_t>& routes, size_t k, size_t scale) {
  Image image = RenderMatrix(candidates, scale, kCandidateGrey, kWhite);
  for (size_t i = 0; i < candidates.rows; ++i) {
    for (size_t n = 0; n < k; ++n) {
      const int32_t t = routes[i * k + n];
      if (t < 0) continue;
      image.FillRect(static_cast<size_t>(t) * scale, i * scale, scale, scale,
                     kBlack);
    }
  }
  return image;
}

Image RenderLoadHistogram(const std::vector<uint32_t>& loads,
                          const std::vector<uint32_t>& capacities,
                          size_t height) {
  const size_t E = loads.size();
  constexpr size_t kMaxBars = 1024, kMargin = 8;
  const size_t bars = std::max<size_t>(1, std::min(E, kMaxBars));
  std::vector<uint64_t> load(bars, 0), capacity(bars, 0);
  for (size_t t = 0; t < E; ++t) {
    const size_t bar = t * bars / E;  // consecutive targets share a bar
    load[bar] += loads[t];
    capacity[bar] += capacities[t];
  }
  const uint64_t max_load =
      std::max<uint64_t>(1, *std::max_element(load.begin(), load.end()));
  const uint64_t max_capacity =
      *std::max_element(capacity.begin(), capacity.end());
  // Capacities far above every load would flatten the loads: the scale
  // stops at twice the largest load and taller capacity bars are clipped.
  const uint64_t top = std::max(max_load, std::min(max_capacity, 2 * max_load));
  const size_t bar_width = std::clamp<size_t>(768 / bars, 1, 8);
  const size_t gap = bar_width >= 4 ? 1 : 0;
  const size_t plot_height =
      std::max<size_t>(height, 2 * kMargin + 16) - 2 * kMargin;
  Image image(bars * bar_width + 2 * kMargin, plot_height + 2 * kMargin,
              kWhite);
  const size_t base = kMargin + plot_height;  // the y of the axis
  auto bar_height = [&](uint64_t value) {
    return static_cast<size_t>(std::min(value, top) * plot_height / top);
  };
  for (size_t b = 0; b < bars; ++b) {
    const size_t x = kMargin + b * bar_width;
    const size_t cap = bar_height(capacity[b]), got = bar_height(load[b]);
    image.FillRect(x, base - cap, bar_width - gap, cap, kCapacityGrey);
    image.FillRect(x, base - got, bar_width - gap, got, kLoadBlue);
  }
  uint64_t total = 0;
  for (uint64_t l : load) total += l;
  const size_t mean_y = base - bar_height(total / bars);
  image.FillRect(kMargin, mean_y, bars * bar_width, 1, kMeanRed);
  image.FillRect(kMargin, base, bars * bar_width, 1, kBlack);
  return image;
}

// ---------------------------------------------------------------- text

size_t TextWidth(std::string_view text, size_t scale) {
  return text.empty() ? 0 : (text.size() * kGlyphAdvance - 1) * scale;
}

size_t TextHeight(size_t scale) { return kGlyphHeight * scale; }

void DrawText(Image& image, size_t x, size_t y, std::string_view text,
              size_t scale, Rgb color) {
  for (size_t n = 0; n < text.size(); ++n) {
    const Glyph* glyph = FindGlyph(text[n]);
    if (glyph == nullptr) continue;
    const size_t left = x + n * kGlyphAdvance * scale;
    for (size_t row = 0; row < kGlyphHeight; ++row) {
      for (size_t col = 0; col < kGlyphWidth; ++col) {
        if ((glyph->rows[row] >> (kGlyphWidth - 1 - col)) & 1) {
          image.FillRect(left + col * scale, y + row * scale, scale, scale,
                         color);
        }
      }
    }
  }
}

Image Overview(const std::string& title,
               const std::vector<std::vector<Tile>>& rows) {
  constexpr size_t kMargin = 16, kGap = 16, kTextScale = 2, kLabelGap = 6;
  const size_t text_height = TextHeight(kTextScale);
  size_t width = TextWidth(title, kTextScale);
  size_t height = kMargin + text_height + kGap;
  std::vector<size_t> row_heights;
  for (const std::vector<Tile>& row : rows) {
    size_t row_width = 0, row_height = 0;
    for (const Tile& tile : row) {
      row_width +=
          std::max(tile.image->width(), TextWidth(tile.label, kTextScale)) +
          kGap;
      row_height = std::max(row_height, tile.image->height());
    }
    width = std::max(width, row_width - (row.empty() ? 0 : kGap));
    row_heights.push_back(text_height + kLabelGap + row_height);
    height += row_heights.back() + kGap;
  }
  Image page(width + 2 * kMargin, height - kGap + kMargin, kWhite);
  DrawText(page, kMargin, kMargin, title, kTextScale, kBlack);
  size_t y = kMargin + text_height + kGap;
  for (size_t r = 0; r < rows.size(); ++r) {
    size_t x = kMargin;
    for (const Tile& tile : rows[r]) {
      DrawText(page, x, y, tile.label, kTextScale, kBlack);
      const size_t top = y + text_height + kLabelGap;
      // A hairline frame, so white borders of a matrix stay visible.
      page.FillRect(x - 1, top - 1, tile.image->width() + 2,
                    tile.image->height() + 2, kCandidateGrey);
      page.Paste(*tile.image, x, top);
      x += std::max(tile.image->width(), TextWidth(tile.label, kTextScale)) +
           kGap;
    }
    y += row_heights[r] + kGap;
  }
  return page;
}

// ---------------------------------------------------------------- PNG

std::string EncodePng(const Image& image) {
  // libpng's simplified API: no setjmp/longjmp in this code, errors come
  // back in png_image::message.
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width());
  png.height = static_cast<png_uint_32>(image.height());
  png.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  const void* pixels = image.pixels().data();
  if (!png_image_write_to_memory(&png, nullptr, &size, 0, pixels, 0, nullptr)) {
    throw io::IoError(std::string("PNG encoding failed: ") + png.message);
  }
  std::string bytes(size, '\0');
  if (!png_image_write_to_memory(&png, bytes.data(), &size, 0, pixels, 0,
                                 nullptr)) {
    throw io::IoError(std::string("PNG encoding failed: ") + png.message);
  }
  bytes.resize(size);
  png_image_free(&png);
  return bytes;
}

void WritePngFile(const std::string& path, const Image& image) {
  const std::string bytes = EncodePng(image);
  io::AtomicOutputFile file(path);
  io::WriteAll(file.stream(), bytes.data(), bytes.size(), io::QuoteForMessage(path));
  file.Commit();
}

}  // namespace phase_router::dump
