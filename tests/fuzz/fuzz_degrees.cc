// libFuzzer harness for the degree reader (tools/io/degrees.h). Any bytes:
// either an IoError (one line) or degrees that survive a round trip through
// their decimal text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tools/io/degrees.h"
#include "tools/io/io_error.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_degrees: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phase_router::io;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<uint32_t> degrees;
  try {
    degrees = ParseDegrees(text);
  } catch (const IoError& e) {
    const std::string message = e.what();
    if (message.empty()) Fail("empty error message");
    if (message.find('\n') != std::string::npos)
      Fail("multi-line error message");
    return 0;
  }
  if (degrees.empty()) Fail("accepted no degrees");
  // Every degree is at least one digit and one separator, but the last.
  if (degrees.size() > size / 2 + 1) Fail("more degrees than the input holds");
  std::string again;
  for (uint32_t d : degrees) again += std::to_string(d) + "\n";
  if (ParseDegrees(again) != degrees) Fail("round trip changed the degrees");
  return 0;
}
