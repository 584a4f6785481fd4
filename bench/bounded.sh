#!/usr/bin/env bash
# Bounded compilation: `drplan check` of inputs that once hung it or took gigabytes (wall
# time, peak RSS): 40 steps in a chain, each on a group of 2,000 hosts (`after` between
# fan-outs: 16 s and 4.3 GB while it made every pair of instances an edge); 4,000 unknown
# names (30 s of "did you mean"); defs d0..d30 each calling the one before twice (a hang at
# 2.9 GB and growing, before the evaluation budget). Each must end in well under a second.
# The same sizes in quick mode (they are cheap); fewer runs. Keys: bounded.{fanout,unknown,budget}.
source "$(dirname "$0")/lib/common.sh"

runs=$(quick 5 3)
section "bounded compilation: inputs that once hung drplan check or took gigabytes"
d=$BENCH_WORK/bounded
"$PY" "$BENCH_DIR/lib/gen_bounded.py" fanout 40 2000 "$d/fanout"
"$PY" "$BENCH_DIR/lib/gen_bounded.py" unknown 4000 "$d/unknown"
"$PY" "$BENCH_DIR/lib/gen_bounded.py" budget 30 "$d/budget"
measure bounded.fanout "drplan check, 40 steps x 2,000 hosts, after fan-out" \
  --runs "$runs" --warmup 1 --rss -- "$DRPLAN" check "$d/fanout/plan.dr" -i "$d/fanout/inv.toml"
note bounded.fanout "fan-out: $(grep -o 'ok (.*)' "$BENCH_WORK/last.log")"
measure bounded.unknown "drplan check, 4,000 unknown names (errors)" \
  --runs "$runs" --warmup 1 --rss --exit 1 -- "$DRPLAN" check "$d/unknown/plan.dr"
note bounded.unknown "unknown names: $(tail -1 "$BENCH_WORK/last.log")"
measure bounded.budget "drplan check, defs doubling 30 times (an error)" \
  --runs "$runs" --warmup 1 --rss --exit 1 -- "$DRPLAN" check "$d/budget/plan.dr"
note bounded.budget "def doubling: $(grep -o 'error: .*' "$BENCH_WORK/last.log" | head -1)"
