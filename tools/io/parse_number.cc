#include "tools/io/parse_number.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>
#include <vector>

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

namespace {

// The length of the UTF-8 character at text[pos] (1 to 4), or 0 when the
// bytes there are not one (a stray continuation byte, an overlong or
// truncated sequence, a surrogate, past U+10FFFF).
size_t Utf8Length(std::string_view text, size_t pos) {
  const unsigned char lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return 1;
  size_t length;
  uint32_t code;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code = lead & 0x07;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  for (size_t n = 1; n < length; ++n) {
    const unsigned char next = static_cast<unsigned char>(text[pos + n]);
    if ((next & 0xC0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kSmallest[length] || code > 0x10FFFF ||
      (code >= 0xD800 && code <= 0xDFFF)) {
    return 0;
  }
  return length;
}

// One printable character per entry: a UTF-8 character, or "?" for a
// control character or a byte that is not UTF-8.
std::vector<std::string_view> PrintableCharacters(std::string_view text) {
  static constexpr std::string_view kReplacement = "?";
  std::vector<std::string_view> chars;
  for (size_t pos = 0; pos < text.size();) {
    const size_t length = Utf8Length(text, pos);
    const unsigned char lead = static_cast<unsigned char>(text[pos]);
    const bool c0 = length == 1 && (lead < 0x20 || lead == 0x7F);
    const bool c1 = length == 2 && lead == 0xC2 &&
                    static_cast<unsigned char>(text[pos + 1]) < 0xA0;
    if (length == 0 || c0 || c1) {
      chars.push_back(kReplacement);
      pos += length == 0 ? 1 : length;
    } else {
      chars.push_back(text.substr(pos, length));
      pos += length;
    }
  }
  return chars;
}

}  // namespace

std::string SanitizeForMessage(std::string_view text, size_t max_chars) {
  const std::vector<std::string_view> chars = PrintableCharacters(text);
  std::string out;
  out.reserve(std::min(text.size(), 4 * max_chars + 3));
  if (chars.size() <= max_chars || max_chars < 8) {
    const size_t keep = std::min(chars.size(), max_chars);
    for (size_t n = 0; n < keep; ++n) out += chars[n];
    if (keep < chars.size()) out += "...";
    return out;
  }
  const size_t head = (max_chars - 3) / 2, tail = max_chars - 3 - head;
  for (size_t n = 0; n < head; ++n) out += chars[n];
  out += "...";
  for (size_t n = chars.size() - tail; n < chars.size(); ++n) out += chars[n];
  return out;
}

std::string QuoteForMessage(std::string_view text, size_t max_chars) {
  // Appended piece by piece: g++ 12 warns (-Wrestrict, falsely) on
  // "'" + std::string + "'".
  std::string quoted(1, '\'');
  quoted += SanitizeForMessage(text, max_chars);
  quoted += '\'';
  return quoted;
}

}  // namespace phase_router::io
