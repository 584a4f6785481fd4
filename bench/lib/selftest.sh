#!/usr/bin/env bash
# CTest `bench_inputs`: keeps the benchmarks honest as the language and the CLI change.
#  - every generator's plan still compiles cleanly (a benchmark of a plan with errors
#    would time the error path);
#  - report.py ends with exactly the eight headline names, in order, computed from the
#    samples it was given (medians and ratios), and `nan` for what was not measured.
# Needs only python3 and drplan: no root, no network, no peers.
set -euo pipefail
: "${DRPLAN:?set DRPLAN to the drplan binary}"
lib=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$lib/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "bench selftest: $*" >&2; exit 1; }

python3 "$lib/gen_check.py" 1000 "$work/check" >/dev/null
"$DRPLAN" check --werror "$work/check/plan.dr" -i "$repo/lab/inventory.toml" >/dev/null 2>"$work/err" ||
  { cat "$work/err" >&2; fail "gen_check.py's plan does not compile"; }
[[ -s $work/check/build.ninja && -s $work/check/playbook.yml ]] || fail "gen_check.py wrote no peer inputs"
python3 "$lib/gen_local.py" layered 64 8 "$work/local"
python3 "$lib/gen_local.py" chain 10 "$work/chain"
python3 "$lib/gen_makespan.py" 1 20 "$work/makespan" >/dev/null
# Small versions of the bounded-compilation inputs: the fan-out compiles, the others end in
# located errors (exit 1), not in a plan.
python3 "$lib/gen_bounded.py" fanout 4 30 "$work/fanout"
"$DRPLAN" check --werror "$work/fanout/plan.dr" -i "$work/fanout/inv.toml" >/dev/null 2>"$work/err" ||
  { cat "$work/err" >&2; fail "gen_bounded.py's fan-out plan does not compile"; }
python3 "$lib/gen_bounded.py" unknown 150 "$work/unknown"
python3 "$lib/gen_bounded.py" budget 30 "$work/budget"
for d in unknown budget; do
  rc=0; "$DRPLAN" check "$work/$d/plan.dr" >/dev/null 2>"$work/err" || rc=$?
  [[ $rc == 1 ]] && grep -q "plan.dr:[0-9]*:[0-9]*: error: " "$work/err" ||
    { cat "$work/err" >&2; fail "gen_bounded.py's $d plan: exit $rc, wanted 1 with a located error"; }
done
for d in local chain makespan; do
  "$DRPLAN" check "$work/$d/plan.dr" -i "$work/$d/inv.toml" >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; fail "the $d plan does not compile"; }
done

# report.py: medians of the samples given, ratios between them.
printf '%s\t%s\t%s\t%s\n' \
  check.drplan.10k "c10k" ms "100,90,300" check.drplan.100k "c100k" ms "1000" \
  check.ansible.10k "a10k" ms "4500" local.drplan "l" ms "1300" local.ninja "n" ms "1000" \
  ssh.drplan "s" ms/step "4" ssh.mux "m" ms/step "8" ssh.ansible "a" ms/step "200" \
  state.failover.local "fl" s "30,29,40" state.failover.etcd "fe" s "31.5" \
  makespan.drplan.dag1 "d1" x "1.02" makespan.drplan.dag2 "d2" x "1.04,1.00" > "$work/results.tsv"
python3 "$lib/report.py" "$work/results.tsv" > "$work/report"
expected="check_10k_ms 100.0
check_growth_10k_100k 10.000
check_vs_ansible 45.000
local_vs_ninja 1.300
ssh_vs_openssh_mux 0.500
ssh_vs_ansible 50.000
failover_etcd_growth 0.050
makespan_over_critical_path 1.020"
[[ $(tail -8 "$work/report") == "$expected" ]] ||
  { diff <(echo "$expected") <(tail -8 "$work/report") >&2; fail "report.py's headline lines are wrong"; }
grep -q 'local_vs_ninja .*1.30  <= 1.25 .*MISSED' "$work/report" || fail "report.py did not flag a missed target"
printf 'check.drplan.10k\tc\tms\t80\n' > "$work/partial.tsv"
[[ $(python3 "$lib/report.py" "$work/partial.tsv" | tail -1) == "makespan_over_critical_path nan" ]] ||
  fail "report.py must print nan for what was not measured"
echo "bench selftest: ok"
