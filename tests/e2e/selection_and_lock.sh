#!/usr/bin/env bash
# --skip/--only never leave a running step without its dependency, safety steps need
# --force and --reason, the run's command line is journaled, and one apply per inventory
# runs at a time whatever the state dir or the spelling of the inventory's path.
source "$(dirname "$0")/lib/local.sh"
write_inventory "$T/inv.toml"
export DRPLAN_LOCK_DIR=$T/locks

cat > "$T/chain.dr" <<DR
plan chain {
  action a on local { run = "echo a >> $T/ran" rollback = "true" }
  action b after a { run = "echo b >> $T/ran" rollback = "true" }
  action c after b { run = "echo c >> $T/ran" rollback = "true" }
  check fenced on local { probe = "true" tags = ["fence"] }
  action d after fenced { run = "echo d >> $T/ran" rollback = "true" }
  check counted on local { probe = "true" tags = ["data.guard"] }
  action wipe after counted { run = "echo wipe >> $T/ran" rollback = "true" }
}
DR

step "--skip a in a chain a -> b -> c is refused"
apply "$T/chain.dr" --yes --skip a
check_eq "exit code 2" "$RC" 2
check "the refusal names the dependent" grep -q "a would not run, and b depends on it" "$T/out"
check "nothing ran" test ! -e "$T/ran"

step "--only c is refused too"
apply "$T/chain.dr" --yes --only c
check_eq "exit code 2" "$RC" 2
check "names b" grep -q "b would not run, and c depends on it" "$T/out"

step "--skip of a safety step needs --force and --reason"
apply "$T/chain.dr" --yes --skip fenced --force
check_eq "--force alone: exit 2" "$RC" 2
check "says it is a safety step" grep -q "fenced is a safety step" "$T/out"
check "nothing ran" test ! -e "$T/ran"
apply "$T/chain.dr" --yes --skip fenced --force --reason "fenced by hand at the switch"
check_eq "--force --reason runs" "$RC" 0
check "d ran" grep -qx d "$T/ran"
j=$(ls -t "$T"/state/runs/*/journal.jsonl | head -1)
start=$(head -1 "$j")
check "run_start journals the command line" grep -q -- '"--skip","fenced","--force","--reason","fenced by hand at the switch"' <<<"$start"
check "run_start journals the resolved selection" grep -q '"excluded":\["fenced"\]' <<<"$start"
check "and the reason" grep -q '"reason":"fenced by hand at the switch"' <<<"$start"
rm -f "$T/ran"

step "--skip of a data guard (the count before a rebuild) needs --force and --reason too"
apply "$T/chain.dr" --yes --skip counted --force
check_eq "--force alone: exit 2" "$RC" 2
check "says it is a safety step" grep -q "counted is a safety step" "$T/out"
check "nothing ran" test ! -e "$T/ran"

step "one apply per inventory: other state dir, other path spelling"
cat > "$T/slow.dr" <<DR
plan slow {
  action s on local { run = "touch $T/started; sleep 5" rollback = "true" }
}
DR
cat > "$T/other.dr" <<DR
plan other {
  action o on local { run = "touch $T/second" rollback = "true" }
}
DR
(cd "$T" && exec "$DRPLAN" apply slow.dr -i ./inv.toml --state-dir "$T/sA" --yes > "$T/first.out" 2>&1) &
first=$!
LOCAL_PIDS+=("$first")
wait_for 10 '[[ -e $T/started ]]'
(cd "$T" && "$DRPLAN" apply other.dr -i inv.toml --state-dir "$T/sB" --yes > "$T/second.out" 2>&1)
rc=$?
check "the second apply is refused (exit $rc)" test "$rc" -ne 0
check "it names the holder" grep -q "pid $first" "$T/second.out"
check "the second plan did not run" test ! -e "$T/second"
wait "$first"
check "the first run finished" grep -q "succeeded\|ok" "$T/first.out"

step "a step without a timeout gets the plan's default"
cat > "$T/hang.dr" <<DR
plan hang {
  default_timeout = 1s
  check h on local { probe = "sleep 30" }
}
DR
apply "$T/hang.dr" --yes
check "the check fails (exit $RC)" test "$RC" -eq 1
check "within the default timeout (${WALL_MS} ms)" test "$WALL_MS" -lt 10000
check "and says it timed out" grep -qi "timed out\|timeout" "$T/out"

finish
