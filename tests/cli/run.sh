#!/usr/bin/env bash
# The drplan command line on the standard plans: exit codes, JSON that parses, graphs that
# render, dry runs that name every host and never show a secret's value.
set -uo pipefail
drplan=${DRPLAN:?set DRPLAN}
cd "$(dirname "$0")/../.."
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $1"; }
bad() { failed=$((failed + 1)); echo "FAIL: $1" >&2; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
inv=lab/inventory.toml

"$drplan" check plans/failover.dr plans/failback.dr plans/restore.dr >/dev/null 2>&1
check "check of the standard plans exits 0" test $? -eq 0
"$drplan" check failover > "$tmp/byname.out" 2>&1
check "a bare name is the standard plan (from the build tree: the source's plans/)" \
  grep -qF "$PWD/plans/failover.dr: ok" "$tmp/byname.out"
"$drplan" check no/such/plan.dr >/dev/null 2>&1
check "check of a missing file exits 2" test $? -eq 2
"$drplan" check >/dev/null 2>&1
check "check without files is a usage error (2)" test $? -eq 2
printf 'plan p {\n  action a on nowhere { run = "x" }\n}\n' > "$tmp/bad.dr"
"$drplan" check "$tmp/bad.dr" -i $inv --format json > "$tmp/diags.json" 2>/dev/null
check "check with an error exits 1" test $? -eq 1
check "check --format json parses and is located" python3 -c "
import json,sys; d=json.load(open('$tmp/diags.json'))
assert any(x['severity']=='error' and x['line']==2 and x['column']==15 and x['code']=='E0203' for x in d), d"
printf 'plan p {\n  action a { run = "x" }\n}\n' > "$tmp/warn.dr"
"$drplan" check "$tmp/warn.dr" >/dev/null 2>&1
check "a warning alone exits 0" test $? -eq 0
"$drplan" check --werror "$tmp/warn.dr" >/dev/null 2>&1
check "--werror turns it into 1" test $? -eq 1

"$drplan" plan plans/failover.dr -i $inv > "$tmp/plan.txt" 2>&1
check "plan exits 0" test $? -eq 0
check "plan shows the promotion on dr-db" grep -q "promote_db .* on dr-db" "$tmp/plan.txt"
check "plan shows waves and the critical path" grep -q "Critical path" "$tmp/plan.txt"
check "plan shows secrets only as environment references" grep -q 'DRPLAN_SECRET_TSIG_KEY' "$tmp/plan.txt"
if [[ -r /var/lib/drplan-lab/secrets/tsig.key ]]; then
  secret=$(grep -o 'secret "[^"]*"' /var/lib/drplan-lab/secrets/tsig.key | cut -d'"' -f2)
  check "plan never shows the TSIG secret" bash -c "! grep -qF -- '$secret' '$tmp/plan.txt'"
fi
"$drplan" plan plans/failover.dr -i $inv --format json > "$tmp/plan.json" 2>/dev/null
check "plan --format json parses, fans out per host" python3 -c "
import json; p=json.load(open('$tmp/plan.json'))
ids=[s['id'] for s in p['steps']]
assert 'dr_access@dr-app' in ids and 'dr_access@dr-db' in ids, ids
assert p['params']['to']=='dr'"
"$drplan" plan plans/failover.dr -i $inv --set to=dc --set from=dr > "$tmp/plan2.txt" 2>&1
check "--set re-targets the plan" grep -q "promote_db .* on dc-db" "$tmp/plan2.txt"
"$drplan" plan plans/failover.dr -i $inv --set app_port=eighty >/dev/null 2>"$tmp/set.err"
check "--set is type-checked" grep -q "expected an int" "$tmp/set.err"
"$drplan" plan plans/failover.dr -i $inv --set nosuch=1 >/dev/null 2>"$tmp/set2.err"
check "--set of an unknown param is refused" grep -q "has no param 'nosuch'" "$tmp/set2.err"
"$drplan" plan plans/failover.dr >/dev/null 2>&1
check "plan without an inventory is a usage error" test $? -eq 2

"$drplan" graph plans/failover.dr > "$tmp/g.dot" 2>/dev/null
check "graph prints DOT with phases as clusters" grep -q "subgraph cluster_0" "$tmp/g.dot"
if command -v dot >/dev/null; then
  "$drplan" graph plans/failback.dr -o "$tmp/g.svg" >/dev/null 2>&1
  check "graph -o renders SVG through dot" grep -q "<svg" "$tmp/g.svg"
fi

# -j and --per-host: out of 1..256 is a usage error naming the option; nothing starts.
export DRPLAN_LOCK_DIR=$tmp/locks
printf '[inventory]\nname = "local"\n' > "$tmp/local.toml"
printf 'plan p {\n  action a on local { run = "touch %s/ran" rollback = "true" }\n}\n' "$tmp" > "$tmp/local.dr"
for bad_j in "-j 0" "-j -1" "-j 100000" "-j x" "--jobs=0" "--per-host 0" "--per-host 257"; do
  # shellcheck disable=SC2086
  "$drplan" apply "$tmp/local.dr" -i "$tmp/local.toml" --state-dir "$tmp/state" $bad_j >/dev/null 2>"$tmp/j.err"
  check "apply $bad_j exits 2" test $? -eq 2
  check "apply $bad_j says why" grep -q "expected a number of parallel steps from 1 to 256" "$tmp/j.err"
done
check "and nothing ran" test ! -e "$tmp/ran"
"$drplan" apply "$tmp/local.dr" -i "$tmp/local.toml" --state-dir "$tmp/state" --yes -j 256 --per-host 1 >/dev/null 2>&1
check "-j 256 --per-host 1 runs" test $? -eq 0

# A journal with wrongly typed fields: runs and log warn with file:line and keep working.
"$drplan" apply "$tmp/local.dr" -i "$tmp/local.toml" --state-dir "$tmp/state" --yes >/dev/null 2>&1
damaged=$(ls -d "$tmp"/state/runs/* | head -n1)
[[ -n $damaged ]] || { echo "FAIL: the apply left no run directory to damage" >&2; exit 1; }
sed -i '1s/"plan":"p"/"plan":5/; 1s/"pid":[0-9]*/"pid":"x"/' "$damaged/journal.jsonl"
echo '{"type":"step_end","step":"a","status":["ok"],"result":{"stderr_tail":7}}' >> "$damaged/journal.jsonl"
"$drplan" runs --state-dir "$tmp/state" > "$tmp/runs.out" 2> "$tmp/runs.err"
check "runs with a damaged journal exits 0" test $? -eq 0
check "runs still lists every run" test "$(grep -c -- '-p-' "$tmp/runs.out")" -eq "$(ls "$tmp/state/runs" | wc -l)"
check "runs names the bad field with its file and line" \
  grep -qF "warning: $damaged/journal.jsonl:1: field 'plan' is an integer, expected a string; ignored" "$tmp/runs.err"
"$drplan" log "$damaged" > "$tmp/log.out" 2> "$tmp/log.err"
check "log of a damaged journal exits 0" test $? -eq 0
check "log shows the rest of it" grep -q "END    succeeded" "$tmp/log.out"
check "log names the bad fields" grep -qF "journal.jsonl:5: field 'status' is an array, expected a string; ignored" "$tmp/log.err"
check "no internal error anywhere" bash -c "! grep -q 'internal error' '$tmp/runs.err' '$tmp/log.err'"

echo "cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
