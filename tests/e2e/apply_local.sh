#!/usr/bin/env bash
# drplan apply with real local processes, no lab: wall time near the critical path, rollback
# order, the lock, gates without a terminal, secrets kept out of every record, private
# journal files, `drplan runs` and `drplan log`.
source "$(dirname "$0")/lib/local.sh"

step "wall time follows the critical path"
cat > "$T/sleeps.dr" <<'DR'
plan sleeps {
  action a1 on local { run = "sleep 0.3" rollback = "true" }
  action a2 after a1 { run = "sleep 0.3" rollback = "true" }
  action a3 after a2 { run = "sleep 0.3" rollback = "true" }
  action b1 on local { run = "sleep 0.3" rollback = "true" }
  action b2 after b1 { run = "sleep 0.3" rollback = "true" }
  action b3 after b2 { run = "sleep 0.3" rollback = "true" }
  check done after a3, b3 { probe = "true" }
}
DR
apply "$T/sleeps.dr" --yes -j 4
check "-j 4 run succeeds" test "$RC" -eq 0
echo "two chains of 3 x 0.3 s at -j 4: ${WALL_MS} ms (critical path 900 ms)"
check "-j 4 wall time under 1.5 s (got ${WALL_MS} ms)" test "$WALL_MS" -lt 1500
check "-j 4 wall time at least the critical path" test "$WALL_MS" -ge 900
parallel_ms=$WALL_MS
apply "$T/sleeps.dr" --yes -j 1
echo "same DAG at -j 1: ${WALL_MS} ms"
check "-j 1 is clearly slower (${WALL_MS} ms vs ${parallel_ms} ms)" test "$WALL_MS" -ge 1800

step "rollback runs in reverse completion order"
cat > "$T/rb.dr" <<DR
plan rb {
  action r1 on local { run = "echo r1 >> $T/done" rollback = "echo undo-r1 >> $T/rb" }
  action r2 after r1 { run = "echo r2 >> $T/done" rollback = "echo undo-r2 >> $T/rb" }
  action slow after r1 { run = "sleep 0.3; echo slow >> $T/done" rollback = "echo undo-slow >> $T/rb" }
  action manual after r2 { run = "echo manual >> $T/done" rollback = none "cannot be undone" }
  action r3 after manual { run = "echo r3 >> $T/done" rollback = "echo undo-r3 >> $T/rb" }
  action boom after r3, slow { run = "echo boom >&2; exit 7" rollback = "echo undo-boom >> $T/rb" }
}
DR
apply "$T/rb.dr" --yes
check "a failed run exits 1" test "$RC" -eq 1
check_eq "completion order" "$(tr '\n' ' ' < "$T/done")" "r1 r2 manual r3 slow "
check_eq "rollback order is the reverse, the failed action and rollback = none excluded" \
  "$(tr '\n' ' ' < "$T/rb")" "undo-slow undo-r3 undo-r2 undo-r1 "
check "the summary names the action left for manual attention" grep -q "manual" "$T/out"
check "the summary shows the failure's exit code and output" grep -q "boom" "$T/out"

step "one apply at a time"
cat > "$T/slow.dr" <<DR
plan slowplan {
  action hold on local { run = "touch $T/holding; sleep 2" rollback = "true" }
}
DR
"$DRPLAN" apply "$T/slow.dr" -i "$T/inv.toml" --state-dir "$T/state" --yes > "$T/first.out" 2>&1 < /dev/null &
holder=$!
LOCAL_PIDS+=("$holder")
wait_for 10 "test -f $T/holding" || bad "the first apply never started its step"
apply "$T/slow.dr" --yes
check "a second apply is refused (exit 1)" test "$RC" -eq 1
check "the refusal names the holder's pid" grep -q "pid $holder" "$T/out"
check "the second apply ran nothing" test "$(grep -c . "$T/first.out")" -ge 0
wait "$holder"
check "the first apply succeeded" test $? -eq 0
apply "$T/slow.dr" --yes
check "after it ends, the lock is free again" test "$RC" -eq 0

step "gates without a terminal"
cat > "$T/gates.dr" <<'DR'
plan gates {
  gate g { ask = "go?" }
  gate h { ask = "really?" }
  action a after g, h on local { run = "echo ran" rollback = "true" }
}
DR
apply "$T/gates.dr"
check "without --yes or --approve and no terminal, nothing runs (exit 1)" test "$RC" -eq 1
check "and says why" grep -q "no terminal to confirm on" "$T/out"
apply "$T/gates.dr" --approve nosuch
check "--approve of a gate the plan does not have is refused (exit 2)" test "$RC" -eq 2
apply "$T/gates.dr" --approve g
check "a gate not approved fails the run" test "$RC" -eq 1
check "the output says which gate was not approved and how to approve it" grep -q -- "--approve h" "$T/out"
check "the action after the rejected gate did not run" bash -c "! grep -q 'ran' '$T/out'"
apply "$T/gates.dr" --approve g --approve h
check "--approve of every gate passes them" test "$RC" -eq 0

step "secrets stay out of journals, output and logs"
secret="Sup3r-s3cret-$RANDOM$RANDOM"
cat > "$T/sec.dr" <<'DR'
plan sec {
  action login on worker { run = "echo token=${secrets.token}; echo ${secrets.token} >&2" rollback = "true" }
  check leak on local { probe = "echo about to fail with ${secrets.token}; exit 1" severity = warn }
}
DR
TOKEN=$secret apply "$T/sec.dr" --yes
check "the secret run succeeds" test "$RC" -eq 0
check "the secret reached the commands (masked in the output)" grep -q "token=\*\*\*\*" "$T/out"
check "the secret is not in the output" bash -c "! grep -qF -- '$secret' '$T/out'"
check "the secret is in no journal" bash -c "! grep -rqF -- '$secret' '$T/state'"
"$DRPLAN" log --state-dir "$T/state" > "$T/log.out" 2>&1
check "the secret is not in drplan log" bash -c "! grep -qF -- '$secret' '$T/log.out'"
check "drplan log shows the run" grep -q "login" "$T/log.out"

step "journal files are private, runs are listed"
bad_modes=$(find "$T/state" -type f ! -perm 600 | wc -l)
check_eq "every journal, log and lock file is mode 600" "$bad_modes" "0"
bad_dirs=$(find "$T/state/runs" -mindepth 1 -type d ! -perm 700 | wc -l)
check_eq "every run directory is mode 700" "$bad_dirs" "0"
"$DRPLAN" runs --state-dir "$T/state" > "$T/runs.out" 2>&1
check "drplan runs lists the runs" grep -q "sec" "$T/runs.out"
check "drplan runs lists the failed one too" grep -q "rb" "$T/runs.out"

finish
