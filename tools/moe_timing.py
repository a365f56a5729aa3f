#!/usr/bin/env python3
"""The timing goals of docs/moe.md, measured in one run:

  1. routes by target against the routing itself at 65,536 tokens, k = 2
     (64 and 256 experts, capacity factors 1.0 and 1.25), both from
     build/bin/moe_bench (Google Benchmark, the same process);
  2. phase_router.moe.route from Python with PyTorch tensors out (routing
     plus routes by target) against the same two C++ calls
     (MoeRouteAndByTarget) at 4096 tokens, 64 experts, k = 2.

usage: /usr/bin/python3 tools/moe_timing.py [--build-dir build] [--repetitions 5]
                                           [--min-time SECONDS] [--check]
Prints a Markdown table and the ratios; exits 1 if a goal is missed and
--check is given.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_bench(binary, pattern, repetitions, min_time):
    """Median real time (microseconds) of each benchmark matching pattern."""
    command = [str(binary), "--benchmark_filter=" + pattern, "--benchmark_format=json",
               "--benchmark_repetitions=%d" % repetitions,
               "--benchmark_report_aggregates_only=true"]
    if min_time is not None:
        command.append("--benchmark_min_time=%g" % min_time)
    out = subprocess.run(
        command,
        check=True, capture_output=True, text=True,
        env=dict(os.environ, OMP_WAIT_POLICY=os.environ.get("OMP_WAIT_POLICY", "PASSIVE")))
    medians, single = {}, {}
    for b in json.loads(out.stdout)["benchmarks"]:
        assert b["time_unit"] == "us", b["time_unit"]
        name = b["run_name"].replace("/real_time", "")
        if b.get("aggregate_name") == "median":
            medians[name] = b["real_time"]
        elif b.get("run_type") == "iteration":
            single[name] = b["real_time"]
    return medians or single  # one repetition has no aggregates


def python_median_us(call, repetitions, seconds=0.3):
    """Median over repetitions of the mean time of call() in a ~seconds loop."""
    call()  # warm: the thread's Router and its workspace, the capacities
    samples = []
    for _ in range(repetitions):
        n, start = 0, time.perf_counter()
        while True:
            call()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        samples.append(elapsed / n * 1e6)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=None,
                        help="seconds per benchmark run (Google Benchmark's default if absent)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")
    args = parser.parse_args()
    build = pathlib.Path(args.build_dir)
    sys.path.insert(0, str(build / "python"))
    import torch  # noqa: F401  (the tensors of goal 2)

    import phase_router

    bench = build / "bin" / "moe_bench"
    medians = run_bench(bench, "65536x|4096x64/k2/cf1.00", args.repetitions, args.min_time)
    ok = True
    print("| shape | routing (us) | routes by target (us) | ratio | goal |")
    print("|---|---|---|---|---|")
    for shape in ("65536x64/k2/cf1.00", "65536x64/k2/cf1.25", "65536x256/k2/cf1.00",
                  "65536x256/k2/cf1.25"):
        route = medians["MoeRoute/" + shape]
        by_target = medians["MoeByTarget/" + shape]
        ratio = by_target / route
        ok &= ratio <= 0.5
        print("| %s | %.0f | %.0f | %.2f | <= 0.5 |" % (shape, route, by_target, ratio))

    cxx = medians["MoeRouteAndByTarget/4096x64/k2/cf1.00"]
    python = python_median_us(
        lambda: phase_router.moe.route(4096, 64, 2, capacity_factor=1.0, seed=1,
                                       output="torch"), args.repetitions,
        seconds=args.min_time or 0.3)
    ratio = python / cxx
    ok &= ratio <= 1.5
    print()
    print("| 4096 tokens, 64 experts, k = 2, cf 1.0 | C++ (us) | Python, torch out (us) | ratio "
          "| goal |")
    print("|---|---|---|---|---|")
    print("| routing + routes by target | %.0f | %.0f | %.2f | <= 1.5 |" % (cxx, python, ratio))
    if args.check and not ok:
        print("moe_timing: a goal is missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
