#!/usr/bin/env bash
# Benchmark: `drplan apply -j 8` of LAYERS x WIDTH no-op local steps (default 250 x 8 = 2,000),
# each depending on 2 steps of the previous layer, against `ninja -j 8` on a build.ninja with
# the same DAG and `command = true`. Both are timed in the same run; drplan's time includes
# compiling the plan, the lock and the journal (one fdatasync'd record per step start and end).
# The state directory is measured on disk (beside the work dir) and on tmpfs (/dev/shm), which
# separates the cost of fdatasync from the rest.
#
#   bench/apply_bench.sh [path/to/drplan] [layers] [width]
#
# Each tool runs RUNS times (default 3); the best wall time counts.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
drplan=${1:-${DRPLAN:-$root/../build-ex/drplan}}
layers=${2:-250}
width=${3:-8}
jobs=${JOBS:-8}
runs=${RUNS:-3}
[[ -x $drplan ]] || { echo "apply_bench: no drplan binary at $drplan (pass its path)" >&2; exit 2; }
command -v ninja >/dev/null || { echo "apply_bench: ninja is not installed" >&2; exit 2; }

work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/drplan-apply-bench-XXXXXX")
shm=$(mktemp -d /dev/shm/drplan-apply-bench-XXXXXX)
trap 'rm -rf "$work" "$shm"' EXIT

# --- the same DAG twice: a plan and a build.ninja -----------------------------------------
{
  echo 'plan bench {'
  for ((l = 0; l < layers; l++)); do
    for ((i = 0; i < width; i++)); do
      if ((l == 0)); then
        echo "  action s${l}_$i on local { run = \"true\" rollback = \"true\" idempotent = true }"
      else
        echo "  action s${l}_$i after s$((l - 1))_$i, s$((l - 1))_$(((i + 1) % width)) { run = \"true\" rollback = \"true\" idempotent = true }"
      fi
    done
  done
  echo '}'
} > "$work/bench.dr"
{
  printf 'rule noop\n  command = true\n'
  for ((l = 0; l < layers; l++)); do
    for ((i = 0; i < width; i++)); do
      if ((l == 0)); then echo "build s${l}_$i: noop"
      else echo "build s${l}_$i: noop s$((l - 1))_$i s$((l - 1))_$(((i + 1) % width))"; fi
    done
  done
} > "$work/build.ninja"
printf '[inventory]\nname = "bench"\n[sites.here]\ntitle = "here"\n' > "$work/inv.toml"
steps=$((layers * width))

now_ms() { date +%s%3N; }
# best_of CMD...: the best wall time in ms of RUNS runs (the setup hook runs before each).
best_of() {
  local best=999999999 t0 t
  for ((r = 0; r < runs; r++)); do
    setup
    t0=$(now_ms)
    "$@" > "$work/last.out" 2>&1 || { echo "apply_bench: '$*' failed:" >&2; tail -20 "$work/last.out" >&2; exit 1; }
    t=$(($(now_ms) - t0))
    ((t < best)) && best=$t
  done
  echo "$best"
}

setup() { rm -rf "$work/ninja-out" && mkdir -p "$work/ninja-out"; }
ninja_ms=$(best_of ninja -C "$work/ninja-out" -f "$work/build.ninja" -j "$jobs")

state=""
setup() { rm -rf "$state"; }
state=$work/state
disk_ms=$(best_of "$drplan" apply "$work/bench.dr" -i "$work/inv.toml" --state-dir "$state" --yes -j "$jobs")
records=$(wc -l < "$(ls "$state"/runs/*/journal.jsonl)")
state=$shm/state
tmpfs_ms=$(best_of "$drplan" apply "$work/bench.dr" -i "$work/inv.toml" --state-dir "$state" --yes -j "$jobs")
setup() { :; }
check_ms=$(best_of "$drplan" check "$work/bench.dr" -i "$work/inv.toml")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
printf 'apply_bench: %d no-op local steps, %d layers x %d, each after 2 of the previous layer, -j %d (best of %d)\n' \
  "$steps" "$layers" "$width" "$jobs" "$runs"
printf '  ninja -j %d                          %6d ms\n' "$jobs" "$ninja_ms"
printf '  drplan apply, journal on disk       %6d ms  (%s x ninja; %d journal records)\n' "$disk_ms" "$(ratio "$disk_ms" "$ninja_ms")" "$records"
printf '  drplan apply, journal on tmpfs      %6d ms  (%s x ninja)\n' "$tmpfs_ms" "$(ratio "$tmpfs_ms" "$ninja_ms")"
printf '  drplan check (compile only)         %6d ms\n' "$check_ms"
