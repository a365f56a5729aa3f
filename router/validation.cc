#include "router/validation.h"

#include <omp.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace phase_router {
namespace {

// The largest team known to start (1: the calling thread alone).
std::atomic<int> g_threads_started{1};

// OMP_STACKSIZE (or libgomp's GOMP_STACKSIZE) in bytes: a number with an
// optional B, K, M or G suffix, kilobytes without one; 0 when unset or
// malformed (OpenMP then ignores it too, and uses the system default).
size_t OpenMpStackSize() {
  for (const char* name : {"OMP_STACKSIZE", "GOMP_STACKSIZE"}) {
    const char* text = std::getenv(name);
    if (text == nullptr) continue;
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text, &end, 10);
    if (end == text) return 0;
    while (std::isspace(static_cast<unsigned char>(*end))) ++end;
    int shift = 10;  // K by default
    switch (std::toupper(static_cast<unsigned char>(*end))) {
      case '\0': break;
      case 'B': shift = 0; ++end; break;
      case 'K': shift = 10; ++end; break;
      case 'M': shift = 20; ++end; break;
      case 'G': shift = 30; ++end; break;
      default: return 0;
    }
    while (std::isspace(static_cast<unsigned char>(*end))) ++end;
    if (*end != '\0' || value > (~0ull >> shift)) return 0;
    return static_cast<size_t>(value << shift);
  }
  return 0;
}

void* DoNothing(void*) { return nullptr; }

}  // namespace

int MaxThreads() {
  static const int cap = std::clamp(4 * omp_get_num_procs(), kMinThreadCap, kMaxThreads);
  return cap;
}

void CheckThreads(const Options& options) {
  if (options.threads >= 0 && options.threads <= MaxThreads()) return;
  throw Error(ErrorCode::kBadOption,
              "threads = " + std::to_string(options.threads) +
                  " is out of range: expected 0 (OpenMP's default) to " +
                  std::to_string(MaxThreads()) + " (4 x the " +
                  std::to_string(omp_get_num_procs()) + " CPUs OpenMP reports, at least " +
                  std::to_string(kMinThreadCap) + ", at most " + std::to_string(kMaxThreads) +
                  ")");
}

void EnsureThreadsCanStart(int threads) {
  if (threads <= g_threads_started.load(std::memory_order_acquire)) return;
  static std::mutex probing;
  const std::lock_guard<std::mutex> lock(probing);
  if (threads <= g_threads_started.load(std::memory_order_acquire)) return;
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return;  // nothing to ask with: let OpenMP try
  const size_t stack = OpenMpStackSize();
  if (stack != 0) pthread_attr_setstacksize(&attr, stack);
  // Joinable threads keep their stacks until joined, so all threads - 1
  // hold theirs at once, as a team does.
  std::vector<pthread_t> started;
  started.reserve(static_cast<size_t>(threads - 1));
  int error = 0;
  for (int n = 1; n < threads && error == 0; ++n) {
    pthread_t thread;
    error = pthread_create(&thread, &attr, DoNothing, nullptr);
    if (error == 0) started.push_back(thread);
  }
  for (pthread_t thread : started) pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  if (error != 0) {
    throw Error(ErrorCode::kOutOfMemory,
                "cannot start " + std::to_string(threads) + " threads: the system started " +
                    std::to_string(started.size()) + " of the " + std::to_string(threads - 1) +
                    " beside the calling one, then refused (" + std::strerror(error) +
                    "); ask for fewer threads (Options::threads, OMP_NUM_THREADS) or raise "
                    "the process limits (ulimit -v, -u)");
  }
  g_threads_started.store(threads, std::memory_order_release);
}

int ThreadsOf(const Options& options) {
  const int threads =
      options.threads > 0 ? options.threads : std::min(omp_get_max_threads(), MaxThreads());
  EnsureThreadsCanStart(threads);
  return threads;
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
