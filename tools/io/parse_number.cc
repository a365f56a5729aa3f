#include "tools/io/parse_number.h"

#include <charconv>
#include <system_error>

namespace phase_router::io {
namespace {

bool IsAllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::optional<uint64_t> ParseDecimalU64(std::string_view text) {
  if (!IsAllDigits(text)) return std::nullopt;
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, 10);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

const char* DescribeBadDecimal(std::string_view text) {
  if (text.empty()) return "is empty";
  if (text[0] == '-' && IsAllDigits(text.substr(1))) return "is negative";
  if (!IsAllDigits(text)) return "is not a decimal integer";
  return "is too large";
}

std::string QuoteForMessage(std::string_view text, size_t max_chars) {
  const bool shortened = text.size() > max_chars;
  if (shortened) text = text.substr(0, max_chars);
  std::string quoted = "'";
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    quoted += (u < 0x20 || u == 0x7F) ? '?' : c;
  }
  quoted += shortened ? "...'" : "'";
  return quoted;
}

}  // namespace phase_router::io
