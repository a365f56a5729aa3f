// Degree files: the s or t vector of a routing as plain text.
#ifndef PHASE_ROUTER_TOOLS_IO_DEGREES_H_
#define PHASE_ROUTER_TOOLS_IO_DEGREES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/io/file_io.h"

namespace phase_router::io {

// Whitespace-separated non-negative decimal integers, each <= UINT32_MAX,
// at least one. Throws IoError naming the offending token by its 1-based
// index, its text and its line (negative, not a decimal integer, too large)
// or saying that there are no degrees at all. Whether each degree fits its
// ring is the router's check, not the reader's.
// With a `budget`, the degrees (4 bytes each) are charged to it, as `what`,
// before they are allocated.
std::vector<uint32_t> ParseDegrees(std::string_view text,
                                   MemoryBudget* budget = nullptr,
                                   const std::string& what = "the degrees");

// ParseDegrees on the file's contents; messages are prefixed with the path.
// With a `budget`, the file's bytes are charged while they are held and the
// degrees stay charged (the caller releases 4 * size() when it frees them).
std::vector<uint32_t> ReadDegreesFile(const std::string& path,
                                      MemoryBudget* budget = nullptr);

}  // namespace phase_router::io

#endif  // PHASE_ROUTER_TOOLS_IO_DEGREES_H_
