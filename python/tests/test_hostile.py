"""Hostile use from Python (docs/reliability.md, "Hostile use"): thread
counts past the library's bound (class 4), threads the system cannot start
(class 4: a typed error, not an interpreter that exits inside OpenMP), and
the messages for empty and mismatched inputs (class 7)."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import phase_router

S = np.ones((70, 70), dtype=np.uint8)
CALLS = {
    "route": lambda t: phase_router.route(S, S, 2, threads=t),
    "route_degrees": lambda t: phase_router.route_degrees([70] * 70, [70] * 70, 2, threads=t),
    "Router.route": lambda t: phase_router.Router().route(S, S, 2, threads=t),
    "hash_route": lambda t: phase_router.hash_route(100000, 64, 2, threads=t),
    "chung_lu_route": lambda t: phase_router.chung_lu_route([64] * 1000, [40] * 64, 2,
                                                            threads=t),
    "average_over_seeds": lambda t: phase_router.average_over_seeds(
        [70] * 70, [70] * 70, 2, seeds=range(3), threads=t)["loads"],
}


def expect_error(match, code, call, *args, **kwargs):
    with pytest.raises(phase_router.Error, match=match) as info:
        call(*args, **kwargs)
    assert info.value.code == code
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("threads", [1000, 5000, 2**31 - 1])
def test_thread_counts_past_the_bound_are_refused(name, threads):
    expect_error(rf"threads = {threads} is out of range: expected 0 \(OpenMP's default\) to \d+",
                 "bad_option", CALLS[name], threads)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_thread_counts_within_the_bound_run(name):
    # The bound is at least 64 on any machine; 64 threads on 2 cores route
    # the same as one.
    np.testing.assert_array_equal(CALLS[name](64), CALLS[name](1))


@pytest.mark.skipif(os.environ.get("PHASE_ROUTER_TEST_SANITIZER") == "1",
                    reason="sanitizer runtimes reserve terabytes of address space")
def test_threads_that_cannot_start_raise_instead_of_ending_the_interpreter():
    # Under a 4 GiB address-space limit, 63 workers with 1 GiB stacks cannot
    # start. The library finds that out before OpenMP does, and Python gets
    # an exception; the interpreter then goes on and routes on one thread.
    script = textwrap.dedent("""
        import resource, numpy as np, phase_router
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
        S = np.ones((2048, 2048), dtype=np.uint8)
        try:
            phase_router.route(S, S, 4, threads=64)
            print("routed")
        except phase_router.Error as e:
            print("error", e.code)
        print("after", phase_router.route(S, S, 4, threads=1).shape)
    """)
    env = dict(os.environ, OMP_STACKSIZE="1G")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["error out_of_memory", "after (2048, 4)"], done.stdout


def test_empty_matrices_are_named():
    empty = np.zeros((0, 4), dtype=np.uint8)
    expect_error(r"T is empty \(0x4 cells\): a routing needs at least one source",
                 "bad_shape", phase_router.route, np.ones((4, 8), np.uint8), empty, 1)
    expect_error(r"S is empty \(0x8 cells\)", "bad_shape",
                 phase_router.route, np.zeros((0, 8), np.uint8), np.zeros((8, 0), np.uint8), 1)
    expect_error(r"S is empty \(3x0 uint64 words\)", "bad_shape",
                 phase_router.route, np.zeros((3, 0), np.uint64), np.zeros((0, 1), np.uint64), 1)


def test_mismatched_packed_shapes_name_both():
    S, T = np.zeros((100, 1), np.uint64), np.zeros((3, 1), np.uint64)
    expect_error(r"packed shape mismatch: S \(100x1\) has M = 100 rows and T \(3x1\) has "
                 r"E = 3 rows, so S needs at least 1 uint64 word\(s\) a row \(ceil\(E/64\)\) "
                 r"and T at least 2 \(ceil\(M/64\)\)", "bad_shape", phase_router.route, S, T, 1)
