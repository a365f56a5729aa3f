/* The installed C API from C: one routing into a caller buffer. */
#include <stdio.h>

#include "phase_router/phase_router_c.h"

int main(void) {
  const uint32_t s[4] = {3, 3, 3, 3}, t[3] = {4, 2, 2}; /* sum(t) = M * k */
  int32_t out[4 * 2];
  pr_options options;
  pr_options_init(&options);
  options.k = 2;
  pr_router* router = NULL;
  if (pr_router_create(&router) != PR_OK) return 1;
  const pr_error e = pr_route_degrees(router, s, 4, t, 3, &options, out, NULL);
  pr_router_destroy(router);
  if (e != PR_OK) {
    fprintf(stderr, "c_consumer: %s\n", pr_last_error_message());
    return 1;
  }
  for (int i = 0; i < 8; ++i) {
    if (out[i] < 0) return 1; /* the degrees tile: every row is full */
  }
  printf("c_consumer: phase_router %s\n", pr_version());
  return 0;
}
