#!/usr/bin/env bash
# Fault: drplan is killed (kill -9) while an action's command runs; the command runs on (its
# own process group). --resume must never run the step beside it (issue 11, item 6):
#  1. by default it waits for the earlier attempt to end, then runs the step again;
#  2. with --earlier kill it stops the earlier attempt's whole process group first;
#  3. an earlier attempt past its own timeout is stopped, not waited for;
#  4. an attempt that ended before the resume is not confused with a reused pid.
# Each action appends "start PID" and "end PID" lines: the log shows any overlap.
source "$(dirname "$0")/lib/local.sh"
export DRPLAN_LOCK_DIR=$T/locks
export HOME=$T/home  # where the attempts record themselves (~/.drplan/proc)
mkdir -p "$HOME"

# The first attempt sleeps SLEEP; later ones what DIR/sleep then says (start_run sets 0.2).
write_plan() {  # DIR SLEEP TIMEOUT
  echo "$2" > "$1/sleep"
  cat > "$1/o.dr" <<DR
plan o {
  action work on local {
    run = "echo start \$\$ >> $1/log; sleep \$(cat $1/sleep); echo end \$\$ >> $1/log"
    rollback = "true"
    timeout = $3
  }
  action after_work after work { run = "echo after >> $1/log" rollback = "true" }
}
DR
}

start_run() {  # DIR
  "$DRPLAN" apply "$1/o.dr" -i "$T/inv.toml" --state-dir "$1/state" --yes > "$1/first.out" 2>&1 < /dev/null &
  PID=$!
  LOCAL_PIDS+=("$PID")
  wait_for 10 "grep -q start $1/log 2>/dev/null" || bad "the action never started"
  kill -9 "$PID"
  wait "$PID" 2>/dev/null
  echo 0.2 > "$1/sleep"
}

resume() {  # DIR ARGS...
  local dir=$1; shift
  "$DRPLAN" apply "$dir/o.dr" -i "$T/inv.toml" --state-dir "$dir/state" --yes --resume --rerun work "$@" \
    > "$dir/resume.out" 2>&1 < /dev/null
  RC=$?
  cat "$dir/resume.out"
}

first_pid() { awk '$1 == "start" { print $2; exit }' "$1/log"; }
# Zombies count as gone: pid 1 of a container may never reap the killed run's orphans.
running() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.Z' "/proc/$1/status" 2>/dev/null; }
not_running() { ! running "$1"; }
group_gone() { ! ps -o stat= -g "$1" 2>/dev/null | grep -qv '^Z'; }

step "1: the earlier attempt still runs at --resume: waited for, then the step runs again"
W=$T/w1; mkdir -p "$W"; write_plan "$W" 3 60s
start_run "$W"
orphan=$(first_pid "$W")
check "the killed run's command runs on" running "$orphan"
resume "$W"
check_eq "the resumed run succeeds" "$RC" 0
check "it says it waits for the earlier attempt" grep -q "an earlier attempt still runs on local (pid $orphan); waiting up to" "$W/resume.out"
check "and that it ended" grep -q "the earlier attempt (pid $orphan) ended after" "$W/resume.out"
second=$(awk '$1 == "start" { n++; if (n == 2) print $2 }' "$W/log")
check_eq "nothing overlapped: the first attempt ended before the second started" \
  "$(sed 's/ [0-9]*$//' "$W/log" | tr '\n' ' ')" "start end start end after "
check_eq "each line pair is one attempt" "$(awk '{ print $2 }' "$W/log" | head -n2 | sort -u | wc -l)" 1
[[ -n $second && $second != "$orphan" ]] && ok "the second attempt is another process" || bad "second attempt: '$second'"
check "the journal records what was found" grep -q '"found":"ended"' "$W"/state/runs/*/journal.jsonl

step "2: --earlier kill stops the earlier attempt's process group at once"
W=$T/w2; mkdir -p "$W"; write_plan "$W" 30 60s
start_run "$W"
orphan=$(first_pid "$W")
check "the killed run's command runs on" running "$orphan"
t0=$(now_ms)
resume "$W" --earlier kill
check_eq "the resumed run succeeds" "$RC" 0
check "it was not waited for (30 s)" test $(( $(now_ms) - t0 )) -lt 15000
check "it says the earlier attempt was stopped" grep -q "the earlier attempt (pid $orphan) was stopped with SIGTERM" "$W/resume.out"
check "the earlier attempt is gone" not_running "$orphan"
check "its sleep is gone too (the whole group)" group_gone "$orphan"
check_eq "the earlier attempt never ended on its own" "$(grep -c "^end $orphan" "$W/log")" 0

step "3: an earlier attempt past its own timeout is stopped, not waited for"
W=$T/w3; mkdir -p "$W"; write_plan "$W" 30 2s
start_run "$W"
orphan=$(first_pid "$W")
sleep 2.5  # its 2 s timeout has passed
t0=$(now_ms)
resume "$W"
check_eq "the resumed run succeeds" "$RC" 0
check "waited for no longer than its timeout allowed" test $(( $(now_ms) - t0 )) -lt 12000
check "the earlier attempt is gone" not_running "$orphan"

step "4: the earlier attempt ended before --resume: nothing to wait for"
W=$T/w4; mkdir -p "$W"; write_plan "$W" 0.5 60s
start_run "$W"
wait_for 5 "grep -q end $W/log" || bad "the first attempt never ended"
resume "$W"
check_eq "the resumed run succeeds" "$RC" 0
check "no earlier attempt is reported" bash -c "! grep -q 'earlier attempt' '$W/resume.out'"
check "the journal says none was found" grep -q '"found":"none"' "$W"/state/runs/*/journal.jsonl

finish
