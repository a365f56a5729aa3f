// The one exception type of the tool's file readers and writers.
#ifndef PHASE_ROUTER_TOOLS_IO_IO_ERROR_H_
#define PHASE_ROUTER_TOOLS_IO_IO_ERROR_H_

#include <stdexcept>
#include <string>

namespace phase_router::io {

// Unreadable, malformed or unwritable files. The message is one line that
// names the file (when there is one) and what is wrong with it; the command
// line tool prints it as is.
class IoError : public std::runtime_error {
 public:
  explicit IoError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace phase_router::io

#endif  // PHASE_ROUTER_TOOLS_IO_IO_ERROR_H_
