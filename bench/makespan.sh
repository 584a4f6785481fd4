#!/usr/bin/env bash
# Makespan: random DAGs of `sleep` steps (bench/lib/gen_makespan.py), `drplan apply -j 64`
# (more than any DAG's width); a sample is wall time / critical path. The floor beside it: the
# critical path's own processes run one after the other by a shell, / critical path (what
# process start-up alone adds; full run only). Keys: makespan.{drplan,floor}.dagN.
source "$(dirname "$0")/lib/common.sh"

seeds=$(quick "1 2 3" "1") steps=$(quick 80 30) runs=3
section "makespan: random DAGs of $steps sleep steps, drplan apply -j 64, wall / critical path"
for seed in $seeds; do
  d=$BENCH_WORK/makespan-$seed
  shape=$("$PY" "$BENCH_DIR/lib/gen_makespan.py" "$seed" "$steps" "$d")
  note makespan.dags "DAG $seed: $shape"
  measure "makespan.drplan.dag$seed" "drplan apply -j 64, DAG $seed, wall / critical path" --runs "$runs" --unit x \
    --per "$(cat "$d/critical_path_ms")" --cwd "$d" --setup "rm -rf state" -- \
    "$DRPLAN" apply plan.dr -i inv.toml --yes -j 64 --state-dir state
  ((BENCH_QUICK)) || measure "makespan.floor.dag$seed" "its critical path as a shell loop, wall / critical path" \
    --runs "$runs" --unit x --per "$(cat "$d/critical_path_ms")" -- bash "$d/critical_path.sh"
done
