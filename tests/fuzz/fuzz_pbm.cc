// libFuzzer harness for the PBM reader (tools/io/pbm.h). Any bytes: either an
// IoError (one line) or an image whose pixels are 0/1, whose size matches its
// header, and which comes back unchanged through FormatPbm in both encodings.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tools/io/io_error.h"
#include "tools/io/pbm.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_pbm: %s\n", what);
  std::abort();
}

void CheckRoundTrip(const phase_router::io::PbmImage& image,
                    phase_router::io::PbmEncoding encoding) {
  using phase_router::io::ParsePbm;
  const std::string text = phase_router::io::FormatPbm(
      image.pixels.data(), image.rows, image.cols, encoding);
  const phase_router::io::PbmImage again = ParsePbm(text);
  if (again.rows != image.rows || again.cols != image.cols ||
      again.pixels != image.pixels) {
    Fail("round trip changed the image");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phase_router::io;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  PbmImage image;
  try {
    image = ParsePbm(bytes);
  } catch (const IoError& e) {
    const std::string message = e.what();
    if (message.empty()) Fail("empty error message");
    if (message.find('\n') != std::string::npos)
      Fail("multi-line error message");
    return 0;
  }
  if (image.rows == 0 || image.cols == 0) Fail("accepted an empty image");
  if (image.pixels.size() != image.rows * image.cols) Fail("pixel count");
  for (uint8_t p : image.pixels) {
    if (p > 1) Fail("pixel not 0/1");
  }
  // Each pixel costs at least one bit of input: a parse never inflates
  // beyond 8 pixels a byte (the terabyte-header guard).
  if (image.pixels.size() > 8 * size) Fail("more pixels than the input holds");
  CheckRoundTrip(image, PbmEncoding::kPlain);
  CheckRoundTrip(image, PbmEncoding::kRaw);
  return 0;
}
