# Shared by the command-line test scripts (cli_*_test.sh), which source it:
# a pass/fail counter, a runner of the tool with its error-line check,
# golden-case readers and the MPI tests' launcher set-up.

passed=0
failed=0
# check DESCRIPTION COMMAND...: counts the command's success or failure.
check() {
  local description=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $description" >&2
  fi
}

# run ARGS...: the tool ($cli, which the script sets) with ARGS, stdout to
# out.txt, stderr to err.txt, status to $rc; $runs counts the commands run.
runs=0
rc=0
run() {
  rc=0
  runs=$((runs + 1))
  "$cli" "$@" >out.txt 2>err.txt || rc=$?
}

# one_error_line WORD...: err.txt is the tool's one error line, with every WORD.
one_error_line() {
  [[ $(wc -l <err.txt) -eq 1 ]] && grep -q '^phase-router: error: ' err.txt || return 1
  local word
  for word in "$@"; do grep -qF -- "$word" err.txt || return 1; done
}

# case_field CASE KEY: the value of KEY (M, E, k, seed, align, row_perm,
# select, tiling) on the header line of a golden .case file
# (tests/golden/README.md).
case_field() {
  awk -v key="$2" 'NR == 2 {
    for (i = 1; i < NF; i += 2) if ($i == key) { print $(i + 1); exit }
  }' "$1"
}

# case_routing_options CASE: the case's options for `phase-router route`
# that apply to any input (-k, --seed, --select, --tiling, --row-perm), one
# word a line (read them with mapfile).
case_routing_options() {
  printf '%s\n' -k "$(case_field "$1" k)" --seed "$(case_field "$1" seed)" \
    --select "$(case_field "$1" select)" --tiling "$(case_field "$1" tiling)"
  if [[ $(case_field "$1" row_perm) == 1 ]]; then echo --row-perm; fi
}

# case_options CASE: case_routing_options, then --no-align when the case has
# align 0 (for matrix inputs).
case_options() {
  case_routing_options "$1"
  if [[ $(case_field "$1" align) == 0 ]]; then echo --no-align; fi
}

# case_rows CASE SECTION: the 0/1 rows after the SECTION line (S or T) of a
# golden .case file.
case_rows() {
  awk -v section="$2" '
    $0 == section { on = 1; next }
    on && /^[01]+$/ { print; next }
    on { exit }' "$1"
}

# rows_to_pbm < ROWS: 0/1 rows as a P1 PBM.
rows_to_pbm() {
  awk '{ rows[n++] = $0 }
    END {
      printf "P1\n%d %d\n", length(rows[0]), n
      for (i = 0; i < n; i++) { r = rows[i]; gsub(/./, "& ", r); sub(/ $/, "", r); print r }
    }'
}

# case_to_pbm CASE SECTION: a golden case's S or T as a P1 PBM.
case_to_pbm() { case_rows "$1" "$2" | rows_to_pbm; }

# mpi_setup MPIRUN: the environment and flags (in mpirun_flags) the MPI tests
# launch with. Open MPI in a container: root is refused unless both
# variables say yes; 4 ranks on 2 cores need oversubscription; shared memory
# (vader) and self only, with no single-copy mechanism (CMA needs ptrace
# rights that containers often lack), so no network is needed; the ob1
# messaging layer directly, since probing for UCX first costs 0.2 s per
# mpirun. Each may be overridden from the environment. One OpenMP thread per
# rank: ranks share 2 cores, and spinning workers would only slow each other
# down (routes do not depend on threads). Open MPI's mpirun gets --quiet,
# since its own banner about a non-zero exit would bury the tool's one line,
# and --oversubscribe; MPICH's mpiexec knows neither and needs neither.
mpi_setup() {
  export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1}
  export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
  export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe:-1}
  export OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader}
  export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
  export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
  export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
  mpirun_flags=()
  local version
  version=$("$1" --version 2>&1 || true)  # "mpiexec (OpenRTE) 4.1.4", ...
  if [[ ${version,,} == *openrte* || ${version,,} == *"open mpi"* ]]; then
    mpirun_flags=(--quiet --oversubscribe)
  fi
}
