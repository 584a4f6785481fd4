#!/usr/bin/env bash
# A dropped SSH connection in the middle of a run: an idempotent step is retried after
# reconnecting and the run succeeds; a non-idempotent one is not repeated, and the run
# fails saying why.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
work=$(mktemp -d /tmp/drplan-drop.XXXXXX)
trap 'rm -rf "$work"' EXIT
lab up >/dev/null

# Kills the sshd processes serving the sessions of dr-db (not its listener).
drop_dr_db_sessions() {
  local listener pids=() queue
  listener=$(cat /var/lib/drplan-lab/sshd/dr-db/sshd.pid)
  queue=$(pgrep -P "$listener" || true)
  while [[ -n $queue ]]; do
    pids+=($queue)
    queue=$(for p in $queue; do pgrep -P "$p" || true; done)
  done
  ((${#pids[@]})) && kill -KILL "${pids[@]}" 2>/dev/null || true
}

for kind in idempotent once; do
  step "connection to dr-db dropped during a $kind action"
  idem=$([[ $kind == idempotent ]] && echo true || echo false)
  cat > "$work/$kind.dr" <<PLAN
plan drop_$kind {
  action slow on dr-db {
    run = "sleep 2; echo finished"
    idempotent = $idem
    rollback = none "a test"
  }
  check alive on dr-db after slow { probe = "echo alive" }
}
PLAN
  "$DRPLAN" apply "$work/$kind.dr" -i lab/inventory.toml --yes --state-dir "$work/state" > "$E2E_LAST_OUTPUT" 2>&1 &
  pid=$!
  eventually 20 "grep -q 'start   action slow' '$E2E_LAST_OUTPUT'"
  sleep 0.5
  drop_dr_db_sessions
  status=0
  wait "$pid" || status=$?
  cat "$E2E_LAST_OUTPUT"
  journal=$(ls -d "$work"/state/runs/*-drop_$kind-* | tail -n1)/journal.jsonl
  if [[ $kind == idempotent ]]; then
    expect_eq "the run succeeds after reconnecting" "$status" 0
    expect_eq "the idempotent step ran twice" "$(journal_steps step_start "$journal" | grep -cx slow)" 2
  else
    expect_eq "the run fails" "$status" 1
    expect_eq "the non-idempotent step ran once" "$(journal_steps step_start "$journal" | grep -cx slow)" 1
    expect_ok "the summary says why it was not repeated" grep -q "not retried: the action is not idempotent" "$E2E_LAST_OUTPUT"
  fi
  expect_ok "the summary reports the lost connection" grep -qi "connection" "$E2E_LAST_OUTPUT"
done
finish
