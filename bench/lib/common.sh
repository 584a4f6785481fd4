# shellcheck shell=bash
# Shared by the benchmark scripts (sourced). bench/run sets the environment; an area script
# run alone gets defaults:
#   DRPLAN          the drplan binary (default: $DRPLAN_BUILD_DIR/drplan, else build/drplan)
#   BENCH_WORK      scratch directory (default: a fresh /var/tmp/drplan-bench.XXXXXX, removed)
#   BENCH_RESULTS   results file measure.py appends to (default: $BENCH_WORK/results.tsv)
#   BENCH_QUICK     1 for bench/run --quick: fewer steps, 3 runs
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(dirname "$BENCH_DIR")
PY=/usr/bin/python3   # Debian's, not whatever python3 comes first on PATH
DRPLAN=${DRPLAN:-${DRPLAN_BUILD_DIR:-$REPO/build}/drplan}
BENCH_QUICK=${BENCH_QUICK:-0}
# on_exit 'SHELL': run at exit (last registered first).
BENCH_CLEANUP=()
on_exit() { BENCH_CLEANUP=("$1" "${BENCH_CLEANUP[@]}"); }
run_cleanup() { local c; for c in "${BENCH_CLEANUP[@]}"; do eval "$c" || true; done; BENCH_CLEANUP=(); }
trap run_cleanup EXIT
trap 'exit 130' INT TERM
if [[ -z ${BENCH_WORK:-} ]]; then
  BENCH_WORK=$(mktemp -d /var/tmp/drplan-bench.XXXXXX)
  on_exit 'rm -rf "$BENCH_WORK"'
fi
BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_WORK/results.tsv}
[[ -x $DRPLAN ]] || { echo "bench: no drplan binary at $DRPLAN (set DRPLAN or run bench/run)" >&2; exit 2; }

# quick FULL QUICK: the value for this mode.
quick() { if ((BENCH_QUICK)); then echo "$2"; else echo "$1"; fi; }

# measure KEY LABEL [measure.py options] -- CMD...: time CMD, append its samples to the results.
measure() {
  local key=$1 label=$2; shift 2
  "$PY" "$BENCH_DIR/lib/measure.py" --out "$BENCH_RESULTS" --key "$key" --label "$label" \
    --log "$BENCH_WORK/last.log" "$@"
}

# note KEY TEXT: a line for the table (printed under the area of KEY, e.g. "check.sizes").
note() { printf '%s\t%s\tnote\t\n' "$1" "$2" >> "$BENCH_RESULTS"; }

section() { printf '\n== %s\n' "$*"; }

# Debian's ansible-core, with pipelining and a persistent ControlMaster, no retry files.
ansible_env() {
  export ANSIBLE_PIPELINING=True ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_RETRY_FILES_ENABLED=False
  export ANSIBLE_LOCAL_TEMP=$BENCH_WORK/ansible-tmp ANSIBLE_SSH_CONTROL_PATH_DIR=$BENCH_WORK/ansible-cp
  export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_NOCOLOR=1 ANSIBLE_STDOUT_CALLBACK=default
  export ANSIBLE_DEPRECATION_WARNINGS=False ANSIBLE_COMMAND_WARNINGS=False
}
