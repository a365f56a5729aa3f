#include "router/validation.h"

#include <omp.h>
#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <limits>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/bit_matrix.h"

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

// ---- requests -------------------------------------------------------------

namespace {

// Ids are int32 in the output, and every size below must fit its products.
constexpr size_t kMaxSide = static_cast<size_t>(std::numeric_limits<int32_t>::max());

// The last byte of a rows x cols view with `stride` elements a row must be
// addressable: (rows - 1) * stride + cols elements of `size` bytes.
void CheckSpan(size_t rows, size_t stride, size_t cols, size_t size, const char* name) {
  size_t elements = 0, bytes = 0;
  if (rows == 0) return;
  if (__builtin_mul_overflow(rows - 1, stride, &elements) ||
      __builtin_add_overflow(elements, cols, &elements) ||
      __builtin_mul_overflow(elements, size, &bytes) ||
      bytes > static_cast<size_t>(std::numeric_limits<ptrdiff_t>::max())) {
    throw Error(ErrorCode::kBadShape, std::string(name) + " with " + std::to_string(rows) +
                                          " rows of stride " + std::to_string(stride) +
                                          " spans more than the address space");
  }
}

}  // namespace

std::string ShapeText(size_t rows, size_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

void CheckShape(size_t M, size_t E, const Options& options) {
  if (M == 0 || E == 0) {
    throw Error(ErrorCode::kBadShape, "empty routing: M = " + std::to_string(M) +
                                          " sources, E = " + std::to_string(E) +
                                          " targets (both must be >= 1)");
  }
  if (M > kMaxSide || E > kMaxSide) {
    throw Error(ErrorCode::kBadShape, "routing " + ShapeText(M, E) +
                                          " is too large: M and E must be below 2^31");
  }
  if (options.k == 0) throw Error(ErrorCode::kBadOption, "k must be >= 1 (got 0)");
  if (options.k > kMaxSide) {
    throw Error(ErrorCode::kBadOption,
                "k = " + std::to_string(options.k) + " does not fit in int32");
  }
  size_t out_entries = 0, bits = 0;
  if (__builtin_mul_overflow(M, static_cast<size_t>(options.k), &out_entries) ||
      out_entries > std::numeric_limits<size_t>::max() / sizeof(int32_t) ||
      __builtin_mul_overflow(M, WordsFor(E) * kWordBits, &bits)) {
    throw Error(ErrorCode::kBadShape, "routing " + ShapeText(M, E) + " with k = " +
                                          std::to_string(options.k) +
                                          " overflows the address space");
  }
  CheckThreads(options);
  const size_t row_end = options.row_end ? options.row_end : M;
  if (options.row_begin >= row_end || row_end > M) {
    throw Error(ErrorCode::kBadOption,
                "row range [" + std::to_string(options.row_begin) + ", " +
                    std::to_string(row_end) + ") is not a non-empty range of the M = " +
                    std::to_string(M) + " sources");
  }
}

// S is M x E and T must be E x M.
void CheckPair(size_t s_rows, size_t s_cols, size_t t_rows, size_t t_cols) {
  if (t_rows != s_cols || t_cols != s_rows) {
    throw Error(ErrorCode::kBadShape,
                "shape mismatch: S is " + ShapeText(s_rows, s_cols) + " (M x E) so T must be " +
                    ShapeText(s_cols, s_rows) + " (E x M), but T is " + ShapeText(t_rows, t_cols));
  }
}

void CheckView(const ByteMatrixView& v, const char* name) {
  if (v.data == nullptr) throw Error(ErrorCode::kBadData, std::string(name) + " has no data");
  if (v.stride != 0 && v.stride < v.cols) {
    throw Error(ErrorCode::kBadData, std::string(name) + " stride " +
                                         std::to_string(v.stride) + " is below its width " +
                                         std::to_string(v.cols));
  }
  CheckSpan(v.rows, v.stride ? v.stride : v.cols, v.cols, 1, name);
}

void CheckView(const BitMatrixView& v, const char* name) {
  if (v.words == nullptr) throw Error(ErrorCode::kBadData, std::string(name) + " has no data");
  const size_t words = WordsFor(v.cols);
  if (v.stride != 0 && v.stride < words) {
    throw Error(ErrorCode::kBadData, std::string(name) + " stride " +
                                         std::to_string(v.stride) + " words is below the " +
                                         std::to_string(words) + " a row of " +
                                         std::to_string(v.cols) + " bits needs");
  }
  // The kernels count whole words, so a stray padding bit would count as a
  // phantom candidate: refuse it rather than route on it.
  const size_t stride = v.stride ? v.stride : words;
  CheckSpan(v.rows, stride, words, sizeof(uint64_t), name);
  const uint64_t pad = ~LastWordMask(v.cols);
  if (pad == 0) return;
  for (size_t r = 0; r < v.rows; ++r) {
    if (v.words[r * stride + words - 1] & pad) {
      throw Error(ErrorCode::kBadData, std::string(name) + " row " + std::to_string(r) +
                                           " has bits set beyond column " +
                                           std::to_string(v.cols - 1) +
                                           " (padding bits must be zero)");
    }
  }
}

void CheckDegrees(std::span<const uint32_t> d, size_t ring, const char* name,
                  const char* ring_name) {
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i] > ring) {
      throw Error(ErrorCode::kBadDegree,
                  std::string(name) + "[" + std::to_string(i) + "] = " +
                      std::to_string(d[i]) + " exceeds the ring size " + ring_name +
                      " = " + std::to_string(ring));
    }
  }
}

std::string HumanBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof(text), unit == 0 ? "%.0f %s" : "%.1f %s", value, kUnits[unit]);
  return text;
}

}  // namespace phase_router
