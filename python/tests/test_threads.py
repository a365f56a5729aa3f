"""The GIL is released while routing: other Python threads run during a
routing, and routings on several threads give the same routes as one."""
import sys
import threading
import time

import numpy as np

import phase_router

N, K = 4096, 256


def big_degrees(n=N):
    # A routing of n^2 cells: milliseconds to tens of milliseconds.
    return np.full(n, n), np.full(n, K + 8)


def ticks_during_routing(s, t):
    """Routes on a worker thread while this thread counts loop iterations;
    returns the routing's window (seconds) and the iterations that fell in
    its middle 80 %."""
    window = {}

    def route():
        window["start"] = time.perf_counter()
        phase_router.route_degrees(s, t, K, seed=1, threads=1)
        window["end"] = time.perf_counter()

    ticks = []
    worker = threading.Thread(target=route)
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
    worker.join()
    start, end = window["start"], window["end"]
    margin = (end - start) / 10
    return end - start, sum(1 for x in ticks if start + margin < x < end - margin)


def test_other_threads_run_while_routing():
    # With the GIL held for the whole call this thread could only run in
    # the switch intervals (0.1 ms here) just before and after the call,
    # never in the middle of a routing of several milliseconds. A loaded
    # machine may deschedule either thread, so any one of a few tries
    # counts; none can pass with the GIL held.
    s, t = big_degrees(8192)
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    tries = []
    try:
        for _ in range(5):
            seconds, inside = ticks_during_routing(s, t)
            tries.append((round(seconds * 1000, 1), inside))
            if seconds > 0.003 and inside > 10:
                return
    finally:
        sys.setswitchinterval(old_interval)
    raise AssertionError("the main thread did not run during a routing: "
                         "(ms, iterations) per try = %s" % tries)


def test_concurrent_routings_agree():
    s, t = big_degrees()
    want = phase_router.route_degrees(s, t, K, seed=7)
    shared = phase_router.Router()
    results = [None] * 6

    def route(n):
        if n % 2:
            results[n] = shared.route_degrees(s, t, K, seed=7)  # one Router, serialized
        else:
            results[n] = phase_router.route_degrees(s, t, K, seed=7, threads=1)

    threads = [threading.Thread(target=route, args=(n,)) for n in range(len(results))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        np.testing.assert_array_equal(result, want)
