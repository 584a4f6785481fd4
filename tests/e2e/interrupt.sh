#!/usr/bin/env bash
# Ctrl-C during `drplan apply` (SIGINT, as a terminal sends it; no terminal here, so the
# plan's policy decides about rollback): the first press starts nothing new and lets the
# running step finish; a second press terminates the running steps' whole process groups.
# Either way the run is recorded as interrupted and can be resumed. SIGHUP (a lost terminal)
# stops like one press and never rolls back.
source "$(dirname "$0")/lib/local.sh"

cat > "$T/irq.dr" <<DR
plan irq {
  action first on local { run = "echo first >> $T/effects" rollback = "echo undo-first >> $T/effects" }
  action long after first { run = "sh -c 'sleep 30' & echo \$! > $T/grandchild; sleep 1.5; echo long >> $T/effects"
                            rollback = "echo undo-long >> $T/effects" }
  action later after long { run = "echo later >> $T/effects" rollback = "true" }
}
DR

# start ARGS...: drplan apply in the background; its pid in $PID.
start() {
  rm -f "$T/effects" "$T/grandchild"
  "$DRPLAN" apply "$T/irq.dr" -i "$T/inv.toml" --state-dir "$T/state" --yes "$@" > "$T/out" 2>&1 < /dev/null &
  PID=$!
  LOCAL_PIDS+=("$PID")
  wait_for 10 '[[ -s $T/grandchild ]]' || bad "the long step never started"
}
finish_run() { wait "$PID"; RC=$?; }

step "one Ctrl-C: the running step finishes, nothing new starts"
start --on-failure stop
kill -INT "$PID"
finish_run
check_eq "the run is not a success" "$RC" 1
check_eq "long finished, later never started, nothing rolled back (--on-failure stop)" \
  "$(tr '\n' ' ' < "$T/effects")" "first long "
check "the screen says it was interrupted" grep -qi "interrupted" "$T/out"
journal=$(ls -d "$T"/state/runs/* | tail -n1)/journal.jsonl
check "the journal records the interrupt" grep -q '"type":"interrupt"' "$journal"
check "the run ends as interrupted" grep -q '"status":"interrupted"' "$journal"
kill -9 "$(cat "$T/grandchild")" 2>/dev/null

step "resume after the interrupt runs only what is left"
apply "$T/irq.dr" --yes --resume
check_eq "the resumed run succeeds" "$RC" 0
check_eq "only later ran" "$(tr '\n' ' ' < "$T/effects")" "first long later "

step "two Ctrl-Cs: the running step's process group is terminated, then rollback (policy)"
start --on-failure rollback
t0=$(now_ms)
kill -INT "$PID"
sleep 0.2
kill -INT "$PID"
finish_run
elapsed=$(( $(now_ms) - t0 ))
check_eq "the run is not a success" "$RC" 1
check "drplan ended promptly (${elapsed} ms)" test "$elapsed" -lt 1400
# Cut short after it started, long's outcome is unknown: first, which it depends on, is
# kept (not undone), and long's own rollback does not run either.
check_eq "long was cut short; first is kept, nothing undone" "$(tr '\n' ' ' < "$T/effects")" "first "
check "the summary says long's outcome is unknown" grep -q "OUTCOME UNKNOWN long" "$T/out"
check "and that first is kept" grep -q "kept: first" "$T/out"
gc=$(cat "$T/grandchild")
check "the step's grandchild is gone too" wait_for 3 "! kill -0 $gc 2>/dev/null"

step "resume after the step was killed half-way: the operator decides"
apply "$T/irq.dr" --yes --resume
check_eq "refused: long is not idempotent and may have half run" "$RC" 1
check "the refusal names the step" grep -q "long" "$T/out"
check "and says what to do" grep -q -- "--rerun" "$T/out"
rm -f "$T/effects"
apply "$T/irq.dr" --yes --resume --rerun long
check_eq "with --rerun long it completes" "$RC" 0
check_eq "long runs again (first stayed done), then later" "$(tr '\n' ' ' < "$T/effects")" "long later "

step "SIGTERM is a polite stop, like one Ctrl-C"
start --on-failure stop
kill -TERM "$PID"
finish_run
check_eq "stopped after the running step" "$(tr '\n' ' ' < "$T/effects")" "first long "
kill -9 "$(cat "$T/grandchild")" 2>/dev/null

step "SIGHUP (the operator's terminal went away): stop, and roll back nothing whatever the policy"
start --on-failure rollback
kill -HUP "$PID"
finish_run
check_eq "the run is not a success" "$RC" 1
check_eq "long finished, later never started, first not undone" "$(tr '\n' ' ' < "$T/effects")" "first long "
journal=$(ls -d "$T"/state/runs/* | tail -n1)/journal.jsonl
check "the journal records the hang-up" grep -q '"hangup":true' "$journal"
check "and that rollback was skipped for it" grep -q 'terminal hung up' "$journal"
kill -9 "$(cat "$T/grandchild")" 2>/dev/null
apply "$T/irq.dr" --yes --resume
check_eq "the operator, back, resumes it to the end" "$RC" 0
check_eq "only later ran" "$(tr '\n' ' ' < "$T/effects")" "first long later "

step "a resumed run keeps the --set values it started with"
cat > "$T/params.dr" <<DR
plan params {
  param n: int = 1
  action one on local { run = "echo one-\${n} >> $T/effects; sleep 1" rollback = "true" }
  action two after one { run = "echo two-\${n} >> $T/effects" rollback = "true" }
}
DR
rm -f "$T/effects"
"$DRPLAN" apply "$T/params.dr" -i "$T/inv.toml" --state-dir "$T/state" --yes --on-failure stop --set n=7 > "$T/out" 2>&1 < /dev/null &
PID=$!
wait_for 10 '[[ -s $T/effects ]]' || bad "one never started"
kill -INT "$PID"
wait "$PID"
run_id=$(basename "$(ls -d "$T"/state/runs/*params* | tail -n1)")
apply "$T/params.dr" --yes --resume --run "$run_id"
check_eq "resumed (--run $run_id) without --set" "$RC" 0
check_eq "two ran with n=7" "$(tr '\n' ' ' < "$T/effects")" "one-7 two-7 "
apply "$T/params.dr" --yes --resume --set n=8
check_eq "different --set values are refused" "$RC" 1
check "and named" grep -q -- "--set values differ" "$T/out"

step "drplan killed during a rollback: the half-rolled-back action is the operator's call"
cat > "$T/undo.dr" <<DR
plan undo {
  action a on local { run = "echo a >> $T/effects"
                      rollback = "echo undo-a-began >> $T/effects; echo \$\$ > $T/undo_pid; exec sleep 30" }
  action b after a { run = "test -f $T/b_ok" rollback = "true" }
}
DR
rm -f "$T/effects" "$T/undo_pid" "$T/b_ok"
"$DRPLAN" apply "$T/undo.dr" -i "$T/inv.toml" --state-dir "$T/state" --yes --on-failure rollback > "$T/out" 2>&1 < /dev/null &
PID=$!
wait_for 10 '[[ -s $T/undo_pid ]]' || bad "the rollback of a never started"
kill -9 "$PID"
wait "$PID" 2>/dev/null
kill -9 "$(cat "$T/undo_pid")" 2>/dev/null
apply "$T/undo.dr" --yes --resume
check_eq "refused: a may be half undone" "$RC" 1
check "the refusal says a was half rolled back" grep -q "a (half rolled back)" "$T/out"
check "and what to do" grep -q -- "--assume-done STEP or --rerun STEP" "$T/out"
touch "$T/b_ok"
rm -f "$T/effects"
apply "$T/undo.dr" --yes --resume --rerun a
check_eq "with --rerun a it completes" "$RC" 0
check_eq "a ran again, then b" "$(tr '\n' ' ' < "$T/effects" 2>/dev/null)" "a "
finish
