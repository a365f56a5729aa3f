#!/usr/bin/env python3
"""Phase Router from Python: route tokens to experts with numpy inputs.

Run after the standard build (the module lands in build/python):
    PYTHONPATH=build/python /usr/bin/python3 examples/python_demo.py
"""
import numpy as np

import phase_router

M, E, K = 2048, 64, 2  # tokens, experts, experts per token

print("phase router %s, kernel targets %s" % (phase_router.__version__, phase_router.targets()))

# 1. Degree vectors: every token accepts every expert; every expert takes
#    1.25 * M * K / E tokens (capacity factor 1.25).
capacity = int(np.ceil(1.25 * M * K / E))
s = np.full(M, E)
t = np.full(E, capacity)
routes, stats = phase_router.route_degrees(s, t, K, seed=7, stats=True)
loads = np.bincount(routes[routes >= 0], minlength=E)
print("degrees: routes %s %s, fill %.3f, expert load max %d (capacity %d), backend %s, %.3f ms"
      % (routes.shape, routes.dtype, stats["fill_ratio"], loads.max(), capacity,
         stats["backend"], stats["route_ms"]))

# 2. Matrices: S (M x E, row i = token i's pattern on the expert ring) and
#    T (E x M), as bool/uint8 arrays read in place or as packed uint64 rows.
#    With align=True (the default) only their row degrees matter, so route()
#    equals route_degrees() on the row sums; align=False routes the patterns
#    themselves (rotated and shuffled, docs/spec.md).
rng = np.random.default_rng(0)
S = rng.random((M, E)) < 0.25
T = (rng.random((E, M)) < 0.1).astype(np.uint8)
aligned = phase_router.route(S, T, K, seed=7)
assert np.array_equal(aligned, phase_router.route_degrees(S.sum(1), T.sum(1), K, seed=7))
packed = phase_router.route(phase_router.pack_bits(S), phase_router.pack_bits(T), K, seed=7,
                            align=False)
assert np.array_equal(packed, phase_router.route(S, T, K, seed=7, align=False))
print("matrices: fill %.3f aligned, %.3f with the patterns themselves"
      % ((aligned >= 0).mean(), (packed >= 0).mean()))

# 3. A Router keeps its workspace across calls; seeds give independent
#    routings, the same seed the same one.
router = phase_router.Router()
a = router.route_degrees(s, t, K, seed=1)
b = router.route_degrees(s, t, K, seed=2)
assert np.array_equal(a, router.route_degrees(s, t, K, seed=1))
print("router: workspace %d bytes; seeds 1 and 2 agree on %.1f%% of the slots"
      % (router.workspace_bytes, 100 * (a == b).mean()))

# 4. The hash router baseline, with the same capacity enforced by dropping.
hashed = phase_router.hash_route(M, E, K, seed=7)
hash_loads = np.bincount(hashed.ravel(), minlength=E)
overflow = np.maximum(hash_loads - capacity, 0).sum()
print("hash router: expert load max %d; %d of %d assignments over capacity"
      % (hash_loads.max(), overflow, M * K))

# 5. Bad input raises phase_router.Error (a ValueError) naming the value.
try:
    phase_router.route_degrees([3, 1], [1, 1], 1)
except ValueError as error:
    print("bad input: %s" % error)
