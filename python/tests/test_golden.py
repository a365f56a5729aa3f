"""Every golden case through every input path of the binding, against the
expected routes and against the command-line tool's output."""
import subprocess

import numpy as np
import pytest

import phase_router
from conftest import golden_cases

CASES = golden_cases()
IDS = [c.name for c in CASES]


def format_routes(routes):
    """The routes text format of the CLI and the golden files."""
    return "".join(" ".join(str(int(x)) for x in row) + "\n" for row in routes)


def test_there_are_golden_cases():
    assert len(CASES) >= 20
    assert {c.tiling for c in CASES} == {"auto", "on", "off"}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bool_matrices(case):
    routes = phase_router.route(case.S, case.T, case.k, **case.options())
    assert routes.dtype == np.int32
    assert routes.shape == (case.M, case.k)
    np.testing.assert_array_equal(routes, case.routes)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_uint8_matrices(case):
    # Any nonzero byte is a 1.
    S = case.S.astype(np.uint8) * 3
    T = case.T.astype(np.uint8) * 255
    np.testing.assert_array_equal(phase_router.route(S, T, case.k, **case.options()), case.routes)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_packed_bits(case):
    S = phase_router.pack_bits(case.S)
    T = phase_router.pack_bits(case.T)
    assert S.dtype == np.uint64 and S.shape == (case.M, (case.E + 63) // 64)
    np.testing.assert_array_equal(phase_router.route(S, T, case.k, **case.options()), case.routes)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_degrees(case):
    if not case.align:
        pytest.skip("degree vectors route aligned")
    s = case.S.sum(axis=1)
    t = case.T.sum(axis=1)
    np.testing.assert_array_equal(
        phase_router.route_degrees(s, t, case.k, **case.degree_options()), case.routes)
    # Plain lists and uint32 arrays too.
    np.testing.assert_array_equal(
        phase_router.route_degrees(s.tolist(), t.astype(np.uint32), case.k,
                                   **case.degree_options()), case.routes)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_router_reuse(case):
    router = phase_router.Router()
    for _ in range(2):
        np.testing.assert_array_equal(router.route(case.S, case.T, case.k, **case.options()),
                                      case.routes)
    assert router.workspace_bytes > 0


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_target(case):
    for target in phase_router.targets()["supported"]:
        routes, stats = phase_router.route(case.S, case.T, case.k, target=target, stats=True,
                                           **case.options())
        np.testing.assert_array_equal(routes, case.routes, err_msg=target)
        assert stats["backend"] == target


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_equals_cli(case, cli, tmp_path):
    def write_p1(path, rows):
        path.write_text("P1\n%d %d\n" % (len(rows[0]), len(rows)) +
                        "".join(" ".join(r) + "\n" for r in rows))

    s_path, t_path = tmp_path / "S.pbm", tmp_path / "T.pbm"
    write_p1(s_path, case.S_text)
    write_p1(t_path, case.T_text)
    args = [cli, "route", "--s", str(s_path), "--t", str(t_path), "-k", str(case.k),
            "--seed", str(case.seed), "--select", case.select, "--tiling", case.tiling]
    if not case.align:
        args.append("--no-align")
    if case.row_perm:
        args.append("--row-perm")
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True)
    routes = phase_router.route(case.S, case.T, case.k, **case.options())
    assert format_routes(routes) == result.stdout
    assert result.stdout == case.routes_text
