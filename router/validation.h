// Option checks shared by the router, the hash router, the baselines and the
// seed statistics, so that each refuses the same input with the same
// message. Internal: not installed (the command-line tools, built with the
// library, use MaxThreads() to refuse --threads as a usage error).
#ifndef PHASE_ROUTER_ROUTER_VALIDATION_H_
#define PHASE_ROUTER_ROUTER_VALIDATION_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "phase_router/phase_router.h"

namespace phase_router {

// Options::threads is bounded by MaxThreads(): 4 x the CPUs OpenMP reports
// (omp_get_num_procs), but never below kMinThreadCap (so a request that runs
// on a 16-core machine runs on a laptop too) nor above kMaxThreads. More
// threads than that only oversubscribe the machine, and each costs a stack
// (8 MiB of address space by default), so a typo such as 1000 would make
// OpenMP end the process trying to start them under an address-space limit.
inline constexpr int kMinThreadCap = 64;
inline constexpr int kMaxThreads = 1024;
int MaxThreads();

// Options::threads in [0, MaxThreads()], else Error(kBadOption) naming the
// value and the bound.
void CheckThreads(const Options& options);

// The threads a call runs on: Options::threads, or OpenMP's default for 0
// (omp_get_max_threads(), which OMP_NUM_THREADS sets; at most MaxThreads()).
// Before a count is first used, makes sure the system can start that many
// threads (EnsureThreadsCanStart): OpenMP itself would end the process.
int ThreadsOf(const Options& options);

// Throws Error(kOutOfMemory) naming `threads` and the system's reason when
// `threads` - 1 threads (the team besides the calling thread), each with the
// stack OpenMP gives its workers (OMP_STACKSIZE, else the system default),
// cannot all be started: libgomp calls exit() when pthread_create fails, so
// the only way to turn that into an error is to ask first. The largest
// count that started is remembered; asking again for as many costs nothing.
void EnsureThreadsCanStart(int threads);

// The baselines and the seed statistics route whole routings only: refuses
// a row range (Options::row_begin/row_end) with Error(kBadOption) naming
// `function`, rather than writing M rows into a buffer sized for fewer.
void RequireAllRows(const Options& options, const char* function);


// ---- requests: every entry point refuses the same input with the same
// message (router.cc, analysis.cc).

// "rowsxcols", as the messages print shapes.
std::string ShapeText(size_t rows, size_t cols);

// M and E in [1, 2^31), k in [1, 2^31), M x k ids and M x E bits
// addressable, threads bounded, a non-empty row range inside [0, M).
void CheckShape(size_t M, size_t E, const Options& options);

// S is M x E and T must be E x M.
void CheckPair(size_t s_rows, size_t s_cols, size_t t_rows, size_t t_cols);

// A view's data, stride and span; bit views also their padding bits (the
// kernels count whole words, so a stray bit would be a phantom candidate).
void CheckView(const ByteMatrixView& v, const char* name);
void CheckView(const BitMatrixView& v, const char* name);

// Every degree at most the ring it lives on.
void CheckDegrees(std::span<const uint32_t> d, size_t ring, const char* name,
                  const char* ring_name);

// "12.3 MiB", for the memory ceiling's messages.
std::string HumanBytes(uint64_t bytes);

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_VALIDATION_H_
