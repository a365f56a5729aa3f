/* Phase Router, the C API: the same routings as phase_router.h, for C and
 * for any language with a C foreign-function interface.
 *
 * Errors are values: every call that can fail returns a pr_error (PR_OK = 0)
 * and leaves a one-line message, naming the bad value, for
 * pr_last_error_message(). Nothing is printed, nothing aborts, and no C++
 * exception crosses this boundary.
 *
 * Thread safety: as in phase_router.h. A pr_router must not be used by two
 * threads at once; separate routers may route concurrently. The last error
 * message is kept per thread. pr_force_target is process-wide.
 *
 * Link: phase_router::phase_router (CMake) or `pkg-config --libs
 * phase_router`. The library is C++ with OpenMP, so link with the C++
 * compiler driver (CMake does this by itself) or add the C++ runtime.
 */
#ifndef PHASE_ROUTER_PHASE_ROUTER_C_H_
#define PHASE_ROUTER_PHASE_ROUTER_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes; the first five equal phase_router::ErrorCode. */
typedef enum pr_error {
  PR_OK = 0,
  PR_ERROR_BAD_SHAPE = 1,     /* dimensions zero, inconsistent, too large */
  PR_ERROR_BAD_DEGREE = 2,    /* a degree above its ring size */
  PR_ERROR_BAD_OPTION = 3,    /* k = 0, unknown select, tiling, target... */
  PR_ERROR_BAD_DATA = 4,      /* a null pointer, nonzero padding bits */
  PR_ERROR_OUT_OF_MEMORY = 5, /* over pr_options.memory_limit, or no memory */
  PR_ERROR_INTERNAL = 6       /* a failure the library did not expect */
} pr_error;

typedef enum pr_select {
  PR_SELECT_RANDOM = 0, /* the k candidates with the smallest seeded keys */
  PR_SELECT_LOWEST = 1  /* the k lowest candidate target ids */
} pr_select;

/* How candidates are found (phase_router::Method, docs/scale.md). */
typedef enum pr_method {
  PR_METHOD_AUTO = 0, /* the cost model picks */
  PR_METHOD_BITS = 1, /* bit matrices; any input */
  PR_METHOD_ARCS = 2  /* arc intersection; aligned input only */
} pr_method;

/* SPEC.md step 2's tiling rule (phase_router::Tiling). */
typedef enum pr_tiling {
  PR_TILING_AUTO = 0, /* tile when the laps hold k routes a source */
  PR_TILING_ON = 1,   /* tile whenever align is on and sum(t) >= M */
  PR_TILING_OFF = 2   /* arcs of length t_t */
} pr_tiling;

/* The options of one routing (phase_router::Options). Start from
 * pr_options_init(): it sets every field to its default. */
typedef struct pr_options {
  uint32_t k;            /* fan-out cap per source, >= 1 (default 1) */
  uint64_t seed;         /* any value; 0 is an ordinary seed (default 0) */
  int align;             /* nonzero: only the row degrees matter (default 1) */
  int row_perm;          /* nonzero: permute rows, SPEC step 5 (default 0) */
  pr_select select;      /* default PR_SELECT_RANDOM */
  int threads;           /* OpenMP threads; 0 = OpenMP's default; at most
                            4 x the CPUs (at least 64, at most 1024):
                            PR_ERROR_BAD_OPTION beyond, PR_ERROR_OUT_OF_MEMORY
                            when the system cannot start them */
  uint64_t memory_limit; /* bytes; 0 = the library's default ceiling */
  pr_method method;      /* default PR_METHOD_AUTO */
  size_t row_begin;      /* route sources [row_begin, row_end) only; */
  size_t row_end;        /* row_end 0 means M (default: all rows) */
  pr_tiling tiling;      /* default PR_TILING_AUTO */
} pr_options;

/* Per-call statistics (a subset of phase_router::Stats). */
typedef struct pr_stats {
  size_t M, E, k;
  uint64_t active_routes; /* entries != -1 */
  double fill_ratio;      /* active_routes / (M * k) */
  uint32_t candidates_min, candidates_max;
  double candidates_mean;
  uint32_t load_max; /* routes into the busiest target */
  double load_mean;  /* active_routes / E */
  double load_skew;  /* load_max / load_mean (1 without routes) */
  double route_ms;   /* the whole call */
  char backend[32];  /* the kernel backend that ran, NUL-terminated */
  char method[8];    /* "bits" or "arcs", NUL-terminated */
  size_t row_begin, row_end; /* the rows routed */
  int tiled;         /* nonzero when SPEC.md's tiling applied */
  uint64_t laps;     /* q = floor(sum(t) / M) when tiled, else 0 */
  int spec;          /* the SPEC.md version of the routes: 2 */
} pr_stats;

/* An opaque router: it keeps its workspace across calls (buffers grow,
 * never shrink), so reuse one for routings of the same size. */
typedef struct pr_router pr_router;

/* Sets every field of *options to its default. */
void pr_options_init(pr_options* options);

/* Creates a router into *out (NULL on failure). Free it with
 * pr_router_destroy. */
pr_error pr_router_create(pr_router** out);
/* Frees a router; NULL is ignored. */
void pr_router_destroy(pr_router* router);
/* Bytes held by the router's workspace (0 for NULL). */
size_t pr_router_workspace_bytes(const pr_router* router);

/* Every route call writes M * k int32 into `out` (caller-owned), or
 * (row_end - row_begin) * k for a row range: row i holds source i's (or
 * source row_begin + i's) target ids ascending, then -1 up to k entries. `stats` may be
 * NULL. On failure `out` is unspecified. */

/* S: M x E packed bit matrix, row r at s_words + r * s_stride (in uint64
 * words; 0 means ceil(E / 64)); bit x of a row is bit x % 64 of word x / 64.
 * T: E x M the same way with t_stride. Bits at columns >= the row length
 * must be zero (PR_ERROR_BAD_DATA otherwise). */
pr_error pr_route_bits(pr_router* router, const uint64_t* s_words,
                       size_t s_stride, const uint64_t* t_words,
                       size_t t_stride, size_t M, size_t E,
                       const pr_options* options, int32_t* out,
                       pr_stats* stats);

/* S: M x E bytes, row r at s_bytes + r * s_stride (0 means E); nonzero = 1.
 * T: E x M bytes with t_stride (0 means M). */
pr_error pr_route_bytes(pr_router* router, const uint8_t* s_bytes,
                        size_t s_stride, const uint8_t* t_bytes,
                        size_t t_stride, size_t M, size_t E,
                        const pr_options* options, int32_t* out,
                        pr_stats* stats);

/* Degree vectors: s has M entries, each <= E; t has E entries, each <= M.
 * Same routes as the matrix calls with align on (options->align is
 * ignored). */
pr_error pr_route_degrees(pr_router* router, const uint32_t* s, size_t M,
                          const uint32_t* t, size_t E,
                          const pr_options* options, int32_t* out,
                          pr_stats* stats);

/* The hash-router baseline (phase_router::HashRoute): min(k, E) distinct
 * uniform targets per source, no degree constraints. Uses options->k,
 * seed, threads (checked as for pr_route_*) and memory_limit (each
 * thread's scratch of E bits). */
pr_error pr_hash_route(size_t M, size_t E, const pr_options* options,
                       int32_t* out);

/* ---- Mixture of Experts (phase_router/moe.h, docs/moe.md) ---- */

/* Routes by target, the CSR inverse of M x k routes (-1 = unused slot; any
 * other entry must be a target id in [0, E)): the routes into target t are
 * entries offsets[t] .. offsets[t + 1] - 1 of `sources` (the row each came
 * from, ascending within a target) and `slots` (its column, 0..k-1).
 * `offsets` holds E + 1 entries; `sources` and `slots` hold `capacity`
 * entries each, at least offsets[E] (M * k always suffices; too few fails
 * with PR_ERROR_BAD_SHAPE naming the number needed). threads: OpenMP
 * threads, 0 = default; the output is the same for any count. */
pr_error pr_routes_by_target(const int32_t* routes, size_t M, size_t k,
                             size_t E, int threads, int64_t* offsets,
                             int32_t* sources, int32_t* slots,
                             size_t capacity);

/* Expert capacities for M tokens with k experts each into `out` (E
 * entries): sum = floor(capacity_factor * M * k), split in proportion to
 * `weights` (E finite entries >= 0, not all 0; NULL = uniform) by the
 * largest remainder (equal remainders: the lower expert id first), each at
 * most M. A request the experts cannot hold fails with PR_ERROR_BAD_OPTION
 * naming it. */
pr_error pr_capacities(size_t M, size_t E, uint32_t k, double capacity_factor,
                       const double* weights, uint32_t* out);

/* Routes num_tokens tokens to E experts: every token accepts every expert,
 * expert e takes at most min(capacities[e], num_tokens) tokens (capacities
 * of a full batch work for a partial one). `out` as for pr_route_degrees:
 * num_tokens * options->k int32. */
pr_error pr_route_tokens(pr_router* router, size_t num_tokens,
                         const uint32_t* capacities, size_t E,
                         const pr_options* options, int32_t* out,
                         pr_stats* stats);

/* The message of this thread's last failed call ("" if none has failed).
 * Valid until this thread's next call into the library. */
const char* pr_last_error_message(void);
/* A constant name for a code: "PR_OK", "PR_ERROR_BAD_SHAPE", ... */
const char* pr_error_name(pr_error code);

/* The library version, "MAJOR.MINOR.PATCH". */
const char* pr_version(void);

/* The kernel target the next route uses ("AVX2", "generic", ...), or NULL
 * on failure (a bad PHASE_ROUTER_TARGET). Valid until this thread's next
 * call into the library. */
const char* pr_active_target(void);
/* Forces a kernel target for the whole process (case-insensitive); NULL or
 * "" restores the default. An unknown or unsupported name fails with
 * PR_ERROR_BAD_OPTION and changes nothing. */
pr_error pr_force_target(const char* name);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PHASE_ROUTER_PHASE_ROUTER_C_H_ */
