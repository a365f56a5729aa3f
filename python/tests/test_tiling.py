"""tiling= (SPEC.md step 2) on every function that routes, its bad values,
and the statistics that report it (tiled, laps, spec). No routes are
asserted here: whether tiling applies, and how many laps, is the spec's
rule alone."""
import numpy as np
import pytest

import phase_router

TILINGS = ["auto", "on", "off"]

# Every s_i = E and sum(t) = 25 >= M = 8: tiling "on" tiles q = 3 laps.
M, E, K = 8, 6, 2
S_FULL = [E] * M
T_SUM_25 = [4, 4, 4, 4, 4, 5]


def full_rows_matrices(t):
    """Aligned-equivalent matrices: S all ones, T row j with t[j] ones."""
    S = np.ones((M, E), dtype=bool)
    T = np.zeros((E, M), dtype=bool)
    for j, d in enumerate(t):
        T[j, :d] = True
    return S, T


def routing_calls():
    """(name, call(tiling=..., **extra)) for every routing entry point."""
    S, T = full_rows_matrices(T_SUM_25)
    router = phase_router.Router()
    return [
        ("route", lambda **kw: phase_router.route(S, T, K, **kw)),
        ("route_degrees", lambda **kw: phase_router.route_degrees(S_FULL, T_SUM_25, K, **kw)),
        ("Router.route", lambda **kw: router.route(S, T, K, **kw)),
        ("Router.route_degrees", lambda **kw: router.route_degrees(S_FULL, T_SUM_25, K, **kw)),
    ]


def analysis_calls():
    seeds = range(3)
    return [
        ("average_over_seeds",
         lambda **kw: phase_router.average_over_seeds(S_FULL, T_SUM_25, K, seeds, **kw)),
        ("suggest_k",
         lambda **kw: phase_router.suggest_k(S_FULL, T_SUM_25, seeds, 10.0, 1, 2, **kw)),
        ("analyze_distribution",
         lambda **kw: phase_router.analyze_distribution(S_FULL, T_SUM_25, seeds, [1, 2], **kw)),
    ]


ALL_CALLS = routing_calls() + analysis_calls()


def test_spec_version():
    assert phase_router.SPEC_VERSION == 2


@pytest.mark.parametrize("name,call", ALL_CALLS, ids=[n for n, _ in ALL_CALLS])
@pytest.mark.parametrize("tiling", TILINGS)
def test_tiling_keyword_is_accepted(name, call, tiling):
    call(tiling=tiling)


@pytest.mark.parametrize("name,call", ALL_CALLS, ids=[n for n, _ in ALL_CALLS])
@pytest.mark.parametrize("bad", ["ON", "yes", ""])
def test_bad_tiling_raises_value_error_naming_it(name, call, bad):
    with pytest.raises(ValueError, match="tiling '%s'" % bad) as info:
        call(tiling=bad)
    assert isinstance(info.value, phase_router.Error)
    assert info.value.code == "bad_option"


def test_tiling_must_be_a_string():
    with pytest.raises(TypeError):
        phase_router.route_degrees(S_FULL, T_SUM_25, K, tiling=True)


@pytest.mark.parametrize("name,call", routing_calls(), ids=[n for n, _ in routing_calls()])
@pytest.mark.parametrize("tiling", TILINGS)
def test_stats_report_tiled_laps_and_spec(name, call, tiling):
    routes, stats = call(tiling=tiling, stats=True)
    assert routes.shape == (M, K)
    assert type(stats["tiled"]) is bool
    assert type(stats["laps"]) is int and stats["laps"] >= 0
    assert stats["spec"] == 2
    if not stats["tiled"]:
        assert stats["laps"] == 0


@pytest.mark.parametrize("name,call", routing_calls(), ids=[n for n, _ in routing_calls()])
def test_tiling_off_never_tiles(name, call):
    _, stats = call(tiling="off", stats=True)
    assert stats["tiled"] is False and stats["laps"] == 0


@pytest.mark.parametrize("name,call", routing_calls(), ids=[n for n, _ in routing_calls()])
@pytest.mark.parametrize("method", ["bits", "arcs"])
def test_tiling_on_tiles_full_rows(name, call, method):
    # s_i = E for all i and sum(t) >= M: q = sum(t) // M laps.
    _, stats = call(tiling="on", method=method, stats=True)
    assert stats["tiled"] is True
    assert stats["laps"] == sum(T_SUM_25) // M


@pytest.mark.parametrize("t", [[1, 1, 1, 1, 1, 1], T_SUM_25])
def test_tiling_needs_align_and_enough_target_degree(t):
    # tiling "on" does not tile with align off, nor with sum(t) < M.
    S, T = full_rows_matrices(t)
    _, stats = phase_router.route(S, T, K, align=False, tiling="on", stats=True)
    assert stats["tiled"] is False and stats["laps"] == 0
    if sum(t) < M:
        _, stats = phase_router.route_degrees(S_FULL, t, K, tiling="on", stats=True)
        assert stats["tiled"] is False and stats["laps"] == 0


def test_average_over_seeds_reports_tiling():
    seeds = range(4)
    st = phase_router.average_over_seeds(S_FULL, T_SUM_25, K, seeds, tiling="off")
    assert st["tiled"] is False and st["laps"] == 0 and st["spec"] == 2
    st = phase_router.average_over_seeds(S_FULL, T_SUM_25, K, seeds, tiling="on")
    assert st["tiled"] is True and st["laps"] == sum(T_SUM_25) // M
    # The baselines have no arcs to tile.
    st = phase_router.average_over_seeds(S_FULL, T_SUM_25, K, seeds, algorithm="hash",
                                         tiling="on")
    assert st["tiled"] is False and st["laps"] == 0
