// Degree files: the s or t vector of a routing as plain text.
#ifndef PHASE_ROUTER_TOOLS_IO_DEGREES_H_
#define PHASE_ROUTER_TOOLS_IO_DEGREES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace phase_router::io {

// Whitespace-separated non-negative decimal integers, each <= UINT32_MAX,
// at least one. Throws IoError naming the offending token by its 1-based
// index, its text and its line (negative, not a decimal integer, too large)
// or saying that there are no degrees at all. Whether each degree fits its
// ring is the router's check, not the reader's.
std::vector<uint32_t> ParseDegrees(std::string_view text);

// ParseDegrees on the file's contents; messages are prefixed with the path.
std::vector<uint32_t> ReadDegreesFile(const std::string& path);

}  // namespace phase_router::io

#endif  // PHASE_ROUTER_TOOLS_IO_DEGREES_H_
