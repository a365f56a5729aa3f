#include "tools/cli/command_line.h"

#include <cstdio>
#include <limits>
#include <optional>

#include "tools/io/parse_number.h"

namespace phase_router::cli {

int ReportError(const std::string& message, int exit_code) {
  std::string line = message;
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::fprintf(stderr, "phase-router: error: %s\n", line.c_str());
  return exit_code;
}

uint64_t ParseUnsignedOption(const std::string& option_name,
                             const std::string& text, uint64_t min,
                             uint64_t max) {
  const std::string range = "expected an integer from " + std::to_string(min) +
                            " to " + std::to_string(max);
  const std::optional<uint64_t> value = io::ParseDecimalU64(text);
  if (!value) {
    throw UsageError(option_name + ": " + io::QuoteForMessage(text) + " " +
                     io::DescribeBadDecimal(text) + "; " + range);
  }
  if (*value < min || *value > max) {
    throw UsageError(option_name + ": " + text + " is out of range; " + range);
  }
  return *value;
}

uint64_t ParseSeedOption(const std::string& text) {
  return ParseUnsignedOption("--seed", text, 0,
                             std::numeric_limits<uint64_t>::max());
}

int ParseThreadsOption(const std::string& text) {
  return static_cast<int>(
      ParseUnsignedOption("--threads", text, 0, kMaxThreads));
}

}  // namespace phase_router::cli
