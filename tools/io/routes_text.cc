#include "tools/io/routes_text.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "tools/io/file_io.h"
#include "tools/io/parse_number.h"

namespace phase_router::io {
namespace {

// "-2147483648" plus a separator: the most one entry can take.
constexpr size_t kMaxEntryChars = 12;

// Writes row `row` (k entries) and its newline at `out`, which must have
// room for k * kMaxEntryChars bytes (at least 1 when k == 0); returns the
// end of what was written.
char* FormatRoutesRow(const int32_t* row, size_t k, char* out) {
  for (size_t j = 0; j < k; ++j) {
    if (j > 0) *out++ = ' ';
    out = std::to_chars(out, out + kMaxEntryChars, row[j]).ptr;
  }
  *out++ = '\n';
  return out;
}

size_t MaxRowChars(size_t k) { return std::max<size_t>(1, k * kMaxEntryChars); }

}  // namespace

std::string FormatRoutesText(const int32_t* ids, size_t M, size_t k) {
  std::string text(M * MaxRowChars(k), '\0');
  char* end = text.data();
  for (size_t i = 0; i < M; ++i) end = FormatRoutesRow(ids + i * k, k, end);
  text.resize(static_cast<size_t>(end - text.data()));
  return text;
}

constexpr size_t kFlushBytes = size_t{1} << 20;

uint64_t RoutesTextBufferBytes(size_t M, size_t k) {
  const uint64_t row_chars = MaxRowChars(k);
  const uint64_t text = M > kFlushBytes / row_chars ? kFlushBytes : M * row_chars;
  return text + row_chars;
}

void WriteRoutesText(std::FILE* stream, const int32_t* ids, size_t M, size_t k,
                     const std::string& what) {
  // Room for a full flush chunk (or the whole text, when shorter) plus one
  // worst-case row, so a row never has to be split and the loop needs no
  // bounds check per entry.
  std::vector<char> buffer(RoutesTextBufferBytes(M, k));
  char* end = buffer.data();
  for (size_t i = 0; i < M; ++i) {
    end = FormatRoutesRow(ids + i * k, k, end);
    if (static_cast<size_t>(end - buffer.data()) >= kFlushBytes) {
      WriteAll(stream, buffer.data(), end - buffer.data(), what);
      end = buffer.data();
    }
  }
  WriteAll(stream, buffer.data(), end - buffer.data(), what);
}

void WriteRoutesTextFile(const std::string& path, const int32_t* ids, size_t M,
                         size_t k) {
  AtomicOutputFile file(path);
  WriteRoutesText(file.stream(), ids, M, k, QuoteForMessage(path));
  file.Commit();
}

}  // namespace phase_router::io
