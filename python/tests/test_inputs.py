"""Layouts the binding reads in place (dtypes, strides, packed rows), its
results and statistics, and bad input raising ValueError / TypeError with
the library's messages."""
import numpy as np
import pytest

import phase_router
from conftest import golden_cases

CASE = next(c for c in golden_cases() if c.name == "n130_noalign")  # unaligned: bits matter
RECT = next(c for c in golden_cases() if c.name == "rect_m40_e300_noalign_rowperm")


def route_case(case, S, T, **extra):
    return phase_router.route(S, T, case.k, **case.options(), **extra)


# ---------------------------------------------------------------- layouts

@pytest.mark.parametrize("case", [CASE, RECT], ids=["square", "rect"])
def test_strided_rows_are_read_in_place(case):
    # Every other row of a taller array, and a column window of a wider one.
    tall = np.zeros((2 * case.M, case.E), dtype=np.uint8)
    tall[::2] = case.S
    wide = np.zeros((case.E, case.M + 7), dtype=bool)
    wide[:, 3:3 + case.M] = case.T
    S, T = tall[::2], wide[:, 3:3 + case.M]
    assert S.strides == (2 * case.E, 1) and T.strides == (case.M + 7, 1)
    assert not S.flags.c_contiguous and not T.flags.c_contiguous
    np.testing.assert_array_equal(route_case(case, S, T), case.routes)


def test_int8_is_a_byte_matrix():
    S = CASE.S.astype(np.int8) * -1  # nonzero = 1
    np.testing.assert_array_equal(route_case(CASE, S, CASE.T.view(np.int8)), CASE.routes)


@pytest.mark.parametrize("case", [CASE, RECT], ids=["square", "rect"])
def test_packed_rows_with_spare_words_and_strides(case):
    S = phase_router.pack_bits(case.S)
    T = phase_router.pack_bits(case.T)
    # Spare words at the end of each row are ignored; rows may be strided.
    S_wide = np.zeros((case.M, S.shape[1] + 2), dtype=np.uint64)
    S_wide[:, :S.shape[1]] = S
    T_tall = np.zeros((2 * case.E, T.shape[1]), dtype=np.uint64)
    T_tall[1::2] = T
    np.testing.assert_array_equal(route_case(case, S_wide, T_tall[1::2]), case.routes)


def test_pack_bits_layout():
    A = np.zeros((2, 70), dtype=bool)
    A[0, 0] = A[0, 63] = A[0, 64] = A[1, 69] = True
    packed = phase_router.pack_bits(A)
    assert packed.dtype == np.uint64 and packed.shape == (2, 2)
    assert packed[0, 0] == (1 | (1 << 63)) and packed[0, 1] == 1
    assert packed[1, 0] == 0 and packed[1, 1] == 1 << 5
    # Strided and transposed inputs pack by value.
    np.testing.assert_array_equal(phase_router.pack_bits(np.asfortranarray(A)), packed)


def test_degrees_accept_any_integer_dtype():
    s, t = [6, 3, 1, 4, 6, 2, 5, 6], [8, 4, 2, 6, 3, 5]
    want = phase_router.route_degrees(s, t, 2, seed=42)
    for dtype in (np.int8, np.uint16, np.int32, np.uint32, np.int64, np.uint64):
        np.testing.assert_array_equal(
            phase_router.route_degrees(np.array(s, dtype), np.array(t, dtype), 2, seed=42), want)
    # The README's quickstart routes.
    assert want.tolist() == [[0, 5], [3, 4], [-1, -1], [0, 5], [1, 3], [1, -1], [0, 3], [4, 5]]


def test_degrees_equal_aligned_matrices():
    rng = np.random.default_rng(5)
    S = rng.random((50, 70)) < 0.4
    T = rng.random((70, 50)) < 0.3
    for seed in (0, 1, 2**64 - 1):
        np.testing.assert_array_equal(
            phase_router.route(S, T, 6, seed=seed),
            phase_router.route_degrees(S.sum(1), T.sum(1), 6, seed=seed))


def test_out_parameter_and_guarantees():
    s, t = np.full(96, 40), np.full(40, 96 * 5 // 40 + 1)
    out = np.full((96, 5), 7, dtype=np.int32)
    result = phase_router.route_degrees(s, t, 5, seed=3, out=out)
    assert result is out
    # Fan-out: ascending, no duplicates, -1 only at the end; capacity.
    for row in out:
        active = row[row >= 0]
        assert np.all(np.diff(active) > 0) and np.all(row[len(active):] == -1)
    loads = np.bincount(out[out >= 0], minlength=40)
    assert np.all(loads <= t)
    # s_i = E and sum(t) >= M * k: every row is full (exact tiling).
    assert np.all(out >= 0)


def test_stats_dict():
    routes, stats = phase_router.route(CASE.S, CASE.T, CASE.k, stats=True, **CASE.options())
    assert stats["M"] == CASE.M and stats["E"] == CASE.E and stats["k"] == CASE.k
    assert stats["active_routes"] == int((routes >= 0).sum())
    assert stats["fill_ratio"] == pytest.approx(stats["active_routes"] / (CASE.M * CASE.k))
    loads = np.bincount(routes[routes >= 0], minlength=CASE.E)
    assert stats["load_max"] == loads.max()
    assert stats["candidates_min"] <= stats["candidates_mean"] <= stats["candidates_max"]
    assert list(stats["stage_ms"])[0] == "degrees" and "select" in stats["stage_ms"]
    assert stats["backend"] in phase_router.targets()["supported"]
    assert (stats["seed"], stats["align"], stats["select"]) == (CASE.seed, False, "random")


def test_hash_route():
    routes = phase_router.hash_route(1000, 64, 4, seed=9)
    assert routes.shape == (1000, 4) and routes.dtype == np.int32
    assert np.all(np.diff(routes, axis=1) > 0) and routes.min() >= 0 and routes.max() < 64
    np.testing.assert_array_equal(routes, phase_router.hash_route(1000, 64, 4, seed=9, threads=1))
    assert phase_router.hash_route(3, 2, 5)[0].tolist() == [0, 1, -1, -1, -1]


def test_targets_and_force_target():
    targets = phase_router.targets()
    assert set(targets) == {"compiled", "supported", "chosen"}
    assert targets["compiled"][-1] == "generic" and "generic" in targets["supported"]
    assert targets["chosen"] == targets["supported"][0]
    try:
        phase_router.force_target("GENERIC")
        assert phase_router.targets()["chosen"] == "generic"
        # A per-call target leaves the forced one in place.
        best = targets["supported"][0]
        _, stats = phase_router.route_degrees([1, 1], [1, 1], 1, target=best, stats=True)
        assert stats["backend"] == best
        assert phase_router.targets()["chosen"] == "generic"
    finally:
        phase_router.force_target(None)
    assert phase_router.targets()["chosen"] == targets["chosen"]
    assert phase_router.__version__.count(".") == 2


# ---------------------------------------------------------------- bad input

def expect_error(match, code, call, *args, **kwargs):
    with pytest.raises(phase_router.Error, match=match) as info:
        call(*args, **kwargs)
    assert isinstance(info.value, ValueError)
    assert info.value.code == code


def test_library_errors_are_value_errors():
    S, T = CASE.S, CASE.T
    expect_error(r"k must be >= 1 \(got 0\)", "bad_option", phase_router.route, S, T, 0)
    expect_error(r"shape mismatch: S is 130x130 .* but T is 129x130", "bad_shape",
                 phase_router.route, S, T[:-1], 3)
    expect_error(r"s\[1\] = 3 exceeds the ring size E = 2", "bad_degree",
                 phase_router.route_degrees, [2, 3, 2], [3, 2], 2)
    expect_error(r"empty routing: M = 0", "bad_shape", phase_router.route_degrees, [], [1], 1)
    expect_error(r"unknown select mode 'top'", "bad_option",
                 phase_router.route, S, T, 3, select="top")
    expect_error(r"threads = -1 is out of range", "bad_option",
                 phase_router.route, S, T, 3, threads=-1)
    expect_error(r"over the memory limit of 1000 bytes", "out_of_memory",
                 phase_router.route, S, T, 3, memory_limit=1000)
    expect_error(r"k = -2 is out of range", "bad_option", phase_router.route, S, T, -2)
    expect_error(r"seed = -1 is negative", "bad_option", phase_router.route, S, T, 3, seed=-1)
    expect_error(r"seed = 18446744073709551616 is out of range", "bad_option",
                 phase_router.route, S, T, 3, seed=2**64)
    expect_error(r"s\[0\] = -1 is out of range", "bad_degree",
                 phase_router.route_degrees, [-1, 1], [1, 1], 1)
    expect_error(r"must be 2-D, but it has 1", "bad_shape", phase_router.route, S[0], T, 1)
    expect_error(r"s must be 1-D", "bad_shape", phase_router.route_degrees, [[1]], [1], 1)
    expect_error(r"empty routing: M = 1, E = 0", "bad_shape", phase_router.hash_route, 1, 0, 1)


def test_unknown_targets_change_nothing():
    before = phase_router.targets()["chosen"]
    expect_error(r"no-such-target", "bad_option", phase_router.route_degrees, [1], [1], 1,
                 target="no-such-target")
    expect_error(r"no-such-target", "bad_option", phase_router.force_target, "no-such-target")
    expect_error(r"target name is empty", "bad_option", phase_router.route_degrees, [1], [1], 1,
                 target="")
    assert phase_router.targets()["chosen"] == before


def test_layout_errors():
    S, T = CASE.S, CASE.T
    expect_error(r"not contiguous within a row .*ascontiguousarray\(S\)", "bad_data",
                 phase_router.route, np.asfortranarray(S), T, 3)
    expect_error(r"not contiguous within a row", "bad_data", phase_router.route, S, T.T.T[:, ::-1], 3)
    expect_error(r"row stride -130 bytes", "bad_data", phase_router.route, S[::-1], T, 3)
    Sp, Tp = phase_router.pack_bits(S), phase_router.pack_bits(T)
    expect_error(r"packed shape mismatch: S \(130x2\) has M = 130 rows and T \(130x3\) has "
                 r"E = 130 rows, so S needs at least 3 uint64 word\(s\) a row", "bad_shape",
                 phase_router.route, Sp[:, :2], Tp, 3)
    Sp[5, 2] |= np.uint64(1 << 10)  # column 138 >= E = 130: a padding bit
    expect_error(r"S row 5 has bits set beyond column 129", "bad_data",
                 phase_router.route, Sp, Tp, 3)
    out = np.zeros((CASE.M, 3), dtype=np.int32)
    expect_error(r"out must have shape \(130, 3\)", "bad_shape",
                 phase_router.route, S, T, 3, out=out[:-1])
    expect_error(r"out must be C-contiguous", "bad_data",
                 phase_router.route, S, T, 3, out=np.zeros((3, CASE.M), np.int32).T)


def test_type_errors():
    S, T = CASE.S, CASE.T
    with pytest.raises(TypeError, match=r"S has dtype int64; expected bool or uint8"):
        phase_router.route(S.astype(np.int64), T, 3)
    with pytest.raises(TypeError, match=r"T has dtype float32"):
        phase_router.route(S, T.astype(np.float32), 3)
    with pytest.raises(TypeError, match=r"give two byte matrices .* or two packed ones"):
        phase_router.route(S, phase_router.pack_bits(T), 3)
    with pytest.raises(TypeError, match=r"S has dtype >u8"):
        phase_router.route(phase_router.pack_bits(S).astype(">u8"), phase_router.pack_bits(T), 3)
    with pytest.raises(TypeError, match=r"s has dtype float64; expected integers"):
        phase_router.route_degrees([1.5, 2.0], [1, 1], 1)
    with pytest.raises(TypeError, match=r"seed must be an int, not float"):
        phase_router.route(S, T, 3, seed=1.0)
    with pytest.raises(TypeError, match=r"out has dtype int64; expected int32"):
        phase_router.route(S, T, 3, out=np.zeros((CASE.M, 3), np.int64))
    with pytest.raises(TypeError):
        phase_router.route(S, T, 2.5)  # k must be an int
    with pytest.raises(TypeError):
        phase_router.route(S, T, 3, 7)  # options are keyword-only
