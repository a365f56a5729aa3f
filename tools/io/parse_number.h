// Strict decimal parsing shared by the file readers and the command line.
//
// Only plain ASCII digits are accepted: no sign, no base prefix, no spaces,
// no trailing text. (strtoull and friends accept "-1", "0x10" and " 7", which
// would silently turn a typo into a different routing.)
#ifndef PHASE_ROUTER_TOOLS_IO_PARSE_NUMBER_H_
#define PHASE_ROUTER_TOOLS_IO_PARSE_NUMBER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace phase_router::io {

// The value of `text` if it is one or more decimal digits whose value fits
// in uint64_t; nullopt otherwise (empty, sign, other characters, overflow).
std::optional<uint64_t> ParseDecimalU64(std::string_view text);

// Why `text` is not a valid ParseDecimalU64 input, in a few words
// ("is empty", "is negative", "is not a decimal integer", "is too large");
// used to build messages that say what is wrong, not just that it is.
const char* DescribeBadDecimal(std::string_view text);

// How the tools echo anything a user gave them (option values, paths, file
// contents) in a message: control characters (C0, DEL, C1) and bytes that
// are not UTF-8 become '?', so a message stays one line and cannot drive the
// terminal; text longer than kMaxEchoChars characters keeps its first and
// last characters around "...", so a binary file or a pasted blob cannot
// flood the terminal while a long path keeps its file name.
inline constexpr size_t kMaxEchoChars = 80;
std::string SanitizeForMessage(std::string_view text,
                               size_t max_chars = kMaxEchoChars);

// SanitizeForMessage(text) in single quotes: 'text'.
std::string QuoteForMessage(std::string_view text,
                            size_t max_chars = kMaxEchoChars);

}  // namespace phase_router::io

#endif  // PHASE_ROUTER_TOOLS_IO_PARSE_NUMBER_H_
