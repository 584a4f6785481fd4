#!/usr/bin/env bash
# Fault on the lab's SSH hosts (issue 11, item 6): drplan killed (kill -9) while an action
# runs on dr-app over SSH. The remote command runs on; --resume finds it through its record
# on dr-app, waits for it, then runs the step again: never beside it.
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

step "kill -9 of drplan while an action runs on dr-app; --resume waits for it"
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
"$DRPLAN" apply "$work/o.dr" -i lab/inventory.toml --yes --state-dir "$work/state" > "$E2E_LAST_OUTPUT" 2>&1 &
pid=$!
eventually 20 "grep -q start '$work/log' 2>/dev/null"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=
echo 0.2 > "$work/sleep"
orphan=$(awk '$1 == "start" { print $2; exit }' "$work/log")
expect_ok "the remote command runs on after drplan died" kill -0 "$orphan"
expect_eq "it runs as the lab's SSH user" "$(ps -o user= -p "$orphan" | tr -d ' ')" drlab
run_drplan apply "$work/o.dr" -i lab/inventory.toml --yes --state-dir "$work/state" --resume --rerun work
expect_ok "the resumed run found it on dr-app" grep -q "an earlier attempt still runs on dr-app (pid $orphan)" "$E2E_LAST_OUTPUT"
expect_ok "and waited for it to end" grep -q "the earlier attempt (pid $orphan) ended after" "$E2E_LAST_OUTPUT"
expect_eq "nothing overlapped" "$(sed 's/ [0-9]*$//' "$work/log" | tr '\n' ' ')" "start end start end "

finish
