#!/usr/bin/env bash
# Fault on the lab's SSH hosts (issue 11, item 6): drplan killed (kill -9) while an action
# runs on dr-app over SSH. The remote command runs on; --resume finds it through its record
# on dr-app, waits for it, then runs the step again: never beside it. Both lab logins: drlab,
# and ops, whose command runs as drlab under sudo (the record and the kill go through sudo).
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
work=$(mktemp -d /tmp/drplan-orphans.XXXXXX)
chmod 0777 "$work"  # the lab's hosts run as drlab
pid=
cleanup() {
  [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
lab up >/dev/null

# orphan_of_killed_run INVENTORY: starts the plan, kill -9's drplan once the remote command
# runs, makes the next attempt short and sets $orphan to the killed run's command.
orphan_of_killed_run() {
  "$DRPLAN" apply "$work/o.dr" -i "$1" --yes --state-dir "$work/state" > "$E2E_LAST_OUTPUT" 2>&1 &
  pid=$!
  eventually 20 "grep -q start '$work/log' 2>/dev/null"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
  echo 0.2 > "$work/sleep"
  orphan=$(awk '$1 == "start" { print $2; exit }' "$work/log")
}

orphan_case() {  # INVENTORY
local inv=$1
rm -rf "$work/state" "$work/log"
step "kill -9 of drplan while an action runs on dr-app ($inv); --resume waits for it"
echo 4 > "$work/sleep"
cat > "$work/o.dr" <<PLAN
plan orphan_remote {
  action work on dr-app {
    run = "echo start \$\$ >> $work/log; sleep \$(cat $work/sleep); echo end \$\$ >> $work/log"
    rollback = "true"
    timeout = 60s
  }
}
PLAN
orphan_of_killed_run "$inv"
expect_ok "the remote command runs on after drplan died" kill -0 "$orphan"
expect_eq "it runs as drlab (ops: under sudo)" "$(ps -o user= -p "$orphan" | tr -d ' ')" drlab
run_drplan apply "$work/o.dr" -i "$inv" --yes --state-dir "$work/state" --resume --rerun work
expect_ok "the resumed run found it on dr-app" grep -q "an earlier attempt still runs on dr-app (pid $orphan)" "$E2E_LAST_OUTPUT"
expect_ok "and waited for it to end" grep -q "the earlier attempt (pid $orphan) ended after" "$E2E_LAST_OUTPUT"
expect_eq "nothing overlapped" "$(sed 's/ [0-9]*$//' "$work/log" | tr '\n' ' ')" "start end start end "

step "the same with --earlier kill ($inv): the orphan's process group is stopped first"
rm -rf "$work/state" "$work/log"
echo 300 > "$work/sleep"
orphan_of_killed_run "$inv"
run_drplan apply "$work/o.dr" -i "$inv" --yes --state-dir "$work/state" --resume --rerun work --earlier kill
expect_ok "it was stopped" grep -q "the earlier attempt (pid $orphan) was stopped with SIG" "$E2E_LAST_OUTPUT"
eventually 10 "! kill -0 $orphan 2>/dev/null"
expect_eq "the stopped attempt never finished" "$(grep -c "^end $orphan" "$work/log" || true)" 0
}
orphan_case lab/inventory.toml
orphan_case lab/inventory-ops.toml

finish
