#!/usr/bin/env python3
"""Turns Google Benchmark JSON from bench/kernels_bench or bench/router_bench
into the markdown tables of docs/kernels.md and docs/performance.md.

  build/bin/kernels_bench --benchmark_out=k.json --benchmark_out_format=json
  tools/bench_table.py kernels k.json      # kernel throughput / memcpy, per target
  build/bin/router_bench --benchmark_out=r.json --benchmark_out_format=json
  tools/bench_table.py router r.json       # end-to-end ms, ratios to yardsticks
  build/bin/scale_bench --benchmark_out=s.json --benchmark_out_format=json
  tools/bench_table.py scale s.json        # bits against arcs (docs/scale.md)
"""
import collections
import json
import sys


def load(path):
    with open(path) as f:
        doc = json.load(f)
    runs = [b for b in doc["benchmarks"] if b.get("run_type", "iteration") == "iteration"]
    return doc.get("context", {}), runs


def ms(b):
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ns")]
    return b["real_time"] * scale


KNOWN_TARGETS = {"generic", "AVX3_DL", "AVX3", "AVX2", "SSE4", "SSSE3", "NEON", "SVE",
                 "SVE2", "SVE_256", "SVE2_128"}


def kernels_table(runs):
    """Names are Kernel[/variant]/<target>/<size>[/case]: the target is the
    part that names one; benchmarks without one (FisherYates/N) are
    yardsticks of their own. Rates are GB/s, or M items/s (marked) for the
    kernels that count elements or candidates."""
    memcpy = {}
    rate = collections.defaultdict(dict)  # (kernel, size) -> target -> text
    ratio = collections.defaultdict(dict)
    targets = []
    for b in runs:
        parts = b["name"].split("/")
        gbs = b.get("bytes_per_second", 0) / 1e9
        if parts[0] == "Memcpy":
            memcpy[parts[1]] = gbs
            continue
        at = next((i for i, p in enumerate(parts) if p in KNOWN_TARGETS), None)
        if at is None:
            kernel, target, size = parts[0], "-", "/".join(parts[1:])
        else:
            kernel, target, size = "/".join(parts[:at]), parts[at], "/".join(parts[at + 1:])
        if target not in targets:
            targets.append(target)
        if "bytes_per_second" in b:
            rate[(kernel, size)][target] = "%.1f" % gbs
            ref = memcpy.get(size.split("/")[0])
            if ref:
                ratio[(kernel, size)][target] = gbs / ref
        else:
            rate[(kernel, size)][target] = "%.1f M/s" % (b.get("items_per_second", 0) / 1e6)
    if "-" in targets:  # the yardsticks without a target last
        targets.remove("-")
        targets.append("-")
    print("| kernel | size | " + " | ".join(t if t != "-" else "no target" for t in targets) +
          " | memcpy GB/s |")
    print("|---|---|" + "---|" * len(targets) + "---|")
    for (kernel, size), by_target in rate.items():
        ref = memcpy.get(size.split("/")[0])
        cells = []
        for t in targets:
            text = by_target.get(t)
            r = ratio[(kernel, size)].get(t)
            cells.append("" if text is None else text + (" (%.2f)" % r if r is not None else ""))
        print("| %s | %s | %s | %s |" % (kernel, size, " | ".join(cells),
                                        "%.1f" % ref if ref else "-"))
    print("\nCells: GB/s (bytes read + written) and, in parentheses, the ratio to "
          "memcpy of the same matrix size in the same run; M/s: million elements "
          "(permutations) or candidates (selection) per second.")


def router_table(runs):
    route = collections.defaultdict(dict)  # (shape, input) -> target -> ms
    memcpy, hashr, threads, handover = {}, {}, {}, {}
    targets = []
    for b in runs:
        name = b["name"].replace("/real_time", "")
        parts = name.split("/")
        if parts[0] == "HashRoute":
            hashr["/".join(parts[1:3])] = ms(b)
        elif parts[0] == "Memcpy":
            memcpy["/".join(parts[1:4])] = ms(b)
        elif parts[0] == "Route":
            target = parts[1]
            if target not in targets:
                targets.append(target)
            route[("/".join(parts[2:4]), parts[4])][target] = ms(b)
        elif parts[0] == "RouteThreads":
            threads[("/".join(parts[2:4]), parts[5])] = ms(b)
        elif parts[0] == "RowWriteAfterRead" and "error_occurred" not in b:
            handover[parts[1]] = ms(b)
    print("| shape | input | " + " | ".join(targets) +
          " | memcpy | hash router | best / memcpy | best / hash |")
    print("|---|---|" + "---|" * len(targets) + "---|---|---|---|")
    for (shape, kind), by_target in route.items():
        best = min(by_target.values())
        mc = memcpy.get(shape + "/" + kind)
        hr = hashr.get(shape)
        cells = ["%.3f" % by_target[t] if t in by_target else "" for t in targets]
        print("| %s | %s | %s | %s | %s | %s | %s |" % (
            shape, kind, " | ".join(cells),
            "%.3f" % mc if mc else "-", "%.3f" % hr if hr else "-",
            "%.1f" % (best / mc) if mc else "-", "%.2f" % (best / hr) if hr else "-"))
    print("\nCells: milliseconds per routing (wall clock, all threads).")
    if threads:
        print("\n| shape | 1 thread ms | 2 threads ms | speed-up |")
        print("|---|---|---|---|")
        shapes = sorted({s for s, _ in threads}, key=lambda s: int(s.split("x")[0]))
        for s in shapes:
            one, two = threads.get((s, "threads:1")), threads.get((s, "threads:2"))
            if one and two:
                print("| %s | %.3f | %.3f | %.2f |" % (s, one, two, one / two))
    if "same_thread" in handover and "other_thread" in handover:
        same, other = handover["same_thread"], handover["other_thread"]
        print("\nWriting 1 MiB a thread in rows after the other thread read it "
              "(RowWriteAfterRead): %.3f ms, against %.3f ms after the same thread: "
              "%.1fx." % (other, same, other / same))


def scale_table(runs):
    """scale/<family>/<M>x<E>/k<k>/<method>/threads:<T>: one row per shape
    and thread setting, both methods' ms and their ratio."""
    times = collections.defaultdict(dict)
    for b in runs:
        parts = b["name"].split("/")
        if parts[0] != "scale":  # range/...: row ranges (docs/scale.md), not a method pair
            continue
        key = ("/".join(parts[1:4]), parts[5].split(":")[1])
        times[key][parts[4]] = ms(b)
    print("| shape | threads | bits ms | arcs ms | arcs / bits |")
    print("|---|---|---:|---:|---:|")
    for (shape, threads), t in times.items():
        if "bits" in t and "arcs" in t:
            print("| %s | %s | %.3f | %.3f | %.2f |" % (shape, threads, t["bits"], t["arcs"],
                                                      t["arcs"] / t["bits"]))


def main():
    tables = {"kernels": kernels_table, "router": router_table, "scale": scale_table}
    if len(sys.argv) != 3 or sys.argv[1] not in tables:
        sys.exit(__doc__)
    context, runs = load(sys.argv[2])
    print("<!-- %s, %s CPUs at %s MHz -->" % (context.get("date", "?"), context.get("num_cpus", "?"),
                                           context.get("mhz_per_cpu", "?")))
    tables[sys.argv[1]](runs)


if __name__ == "__main__":
    main()
