#!/usr/bin/env bash
# kill -9 of drplan at several points of a run, then --resume as an operator would: every
# non-idempotent action's side effect happens exactly once (lines counted in files),
# idempotent ones at least once, and the resumed run succeeds. A changed plan is refused.
source "$(dirname "$0")/lib/local.sh"

# A chain of five actions; each appends a line to W/sN when it takes effect.
write_plan() {  # DIR
  cat > "$1/kr.dr" <<DR
plan kr {
  action s1 on local { run = "echo s1 >> $1/s1" rollback = "true" idempotent = true }
  action s2 after s1 { run = "echo s2 >> $1/s2; touch $1/s2.running; sleep 0.6" rollback = "true" idempotent = true }
  action s3 after s2 { run = "echo \$\$ > $1/s3.pid; touch $1/s3.running; sleep 0.6; echo s3 >> $1/s3" rollback = "true" }
  action s4 after s3 { run = "echo s4 >> $1/s4" rollback = "true" }
  action s5 after s4 { run = "sleep 0.2; echo s5 >> $1/s5" rollback = "true" }
}
DR
}

# start_run DIR: drplan apply in the background; its pid in $PID.
start_run() {
  "$DRPLAN" apply "$1/kr.dr" -i "$T/inv.toml" --state-dir "$1/state" --yes > "$1/first.out" 2>&1 < /dev/null &
  PID=$!
  LOCAL_PIDS+=("$PID")
}

resume() {  # DIR ARGS...
  local dir=$1; shift
  "$DRPLAN" apply "$dir/kr.dr" -i "$T/inv.toml" --state-dir "$dir/state" --yes --resume "$@" > "$dir/resume.out" 2>&1 < /dev/null
  RC=$?
}

# What an operator does when resume names actions that started but never finished: look
# on the host whether each took effect (its file has a line) and say so.
resume_like_an_operator() {  # DIR
  local dir=$1
  resume "$dir"
  if [[ $RC -ne 0 ]] && grep -q "started but never finished" "$dir/resume.out"; then
    sleep 1  # an orphaned command of the killed run may still be finishing
    local flags=() id
    for id in $(grep -o 'not idempotent: .*' "$dir/resume.out" | cut -d: -f2-); do
      if [[ -s "$dir/$id" ]]; then flags+=(--assume-done "$id"); else flags+=(--rerun "$id"); fi
    done
    printf 'operator: %s\n' "${flags[*]}"
    resume "$dir" "${flags[@]}"
  fi
}

run_succeeded() {  # DIR: the run's last run_end record says succeeded
  local j
  j=$(ls -d "$1"/state/runs/*/journal.jsonl | tail -n1)
  grep '"type":"run_end"' "$j" | tail -n1 | grep -q '"status":"succeeded"'
}

expect_counts() {  # NAME DIR: non-idempotent exactly once, idempotent at least once
  local name=$1 dir=$2
  check "$name: s1 (idempotent) ran at least once" test "$(lines "$dir/s1")" -ge 1
  check "$name: s2 (idempotent) ran at least once" test "$(lines "$dir/s2")" -ge 1
  check_eq "$name: s3 took effect exactly once" "$(lines "$dir/s3")" 1
  check_eq "$name: s4 took effect exactly once" "$(lines "$dir/s4")" 1
  check_eq "$name: s5 took effect exactly once" "$(lines "$dir/s5")" 1
  check "$name: the resumed run succeeded" test "$RC" -eq 0
  check "$name: its journal ends with a successful run_end" run_succeeded "$dir"
}

step "kill -9 while step 2 of 5 (idempotent) runs"
W=$T/k1; mkdir -p "$W"; write_plan "$W"
start_run "$W"
wait_for 10 "test -f $W/s2.running" || bad "s2 never started"
kill -9 "$PID"; wait "$PID" 2>/dev/null
check_eq "nothing after s2 ran before the kill" "$(lines "$W/s3")" 0
resume "$W"
check "resume re-runs an unfinished idempotent step without asking" test "$RC" -eq 0
check_eq "k1: s1 (done before the kill) was not run again" "$(lines "$W/s1")" 1
check "the lock of the killed run was taken over as stale" grep -q "stale lock" "$W/resume.out"
expect_counts k1 "$W"

step "kill -9 while a non-idempotent action runs, and it took effect"
W=$T/k2; mkdir -p "$W"; write_plan "$W"
start_run "$W"
wait_for 10 "test -f $W/s3.running" || bad "s3 never started"
kill -9 "$PID"; wait "$PID" 2>/dev/null
resume "$W"
check "resume refuses to guess about an unfinished non-idempotent action (exit 1)" test "$RC" -eq 1
check "the refusal names it" grep -q "not idempotent: s3" "$W/resume.out"
check "and says what to do" grep -q -- "--assume-done" "$W/resume.out"
wait_for 5 "test -s $W/s3" || bad "the orphaned s3 never finished"
resume "$W" --assume-done s3
expect_counts k2 "$W"

step "kill -9 of drplan and the action's processes: it did not take effect"
W=$T/k3; mkdir -p "$W"; write_plan "$W"
start_run "$W"
wait_for 10 "test -f $W/s3.running && test -s $W/s3.pid" || bad "s3 never started"
kill -9 "$PID"; kill -9 -- -"$(cat "$W/s3.pid")" 2>/dev/null; wait "$PID" 2>/dev/null
sleep 0.8
check_eq "s3 did not take effect" "$(lines "$W/s3")" 0
resume "$W" --rerun s3
expect_counts k3 "$W"

step "kill -9 right after an action ended"
W=$T/k4; mkdir -p "$W"; write_plan "$W"
start_run "$W"
wait_for 10 "test -s $W/s4" || bad "s4 never ran"
kill -9 "$PID"; wait "$PID" 2>/dev/null
resume_like_an_operator "$W"
expect_counts k4 "$W"

step "kill -9 at the very start"
W=$T/k5; mkdir -p "$W"; write_plan "$W"
start_run "$W"
wait_for 10 "ls $W/state/runs/*/journal.jsonl >/dev/null 2>&1" || bad "no journal appeared"
kill -9 "$PID"; wait "$PID" 2>/dev/null
resume_like_an_operator "$W"
expect_counts k5 "$W"

step "a changed plan is not resumed unless forced"
W=$T/k6; mkdir -p "$W"; write_plan "$W"
start_run "$W"
wait_for 10 "test -f $W/s2.running" || bad "s2 never started"
kill -9 "$PID"; wait "$PID" 2>/dev/null
sed -i 's/sleep 0.2; echo s5/sleep 0.1; echo s5/' "$W/kr.dr"
resume "$W"
check "resume of a changed plan is refused (exit 1)" test "$RC" -eq 1
check "the refusal says the plan changed" grep -q "plan .*changed" "$W/resume.out"
check_eq "nothing ran on the refused resume" "$(lines "$W/s3")" 0
resume "$W" --force
expect_counts k6 "$W"

finish
