"""method= and rows= (docs/scale.md): both candidate methods give the golden
routes, a row range is the matching slice of the whole routing, a Router
is reused across methods and ranges, bad requests raise, and the stats
name the method that ran and the range routed."""
import numpy as np
import pytest

import phase_router
from conftest import golden_cases

CASES = golden_cases()
IDS = [c.name for c in CASES]
ALIGNED = [c for c in CASES if c.align]
ALIGNED_IDS = [c.name for c in ALIGNED]
METHODS = ["bits", "arcs"]


def degrees(case):
    return case.S.sum(axis=1), case.T.sum(axis=1)


def ranges(M):
    """A few row ranges of M sources, end None meaning M."""
    out = {(0, M), (0, 1), (M - 1, None), (M // 2, None), (0, None)}
    if M >= 3:
        out |= {(M // 3, 2 * M // 3 + 1), (1, M - 1)}
    return sorted(out, key=lambda r: (r[0], M if r[1] is None else r[1]))


def sliced(routes, rows):
    begin, end = rows
    return routes[begin:end]


def test_golden_cases_cover_both_alignments():
    assert len(ALIGNED) >= 5 and len(ALIGNED) < len(CASES)  # align off too


# ---------------------------------------------------------------- methods

@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", ALIGNED, ids=ALIGNED_IDS)
def test_methods_give_the_golden_routes(case, method):
    s, t = degrees(case)
    routes = phase_router.route_degrees(s, t, case.k, method=method, **case.degree_options())
    assert routes.dtype == np.int32 and routes.shape == (case.M, case.k)
    np.testing.assert_array_equal(routes, case.routes)
    # Matrices with align on, bytes and packed rows.
    np.testing.assert_array_equal(
        phase_router.route(case.S, case.T, case.k, method=method, **case.options()), case.routes)
    np.testing.assert_array_equal(
        phase_router.route(phase_router.pack_bits(case.S), phase_router.pack_bits(case.T),
                           case.k, method=method, **case.options()), case.routes)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_auto_is_the_default(case):
    routes, stats = phase_router.route(case.S, case.T, case.k, stats=True, **case.options())
    again = phase_router.route(case.S, case.T, case.k, method="auto", **case.options())
    np.testing.assert_array_equal(routes, case.routes)
    np.testing.assert_array_equal(again, case.routes)
    assert stats["method"] in ("bits", "arcs")
    if not case.align:
        assert stats["method"] == "bits"  # arcs need aligned input


# ---------------------------------------------------------------- rows

@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", ALIGNED, ids=ALIGNED_IDS)
def test_degree_rows_are_slices(case, method):
    s, t = degrees(case)
    for rows in ranges(case.M):
        part = phase_router.route_degrees(s, t, case.k, method=method, rows=rows,
                                          **case.degree_options())
        expected = sliced(case.routes, rows)
        assert part.shape == expected.shape, rows
        np.testing.assert_array_equal(part, expected, err_msg=str(rows))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matrix_rows_are_slices(case):
    # Every method the case allows: bits always, arcs only with align on.
    methods = METHODS if case.align else ["bits"]
    Sp, Tp = phase_router.pack_bits(case.S), phase_router.pack_bits(case.T)
    for method in methods:
        for rows in ranges(case.M):
            expected = sliced(case.routes, rows)
            for S, T in ((case.S, case.T), (Sp, Tp)):
                part = phase_router.route(S, T, case.k, method=method, rows=rows,
                                          **case.options())
                np.testing.assert_array_equal(part, expected, err_msg="%s %s" % (method, rows))


def test_rows_accept_lists_and_numpy_integers():
    case = CASES[0]
    s, t = degrees(case)
    expected = case.routes[2:5]
    for rows in ([2, 5], (np.int64(2), np.uint16(5)), [np.int32(2), 5]):
        np.testing.assert_array_equal(
            phase_router.route_degrees(s, t, case.k, rows=rows, **case.degree_options()),
            expected)


def test_rows_of_a_larger_routing():
    # Skewed degrees, M large enough for several threads and chunks.
    rng = np.random.default_rng(11)
    M, E, k = 3000, 700, 6
    s = rng.integers(0, E + 1, M) // rng.integers(1, 40, M)
    t = rng.integers(0, M + 1, E) // rng.integers(1, 40, E)
    full = {m: phase_router.route_degrees(s, t, k, seed=5, method=m) for m in METHODS}
    np.testing.assert_array_equal(full["bits"], full["arcs"])
    for rows in [(0, 1), (1499, 1501), (2999, None), (777, 2048), (100, None)]:
        for m in METHODS:
            part = phase_router.route_degrees(s, t, k, seed=5, method=m, rows=rows, threads=3)
            np.testing.assert_array_equal(part, sliced(full["bits"], rows),
                                          err_msg="%s %s" % (m, rows))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_rows_into_out(case):
    begin, end = case.M // 2, case.M
    out = np.full((end - begin, case.k), 7, dtype=np.int32)
    result = phase_router.route(case.S, case.T, case.k, rows=(begin, end), out=out,
                                **case.options())
    assert result is out
    np.testing.assert_array_equal(out, case.routes[begin:end])


# ---------------------------------------------------------------- Router reuse

def test_router_reuse_across_methods_and_ranges():
    router = phase_router.Router()
    for _ in range(2):
        for case in CASES:
            methods = METHODS if case.align else ["bits"]
            for method in methods + ["auto"]:
                np.testing.assert_array_equal(
                    router.route(case.S, case.T, case.k, method=method, **case.options()),
                    case.routes, err_msg="%s %s" % (case.name, method))
                rows = (case.M // 3, None)
                np.testing.assert_array_equal(
                    router.route(case.S, case.T, case.k, method=method, rows=rows,
                                 **case.options()),
                    sliced(case.routes, rows), err_msg="%s %s" % (case.name, method))
                if case.align:
                    s, t = degrees(case)
                    routes, stats = router.route_degrees(s, t, case.k, method=method,
                                                         rows=(0, 1), stats=True,
                                                         **case.degree_options())
                    np.testing.assert_array_equal(routes, case.routes[:1])
                    if method != "auto":
                        assert stats["method"] == method
    assert router.workspace_bytes > 0


# ---------------------------------------------------------------- errors

def expect_error(match, code, call, *args, **kwargs):
    with pytest.raises(phase_router.Error, match=match) as info:
        call(*args, **kwargs)
    assert isinstance(info.value, ValueError)
    assert info.value.code == code


def test_bad_method_and_rows():
    case = next(c for c in CASES if not c.align)
    S, T, k, M = case.S, case.T, case.k, case.M
    s, t = degrees(case)
    router = phase_router.Router()
    for route in (phase_router.route, router.route):
        expect_error(r"unknown method 'fast' \(expected auto, bits or arcs\)", "bad_option",
                     route, S, T, k, method="fast")
        expect_error(r"method arcs needs aligned input", "bad_option",
                     route, S, T, k, method="arcs", align=False)
        expect_error(r"row range \[3, 3\) is not a non-empty range of the M = %d sources" % M,
                     "bad_option", route, S, T, k, rows=(3, 3))
        expect_error(r"row range \[0, %d\) is not a non-empty range" % (M + 1), "bad_option",
                     route, S, T, k, rows=(0, M + 1))
        expect_error(r"row range \[%d, %d\)" % (M, M), "bad_option", route, S, T, k,
                     rows=(M, None))
        expect_error(r"row range \[0, 0\)", "bad_option", route, S, T, k, rows=(0, 0))
        expect_error(r"row range \[5, 2\)", "bad_option", route, S, T, k, rows=(5, 2))
        expect_error(r"row range \[18446744073709551615, ", "bad_option", route, S, T, k,
                     rows=(2**64 - 1, None))
        expect_error(r"rows\[0\] = -1 is negative", "bad_option", route, S, T, k, rows=(-1, 2))
        expect_error(r"rows\[1\] = 18446744073709551616 is out of range", "bad_option",
                     route, S, T, k, rows=(0, 2**64))
    for route in (phase_router.route_degrees, router.route_degrees):
        expect_error(r"unknown method 'fast'", "bad_option", route, s, t, k, method="fast")
        expect_error(r"unknown method 'ARCS'", "bad_option", route, s, t, k, method="ARCS")
        expect_error(r"row range \[3, 3\)", "bad_option", route, s, t, k, rows=(3, 3))
        expect_error(r"row range \[0, %d\) is not a non-empty range of the M = %d sources"
                     % (M + 1, M), "bad_option", route, s, t, k, rows=(0, M + 1))
    # The empty routing is the library's first complaint, range or not.
    expect_error(r"empty routing: M = 0", "bad_shape", phase_router.route_degrees, [], [1], 1,
                 rows=(0, 1))
    # A bad range with out= is a range error, not a shape error.
    expect_error(r"row range \[3, 3\)", "bad_option", phase_router.route_degrees, s, t, k,
                 rows=(3, 3), out=np.zeros((0, k), np.int32))


def test_rows_of_the_wrong_type():
    case = CASES[0]
    s, t = degrees(case)
    for rows in (3, "ab", (1,), (1, 2, 3), {0: 1, 1: 2}, range(0, 2)):
        with pytest.raises(TypeError, match=r"rows must be None or a pair \(begin, end\)"):
            phase_router.route_degrees(s, t, case.k, rows=rows)
    with pytest.raises(TypeError, match=r"rows\[0\] must be an int, not float"):
        phase_router.route_degrees(s, t, case.k, rows=(1.0, 2))
    with pytest.raises(TypeError, match=r"rows\[1\] must be an int, not str"):
        phase_router.route(case.S, case.T, case.k, rows=(1, "2"))
    with pytest.raises(TypeError, match=r"rows\[0\] must be an int, not NoneType"):
        phase_router.Router().route(case.S, case.T, case.k, rows=(None, 2))
    with pytest.raises(TypeError):
        phase_router.route_degrees(s, t, case.k, method=3)


def test_out_must_have_the_range_shape():
    case = CASES[2]
    k, M = case.k, case.M
    full = np.zeros((M, k), np.int32)
    expect_error(r"out must have shape \(%d, %d\)" % (M - 10, k), "bad_shape",
                 phase_router.route, case.S, case.T, k, rows=(10, None), out=full,
                 **case.options())
    expect_error(r"out must have shape \(5, %d\)" % k, "bad_shape",
                 phase_router.Router().route_degrees, *degrees(case), k, rows=(0, 5),
                 out=full[:6])
    expect_error(r"out must have shape \(5, %d\)" % k, "bad_shape",
                 phase_router.route_degrees, *degrees(case), k, rows=(0, 5),
                 out=np.zeros((5, k + 1), np.int32))
    # The right shape for the range is accepted.
    out = full[:5]
    phase_router.route_degrees(*degrees(case), k, rows=(0, 5), out=out,
                               **case.degree_options())
    np.testing.assert_array_equal(out, case.routes[:5])


def test_a_range_is_sized_within_the_memory_limit():
    # Only the range's k ints count toward the output's share of the limit.
    M, E, k = 1 << 16, 4, 4
    s, t = np.full(M, 1), np.full(E, M // E)
    with pytest.raises(phase_router.Error) as info:
        phase_router.route_degrees(s, t, k, method="arcs", memory_limit=M * k * 4 - 1)
    assert info.value.code == "out_of_memory"
    routes = phase_router.route_degrees(s, t, k, method="arcs", memory_limit=M * k * 4 - 1,
                                        rows=(100, 110))
    assert routes.shape == (10, k)


# ---------------------------------------------------------------- stats

@pytest.mark.parametrize("case", ALIGNED, ids=ALIGNED_IDS)
def test_stats_name_the_method_and_range(case):
    s, t = degrees(case)
    for method in METHODS:
        _, stats = phase_router.route_degrees(s, t, case.k, method=method, stats=True,
                                              **case.degree_options())
        assert stats["method"] == method
        assert (stats["row_begin"], stats["row_end"]) == (0, case.M)
        assert stats["M"] == case.M
        begin = case.M // 2
        routes, stats = phase_router.route(case.S, case.T, case.k, method=method,
                                           rows=(begin, None), stats=True, **case.options())
        assert stats["method"] == method
        assert (stats["row_begin"], stats["row_end"]) == (begin, case.M)
        assert stats["M"] == case.M and stats["k"] == case.k
        # Route-derived fields count the rows routed.
        assert stats["active_routes"] == int((routes >= 0).sum())
    _, stats = phase_router.route_degrees(s, t, case.k, stats=True, **case.degree_options())
    assert stats["method"] in METHODS
    keys = list(stats)
    assert keys.index("backend") < keys.index("method") < keys.index("row_begin") \
        < keys.index("row_end") < keys.index("seed")  # the order of the CLI's JSON
