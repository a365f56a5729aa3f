#include "tools/io/pbm.h"

#include <algorithm>
#include <string>

#include "tools/io/file_io.h"
#include "tools/io/io_error.h"
#include "tools/io/parse_number.h"

namespace phase_router::io {
namespace {

// netpbm's whitespace: blank, tab, CR, LF, vertical tab, form feed.
bool IsPbmSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

// Reads through the bytes of one image; every error says where it happened.
class PbmCursor {
 public:
  explicit PbmCursor(std::string_view bytes) : bytes_(bytes) {}

  bool AtEnd() const { return pos_ >= bytes_.size(); }
  char Peek() const { return bytes_[pos_]; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  std::string_view Take(size_t n) {
    const std::string_view taken = bytes_.substr(pos_, n);
    pos_ += taken.size();
    return taken;
  }

  void SkipSpaceAndComments() {
    while (!AtEnd()) {
      if (IsPbmSpace(Peek())) {
        ++pos_;
      } else if (Peek() == '#') {
        while (!AtEnd() && Peek() != '\n') ++pos_;
      } else {
        return;
      }
    }
  }

  // The run of bytes up to the next whitespace or comment (not consumed):
  // what a human would call "the next token" in an error message.
  std::string_view NextToken() const {
    size_t end = pos_;
    while (end < bytes_.size() && !IsPbmSpace(bytes_[end]) &&
           bytes_[end] != '#') {
      ++end;
    }
    return bytes_.substr(pos_, end - pos_);
  }

  // " (line N)" for the current position; counting is only paid on errors.
  std::string Where() const {
    const size_t line =
        1 + std::count(bytes_.begin(), bytes_.begin() + pos_, '\n');
    return " (line " + std::to_string(line) + ")";
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

PbmEncoding ParseMagic(PbmCursor& cursor) {
  if (cursor.AtEnd()) throw IoError("empty file: not a PBM bitmap");
  const std::string_view magic = cursor.Take(2);
  PbmEncoding encoding;
  if (magic == "P1") {
    encoding = PbmEncoding::kPlain;
  } else if (magic == "P4") {
    encoding = PbmEncoding::kRaw;
  } else {
    throw IoError("not a PBM bitmap: the file starts with " +
                  QuoteForMessage(magic) +
                  ", expected the magic number 'P1' (plain) or 'P4' (raw)");
  }
  if (!cursor.AtEnd() && !IsPbmSpace(cursor.Peek()) && cursor.Peek() != '#') {
    throw IoError(
        "bad PBM magic number " +
        QuoteForMessage(std::string(magic).append(cursor.NextToken())) +
        ": expected 'P1' or 'P4' followed by whitespace");
  }
  return encoding;
}

// Width or height: decimal digits, then whitespace or a comment.
uint64_t ParseHeaderNumber(PbmCursor& cursor, const char* what) {
  cursor.SkipSpaceAndComments();
  if (cursor.AtEnd()) {
    throw IoError(std::string("missing PBM ") + what +
                  ": the file ends inside the header");
  }
  const std::string_view token = cursor.NextToken();
  const std::optional<uint64_t> value = ParseDecimalU64(token);
  if (!value) {
    throw IoError(std::string("invalid PBM ") + what + " " +
                  QuoteForMessage(token) + ": it " + DescribeBadDecimal(token) +
                  cursor.Where());
  }
  cursor.Take(token.size());
  return *value;
}

// Refuses empty and oversized images before the raster is allocated.
void CheckImageSize(uint64_t width, uint64_t height) {
  if (width == 0 || height == 0) {
    throw IoError("PBM " + std::string(width == 0 ? "width" : "height") +
                  " is 0: an image needs at least one row and one column");
  }
  uint64_t pixels;
  if (__builtin_mul_overflow(width, height, &pixels) ||
      pixels > kMaxPbmPixels) {
    throw IoError("PBM size " + std::to_string(width) + " x " +
                  std::to_string(height) + " is too large: the limit is " +
                  std::to_string(kMaxPbmPixels) + " (2^34) pixels");
  }
}

void ParsePlainRaster(PbmCursor& cursor, PbmImage& image) {
  const uint64_t count = uint64_t{image.rows} * image.cols;
  // Each pixel takes at least one byte, so a short file is known to be
  // truncated before the (possibly huge) pixel buffer is allocated.
  if (cursor.remaining() < count) {
    throw IoError("truncated P1 raster: " + std::to_string(image.cols) + " x " +
                  std::to_string(image.rows) + " needs " +
                  std::to_string(count) + " pixels but only " +
                  std::to_string(cursor.remaining()) +
                  " bytes follow the header");
  }
  image.pixels.resize(count);
  for (uint64_t n = 0; n < count; ++n) {
    cursor.SkipSpaceAndComments();
    if (cursor.AtEnd()) {
      throw IoError("truncated P1 raster: expected " + std::to_string(count) +
                    " pixels, found " + std::to_string(n));
    }
    const char c = cursor.Peek();
    if (c != '0' && c != '1') {
      throw IoError("invalid P1 raster character " +
                    QuoteForMessage(std::string_view(&c, 1)) + " at row " +
                    std::to_string(n / image.cols) + ", column " +
                    std::to_string(n % image.cols) +
                    ": pixels must be '0' or '1'" + cursor.Where());
    }
    image.pixels[n] = static_cast<uint8_t>(c - '0');
    cursor.Take(1);
  }
}

void ParseRawRaster(PbmCursor& cursor, PbmImage& image) {
  // The header ends with exactly one whitespace byte; the raster follows.
  if (cursor.AtEnd()) {
    throw IoError("truncated P4 file: no raster after the header");
  }
  if (!IsPbmSpace(cursor.Peek())) {
    throw IoError(
        "bad P4 header: expected one whitespace byte after the "
        "height, found " +
        QuoteForMessage(cursor.NextToken()) + cursor.Where());
  }
  cursor.Take(1);
  const size_t row_bytes = (image.cols + 7) / 8;
  const uint64_t needed = uint64_t{row_bytes} * image.rows;
  if (cursor.remaining() < needed) {
    throw IoError("truncated P4 raster: " + std::to_string(image.cols) + " x " +
                  std::to_string(image.rows) + " needs " +
                  std::to_string(needed) + " bytes, found " +
                  std::to_string(cursor.remaining()));
  }
  image.pixels.resize(uint64_t{image.rows} * image.cols);
  for (size_t r = 0; r < image.rows; ++r) {
    const std::string_view row = cursor.Take(row_bytes);
    uint8_t* out = image.pixels.data() + r * image.cols;
    for (size_t x = 0; x < image.cols; ++x) {
      const uint8_t byte = static_cast<uint8_t>(row[x / 8]);
      out[x] = (byte >> (7 - x % 8)) & 1;
    }
  }
}

void CheckNothingAfterRaster(PbmCursor& cursor, PbmEncoding encoding) {
  const size_t raster_end = cursor.pos();
  if (encoding == PbmEncoding::kPlain) {
    cursor.SkipSpaceAndComments();
  } else {
    while (!cursor.AtEnd() && IsPbmSpace(cursor.Peek())) cursor.Take(1);
  }
  if (cursor.AtEnd()) return;
  throw IoError("unexpected data after the PBM raster at byte " +
                std::to_string(cursor.pos()) + " (the raster ends at byte " +
                std::to_string(raster_end) +
                "): " + QuoteForMessage(cursor.NextToken()) +
                "; the header size may be wrong, and multi-image files are "
                "not supported");
}

void AppendPlainRaster(const uint8_t* pixels, size_t rows, size_t cols,
                       std::string& out) {
  constexpr size_t kMaxLine = 70;
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* row = pixels + r * cols;
    for (size_t x = 0; x < cols; ++x) {
      if (x > 0 && x % kMaxLine == 0) out += '\n';
      out += row[x] ? '1' : '0';
    }
    out += '\n';
  }
}

void AppendRawRaster(const uint8_t* pixels, size_t rows, size_t cols,
                     std::string& out) {
  const size_t row_bytes = (cols + 7) / 8;
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* row = pixels + r * cols;
    for (size_t b = 0; b < row_bytes; ++b) {
      uint8_t byte = 0;
      for (size_t x = b * 8; x < std::min(cols, b * 8 + 8); ++x) {
        if (row[x]) byte |= static_cast<uint8_t>(0x80 >> (x % 8));
      }
      out += static_cast<char>(byte);
    }
  }
}

}  // namespace

PbmImage ParsePbm(std::string_view bytes, MemoryBudget* budget,
                  const std::string& what) {
  PbmCursor cursor(bytes);
  const PbmEncoding encoding = ParseMagic(cursor);
  const uint64_t width = ParseHeaderNumber(cursor, "width");
  const uint64_t height = ParseHeaderNumber(cursor, "height");
  CheckImageSize(width, height);
  PbmImage image;
  image.rows = static_cast<size_t>(height);
  image.cols = static_cast<size_t>(width);
  // The pixels are charged before the raster parsers allocate them, but
  // only once the raster is known to be there: a short file is reported as
  // truncated, not as over the memory limit.
  const uint64_t pixels = uint64_t{image.rows} * image.cols;
  const bool whole = encoding == PbmEncoding::kPlain
                         ? cursor.remaining() >= pixels
                         : cursor.remaining() > (image.cols + 7) / 8 * uint64_t{image.rows};
  if (budget != nullptr && whole) budget->Charge(pixels, what);
  try {
    if (encoding == PbmEncoding::kPlain) {
      ParsePlainRaster(cursor, image);
    } else {
      ParseRawRaster(cursor, image);
    }
    CheckNothingAfterRaster(cursor, encoding);
  } catch (...) {
    if (budget != nullptr && whole) budget->Release(pixels);
    throw;
  }
  return image;
}

PbmImage ReadPbmFile(const std::string& path, MemoryBudget* budget) {
  const std::string name = SanitizeForMessage(path);
  const std::string bytes = ReadWholeFile(path, budget);
  // The file's bytes are freed on return, whatever happens.
  struct Held {
    MemoryBudget* budget;
    uint64_t bytes;
    ~Held() {
      if (budget != nullptr) budget->Release(bytes);
    }
  } held{budget, bytes.capacity()};
  try {
    return ParsePbm(bytes, budget, "decoding its pixels");
  } catch (const IoError& e) {
    throw IoError(name + ": " + e.what());
  }
}

std::string FormatPbm(const uint8_t* pixels, size_t rows, size_t cols,
                      PbmEncoding encoding) {
  const bool plain = encoding == PbmEncoding::kPlain;
  std::string out = std::string(plain ? "P1\n" : "P4\n") +
                    std::to_string(cols) + " " + std::to_string(rows) + "\n";
  if (plain) {
    out.reserve(out.size() + rows * (cols + cols / 70 + 1));
    AppendPlainRaster(pixels, rows, cols, out);
  } else {
    out.reserve(out.size() + rows * ((cols + 7) / 8));
    AppendRawRaster(pixels, rows, cols, out);
  }
  return out;
}

void WritePbmFile(const std::string& path, const uint8_t* pixels, size_t rows,
                  size_t cols, PbmEncoding encoding) {
  const std::string text = FormatPbm(pixels, rows, cols, encoding);
  AtomicOutputFile file(path);
  WriteAll(file.stream(), text.data(), text.size(), QuoteForMessage(path));
  file.Commit();
}

}  // namespace phase_router::io
