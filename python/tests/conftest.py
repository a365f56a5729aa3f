"""Shared fixtures of the binding's tests: the golden cases and the CLI.

ctest sets PYTHONPATH (the built module), PHASE_ROUTER_GOLDEN_DIR and
PHASE_ROUTER_CLI; run by hand from the repository root with
    PYTHONPATH=build/python /usr/bin/python3 -m pytest python/tests
(the golden directory then defaults to tests/golden, and the CLI checks look
for build/bin/phase-router).
"""
import os
import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN_DIR = pathlib.Path(os.environ.get("PHASE_ROUTER_GOLDEN_DIR", ROOT / "tests" / "golden"))


class GoldenCase:
    """One tests/golden/*.case file (format in tests/golden/README.md)."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.name = self.path.stem
        lines = self.path.read_text().split("\n")
        fields = lines[1].split()
        header = dict(zip(fields[0::2], fields[1::2]))
        self.M, self.E, self.k = int(header["M"]), int(header["E"]), int(header["k"])
        self.seed = int(header["seed"])
        self.align = header["align"] == "1"
        self.row_perm = header["row_perm"] == "1"
        self.select = header["select"]
        self.tiling = header["tiling"]  # "auto", "on" or "off" (SPEC.md v2)

        def block(title, rows):
            start = lines.index(title) + 1
            return lines[start:start + rows]

        self.S_text = block("S", self.M)
        self.T_text = block("T", self.E)
        self.S = np.array([[c == "1" for c in row] for row in self.S_text], dtype=bool)
        self.T = np.array([[c == "1" for c in row] for row in self.T_text], dtype=bool)
        self.routes_text = "\n".join(block("routes", self.M)) + "\n"
        self.routes = np.array([[int(x) for x in row.split()] for row in block("routes", self.M)],
                               dtype=np.int32).reshape(self.M, self.k)

    def options(self):
        return dict(seed=self.seed, align=self.align, row_perm=self.row_perm, select=self.select,
                    tiling=self.tiling)

    def degree_options(self):
        return dict(seed=self.seed, row_perm=self.row_perm, select=self.select,
                    tiling=self.tiling)


def golden_cases():
    return [GoldenCase(p) for p in sorted(GOLDEN_DIR.glob("*.case"))]


@pytest.fixture(scope="session")
def cli():
    """The phase-router binary, or a skip when there is none."""
    path = os.environ.get("PHASE_ROUTER_CLI") or str(ROOT / "build" / "bin" / "phase-router")
    if not os.access(path, os.X_OK):
        pytest.skip("no phase-router binary (set PHASE_ROUTER_CLI)")
    return path
