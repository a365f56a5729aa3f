// Option checks shared by the router, the hash router, the baselines and the
// seed statistics, so that each refuses the same input with the same
// message. Internal: not installed (the command-line tools, built with the
// library, use MaxThreads() to refuse --threads as a usage error).
#ifndef PHASE_ROUTER_ROUTER_VALIDATION_H_
#define PHASE_ROUTER_ROUTER_VALIDATION_H_

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

}  // namespace phase_router

#endif  // PHASE_ROUTER_ROUTER_VALIDATION_H_
