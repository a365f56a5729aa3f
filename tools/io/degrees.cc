#include "tools/io/degrees.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "tools/io/file_io.h"
#include "tools/io/io_error.h"
#include "tools/io/parse_number.h"

namespace phase_router::io {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

[[noreturn]] void ThrowBadDegree(std::string_view text, size_t token_start,
                                 std::string_view token, size_t index,
                                 const char* problem) {
  const size_t line =
      1 + std::count(text.begin(), text.begin() + token_start, '\n');
  throw IoError("degree token " + std::to_string(index) + " " +
                QuoteForMessage(token) + " (line " + std::to_string(line) +
                ") " + problem +
                "; degrees are non-negative decimal integers up to " +
                std::to_string(std::numeric_limits<uint32_t>::max()));
}

}  // namespace

std::vector<uint32_t> ParseDegrees(std::string_view text) {
  std::vector<uint32_t> degrees;
  size_t pos = 0;
  while (true) {
    while (pos < text.size() && IsSpace(text[pos])) ++pos;
    if (pos == text.size()) break;
    size_t end = pos;
    while (end < text.size() && !IsSpace(text[end])) ++end;
    const std::string_view token = text.substr(pos, end - pos);
    const size_t index = degrees.size() + 1;
    const std::optional<uint64_t> value = ParseDecimalU64(token);
    if (!value) {
      ThrowBadDegree(text, pos, token, index, DescribeBadDecimal(token));
    }
    if (*value > std::numeric_limits<uint32_t>::max()) {
      ThrowBadDegree(text, pos, token, index, "is too large");
    }
    degrees.push_back(static_cast<uint32_t>(*value));
    pos = end;
  }
  if (degrees.empty()) {
    throw IoError("no degrees found: the input is empty or only whitespace");
  }
  return degrees;
}

std::vector<uint32_t> ReadDegreesFile(const std::string& path) {
  const std::string text = ReadWholeFile(path);
  try {
    return ParseDegrees(text);
  } catch (const IoError& e) {
    throw IoError(path + ": " + e.what());
  }
}

}  // namespace phase_router::io
