// The one exception type of Phase Router: every entry point reports bad
// input by throwing Error, a std::invalid_argument carrying an ErrorCode and
// a message that names the bad value. Its own header so that the lower
// layers (dispatch/) can throw it without the router's API.
#ifndef PHASE_ROUTER_ERROR_H_
#define PHASE_ROUTER_ERROR_H_

#include <stdexcept>
#include <string>

namespace phase_router {

enum class ErrorCode {
  kBadShape = 1,    // dimensions zero, inconsistent, or too large
  kBadDegree = 2,   // a degree above its ring size
  kBadOption = 3,   // k = 0, k too large, unknown select mode
  kBadData = 4,     // null data, nonzero padding bits, unreadable input
  kOutOfMemory = 5, // over Options::memory_limit, or an allocation failed
};

class Error : public std::invalid_argument {
 public:
  Error(ErrorCode code, const std::string& message)
      : std::invalid_argument(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace phase_router

#endif  // PHASE_ROUTER_ERROR_H_
