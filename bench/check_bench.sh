#!/usr/bin/env bash
# Benchmark: `drplan check` of a generated 10,000-step plan, against `ninja -n` (a peer that
# also parses a manifest, builds a DAG and walks it) on an equivalent build.ninja with the
# same 10,000 edges and dependencies. Prints wall time and peak RSS of both, and the ratio.
#
#   bench/check_bench.sh [path/to/drplan] [steps]
#
# The plan is a realistic DAG: 5 phases, fan-in (1-3 `after`s per step), fan-out (steps on a
# group of hosts: one instance per host), implicit dependencies (`${x.output}`), stdlib
# templates and defs (service, file, cron, net, postgres, host), interpolation everywhere,
# against the lab inventory. Each tool runs RUNS times (default 5); the best wall time counts.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
drplan=${1:-${DRPLAN:-$root/../build-qa/drplan}}
steps=${2:-10000}
runs=${RUNS:-5}
inventory=$root/lab/inventory.toml
[[ -x $drplan ]] || { echo "check_bench: no drplan binary at $drplan (pass its path)" >&2; exit 2; }
command -v ninja >/dev/null || { echo "check_bench: ninja is not installed" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "check_bench: /usr/bin/time is not installed (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d /tmp/drplan-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
plan=$work/bench.dr
manifest=$work/build.ninja

# --- generate the plan and the equivalent build.ninja from one description of the DAG -----
# A small deterministic LCG so every run generates the same DAG.
seed=12345
rand() { seed=$(( (seed * 1103515245 + 12345) % 2147483648 )); r=$(( seed % $1 )); }

phases=5
per_phase=$(( steps / phases ))
{
  echo "plan bench {"
  echo "  title = \"Generated benchmark plan ($steps steps)\""
  echo "  param to: site = \"dr\""
  echo "  param from: site = \"dc\""
  echo "  param pause: duration = 5s"
  echo "  param min_memory: size = 256MiB"
  echo "  use stdlib/service as svc"
  echo "  use stdlib/postgres as pg"
  echo "  use stdlib/file"
  echo "  use stdlib/cron"
  echo "  use stdlib/net"
  echo "  use stdlib/host"
} > "$plan"
{
  echo "rule step"
  echo "  command = true \$out"
  echo "  description = STEP \$out"
} > "$manifest"

n=0
for (( p = 0; p < phases; p++ )); do
  echo "  phase \"phase $p\" {" >> "$plan"
  first=$n
  last_local=""
  for (( i = 0; i < per_phase; i++ )); do
    name=s$n
    deps=()
    # Fan-in: 1 to 3 dependencies on recent steps of the same phase (not for the first few).
    if (( n - first > 3 )); then
      rand 3; k=$(( r + 1 ))
      for (( j = 0; j < k; j++ )); do
        rand 50; d=$(( n - 1 - r )); (( d < first )) && d=$first
        [[ " ${deps[*]-} " == *" s$d "* ]] || deps+=("s$d")
      done
    fi
    after=""
    for d in "${deps[@]}"; do after+="${after:+,} $d"; done
    [[ -n $after ]] && after=" after$after"
    rand 10
    case $r in
      0) echo "    action $name on to.app$after = svc.start(\"svc-$n\")" ;;
      1) echo "    action $name on to.app$after = file.set_var(target.app_home + \"/conf/$n.sh\", \"key_$n\", from.app.address)" ;;
      2) echo "    check $name on db_servers$after { probe = pg.query(\"select $n\") timeout = 30s }" ;;   # fan-out: 2 instances
      3) echo "    check $name on local$after { probe = net.tcp_open(to.app.address, 22) + \" && \" + host.memory_available_at_least(min_memory) }" ;;
      4) echo "    action $name on to.app$after = cron.apply(target.app_home + \"/script/crontab-$n.sh\", \"job-$n\")" ;;
      5) echo "    gate $name$after { ask = \"Proceed with step $n towards \${to}?\" }" ;;
      6) echo "    wait $name on to.db$after { probe = pg.is_primary() every = 1s timeout = 2m }" ;;
      *) # An implicit dependency: read the output of the phase's latest local check.
         read_out=""
         if [[ -n $last_local ]]; then
           read_out=" \${$last_local.output}"
           [[ " ${deps[*]-} " == *" $last_local "* ]] || deps+=("$last_local")
         fi
         echo "    action $name on local$after { run = \"echo step $n at \${to.app.address}$read_out after \${pause} > /tmp/bench-$n\" rollback = \"rm -f /tmp/bench-$n\" timeout = 1m }" ;;
    esac >> "$plan"
    (( r == 3 )) && last_local=$name
    # The same edge for ninja: phase barriers become a phony input of every step in the phase.
    ninja_deps="${deps[*]-}"
    (( p > 0 )) && ninja_deps="$ninja_deps phase$p"
    echo "build $name: step${ninja_deps:+ $ninja_deps}" >> "$manifest"
    n=$(( n + 1 ))
  done
  echo "  }" >> "$plan"
  last=$(( n - 1 ))
  if (( p + 1 < phases )); then
    members=$(seq -f "s%g" "$first" "$last" | tr '\n' ' ')
    echo "build phase$(( p + 1 )): phony $members" >> "$manifest"
  fi
done
echo "}" >> "$plan"
echo "build all: phony $(seq -f "s%g" 0 $(( n - 1 )) | tr '\n' ' ')" >> "$manifest"
echo "default all" >> "$manifest"

echo "plan:     $plan ($(wc -l < "$plan") lines, $(wc -c < "$plan") bytes, $n steps in $phases phases)"
echo "manifest: $manifest ($(grep -c '^build s' "$manifest") edges)"

# --- measure ------------------------------------------------------------------------------
# best wall seconds and its peak RSS (KiB) over $runs runs of "$@"
measure() {
  local best="" rss="" out
  for (( k = 0; k < runs; k++ )); do
    /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>&1 || true
    out=$(cat "$work/time.txt")
    local wall kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' <<< "$out")
    kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' <<< "$out")
    if [[ -z $best ]] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall rss=$kb; fi
  done
  echo "$best $rss"
}

# drplan must accept the plan, or the timing means nothing.
if ! "$drplan" check "$plan" -i "$inventory" > "$work/check.out" 2>&1; then
  echo "check_bench: drplan check failed on the generated plan:" >&2
  head -20 "$work/check.out" >&2
  exit 1
fi
tail -1 "$work/check.out"

read -r d_wall d_rss < <(measure "$drplan" check "$plan" -i "$inventory")
read -r n_wall n_rss < <(cd "$work" && measure ninja -n -f "$manifest")

printf '%-40s %8s s  %8s MiB\n' "drplan check ($n steps)" "$d_wall" "$(( d_rss / 1024 ))"
printf '%-40s %8s s  %8s MiB\n' "ninja -n ($n edges)" "$n_wall" "$(( n_rss / 1024 ))"
awk -v d="$d_wall" -v n="$n_wall" -v dr="$d_rss" -v nr="$n_rss" \
  'BEGIN { printf "ratio drplan/ninja: %.1fx time, %.1fx memory\n", (n > 0 ? d / n : 0), (nr > 0 ? dr / nr : 0) }'
