"""The analysis functions (phase_router/analysis.h): statistics over seeds
against a direct recomputation from routes, capacity planning, k
suggestion, the density analysis, the baselines, thread-count
independence, exact tiling, and bad input."""
import math
import sys
import threading
import time

import numpy as np
import pytest

import phase_router

ALGORITHMS = ["phase", "hash", "chung-lu", "two-choice"]


def random_degrees(M=150, E=70, seed=9):
    rng = np.random.default_rng(seed)
    s = rng.integers(0, E + 1, size=M)
    t = rng.integers(0, M // 3 + 1, size=E)
    t[3] = 0
    return s, t


def route_directly(algorithm, s, t, k, seed):
    if algorithm == "phase":
        return phase_router.route_degrees(s, t, k, seed=seed, threads=1)
    if algorithm == "hash":
        return phase_router.hash_route(len(s), len(t), k, seed=seed, threads=1)
    if algorithm == "chung-lu":
        return phase_router.chung_lu_route(s, t, k, seed=seed, threads=1)
    return phase_router.two_choice_route(s, t, k, seed=seed)


def loads_of(routes, E):
    ids = routes[routes >= 0]
    return np.bincount(ids, minlength=E).astype(np.uint32)


def nearest_rank(column, q):
    column = np.sort(column)
    return column[max(1, math.ceil(q * len(column) - 1e-9)) - 1]


def assert_well_formed(routes, M, E, k):
    assert routes.shape == (M, k) and routes.dtype == np.int32
    for row in routes:
        valid = row[row >= 0]
        assert np.all(row[len(valid):] == -1)
        assert np.all(np.diff(valid) > 0)
        assert np.all(valid < E)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_average_over_seeds_matches_recomputation(algorithm):
    s, t = random_degrees()
    M, E, k = len(s), len(t), 6
    seeds = [5, 0, 17, 3, 2**64 - 1, 8, 9, 10, 11, 12, 40, 41, 42]
    n = len(seeds)
    st = phase_router.average_over_seeds(s, t, k, seeds, algorithm=algorithm)

    loads = np.array([loads_of(route_directly(algorithm, s, t, k, x), E) for x in seeds])
    assert st["algorithm"] == algorithm
    assert (st["M"], st["E"], st["k"]) == (M, E, k)
    assert st["seeds"].dtype == np.uint64 and st["seeds"].tolist() == seeds
    assert st["t"].dtype == np.uint32 and np.array_equal(st["t"], t)
    assert st["sum_s"] == s.sum() and st["sum_t"] == t.sum()
    assert st["loads"].dtype == np.uint32 and st["loads"].shape == (n, E)
    assert np.array_equal(st["loads"], loads)

    for key in ["mean_load", "std_load", "temporal_skew", "ideal_mean", "bias", "relative_error"]:
        assert st[key].dtype == np.float64 and st[key].shape == (E,), key
    for key in ["p95_load", "max_load"]:
        assert st[key].dtype == np.uint32 and st[key].shape == (E,), key

    mean = loads.mean(axis=0)
    np.testing.assert_allclose(st["mean_load"], mean, rtol=0, atol=1e-12)
    np.testing.assert_allclose(st["std_load"], loads.std(axis=0), rtol=0, atol=1e-12)
    assert np.array_equal(st["max_load"], loads.max(axis=0))
    assert np.array_equal(st["p95_load"], [nearest_rank(loads[:, j], 0.95) for j in range(E)])
    skew = np.where(mean > 0, loads.max(axis=0) / np.where(mean > 0, mean, 1), 1.0)
    np.testing.assert_allclose(st["temporal_skew"], skew, rtol=0, atol=1e-12)
    ideal = mean.sum() * t / t.sum()
    np.testing.assert_allclose(st["ideal_mean"], ideal, rtol=0, atol=1e-9)
    np.testing.assert_allclose(st["bias"], mean - ideal, rtol=0, atol=1e-9)
    rel = np.where(ideal > 0, (mean - ideal) / np.where(ideal > 0, ideal, 1), 0.0)
    np.testing.assert_allclose(st["relative_error"], rel, rtol=0, atol=1e-9)
    assert st["global_skew"] == pytest.approx(mean.max() / mean.mean(), abs=1e-12)
    assert st["edge_density"] == pytest.approx(mean.sum() / (M * E), abs=1e-12)
    assert st["cap_density"] == k / E
    assert st["expected_candidate_density"] == pytest.approx(
        float(s.sum()) * float(t.sum()) / (E * M * M * E), abs=1e-15)

    active = loads.sum(axis=1)
    top = loads.max(axis=1)
    overflow = np.maximum(loads.astype(np.int64) - t, 0).sum(axis=1)
    assert len(st["runs"]) == n
    for r, run in enumerate(st["runs"]):
        assert run["seed"] == seeds[r]
        assert run["active_routes"] == active[r]
        assert run["load_max"] == top[r]
        assert run["overflow"] == overflow[r]
        assert run["fill"] == pytest.approx(active[r] / (M * k), abs=1e-12)
    assert st["mean_fill"] == pytest.approx((active / (M * k)).mean(), abs=1e-12)
    routing_skew = [a and m / (a / E) or 1.0 for a, m in zip(active, top)]
    assert st["mean_routing_skew"] == pytest.approx(np.mean(routing_skew), abs=1e-12)
    assert st["max_routing_skew"] == pytest.approx(max(routing_skew), abs=1e-12)
    assert st["mean_overflow"] == pytest.approx(overflow.mean(), abs=1e-12)
    if algorithm == "phase":
        assert st["mean_overflow"] == 0

    # The capacity estimate from the same loads.
    for q in [0.5, 0.9, 1.0]:
        c = phase_router.estimate_capacity(st, q)
        required = np.array([nearest_rank(loads[:, j], q) for j in range(E)])
        assert c["confidence"] == q
        assert c["required"].dtype == np.uint32 and np.array_equal(c["required"], required)
        assert c["headroom"].dtype == np.int64
        assert np.array_equal(c["headroom"], t.astype(np.int64) - required)
        util = np.where(required > 0, mean / np.where(required > 0, required, 1), 0.0)
        np.testing.assert_allclose(c["utilization"], util, rtol=0, atol=1e-12)
        assert c["total_required"] == required.sum()
        assert c["uniform_capacity"] == required.max()
        assert c["capacity_factor"] == pytest.approx(required.max() / mean.mean(), abs=1e-12)
        if q == 1.0:
            assert np.array_equal(c["required"], st["max_load"])


def test_seed_forms_and_options():
    s, t = random_degrees(60, 40, seed=3)
    want = phase_router.average_over_seeds(s, t, 4, [7, 8, 9, 10], row_perm=True, select="lowest")
    for seeds in [range(7, 11), np.arange(7, 11, dtype=np.uint64), (7, 8, 9, 10),
                  [np.int64(7), 8, np.uint32(9), 10]]:
        got = phase_router.average_over_seeds(s, t, 4, seeds, row_perm=True, select="lowest")
        assert np.array_equal(got["loads"], want["loads"])
    # The options reach the routings.
    loads = [loads_of(phase_router.route_degrees(s, t, 4, seed=x, row_perm=True, select="lowest"),
                      len(t)) for x in range(7, 11)]
    assert np.array_equal(want["loads"], loads)
    for target in phase_router.targets()["supported"]:
        got = phase_router.average_over_seeds(s, t, 4, range(7, 11), row_perm=True,
                                              select="lowest", target=target)
        assert np.array_equal(got["loads"], want["loads"])


def test_same_results_for_any_thread_count():
    s, t = random_degrees(120, 50, seed=12)
    seeds = range(100, 121)
    for algorithm in ALGORITHMS:
        want = phase_router.average_over_seeds(s, t, 7, seeds, algorithm=algorithm, threads=1)
        for threads in [2, 3, 8, 0]:
            got = phase_router.average_over_seeds(s, t, 7, seeds, algorithm=algorithm,
                                                  threads=threads)
            assert got.keys() == want.keys()
            for key, value in want.items():
                if isinstance(value, np.ndarray):
                    assert np.array_equal(got[key], value), (algorithm, threads, key)
                else:
                    assert got[key] == value, (algorithm, threads, key)
    want = phase_router.suggest_k(s, t, seeds, 1.05, 1, 6, threads=1)
    assert phase_router.suggest_k(s, t, seeds, 1.05, 1, 6, threads=4) == want
    want = phase_router.analyze_distribution(s, t, seeds, [1, 3, 9], threads=1)
    assert phase_router.analyze_distribution(s, t, seeds, [1, 3, 9], threads=4) == want
    want = phase_router.chung_lu_route(s, t, 7, seed=5, threads=1)
    assert np.array_equal(phase_router.chung_lu_route(s, t, 7, seed=5, threads=4), want)


@pytest.mark.parametrize("M,E,k,shape", [(64, 16, 4, "uniform"), (97, 13, 5, "skewed"),
                                         (200, 64, 1, "random"), (31, 31, 31, "uniform"),
                                         (1, 7, 3, "random")])
def test_exact_tiling(M, E, k, shape):
    # Every s_i = E and sum(t) = M k: fill 1 and every target load exactly
    # t_t, in every routing.
    rng = np.random.default_rng(M * E + k)
    total = M * k
    if shape == "uniform":
        t = np.full(E, total // E)
    elif shape == "skewed":
        t = np.minimum(M, (total / np.arange(1, E + 1) ** 1.1 / np.sum(
            1 / np.arange(1, E + 1) ** 1.1)).astype(np.int64))
    else:
        t = np.minimum(M, rng.integers(0, 2 * total // E + 1, size=E))
    while t.sum() < total:  # top up where there is room
        j = rng.integers(0, E)
        if t[j] < M:
            t[j] += 1
    while t.sum() > total:
        j = rng.integers(0, E)
        if t[j] > 0:
            t[j] -= 1
    assert t.sum() == total and t.max() <= M
    s = np.full(M, E)
    for options in [{}, {"row_perm": True}, {"select": "lowest"}]:
        st = phase_router.average_over_seeds(s, t, k, range(2**63, 2**63 + 5), **options)
        assert st["mean_fill"] == 1.0
        for run in st["runs"]:
            assert run["fill"] == 1.0 and run["overflow"] == 0
        assert np.array_equal(st["loads"], np.tile(t, (5, 1)))
        assert np.all(st["std_load"] == 0)
        assert st["max_abs_bias"] < 1e-9
        assert np.array_equal(st["max_load"], t)
        routes = phase_router.route_degrees(s, t, k, seed=2**63, **options)
        assert np.all(routes >= 0)  # k distinct targets in every row
        assert_well_formed(routes, M, E, k)


def test_suggest_k_and_analyze_distribution_match_average_over_seeds():
    s, t = random_degrees(100, 40, seed=21)
    seeds = range(6)
    for measure, key in [("routing", "mean_routing_skew"), ("global", "global_skew")]:
        r = phase_router.suggest_k(s, t, seeds, 1.3, 1, 8, measure=measure)
        assert set(r) == {"k", "skew", "met", "evaluations"}
        ks = [e["k"] for e in r["evaluations"]]
        assert ks == list(range(1, ks[-1] + 1))
        for e in r["evaluations"]:
            st = phase_router.average_over_seeds(s, t, e["k"], seeds)
            assert e["skew"] == st[key]
            assert e["mean_routing_skew"] == st["mean_routing_skew"]
            assert e["global_skew"] == st["global_skew"]
            assert e["mean_fill"] == st["mean_fill"]
        if r["met"]:
            assert r["k"] == ks[-1] and r["skew"] <= 1.3
            assert all(e["skew"] > 1.3 for e in r["evaluations"][:-1])
        else:
            assert ks[-1] == 8
            assert r["skew"] == min(e["skew"] for e in r["evaluations"])
    never = phase_router.suggest_k(s, t, seeds, 1.0, 1, 3, algorithm="hash")
    assert len(never["evaluations"]) == 3

    points = phase_router.analyze_distribution(s, t, seeds, [1, 4, 40], algorithm="chung-lu")
    assert [p["k"] for p in points] == [1, 4, 40]
    for p in points:
        st = phase_router.average_over_seeds(s, t, p["k"], seeds, algorithm="chung-lu")
        assert p["cap_density"] == p["k"] / len(t)
        assert p["edge_density"] == st["edge_density"]
        assert p["mean_fill"] == st["mean_fill"]
        assert p["empirical_candidate_density"] == st["candidate_density"]
        assert p["candidate_density"] == pytest.approx(
            float(s.sum()) * float(t.sum()) / (len(t) * len(s)) / (len(s) * len(t)))
        assert 0 <= p["poisson_edge_density"] <= p["fluid_edge_density"] + 1e-12


def test_baselines():
    s, t = random_degrees(80, 30, seed=4)
    M, E, k = len(s), len(t), 5
    for route in [phase_router.chung_lu_route, phase_router.two_choice_route]:
        routes = route(s, t, k, seed=11)
        assert_well_formed(routes, M, E, k)
        assert np.all(loads_of(routes, E) <= t)
        assert np.all((routes >= 0).sum(axis=1) <= np.minimum(s, k))
        assert np.array_equal(route(list(s), list(t), k, seed=11), routes)
        assert not np.array_equal(route(s, t, k, seed=12), routes)
        out = np.full((M, k), 99, dtype=np.int32)
        assert route(s, t, k, seed=11, out=out) is out
        assert np.array_equal(out, routes)


def test_bad_input_raises_library_errors():
    s, t = [3] * 4, [4] * 3
    cases = [
        (lambda: phase_router.average_over_seeds(s, t, 1, []), "bad_option"),
        (lambda: phase_router.average_over_seeds(s, t, 0, [1, 2]), "bad_option"),
        (lambda: phase_router.average_over_seeds(s, t, 1, [-1]), "bad_option"),
        (lambda: phase_router.average_over_seeds(s, t, 1, [1], algorithm="magic"), "bad_option"),
        (lambda: phase_router.average_over_seeds(s, t, 1, [1], select="best"), "bad_option"),
        (lambda: phase_router.suggest_k(s, t, [0, 1], 1.1, 0, 3), "bad_option"),
        (lambda: phase_router.suggest_k(s, t, [0, 1], 1.1, 4, 3), "bad_option"),
        (lambda: phase_router.suggest_k(s, t, [0, 1], 0.5, 1, 3), "bad_option"),
        (lambda: phase_router.suggest_k(s, t, [0, 1], 1.1, 1, 3, measure="max"), "bad_option"),
        (lambda: phase_router.analyze_distribution(s, t, [0, 1], [2, 0]), "bad_option"),
        (lambda: phase_router.chung_lu_route([], t, 1), "bad_shape"),
        (lambda: phase_router.two_choice_route(s, t, 0), "bad_option"),
        (lambda: phase_router.chung_lu_route(s, t, 1, out=np.zeros((4, 2), np.int32)),
         "bad_shape"),
    ]
    st = phase_router.average_over_seeds(s, t, 1, range(2))
    for q in [0.0, -0.5, 1.5, float("nan")]:
        cases.append((lambda q=q: phase_router.estimate_capacity(st, q), "bad_option"))
    cases.append((lambda: phase_router.estimate_capacity({**st, "loads": st["loads"][:0]}, 0.5),
                  "bad_data"))
    cases.append((lambda: phase_router.estimate_capacity({"t": t}, 0.5), "bad_data"))
    for call, code in cases:
        with pytest.raises(phase_router.Error) as info:
            call()
        assert isinstance(info.value, ValueError)
        assert info.value.code == code, str(info.value)

    # A degree above its ring: the library's own message, as route_degrees gives it.
    bad_s = [3, 4, 3, 3]
    with pytest.raises(phase_router.Error) as direct:
        phase_router.route_degrees(bad_s, t, 1)
    assert direct.value.code == "bad_degree"
    for algorithm in ["phase", "chung-lu", "two-choice"]:
        with pytest.raises(phase_router.Error) as info:
            phase_router.average_over_seeds(bad_s, t, 1, range(3), algorithm=algorithm)
        assert info.value.code == "bad_degree"
        assert "s[1] = 4" in str(info.value)
    with pytest.raises(phase_router.Error) as info:
        phase_router.average_over_seeds(bad_s, t, 1, range(3))
    assert str(info.value) == str(direct.value)
    for route in [phase_router.chung_lu_route, phase_router.two_choice_route]:
        with pytest.raises(phase_router.Error) as info:
            route(bad_s, t, 1)
        assert info.value.code == "bad_degree" and "s[1] = 4" in str(info.value)
    with pytest.raises(phase_router.Error, match="no seeds"):
        phase_router.average_over_seeds(s, t, 1, [])


def test_type_errors():
    s, t = [3] * 4, [4] * 3
    for seeds in [5, [1.5], ["a"], "01", None]:
        with pytest.raises(TypeError):
            phase_router.average_over_seeds(s, t, 1, seeds)
    with pytest.raises(TypeError):
        phase_router.analyze_distribution(s, t, [0], 3)
    with pytest.raises(TypeError):
        phase_router.estimate_capacity([1, 2], 0.5)
    with pytest.raises(TypeError):
        phase_router.chung_lu_route([1.0, 2.0], t, 1)


def test_gil_released_while_averaging():
    # As test_threads.py does for route_degrees: this thread keeps running
    # in the middle of a long average_over_seeds on another thread.
    s, t = np.full(2048, 2048), np.full(2048, 72)
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    tries = []
    try:
        for _ in range(5):
            window = {}

            def work():
                window["start"] = time.perf_counter()
                phase_router.average_over_seeds(s, t, 64, range(8), threads=1)
                window["end"] = time.perf_counter()

            ticks = []
            worker = threading.Thread(target=work)
            worker.start()
            while worker.is_alive():
                ticks.append(time.perf_counter())
            worker.join()
            start, end = window["start"], window["end"]
            margin = (end - start) / 10
            inside = sum(1 for x in ticks if start + margin < x < end - margin)
            tries.append((round((end - start) * 1000, 1), inside))
            if end - start > 0.003 and inside > 10:
                return
    finally:
        sys.setswitchinterval(old_interval)
    raise AssertionError("the main thread did not run during the call: %s" % tries)
