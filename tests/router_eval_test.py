#!/usr/bin/env python3
"""router_eval and tools/evaluate.py (docs/evaluation.md's generator) on the
MoE family and a family where tiling is the identity, with few seeds:

- the router rows: phase (tiling auto), phase-untiled only where tiling
  changes the routes, hash-drop everywhere;
- the MoE guarantees of SPEC.md (k <= q laps: every row full, every expert
  exactly 0.8 of its capacity, no variance to correlate);
- hash-drop drops exactly the hash router's overflow and never exceeds a
  capacity;
- the same numbers on a second run (all but the times);
- evaluate.py's tables from that CSV (no matplotlib needed).

Usage: router_eval_test.py ROUTER_EVAL_BINARY TOOLS_DIR
"""
import csv
import math
import os
import subprocess
import sys
import tempfile

FAMILIES = ["moe-4096x64-k1", "moe-4096x64-k2", "tiling-cf1.00"]
SEEDS = 8
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def run_eval(binary, out_dir):
    subprocess.run([binary, "--out", out_dir, "--seeds", str(SEEDS),
                    "--only", ",".join(FAMILIES)],
                   check=True, capture_output=True, timeout=300)
    with open(os.path.join(out_dir, "summary.csv")) as f:
        return list(csv.DictReader(f))


def row(rows, family, router):
    mine = [r for r in rows if r["family"] == family and r["router"] == router]
    return mine[0] if mine else None


def check_routers(rows):
    for fam in FAMILIES:
        routers = [r["router"] for r in rows if r["family"] == fam]
        want = ["phase", "hash", "hash-drop", "chung-lu", "two-choice"]
        if fam.startswith("moe-"):  # Σt = 1.25 M k is no multiple of M
            want.insert(1, "phase-untiled")
        check(routers == want, "%s routers %s, want %s" % (fam, routers, want))


def check_moe(rows):
    for fam in FAMILIES[:2]:
        k = int(fam[-1])
        phase = row(rows, fam, "phase")
        check(float(phase["fill_min"]) == 1.0, fam + ": phase fills every row")
        check(float(phase["load_cv"]) == 0.0, fam + ": phase load CV 0")
        check(abs(float(phase["max_cap"]) - 0.8) < 1e-9,
              fam + ": every expert at 0.8 of capacity")
        check(math.isnan(float(phase["load_corr"])),
              fam + ": constant loads have no correlation")
        check(int(phase["laps"]) == k, fam + ": q = k laps")
        untiled = row(rows, fam, "phase-untiled")
        check(int(untiled["laps"]) == 0, fam + ": phase-untiled does not tile")
        check(float(untiled["max_cap"]) <= 1.0, fam + ": untiled within caps")
        check(float(untiled["load_cv"]) > 0.1,
              fam + ": untiled arcs leave experts unequal")


def check_hash_drop(rows):
    for fam in FAMILIES:
        plain, drop = row(rows, fam, "hash"), row(rows, fam, "hash-drop")
        check(float(drop["overflow"]) == 0, fam + ": hash-drop overflows")
        check(float(drop["max_cap"]) <= 1.0, fam + ": hash-drop over a cap")
        check(abs(float(drop["dropped"]) - float(plain["overflow"])) < 0.01,
              fam + ": hash-drop drops %s, hash overflows %s"
              % (drop["dropped"], plain["overflow"]))


def check_tables(tools_dir, out_dir, rows):
    sys.dont_write_bytecode = True  # leave no __pycache__ in tools/
    sys.path.insert(0, tools_dir)
    import evaluate  # noqa: E402 (the generator, imported from tools/)
    text = evaluate.tables(evaluate.read_rows(out_dir), SEEDS)
    check("### MoE at capacity factor 1.25: overview" in text,
          "tables: the MoE overview")
    check("| moe-4096x64-k2 | phase-untiled |" in text,
          "tables: the untiled MoE row")
    check("tiling off routes the same" in text,
          "tables: the note where tiling is the identity")
    check("load corr" in text and "max/cap" in text, "tables: new columns")


def main():
    binary, tools_dir = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        first, second = run_eval(binary, a), run_eval(binary, b)
        check_routers(first)
        check_moe(first)
        check_hash_drop(first)
        strip = [{k: v for k, v in r.items() if k != "time_ms"}
                 for r in first]
        check(strip == [{k: v for k, v in r.items() if k != "time_ms"}
                        for r in second], "a second run differs")
        check_tables(tools_dir, a, first)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("router_eval: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
