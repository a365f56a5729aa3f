#!/usr/bin/env python3
"""`phase-router stats`: the JSON object against `route` run seed by seed,
the same numbers for any --threads and for matrices or degrees, every
router, the human summary, and bad command lines (exit 2) and inputs (1).

Usage: cli_stats_test.py PHASE_ROUTER_BINARY
"""
import json
import os
import random
import subprocess
import sys
import tempfile

FIELDS = [
    "router", "backend", "M", "E", "k", "seeds", "align", "row_perm", "select",
    "tiling", "laps", "spec", "threads", "sum_s", "sum_t", "global_skew", "max_abs_bias",
    "mean_abs_relative_error", "max_abs_relative_error", "edge_density",
    "cap_density", "expected_candidate_density", "candidate_density",
    "mean_fill", "mean_routing_skew", "max_routing_skew", "mean_overflow",
    "capacity", "t", "mean_load", "std_load", "p95_load", "max_load",
    "temporal_skew", "ideal_mean", "bias", "relative_error", "runs",
]
PER_TARGET = ["t", "mean_load", "std_load", "p95_load", "max_load",
              "temporal_skew", "ideal_mean", "bias", "relative_error"]

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def run(binary, args):
    return subprocess.run([binary] + args, capture_output=True, text=True,
                          timeout=120)


def stats_json(binary, args):
    r = run(binary, ["stats", "--json"] + args)
    if r.returncode != 0:
        raise SystemExit("stats failed: %s\n%s" % (args, r.stderr))
    return json.loads(r.stdout)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def pbm(rows):  # P1, one matrix row per line
    return "P1\n%d %d\n%s\n" % (len(rows[0]), len(rows),
                                "\n".join(" ".join(map(str, r)) for r in rows))


def main():
    binary = sys.argv[1]
    rng = random.Random(5)
    M, E, k = 120, 45, 4
    S = [[1 if rng.random() < p else 0 for _ in range(E)]
         for p in (rng.random() for _ in range(M))]
    T = [[1 if rng.random() < p else 0 for _ in range(M)]
         for p in (rng.random() for _ in range(E))]
    s = [sum(r) for r in S]
    t = [sum(r) for r in T]
    with tempfile.TemporaryDirectory() as d:
        sd, td = os.path.join(d, "s.txt"), os.path.join(d, "t.txt")
        sp, tp = os.path.join(d, "S.pbm"), os.path.join(d, "T.pbm")
        write(sd, " ".join(map(str, s)) + "\n")
        write(td, "\n".join(map(str, t)) + "\n")
        write(sp, pbm(S))
        write(tp, pbm(T))
        degrees = ["--s-degrees", sd, "--t-degrees", td, "-k", str(k)]
        matrices = ["--s", sp, "--t", tp, "-k", str(k)]

        j = stats_json(binary, degrees + ["--seeds", "3:10", "--threads", "1"])
        for f in FIELDS:
            check(f in j, "field %s present" % f)
        for f in PER_TARGET:
            check(len(j[f]) == E, "%s has E entries" % f)
        for f in ("required", "headroom", "utilization"):
            check(len(j["capacity"][f]) == E, "capacity.%s has E entries" % f)
        check(j["seeds"] == {"first": 3, "count": 10}, "seeds echoed")
        check(j["spec"] == 2, "spec 2")
        check(isinstance(j["tiling"], bool) and isinstance(j["laps"], int),
              "tiling is a bool and laps an int")
        check(j["tiling"] or j["laps"] == 0, "no laps without tiling")
        off = stats_json(binary, degrees + ["--seeds", "3:2", "--tiling", "off"])
        check(off["tiling"] is False and off["laps"] == 0, "--tiling off: not tiled")
        check(j["t"] == t, "t echoed")
        check(len(j["runs"]) == 10, "one run per seed")
        check(all(j["max_load"][x] <= t[x] for x in range(E)),
              "phase: no target over t_t")
        mean_fill = sum(r["fill"] for r in j["runs"]) / 10
        check(abs(mean_fill - j["mean_fill"]) < 1e-12, "mean_fill is the mean")

        # Each seed's run equals `route --seed` on its own.
        for run_record in j["runs"][:3]:
            r = run(binary, ["route"] + degrees +
                    ["--seed", str(run_record["seed"])])
            check(r.returncode == 0, "route runs")
            ids = [int(x) for x in r.stdout.split() if x != "-1"]
            load = [0] * E
            for x in ids:
                load[x] += 1
            check(run_record["active_routes"] == len(ids),
                  "seed %d: active routes match route" % run_record["seed"])
            check(run_record["load_max"] == max(load),
                  "seed %d: max load matches route" % run_record["seed"])

        # Threads over seeds change nothing; matrices (aligned) = degrees.
        j2 = stats_json(binary, degrees + ["--seeds", "3:10", "--threads", "2"])
        j2["threads"] = j["threads"]
        check(j2 == j, "same JSON for --threads 1 and 2")
        jm = stats_json(binary, matrices + ["--seeds", "3:10", "--threads", "1"])
        check(jm["mean_load"] == j["mean_load"] and jm["runs"] == j["runs"],
              "PBM matrices and degree files agree when aligned")
        ju = stats_json(binary, matrices + ["--seeds", "3:10", "--no-align"])
        check(ju["align"] is False and len(ju["mean_load"]) == E,
              "--no-align on matrices")
        one = stats_json(binary, degrees + ["--seed", "5"])
        check(one["seeds"] == {"first": 5, "count": 1}, "--seed S is S:1")

        for router in ("hash", "chung-lu", "two-choice"):
            jr = stats_json(binary, degrees + ["--seeds", "0:4",
                                               "--router", router])
            check(jr["router"] == router and len(jr["runs"]) == 4,
                  "--router %s" % router)
            if router != "hash":
                check(all(jr["max_load"][x] <= t[x] for x in range(E)),
                      "%s: no target over t_t" % router)

        r = run(binary, ["stats"] + degrees + ["--seeds", "0:4"])
        check(r.returncode == 0 and "routing skew" in r.stdout and
              "capacity @99%" in r.stdout, "human summary")

        usage = [
            ["--seeds", "3"], ["--seeds", "0:0"], ["--seeds", "x:2"],
            ["--seeds", "0:2", "--seed", "1"], ["--confidence", "0"],
            ["--confidence", "1.5"], ["--confidence", "abc"],
            ["--router", "round-robin"], ["-o", "x.txt"], ["--stats"],
            ["--tiling", "sometimes"], ["--tiling", ""],
        ]
        for extra in usage:
            r = run(binary, ["stats"] + degrees + extra)
            check(r.returncode == 2 and r.stderr.count("\n") == 1 and
                  r.stdout == "", "usage error exits 2: %s" % extra)
        r = run(binary, ["stats", "--s-degrees", sd, "-k", "2"])
        check(r.returncode == 2, "half an input pair exits 2")
        bad = os.path.join(d, "bad.txt")
        write(bad, " ".join(["9999"] * M))
        r = run(binary, ["stats", "--s-degrees", bad, "--t-degrees", td,
                         "-k", "2"])
        check(r.returncode == 1 and "exceeds" in r.stderr,
              "a degree above E exits 1 naming it")

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("cli_stats: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
