/* The C API (phase_router_c.h), from C11: every golden case through packed
 * bits, bytes (with a padded stride) and degrees, bad input as error values
 * with messages, and the per-thread last-error message.
 *
 * usage: c_api_test GOLDEN.case...   (exit 0 when every check passes) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "phase_router/phase_router_c.h"

static int g_failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                            \
    }                                                                          \
  } while (0)

/* A call that must fail with `code` and a message containing `needle`. */
#define CHECK_FAILS(call, code, needle)                                        \
  do {                                                                         \
    const pr_error got_ = (call);                                              \
    if (got_ != (code) || strstr(pr_last_error_message(), (needle)) == NULL) { \
      fprintf(stderr, "%s:%d: %s gave %s \"%s\", expected %s with \"%s\"\n",   \
              __FILE__, __LINE__, #call, pr_error_name(got_),                  \
              pr_last_error_message(), pr_error_name(code), (needle));         \
      ++g_failures;                                                            \
    }                                                                          \
  } while (0)

/* ---- golden cases (tests/golden/README.md) ---- */

typedef struct golden_case {
  size_t M, E;
  uint32_t k;
  unsigned long long seed;
  int align, row_perm;
  pr_select select;
  pr_tiling tiling;
  uint8_t* S;      /* M x E, 0/1 */
  uint8_t* T;      /* E x M, 0/1 */
  int32_t* routes; /* M x k */
} golden_case;

static void free_case(golden_case* c) {
  free(c->S);
  free(c->T);
  free(c->routes);
}

/* Reads the next line (without the newline) into buf; 0 at end of file. */
static int read_line(FILE* f, char* buf, size_t size) {
  if (fgets(buf, (int)size, f) == NULL) return 0;
  buf[strcspn(buf, "\r\n")] = '\0';
  return 1;
}

static int read_matrix(FILE* f, const char* title, size_t rows, size_t cols,
                       uint8_t* out, char* line, size_t line_size) {
  if (!read_line(f, line, line_size) || strcmp(line, title) != 0) return 0;
  for (size_t r = 0; r < rows; ++r) {
    if (!read_line(f, line, line_size) || strlen(line) != cols) return 0;
    for (size_t c = 0; c < cols; ++c) out[r * cols + c] = line[c] == '1';
  }
  return 1;
}

/* "auto" / "on" / "off" (SPEC.md's tiling option); 0 for anything else. */
static int parse_tiling(const char* name, pr_tiling* out) {
  if (strcmp(name, "auto") == 0) {
    *out = PR_TILING_AUTO;
  } else if (strcmp(name, "on") == 0) {
    *out = PR_TILING_ON;
  } else if (strcmp(name, "off") == 0) {
    *out = PR_TILING_OFF;
  } else {
    return 0;
  }
  return 1;
}

static int load_case(const char* path, golden_case* c) {
  memset(c, 0, sizeof(*c));
  FILE* f = fopen(path, "r");
  if (f == NULL) return 0;
  const size_t line_size = 1 << 16;
  char* line = malloc(line_size);
  char select[16] = "";
  char tiling[16] = "";
  int ok = line != NULL && read_line(f, line, line_size) && /* comment */
           read_line(f, line, line_size) &&
           sscanf(line,
                  "M %zu E %zu k %u seed %llu align %d row_perm %d select %15s "
                  "tiling %15s",
                  &c->M, &c->E, &c->k, &c->seed, &c->align, &c->row_perm,
                  select, tiling) == 8 &&
           parse_tiling(tiling, &c->tiling);
  if (ok) {
    c->select =
        strcmp(select, "lowest") == 0 ? PR_SELECT_LOWEST : PR_SELECT_RANDOM;
    c->S = malloc(c->M * c->E);
    c->T = malloc(c->E * c->M);
    c->routes = malloc(c->M * c->k * sizeof(int32_t));
    ok = c->S && c->T && c->routes &&
         read_matrix(f, "S", c->M, c->E, c->S, line, line_size) &&
         read_matrix(f, "T", c->E, c->M, c->T, line, line_size) &&
         read_line(f, line, line_size) && strcmp(line, "routes") == 0;
    for (size_t n = 0; ok && n < c->M * c->k; ++n) {
      ok = fscanf(f, "%d", &c->routes[n]) == 1;
    }
  }
  free(line);
  fclose(f);
  if (!ok) free_case(c);
  return ok;
}

static pr_options case_options(const golden_case* c) {
  pr_options o;
  pr_options_init(&o);
  o.k = c->k;
  o.seed = c->seed;
  o.align = c->align;
  o.row_perm = c->row_perm;
  o.select = c->select;
  o.tiling = c->tiling;
  return o;
}

/* rows x cols 0/1 bytes packed into 64-bit words, LSB first, `stride` words
 * a row (a padded stride when larger than needed). */
static uint64_t* pack(const uint8_t* m, size_t rows, size_t cols,
                      size_t stride) {
  uint64_t* words = calloc(rows * stride, sizeof(uint64_t));
  for (size_t r = 0; words && r < rows; ++r) {
    for (size_t x = 0; x < cols; ++x) {
      if (m[r * cols + x]) words[r * stride + x / 64] |= 1ull << (x % 64);
    }
  }
  return words;
}

static uint32_t* row_degrees(const uint8_t* m, size_t rows, size_t cols) {
  uint32_t* d = calloc(rows, sizeof(uint32_t));
  for (size_t r = 0; d && r < rows; ++r) {
    for (size_t x = 0; x < cols; ++x) d[r] += m[r * cols + x];
  }
  return d;
}

static int same_routes(const int32_t* a, const int32_t* b, size_t n) {
  return memcmp(a, b, n * sizeof(int32_t)) == 0;
}

static void check_case(pr_router* router, const char* path) {
  golden_case c;
  if (!load_case(path, &c)) {
    fprintf(stderr, "cannot read golden case %s\n", path);
    ++g_failures;
    return;
  }
  const pr_options o = case_options(&c);
  const size_t entries = c.M * c.k;
  int32_t* out = malloc(entries * sizeof(int32_t));
  CHECK(out != NULL);
  if (out == NULL) {
    free_case(&c);
    return;
  }

  /* Packed bits, with one spare word a row in S. */
  const size_t s_stride = (c.E + 63) / 64 + 1, t_stride = (c.M + 63) / 64;
  uint64_t* s_bits = pack(c.S, c.M, c.E, s_stride);
  uint64_t* t_bits = pack(c.T, c.E, c.M, t_stride);
  pr_stats stats;
  memset(out, 0x55, entries * sizeof(int32_t));
  CHECK(pr_route_bits(router, s_bits, s_stride, t_bits, 0, c.M, c.E, &o, out,
                      &stats) == PR_OK);
  if (!same_routes(out, c.routes, entries)) {
    fprintf(stderr, "%s: bits: routes differ from the golden ones\n", path);
    ++g_failures;
  }
  CHECK(stats.M == c.M && stats.E == c.E && stats.k == c.k);
  CHECK(stats.backend[0] != '\0');
  CHECK(stats.spec == 2);
  CHECK(stats.tiled == 0 || stats.tiled == 1);
  CHECK(stats.tiled ? stats.laps >= 1 : stats.laps == 0);
  CHECK(pr_last_error_message()[0] == '\0');

  /* Bytes, with a padded stride in T. */
  uint8_t* t_bytes = calloc(c.E * (c.M + 3), 1);
  for (size_t r = 0; t_bytes && r < c.E; ++r) {
    for (size_t x = 0; x < c.M; ++x)
      t_bytes[r * (c.M + 3) + x] = c.T[r * c.M + x] * 7;
  }
  memset(out, 0x55, entries * sizeof(int32_t));
  CHECK(pr_route_bytes(router, c.S, 0, t_bytes, c.M + 3, c.M, c.E, &o, out,
                       NULL) == PR_OK);
  if (!same_routes(out, c.routes, entries)) {
    fprintf(stderr, "%s: bytes: routes differ from the golden ones\n", path);
    ++g_failures;
  }

  /* Degrees, when the case is aligned. */
  if (c.align) {
    uint32_t* s = row_degrees(c.S, c.M, c.E);
    uint32_t* t = row_degrees(c.T, c.E, c.M);
    memset(out, 0x55, entries * sizeof(int32_t));
    CHECK(pr_route_degrees(router, s, c.M, t, c.E, &o, out, NULL) == PR_OK);
    if (!same_routes(out, c.routes, entries)) {
      fprintf(stderr, "%s: degrees: routes differ from the golden ones\n",
              path);
      ++g_failures;
    }
    /* The arc method, and the last rows alone (a row range). */
    pr_stats st;
    pr_options o2 = o;
    o2.method = PR_METHOD_ARCS;
    memset(out, 0x55, entries * sizeof(int32_t));
    CHECK(pr_route_degrees(router, s, c.M, t, c.E, &o2, out, &st) == PR_OK);
    CHECK(strcmp(st.method, "arcs") == 0);
    if (!same_routes(out, c.routes, entries)) {
      fprintf(stderr, "%s: degrees by arcs: routes differ from the golden ones\n", path);
      ++g_failures;
    }
    o2.method = PR_METHOD_BITS;
    o2.row_begin = c.M / 2;
    memset(out, 0x55, entries * sizeof(int32_t));
    CHECK(pr_route_degrees(router, s, c.M, t, c.E, &o2, out, &st) == PR_OK);
    CHECK(st.row_begin == c.M / 2 && st.row_end == c.M && strcmp(st.method, "bits") == 0);
    if (!same_routes(out, c.routes + (c.M / 2) * c.k, (c.M - c.M / 2) * c.k)) {
      fprintf(stderr, "%s: rows [%zu, M): routes differ from the golden ones\n", path,
              c.M / 2);
      ++g_failures;
    }
    o2.method = (pr_method)7;
    CHECK(pr_route_degrees(router, s, c.M, t, c.E, &o2, out, NULL) == PR_ERROR_BAD_OPTION);
    /* Tiling off is accepted and reported as not applied. */
    o2 = o;
    o2.tiling = PR_TILING_OFF;
    CHECK(pr_route_degrees(router, s, c.M, t, c.E, &o2, out, &st) == PR_OK);
    CHECK(st.tiled == 0 && st.laps == 0 && st.spec == 2);
    free(s);
    free(t);
  }
  free(t_bytes);
  free(s_bits);
  free(t_bits);
  free(out);
  free_case(&c);
}

/* ---- errors ---- */

static int fail_in_other_thread(void* arg) {
  (void)arg;
  pr_options o;
  pr_options_init(&o);
  o.k = 0;
  int32_t out[4];
  const uint32_t s[2] = {1, 1}, t[2] = {1, 1};
  pr_router* router = NULL;
  if (pr_router_create(&router) != PR_OK) return 1;
  const pr_error e = pr_route_degrees(router, s, 2, t, 2, &o, out, NULL);
  pr_router_destroy(router);
  return e == PR_ERROR_BAD_OPTION && strstr(pr_last_error_message(), "k") ? 0
                                                                          : 1;
}

static void check_errors(pr_router* router) {
  pr_options o;
  pr_options_init(&o);
  CHECK(o.k == 1 && o.seed == 0 && o.align == 1 && o.row_perm == 0 &&
        o.select == PR_SELECT_RANDOM && o.threads == 0 && o.memory_limit == 0);
  CHECK(o.method == PR_METHOD_AUTO && o.tiling == PR_TILING_AUTO &&
        o.row_begin == 0 && o.row_end == 0);
  o.k = 2;
  const uint32_t s[3] = {2, 1, 2}, t[2] = {3, 2};
  int32_t out[6];

  CHECK_FAILS(pr_route_degrees(NULL, s, 3, t, 2, &o, out, NULL),
              PR_ERROR_BAD_DATA, "router");
  CHECK_FAILS(pr_route_degrees(router, s, 3, t, 2, NULL, out, NULL),
              PR_ERROR_BAD_DATA, "options");
  CHECK_FAILS(pr_route_degrees(router, s, 3, t, 2, &o, NULL, NULL),
              PR_ERROR_BAD_DATA, "output");
  CHECK_FAILS(pr_route_degrees(router, s, 3, NULL, 2, &o, out, NULL),
              PR_ERROR_BAD_DATA, "t (the target degrees)");
  CHECK_FAILS(pr_route_degrees(router, s, 0, t, 2, &o, out, NULL),
              PR_ERROR_BAD_SHAPE, "M = 0");
  const uint32_t s_bad[3] = {2, 3, 2}; /* 3 > E = 2 */
  CHECK_FAILS(pr_route_degrees(router, s_bad, 3, t, 2, &o, out, NULL),
              PR_ERROR_BAD_DEGREE, "s[1] = 3");
  o.k = 0;
  CHECK_FAILS(pr_route_degrees(router, s, 3, t, 2, &o, out, NULL),
              PR_ERROR_BAD_OPTION, "k must be >= 1");
  o.k = 2;
  o.select = (pr_select)7;
  CHECK_FAILS(pr_route_degrees(router, s, 3, t, 2, &o, out, NULL),
              PR_ERROR_BAD_OPTION, "select mode 7");
  o.select = PR_SELECT_LOWEST;
  o.tiling = (pr_tiling)9;
  CHECK_FAILS(pr_route_degrees(router, s, 3, t, 2, &o, out, NULL),
              PR_ERROR_BAD_OPTION, "tiling 9");
  CHECK_FAILS(pr_hash_route(3, 2, &o, out), PR_ERROR_BAD_OPTION, "tiling 9");
  o.tiling = PR_TILING_AUTO;
  o.memory_limit = 16;
  CHECK_FAILS(pr_route_degrees(router, s, 3, t, 2, &o, out, NULL),
              PR_ERROR_OUT_OF_MEMORY, "memory limit");
  o.memory_limit = 0;

  /* A padding bit set beyond column E - 1 = 1 of S row 0. */
  const uint64_t s_bits[3] = {0x3 | 0x4, 0x1, 0x3}, t_bits[2] = {0x7, 0x3};
  CHECK_FAILS(pr_route_bits(router, s_bits, 0, t_bits, 0, 3, 2, &o, out, NULL),
              PR_ERROR_BAD_DATA, "padding bits must be zero");
  const uint8_t s_bytes[6] = {1, 1, 1, 0, 1, 1},
                t_bytes[6] = {1, 1, 1, 1, 1, 0};
  CHECK_FAILS(
      pr_route_bytes(router, s_bytes, 1, t_bytes, 0, 3, 2, &o, out, NULL),
      PR_ERROR_BAD_DATA, "stride 1 is below its width 2");

  /* Success clears the message; the routes respect k and capacity. */
  CHECK(pr_route_degrees(router, s, 3, t, 2, &o, out, NULL) == PR_OK);
  CHECK(pr_last_error_message()[0] == '\0');
  int load[2] = {0, 0};
  for (int i = 0; i < 6; ++i) {
    CHECK(out[i] >= -1 && out[i] < 2);
    if (out[i] >= 0) ++load[out[i]];
  }
  CHECK(load[0] <= 3 && load[1] <= 2);
  CHECK(pr_route_bytes(router, s_bytes, 0, t_bytes, 0, 3, 2, &o, out, NULL) ==
        PR_OK);
  CHECK(pr_router_workspace_bytes(router) > 0);
  CHECK(pr_router_workspace_bytes(NULL) == 0);

  /* The hash router. */
  int32_t hash[3 * 2];
  CHECK(pr_hash_route(3, 2, &o, hash) == PR_OK);
  for (int i = 0; i < 3; ++i) CHECK(hash[2 * i] == 0 && hash[2 * i + 1] == 1);
  o.k = 0;
  CHECK_FAILS(pr_hash_route(3, 2, &o, hash), PR_ERROR_BAD_OPTION,
              "k must be >= 1");

  /* Another thread's failure leaves this thread's message alone. */
  CHECK(pr_route_degrees(router, s, 0, t, 2, &o, out, NULL) ==
        PR_ERROR_BAD_SHAPE);
  thrd_t thread;
  int thread_result = -1;
  CHECK(thrd_create(&thread, fail_in_other_thread, NULL) == thrd_success);
  CHECK(thrd_join(thread, &thread_result) == thrd_success);
  CHECK(thread_result == 0);
  CHECK(strstr(pr_last_error_message(), "M = 0") != NULL);

  CHECK(pr_router_create(NULL) == PR_ERROR_BAD_DATA);
  pr_router_destroy(NULL);
  CHECK(strcmp(pr_error_name(PR_ERROR_BAD_DEGREE), "PR_ERROR_BAD_DEGREE") == 0);
}

/* SPEC.md step 2: with every s_i = E and sum(t) >= M, tiling on tiles
 * q = floor(sum(t) / M) laps; off never tiles. */
static void check_tiling(pr_router* router) {
  enum { M = 8, E = 6, K = 2 };
  const uint32_t s[M] = {E, E, E, E, E, E, E, E};
  const uint32_t t[E] = {4, 4, 4, 4, 4, 5}; /* sum 25: q = 3 */
  int32_t out[M * K];
  pr_options o;
  pr_options_init(&o);
  o.k = K;
  pr_stats st;
  o.tiling = PR_TILING_OFF;
  CHECK(pr_route_degrees(router, s, M, t, E, &o, out, &st) == PR_OK);
  CHECK(st.tiled == 0 && st.laps == 0 && st.spec == 2);
  o.tiling = PR_TILING_ON;
  CHECK(pr_route_degrees(router, s, M, t, E, &o, out, &st) == PR_OK);
  CHECK(st.tiled == 1 && st.laps == 3 && st.spec == 2);
}

/* Threads (issue 15, class 4): a count beyond the library's bound (at most
 * 1024 anywhere) is refused, named, by the router and by the hash router
 * (which once took any count, and started them when the call was large
 * enough), before anything starts; the hash router counts its per-thread
 * scratch against the memory ceiling, with a caller's buffer too. */
static void check_threads(pr_router* router) {
  const uint32_t s[3] = {2, 1, 2}, t[2] = {3, 2};
  int32_t out[6];
  pr_options o;
  pr_options_init(&o);
  o.k = 2;
  o.threads = 5000;
  CHECK_FAILS(pr_route_degrees(router, s, 3, t, 2, &o, out, NULL),
              PR_ERROR_BAD_OPTION, "threads = 5000 is out of range");
  CHECK_FAILS(pr_hash_route(3, 2, &o, out), PR_ERROR_BAD_OPTION,
              "threads = 5000 is out of range");
  o.threads = 1025;
  CHECK_FAILS(pr_hash_route(3, 2, &o, out), PR_ERROR_BAD_OPTION, "1025");
  o.threads = -1;
  CHECK_FAILS(pr_hash_route(3, 2, &o, out), PR_ERROR_BAD_OPTION,
              "threads = -1");
  o.threads = 2;
  CHECK(pr_hash_route(3, 2, &o, out) == PR_OK);
  /* A large call: parallel, on threads that start. */
  enum { M = 40000, K = 4 };
  int32_t* big = malloc(sizeof(int32_t) * M * K);
  CHECK(big != NULL);
  if (big != NULL) {
    o.k = K;
    o.threads = 3;
    CHECK(pr_hash_route(M, 1000, &o, big) == PR_OK);
    o.threads = 5000;
    CHECK_FAILS(pr_hash_route(M, 1000, &o, big), PR_ERROR_BAD_OPTION, "5000");
    free(big);
  }
  /* 1000 targets: 128 bytes of scratch per thread, over a 64-byte ceiling. */
  o.k = 2;
  o.threads = 1;
  o.memory_limit = 64;
  CHECK_FAILS(pr_hash_route(3, 1000, &o, out), PR_ERROR_OUT_OF_MEMORY,
              "memory limit of 64 bytes");
}

static void check_targets(void) {
  const char* active = pr_active_target();
  CHECK(active != NULL && active[0] != '\0');
  CHECK_FAILS(pr_force_target("no-such-target"), PR_ERROR_BAD_OPTION,
              "no-such-target");
  CHECK(pr_force_target("generic") == PR_OK);
  active = pr_active_target();
  CHECK(active != NULL && strcmp(active, "generic") == 0);
  CHECK(pr_force_target(NULL) == PR_OK);
}

int main(int argc, char** argv) {
  const char* version = pr_version();
  CHECK(version != NULL && strchr(version, '.') != NULL);
  pr_router* router = NULL;
  CHECK(pr_router_create(&router) == PR_OK && router != NULL);
  if (router == NULL) return 1;
  for (int i = 1; i < argc; ++i) check_case(router, argv[i]);
  check_errors(router);
  check_tiling(router);
  check_threads(router);
  check_targets();
  pr_router_destroy(router);
  if (g_failures != 0) {
    fprintf(stderr, "c_api_test: %d check(s) failed\n", g_failures);
    return 1;
  }
  printf(
      "c_api_test: %d golden case(s) and the error checks passed (version "
      "%s)\n",
      argc - 1, version);
  return 0;
}
