#!/usr/bin/env bash
# Local execution: 2,000 no-op steps (`true`) on a DAG of width 8 (each step after 2 of the
# previous layer): `drplan apply -j 8` (journal on disk, and on tmpfs to show the fsync
# cost) against `ninja -j 8` on the same DAG and `xargs -P 8` (no DAG: the spawn floor).
# Then the per-step overhead on a chain (-j 1): drplan against ninja.
# Keys: local.{drplan,drplan_tmpfs,ninja,xargs}, chain.{drplan,ninja} (ms per step).
source "$(dirname "$0")/lib/common.sh"

steps=2000 width=8 chain=300 runs=3   # the same in quick mode: fixed costs would skew a smaller run
d=$BENCH_WORK/local c=$BENCH_WORK/chain
shm=$(mktemp -d /dev/shm/drplan-bench.XXXXXX)
on_exit "rm -rf $shm"
"$PY" "$BENCH_DIR/lib/gen_local.py" layered "$steps" "$width" "$d"
"$PY" "$BENCH_DIR/lib/gen_local.py" chain "$chain" "$c"

section "local execution: $steps no-op steps, width $width, -j $width"
apply=("$DRPLAN" apply plan.dr -i inv.toml --yes -j "$width")
measure local.drplan "drplan apply -j $width, journal on disk" --runs "$runs" --cwd "$d" \
  --setup "rm -rf state" -- "${apply[@]}" --state-dir state
if ((!BENCH_QUICK)); then
  measure local.drplan_tmpfs "drplan apply -j $width, journal on tmpfs" --runs "$runs" --cwd "$d" \
    --setup "rm -rf $shm/state" -- "${apply[@]}" --state-dir "$shm/state"
fi
measure local.ninja "ninja -j $width, same DAG" --runs "$runs" --cwd "$d" \
  --setup "rm -f .ninja_log .ninja_deps" -- ninja -j "$width" -f build.ninja
measure local.xargs "xargs -P $width sh -c true (no DAG)" --runs "$runs" -- \
  bash -c "seq $steps | xargs -P $width -n 1 sh -c true"
note local.steps "journal of one run: $(wc -l < "$(ls "$d"/state/runs/*/journal.jsonl)") fdatasync'd records on $(df --output=source "$d" | tail -1)"

section "per-step overhead: a chain of $chain no-op steps, -j 1"
measure chain.drplan "drplan apply, chain, per step" --runs "$runs" --per "$chain" --unit ms/step --cwd "$c" \
  --setup "rm -rf state" -- "$DRPLAN" apply plan.dr -i inv.toml --yes -j 1 --state-dir state
measure chain.ninja "ninja -j 1, chain, per step" --runs "$runs" --per "$chain" --unit ms/step --cwd "$c" \
  --setup "rm -f .ninja_log .ninja_deps" -- ninja -j 1 -f build.ninja
