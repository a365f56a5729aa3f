"""The MoE layer of the binding (docs/moe.md): routes_by_target against a
plain per-target scan, capacities against an exact rational implementation
of their definition, phase_router.moe.route and hash_route against the
functions they are made of, partial batches, PyTorch tensors in and out
without copies, and one-line TypeErrors for every wrong argument."""
import math
from fractions import Fraction

import numpy as np
import pytest

import phase_router
import phase_router.moe

def need_torch():
    """torch, or a skip (only where it is not installed: tools/setup.sh
    installs python3-torch)."""
    return pytest.importorskip("torch")


# ---- routes_by_target

def scan_by_target(routes, E):
    """The definition: per target, the (row, slot) of its routes in row order."""
    offsets, sources, slots = [0], [], []
    for t in range(E):
        rows, cols = np.nonzero(routes == t)  # row-major: rows ascending, then slots
        sources.extend(rows.tolist())
        slots.extend(cols.tolist())
        offsets.append(len(sources))
    return (np.array(offsets, np.int64), np.array(sources, np.int32),
            np.array(slots, np.int32))


def assert_same(got, want):
    for g, w, name in zip(got, want, ("offsets", "sources", "slots")):
        assert g.dtype == w.dtype, name
        np.testing.assert_array_equal(g, w, err_msg=name)


@pytest.mark.parametrize("M,k,E", [(37, 3, 5), (40000, 2, 64), (70000, 1, 7), (5, 2, 100),
                                   (33000, 4, 1000)])
def test_routes_by_target_is_the_per_target_scan_for_any_thread_count(M, k, E):
    rng = np.random.default_rng(M)
    routes = rng.integers(-1, E, size=(M, k), dtype=np.int32)
    want = scan_by_target(routes, E)
    for threads in (0, 1, 2, 3, 8):
        assert_same(phase_router.routes_by_target(routes, E, threads=threads), want)


def test_routes_by_target_of_a_routing_and_other_integer_dtypes():
    M, E, k = 65536, 64, 2
    routes = phase_router.route_degrees(np.full(M, E), phase_router.capacities(M, E, k, 1.25),
                                        k, seed=4)
    want = scan_by_target(routes, E)
    assert_same(phase_router.routes_by_target(routes, E), want)
    # int64, uint16 and a non-contiguous view are converted (a copy).
    assert_same(phase_router.routes_by_target(routes.astype(np.int64), E), want)
    wide = np.zeros((M, 2 * k), np.int32)
    wide[:, ::2] = routes
    assert_same(phase_router.routes_by_target(wide[:, ::2], E), want)
    small = routes[:100].copy()
    small[small < 0] = 0
    assert_same(phase_router.routes_by_target(small.astype(np.uint16), E),
                scan_by_target(small, E))


def test_routes_by_target_into_buffers():
    rng = np.random.default_rng(1)
    routes = rng.integers(-1, 9, size=(500, 3), dtype=np.int32)
    want = scan_by_target(routes, 9)
    out = (np.empty(10, np.int64), np.empty(1500, np.int32), np.empty(1500, np.int32))
    got = phase_router.routes_by_target(routes, 9, out=out)
    assert_same(got, want)
    assert got[0] is out[0]
    assert np.shares_memory(got[1], out[1]) and np.shares_memory(got[2], out[2])
    # Exactly as many entries as routes is enough; one fewer is refused.
    n = int(want[0][-1])
    exact = (np.empty(10, np.int64), np.empty(n, np.int32), np.empty(n, np.int32))
    assert_same(phase_router.routes_by_target(routes, 9, out=exact), want)
    short = (np.empty(10, np.int64), np.empty(n - 1, np.int32), np.empty(n, np.int32))
    with pytest.raises(phase_router.Error, match=r"sources holds %d entries, but the routes "
                                                 r"need %d" % (n - 1, n)):
        phase_router.routes_by_target(routes, 9, out=short)


def test_routes_by_target_refuses_bad_input():
    routes = np.array([[0, 1], [2, -1]], np.int32)
    with pytest.raises(phase_router.Error, match=r"routes\[1\]\[0\] = 2 is not a target id in "
                                                 r"\[0, E = 2\) nor -1") as error:
        phase_router.routes_by_target(routes, 2)
    assert error.value.code == "bad_data"
    with pytest.raises(phase_router.Error, match=r"routes\[0\]\[1\] = 5000000000"):
        phase_router.routes_by_target(np.array([[0, 5000000000]]), 3)
    with pytest.raises(phase_router.Error, match=r"routes must be 2-D"):
        phase_router.routes_by_target(np.zeros(4, np.int32), 2)
    with pytest.raises(phase_router.Error, match=r"E = 0"):
        phase_router.routes_by_target(routes, 0)
    with pytest.raises(phase_router.Error, match=r"out\[0\] \(offsets\) has 3 entries; "
                                                 r"expected 4"):
        phase_router.routes_by_target(routes, 3, out=(np.empty(3, np.int64),
                                                      np.empty(4, np.int32),
                                                      np.empty(4, np.int32)))
    with pytest.raises(TypeError, match=r"out\[1\] \(sources\) has dtype int64; expected int32"):
        phase_router.routes_by_target(routes, 3, out=(np.empty(4, np.int64),
                                                      np.empty(4, np.int64),
                                                      np.empty(4, np.int32)))


# ---- capacities

def capacities_by_definition(M, E, k, factor, weights=None):
    """Exact rationals: Σt = floor(factor * M * k) with the factor read as
    its decimal text; experts whose share reaches M take M (heaviest first),
    the rest split by largest remainder, ties to the lower id."""
    total = math.floor(Fraction(repr(factor)) * M * k)
    w = [Fraction(1)] * E if weights is None else [Fraction(x) for x in weights]
    t = [0] * E
    open_ = sorted((e for e in range(E) if w[e] > 0), key=lambda e: (-w[e], e))
    left, weight = total, sum(w[e] for e in open_)
    while open_ and left * w[open_[0]] >= M * weight:
        e = open_.pop(0)
        t[e] = M
        left -= M
        weight -= w[e]
    shares = {e: left * w[e] / weight for e in open_}
    for e in open_:
        t[e] = math.floor(shares[e])
    units = left - sum(t[e] for e in open_)
    by_remainder = sorted(open_, key=lambda e: (-(shares[e] - math.floor(shares[e])), e))
    for e in by_remainder[:units]:
        t[e] += 1
    return t


def test_capacities_uniform_and_decimal_factors():
    for M in (1, 7, 100, 4096):
        for E in (1, 3, 64):
            for k in (1, 2, 3):
                for factor in (0, 0.29, 0.5, 0.9, 1, 1.1, 1.25, 1.7, 2.0):
                    if factor * k > E:
                        continue
                    got = phase_router.capacities(M, E, k, factor)
                    assert got.dtype == np.int64 and got.shape == (E,)
                    assert got.tolist() == capacities_by_definition(M, E, k, factor), \
                        (M, E, k, factor)


def test_capacities_weighted_is_largest_remainder_with_the_ring_cap():
    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(400):
        E, M, k = int(rng.integers(1, 30)), int(rng.integers(1, 3000)), int(rng.integers(1, 4))
        weights = rng.integers(0, 50, size=E) * (rng.random(E) < 0.8)
        if weights.max() == 0:
            weights[0] = 1
        factor = round(float(rng.uniform(0, 3)), 2)
        if math.floor(Fraction(repr(factor)) * M * k) > M * np.count_nonzero(weights):
            with pytest.raises(phase_router.Error, match="asks for more slots"):
                phase_router.capacities(M, E, k, factor, weights=weights)
            continue
        got = phase_router.capacities(M, E, k, factor, weights=weights)
        assert got.tolist() == capacities_by_definition(M, E, k, factor, weights.tolist())
        # Any positive scale of the weights, as floats, gives the same.
        assert np.array_equal(phase_router.capacities(M, E, k, factor,
                                                      weights=weights / 8.0), got)
        checked += 1
    assert checked > 100


def test_capacities_errors_name_the_request():
    with pytest.raises(phase_router.Error, match=r"capacity_factor 2.5 x M = 100 tokens x k = 2 "
                                                 r"asks for more slots than the E = 4 experts "
                                                 r"can take at most M = 100 tokens each \(400\)"
                                                 r"; lower capacity_factor to at most 2") as e:
        phase_router.capacities(100, 4, 2, 2.5)
    assert e.value.code == "bad_option"
    for factor, text in ((-1.0, "-1"), (float("nan"), "nan"), (float("inf"), "inf")):
        with pytest.raises(phase_router.Error,
                           match=r"capacity_factor = %s is not a finite number >= 0" % text):
            phase_router.capacities(100, 4, 2, factor)
    with pytest.raises(phase_router.Error, match=r"weights has 2 entries; expected E = 4"):
        phase_router.capacities(100, 4, 2, 1.0, weights=[1, 2])
    with pytest.raises(phase_router.Error, match=r"weights has 0 entries; expected E = 4"):
        phase_router.capacities(100, 4, 2, 1.0, weights=[])
    with pytest.raises(phase_router.Error, match=r"weights are all zero"):
        phase_router.capacities(100, 4, 2, 1.0, weights=[0, 0, 0, 0])
    with pytest.raises(phase_router.Error, match=r"weights\[2\] = -3 is not a finite number"):
        phase_router.capacities(100, 4, 2, 1.0, weights=[1, 1, -3, 1])
    with pytest.raises(phase_router.Error, match=r"k must be >= 1"):
        phase_router.capacities(100, 4, 0, 1.0)


# ---- moe.route

def loads(experts, E):
    return np.bincount(experts[experts >= 0], minlength=E)


@pytest.mark.parametrize("k", [1, 2, 4])
@pytest.mark.parametrize("factor", [0.9, 1.0, 1.25, 2.0])
def test_moe_route_is_the_routing_and_its_routes_by_target(k, factor):
    M, E = 2000, 24
    r = phase_router.moe.route(M, E, k, capacity_factor=factor, seed=11)
    t = phase_router.capacities(M, E, k, factor)
    want = phase_router.route_degrees(np.full(M, E), t, k, seed=11)
    np.testing.assert_array_equal(r.experts, want)
    assert_same((r.offsets, r.tokens, r.slots), phase_router.routes_by_target(want, E))
    np.testing.assert_array_equal(r.counts, loads(want, E))
    np.testing.assert_array_equal(r.capacities, t)
    assert (r.counts <= t).all()
    assert r.dropped == np.count_nonzero(want < 0)
    assert (r.num_tokens, r.num_experts, r.k) == (M, E, k)
    if factor == 1.0:  # exact tiling: every slot filled, every expert at capacity
        assert r.dropped == 0
        np.testing.assert_array_equal(r.counts, t)


def test_moe_route_is_the_same_for_any_thread_count_and_router():
    base = phase_router.moe.route(70000, 32, 2, capacity_factor=1.25, seed=3, threads=1)
    router = phase_router.Router()
    for threads in (0, 2, 3):
        r = phase_router.moe.route(70000, 32, 2, capacity_factor=1.25, seed=3, threads=threads,
                                   router=router)
        for name in ("experts", "offsets", "tokens", "slots", "counts"):
            np.testing.assert_array_equal(getattr(r, name), getattr(base, name))


def test_moe_route_tiling_on_and_off():
    on = phase_router.moe.route(4096, 64, 2, capacity_factor=1.25, seed=2, tiling="on")
    off = phase_router.moe.route(4096, 64, 2, capacity_factor=1.25, seed=2, tiling="off")
    assert on.tiled and on.laps == 2 and not off.tiled and off.laps == 0
    assert on.dropped == 0  # q = k laps: every token gets k experts
    for r in (on, off):
        assert (r.counts <= r.capacities).all()


def test_partial_batch():
    E, k = 64, 2
    full = phase_router.capacities(4096, E, k, 1.25)
    # Explicit capacities of the full batch (160 > 100): clipped to the
    # batch, the same routes as capacities min(160, 100).
    r = phase_router.moe.route(100, E, k, capacities=full, seed=9)
    want = phase_router.route_degrees(np.full(100, E), np.minimum(full, 100), k, seed=9)
    np.testing.assert_array_equal(r.experts, want)
    assert (r.counts <= np.minimum(full, 100)).all()
    np.testing.assert_array_equal(r.capacities, full)
    # A capacity factor is recomputed for the batch: exact again at 1.0.
    r = phase_router.moe.route(100, E, k, capacity_factor=1.0, seed=9)
    np.testing.assert_array_equal(r.capacities, phase_router.capacities(100, E, k, 1.0))
    np.testing.assert_array_equal(r.counts, r.capacities)
    assert r.dropped == 0


def test_moe_route_bad_input():
    with pytest.raises(phase_router.Error, match=r"capacities has shape \(3,\); expected "
                                                 r"\(num_experts,\) = \(4,\)"):
        phase_router.moe.route(10, 4, 1, capacities=[1, 2, 3])
    with pytest.raises(phase_router.Error, match=r"asks for more slots"):
        phase_router.moe.route(10, 4, 2, capacity_factor=3)
    with pytest.raises(phase_router.Error, match=r"output = \"jax\" is not an array type"):
        phase_router.moe.route(10, 4, 2, output="jax")
    with pytest.raises(phase_router.Error, match=r"tiling"):
        phase_router.moe.route(10, 4, 2, tiling="sometimes")
    for call in (phase_router.moe.route, phase_router.moe.hash_route):
        with pytest.raises(phase_router.Error, match=r"num_tokens = 0 is out of range"):
            call(0, 4, 2)
        with pytest.raises(phase_router.Error, match=r"num_experts = -3 is out of range"):
            call(10, -3, 2)


def test_moe_hash_route_is_switch_dropping():
    M, E, k = 3000, 16, 2
    for factor in (0.9, 1.0, 1.25):
        r = phase_router.moe.hash_route(M, E, k, capacity_factor=factor, seed=5)
        t = phase_router.capacities(M, E, k, factor)
        drawn = phase_router.hash_route(M, E, k, seed=5)
        # Independent: walk tokens in order, each expert keeps its first t[e].
        kept = drawn.copy()
        taken = np.zeros(E, np.int64)
        for i in range(M):
            for j in range(k):
                e = drawn[i, j]
                if taken[e] < t[e]:
                    taken[e] += 1
                else:
                    kept[i, j] = -1
        np.testing.assert_array_equal(r.experts, kept)
        np.testing.assert_array_equal(r.counts, taken)
        assert_same((r.offsets, r.tokens, r.slots), phase_router.routes_by_target(kept, E))


# ---- hash_route out= and Router.hash_route

def test_hash_route_out_and_router_method():
    want = phase_router.hash_route(500, 20, 3, seed=8)
    out = np.full((500, 3), 99, np.int32)
    assert phase_router.hash_route(500, 20, 3, seed=8, out=out) is out
    np.testing.assert_array_equal(out, want)
    router = phase_router.Router()
    np.testing.assert_array_equal(router.hash_route(500, 20, 3, seed=8), want)
    with pytest.raises(phase_router.Error, match=r"out must have shape \(500, 3\)"):
        phase_router.hash_route(500, 20, 3, out=np.empty((3, 500), np.int32))


# ---- PyTorch

def test_torch_tensors_in_and_out_without_copies():
    torch = need_torch()
    r = phase_router.moe.route(4096, 64, 2, seed=1, output="torch")
    n = phase_router.moe.route(4096, 64, 2, seed=1)
    for name in ("experts", "offsets", "tokens", "slots", "counts", "capacities"):
        value = getattr(r, name)
        assert isinstance(value, torch.Tensor), name
        np.testing.assert_array_equal(value.numpy(), getattr(n, name), err_msg=name)
    assert r.experts.dtype == torch.int32 and r.offsets.dtype == torch.int64
    # Capacities as a tensor: tensors out by default.
    t = torch.from_numpy(phase_router.capacities(4096, 64, 2, 1.25))
    assert isinstance(phase_router.moe.route(4096, 64, 2, capacities=t).experts, torch.Tensor)
    # out= a tensor: written in place and returned as the tensor.
    out = torch.zeros((4096, 2), dtype=torch.int32)
    assert phase_router.hash_route(4096, 64, 2, seed=3, out=out) is out
    np.testing.assert_array_equal(out.numpy(), phase_router.hash_route(4096, 64, 2, seed=3))
    routes = torch.from_numpy(n.experts)
    got = phase_router.routes_by_target(routes, 64)
    assert all(isinstance(x, torch.Tensor) for x in got)
    assert_same([x.numpy() for x in got], (n.offsets, n.tokens, n.slots))
    # Into tensors: the returned sources and slots are views of them.
    bufs = (torch.empty(65, dtype=torch.int64), torch.empty(8192, dtype=torch.int32),
            torch.empty(8192, dtype=torch.int32))
    got = phase_router.routes_by_target(routes, 64, out=bufs)
    assert got[0] is bufs[0] and got[1].data_ptr() == bufs[1].data_ptr()
    assert_same([x.numpy() for x in got], (n.offsets, n.tokens, n.slots))
    # Degree vectors and matrices as tensors are read in place too.
    np.testing.assert_array_equal(
        phase_router.route_degrees(torch.full((100,), 64), torch.full((64,), 4), 2, seed=1),
        phase_router.route_degrees(np.full(100, 64), np.full(64, 4), 2, seed=1))


def test_torch_tensors_that_cannot_be_read_in_place_are_refused():
    torch = need_torch()
    with pytest.raises(TypeError, match=r"out is a torch.Tensor that requires grad"):
        phase_router.hash_route(4, 3, 1, out=torch.zeros((4, 1), requires_grad=True))
    with pytest.raises(TypeError, match=r"out has dtype int64; expected int32"):
        phase_router.hash_route(4, 3, 1, out=torch.zeros((4, 1), dtype=torch.int64))


# ---- one-line TypeErrors

S = np.ones((8, 6), bool)
T = np.ones((6, 8), bool)
WRONG_TYPES = [
    ("route k", lambda: phase_router.route(S, T, 2.5)),
    ("route seed", lambda: phase_router.route(S, T, 2, seed="1")),
    ("route align", lambda: phase_router.route(S, T, 2, align="yes")),
    ("route select", lambda: phase_router.route(S, T, 2, select=1)),
    ("route target", lambda: phase_router.route(S, T, 2, target=5)),
    ("route threads", lambda: phase_router.route(S, T, 2, threads=1.0)),
    ("route stats", lambda: phase_router.route(S, T, 2, stats="no")),
    ("route memory_limit", lambda: phase_router.route(S, T, 2, memory_limit=1.5)),
    ("route method", lambda: phase_router.route(S, T, 2, method=3)),
    ("route tiling", lambda: phase_router.route(S, T, 2, tiling=True)),
    ("route_degrees row_perm", lambda: phase_router.route_degrees([6] * 8, [8] * 6, 2,
                                                                  row_perm=[1])),
    ("Router.route_degrees k", lambda: phase_router.Router().route_degrees([6], [1] * 6, "2")),
    ("hash_route M", lambda: phase_router.hash_route("8", 6, 2)),
    ("Router.hash_route out", lambda: phase_router.Router().hash_route(8, 6, 2, out=[0])),
    ("average_over_seeds algorithm", lambda: phase_router.average_over_seeds(
        [6] * 8, [8] * 6, 2, range(2), algorithm=1)),
    ("estimate_capacity confidence", lambda: phase_router.estimate_capacity({}, "0.9")),
    ("suggest_k target_skew", lambda: phase_router.suggest_k([6] * 8, [8] * 6, range(2), "1", 1,
                                                             2)),
    ("suggest_k measure", lambda: phase_router.suggest_k([6] * 8, [8] * 6, range(2), 1.1, 1, 2,
                                                         measure=2)),
    ("analyze_distribution select", lambda: phase_router.analyze_distribution(
        [6] * 8, [8] * 6, range(2), [1], select=0)),
    ("chung_lu_route seed", lambda: phase_router.chung_lu_route([6] * 8, [8] * 6, 2, seed=0.5)),
    ("two_choice_route k", lambda: phase_router.two_choice_route([6] * 8, [8] * 6, None)),
    ("force_target", lambda: phase_router.force_target(3)),
    ("pack_bits", lambda: phase_router.pack_bits(np.zeros((2, 2), np.float32))),
    ("routes_by_target E", lambda: phase_router.routes_by_target(np.zeros((2, 2), np.int32),
                                                                 "3")),
    ("routes_by_target out", lambda: phase_router.routes_by_target(np.zeros((2, 2), np.int32),
                                                                   3, out=[1, 2, 3])),
    ("routes_by_target threads", lambda: phase_router.routes_by_target(
        np.zeros((2, 2), np.int32), 3, threads="2")),
    ("capacities factor", lambda: phase_router.capacities(10, 4, 2, "1.0")),
    ("capacities M", lambda: phase_router.capacities(10.0, 4, 2, 1.0)),
    ("capacities weights", lambda: phase_router.capacities(10, 4, 2, 1.0, weights="abcd")),
    ("moe.route num_tokens", lambda: phase_router.moe.route("10", 4, 2)),
    ("moe.route num_experts", lambda: phase_router.moe.route(10, 4.0, 2)),
    ("moe.route k", lambda: phase_router.moe.route(10, 4, 2.0)),
    ("moe.route capacity_factor", lambda: phase_router.moe.route(10, 4, 2, capacity_factor="1")),
    ("moe.route capacities", lambda: phase_router.moe.route(10, 4, 2,
                                                            capacities=[1.5, 2, 3, 4])),
    ("moe.route seed", lambda: phase_router.moe.route(10, 4, 2, seed=1.5)),
    ("moe.route threads", lambda: phase_router.moe.route(10, 4, 2, threads="0")),
    ("moe.route tiling", lambda: phase_router.moe.route(10, 4, 2, tiling=1)),
    ("moe.route router", lambda: phase_router.moe.route(10, 4, 2, router="r")),
    ("moe.route output", lambda: phase_router.moe.route(10, 4, 2, output=1)),
    ("moe.hash_route num_experts", lambda: phase_router.moe.hash_route(10, None, 2)),
    # Calls that do not fit the signature.
    ("unknown keyword", lambda: phase_router.route_degrees([1], [1], 1, sed=1)),
    ("missing argument", lambda: phase_router.route_degrees([1], [1])),
    ("positional option", lambda: phase_router.route(S, T, 2, 7)),
    ("Router method keyword", lambda: phase_router.Router().route(S, T, 2, bogus=1)),
    ("moe.route keyword", lambda: phase_router.moe.route(10, 4, 2, capacity=3)),
]


@pytest.mark.parametrize("name,call", WRONG_TYPES, ids=[n for n, _ in WRONG_TYPES])
def test_wrong_arguments_raise_one_line_type_errors(name, call):
    with pytest.raises(TypeError) as error:
        call()
    message = str(error.value)
    assert "\n" not in message and "incompatible function arguments" not in message, message
    assert len(message) < 200, message
