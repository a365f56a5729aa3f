#!/usr/bin/env bash
# The docs' benchmark tables (docs/kernels.md, docs/performance.md,
# docs/scale.md) are tools/bench_table.py over each benchmark binary's JSON,
# as the docs give the commands: a short run of a few benchmarks of each
# binary goes through it and must give a table with their rows. (The scale
# table once failed on scale_bench's row-range benchmarks, which are not a
# pair of methods.)
#   usage: bench_tables_test.sh SOURCE_DIR BIN_DIR PYTHON
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

if (($# != 3)); then
  echo "usage: $0 SOURCE_DIR BIN_DIR PYTHON" >&2
  exit 2
fi
src=$1 bin=$2 py=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# table KIND BINARY FILTER ROW: the run, its table, and the row it must hold.
table() {
  local kind=$1 binary=$2 filter=$3 row=$4
  check "$kind: $binary runs" "$bin/$binary" --benchmark_filter="$filter" \
    --benchmark_min_time=0.01 --benchmark_out="$tmp/$kind.json" --benchmark_out_format=json
  check "$kind: bench_table.py reads it" \
    bash -c "'$py' '$src/tools/bench_table.py' $kind '$tmp/$kind.json' > '$tmp/$kind.md'"
  check "$kind: the table has the row '$row'" grep -qF -- "$row" "$tmp/$kind.md"
}

table kernels kernels_bench '^Memcpy/256$|^TransposeBits/generic/256$' '| TransposeBits | 256 |'
table router router_bench \
  '^(HashRoute/256x256/k64|Memcpy/256x256/k64/degrees|Route/generic/256x256/k64/degrees)/' \
  '| 256x256/k64 | degrees |'
# The hand-over yardstick beside the thread table needs two cores.
if (($(nproc) >= 2)); then
  table router router_bench '^RowWriteAfterRead/' '(RowWriteAfterRead)'
fi
table scale scale_bench \
  '^scale/moe/65536x64/k8/.*/threads:1/|^range/moe/10000000x1024/k8/rows:100/' \
  '| moe/65536x64/k8 | 1 |'

echo "bench_tables: $passed passed, $failed failed"
((failed == 0))
