#!/usr/bin/env bash
# Compile: `drplan check` of generated plans of 1k, 10k and 100k steps (wall time, peak RSS),
# side by side with `ninja -n` on a manifest of the same DAG and `ansible-playbook
# --syntax-check` on the equivalent playbook (bench/lib/gen_check.py writes all three).
# drplan's sizes run back to back, so that the 10k -> 100k growth compares like with like
# (this VM's speed drifts over minutes). Every command gets one untimed run first.
# Keys: check.{drplan,ninja,ansible}.SIZE (+ .rss). See bench/README.md for the environment.
source "$(dirname "$0")/lib/common.sh"

sizes="1000 10000 100000"
ninja_sizes=$(quick "1000 10000 100000" "1000 10000")   # ninja -n takes ~50 s at 100k edges
ansible_sizes=$(quick "1000 10000" "1000")              # quick: check_vs_ansible at 1k steps
dir() { echo "$BENCH_WORK/check-$1"; }
runs() { if (($1 < 100000)); then echo 5; else echo 3; fi; }

section "compile: drplan check vs ninja -n vs ansible-playbook --syntax-check"
for size in $sizes; do "$PY" "$BENCH_DIR/lib/gen_check.py" "$size" "$(dir "$size")" >/dev/null; done
for size in $sizes; do
  d=$(dir "$size") k=$((size / 1000))k
  # drplan must accept the plan (measure stops on a non-zero exit), or the timing means nothing.
  measure "check.drplan.$k" "drplan check, $k steps" --runs "$(runs "$size")" --warmup 1 --rss -- \
    "$DRPLAN" check "$d/plan.dr" -i "$REPO/lab/inventory.toml"
  note "check.sizes" "$k: $(grep -o 'ok (.*)' "$BENCH_WORK/last.log"), $(($(wc -c < "$d/plan.dr") / 1024)) KiB of plan"
done
for size in $ninja_sizes; do
  d=$(dir "$size") k=$((size / 1000))k r=$(runs "$size") w=1
  ((size < 100000)) || r=1 w=0
  measure "check.ninja.$k" "ninja -n, $k edges" --runs "$r" --warmup "$w" --rss --cwd "$d" -- ninja -n -f build.ninja
done
ansible_env
for size in $ansible_sizes; do
  d=$(dir "$size") k=$((size / 1000))k
  measure "check.ansible.$k" "ansible-playbook --syntax-check, $k tasks" --runs 3 --warmup 1 --rss \
    --cwd "$d" -- ansible-playbook --syntax-check -i hosts.ini playbook.yml
done
