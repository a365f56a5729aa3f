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

// The number of whitespace-separated tokens of `text`.
size_t CountTokens(std::string_view text) {
  size_t tokens = 0;
  bool in_token = false;
  for (char c : text) {
    const bool space = IsSpace(c);
    tokens += !space && !in_token;
    in_token = !space;
  }
  return tokens;
}

}  // namespace

std::vector<uint32_t> ParseDegrees(std::string_view text, MemoryBudget* budget,
                                   const std::string& what) {
  // Counted first, so the vector is charged and allocated once.
  const size_t tokens = CountTokens(text);
  if (budget != nullptr) budget->Charge(uint64_t{tokens} * sizeof(uint32_t), what);
  std::vector<uint32_t> degrees;
  try {
    degrees.reserve(tokens);
  } catch (...) {
    if (budget != nullptr) budget->Release(uint64_t{tokens} * sizeof(uint32_t));
    throw;
  }
  // A token that is refused below releases the charge with the vector.
  struct Charged {
    MemoryBudget* budget;
    uint64_t bytes;
    bool kept = false;
    ~Charged() {
      if (budget != nullptr && !kept) budget->Release(bytes);
    }
  } charged{budget, uint64_t{tokens} * sizeof(uint32_t)};
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
  charged.kept = true;
  return degrees;
}

std::vector<uint32_t> ReadDegreesFile(const std::string& path, MemoryBudget* budget) {
  const std::string name = SanitizeForMessage(path);
  const std::string text = ReadWholeFile(path, budget);
  struct Held {
    MemoryBudget* budget;
    uint64_t bytes;
    ~Held() {
      if (budget != nullptr) budget->Release(bytes);
    }
  } held{budget, text.capacity()};
  try {
    return ParseDegrees(text, budget, "parsing its degrees");
  } catch (const IoError& e) {
    throw IoError(name + ": " + e.what());
  }
}

}  // namespace phase_router::io
