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

// `text` quoted for an error message, shortened to at most `max_chars`
// characters with "..." so a binary file cannot flood the terminal, and with
// control bytes shown as '?' so the message stays on one line.
std::string QuoteForMessage(std::string_view text, size_t max_chars = 32);

}  // namespace phase_router::io

#endif  // PHASE_ROUTER_TOOLS_IO_PARSE_NUMBER_H_
