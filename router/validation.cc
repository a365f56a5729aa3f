#include "router/validation.h"

#include <omp.h>

#include <string>

namespace phase_router {

void CheckThreads(const Options& options) {
  if (options.threads >= 0 && options.threads <= kMaxThreads) return;
  throw Error(ErrorCode::kBadOption, "threads = " + std::to_string(options.threads) +
                                         " is out of range: expected 0 (OpenMP's default) "
                                         "to " + std::to_string(kMaxThreads));
}

int ThreadsOf(const Options& options) {
  return options.threads > 0 ? options.threads : omp_get_max_threads();
}

void RequireAllRows(const Options& options, const char* function) {
  if (options.row_begin == 0 && options.row_end == 0) return;
  throw Error(ErrorCode::kBadOption,
              std::string(function) + " routes all M rows: row_begin = " +
                  std::to_string(options.row_begin) + ", row_end = " +
                  std::to_string(options.row_end) + " is not supported here (only Route and "
                  "RouteDegrees take a row range)");
}

}  // namespace phase_router
