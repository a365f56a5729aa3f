#!/usr/bin/env bash
# Measures what docs/performance.md and docs/kernels.md report, on this
# machine, into OUT_DIR (default perf-report/): the end-to-end table per
# target (router_bench), each kernel per target (kernels_bench), the
# per-stage breakdown of the chosen target (phase-router bench --json), and
# peak resident memory of a one-shot routing (/usr/bin/time).
#   tools/perf_report.sh [OUT_DIR]     (needs a Release build in build/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-perf-report}
mkdir -p "$out"
bin=build/bin

# 1. End-to-end, every target, every shape and input; thread scaling.
"$bin/router_bench" --benchmark_min_time=0.2 \
  --benchmark_out="$out/router.json" --benchmark_out_format=json > "$out/router.txt"
tools/bench_table.py router "$out/router.json" > "$out/router.md"

# 1b. Each kernel on each target (docs/kernels.md's table).
"$bin/kernels_bench" --benchmark_min_time=0.2 \
  --benchmark_out="$out/kernels.json" --benchmark_out_format=json > "$out/kernels.txt"
tools/bench_table.py kernels "$out/kernels.json" > "$out/kernels.md"

# 1c. The arc method's listing by the source arc per target (docs/kernels.md,
# "The arc method's listing"): medians of 7 interleaved runs.
"$bin/kernels_bench" --benchmark_filter='ListBySourceArc' --benchmark_repetitions=7 \
  --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
  > "$out/list_by_source_arc.txt"

# 1d. Thread scaling again, beside the yardstick of the cores' hand-over
# (docs/performance.md, "Threads"): a second sample of the same rows.
"$bin/router_bench" --benchmark_filter='RowWriteAfterRead|RouteThreads' --benchmark_min_time=0.2 \
  --benchmark_out="$out/threads.json" --benchmark_out_format=json > "$out/threads.txt"
tools/bench_table.py router "$out/threads.json" > "$out/threads.md"

# 2. Per-stage times of the chosen target (fastest of the timed runs).
"$bin/phase-router" bench --repeat 7 --max-side 65536 --json "$out/stages.json" > "$out/stages.txt"

# 3. Peak RSS of one routing from degree files (Bernoulli(1/2) degrees).
/usr/bin/python3 - "$out" <<'PY'
import random, sys
out = sys.argv[1]
for n in (1024, 4096, 16384):
    rng = random.Random(n)
    for side in "st":
        with open("%s/%s%d.txt" % (out, side, n), "w") as f:
            f.write(" ".join(str(bin(rng.getrandbits(n)).count("1")) for _ in range(n)))
PY
: > "$out/memory.txt"
for spec in 1024:256 4096:512 16384:1024; do
  n=${spec%%:*}; k=${spec##*:}
  /usr/bin/time -f "N=$n k=$k max_rss_kb=%M" "$bin/phase-router" route \
    --s-degrees "$out/s$n.txt" --t-degrees "$out/t$n.txt" -k "$k" --seed 1 \
    -o /dev/null 2>> "$out/memory.txt"
done
/usr/bin/time -f "process baseline (--version) max_rss_kb=%M" "$bin/phase-router" --version \
  > /dev/null 2>> "$out/memory.txt"
cat "$out/memory.txt"
echo "perf_report: wrote $out/"
