#!/usr/bin/env bash
# The tables of docs/scale.md: one routing per process (build/bin/scale_peak)
# for each shape and method, time (best of 3, default threads) and peak RSS
# against the routes' size, for the bit path, the arc path, and what the
# cost model picks (auto). Prints Markdown tables; run it on an idle machine.
# THREADS=N sets --threads (default 0: OpenMP's default).
#
#   tools/scale_report.sh [build-dir] > scale_tables.md
#   tools/scale_report.sh build --goals    # just the two goals of docs/scale.md
set -euo pipefail

build=${1:-build}
peak="$build/bin/scale_peak"
[[ -x $peak ]] || { echo "scale_report: $peak not built" >&2; exit 1; }

# row LABEL METHOD ARGS...: one table row from one fresh process.
row() {
  local label=$1 method=$2
  shift 2
  local out
  if ! out=$("$peak" --method "$method" --threads "${THREADS:-0}" "$@" 2>&1); then
    printf '| %s | %s | failed: %s |\n' "$label" "$method" "$(tail -1 <<<"$out")"
    return
  fi
  local ms word rss ratio cand
  # auto: name the method the cost model chose.
  [[ $method == auto ]] && method="auto: $(sed -n 's/.* method=\([a-z]*\).*/\1/p' <<<"$out" | head -1)"
  ms=$(sed -n 's/.*route: \([0-9.]*\) ms.*/\1/p' <<<"$out")
  word=$(sed -n 's/.*, \([0-9.]*\) ns per M\*E\/64 word.*/\1/p' <<<"$out")
  rss=$(sed -n 's/.*peak RSS: \([0-9.]*\) MB.*/\1/p' <<<"$out")
  ratio=$(sed -n 's/.*peak\/routes \([0-9.]*\).*/\1/p' <<<"$out")
  cand=$(sed -n 's/.*candidates per source: min [0-9]* mean \([0-9.]*\).*/\1/p' <<<"$out")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$method" "$ms" "$word" "$rss" \
    "$ratio" "$cand"
}

header() {
  printf '\n%s\n\n' "$1"
  printf '| shape | method | ms | ns / word | peak RSS MB | peak / routes | candidates |\n'
  printf '|---|---|---:|---:|---:|---:|---:|\n'
}

if [[ ${2:-} == --goals ]]; then
  "$peak" --M 1000000 --E 1024 --k 8 --s full --t-total 1.25
  "$peak" --M 4096 --E 4096 --k 1024 --s half --t half --method bits --repeat 5
  "$peak" --M 65536 --E 65536 --k 1024 --s half --t half --method bits --repeat 2
  exit 0
fi

header "Against M (E = 1024, k = 8, every s_i = E, Σt = 1.25 M k)"
for M in 65536 262144 1000000; do
  for method in bits arcs auto; do row "M=$M" $method --M $M --E 1024 --k 8 --s full --t-total 1.25; done
done

header "Against E (M = 65536, k = 8, every s_i = E, Σt = 1.25 M k)"
for E in 64 256 1024 4096 16384; do
  for method in bits arcs auto; do row "E=$E" $method --M 65536 --E $E --k 8 --s full --t-total 1.25; done
done

header "Against k (M = 65536, E = 1024, every s_i = E, Σt = 1.25 M k)"
for k in 1 8 64 256; do
  for method in bits arcs auto; do row "k=$k" $method --M 65536 --E 1024 --k $k --s full --t-total 1.25; done
done

header "Against density (M = E = 4096, k = 64, s_i and t_t ~ Binomial(4096, d))"
for d in 0.004 0.016 0.0625 0.125 0.25 0.5; do
  for method in bits arcs auto; do row "d=$d" $method --M 4096 --E 4096 --k 64 --density $d; done
done
