#!/usr/bin/env bash
# SSH through a bastion on the real lab (issue 19): lab/inventory-ops.toml reaches the DR
# site's hosts through the lab's bastion sshd (127.0.0.40), the DC's directly. Proves: the
# commands go through the bastion (its log records each forward), one bastion login serves
# every target behind it, an unknown bastion key is refused and named, and a bastion that is
# down is named in the error while the DC's hosts still answer.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test bastion
at_exit 'lab up >/dev/null 2>&1'
lab up >/dev/null
log=/var/lib/drplan-lab/sshd/bastion/sshd.log
inv=lab/inventory-ops.toml
cat > "$state/b.dr" <<'PLAN'
plan through_bastion {
  check on_dr_db on dr-db { probe = "echo dr-db as $(id -un)" }
  check on_dr_app on dr-app { probe = "echo dr-app as $(id -un)" }
  check on_dc_db on dc-db { probe = "echo dc-db as $(id -un)" }
}
PLAN
count() { grep -c "$1" "$log" || true; }
# must_fail INVENTORY STATE WHY: the plan's run fails (output shown and in $E2E_LAST_OUTPUT).
must_fail() {
  drplan_status apply "$state/b.dr" -i "$1" --yes --state-dir "$2"
  [[ $status -ne 0 ]] || fail "the run passed $3"
}

step "drplan plan names the bastion"
expect_ok "plan shows the hop" bash -c "'$DRPLAN' plan '$state/b.dr' -i $inv | grep -q 'ssh:        dr-app, dr-db through bastion ops@127.0.0.40:22'"

step "the DR hosts through the bastion, one login for both"
logins=$(count "Accepted publickey for ops")
to_db=$(count "target 127.0.0.22 port 22")
to_app=$(count "target 127.0.0.21 port 22")
run_drplan apply "$state/b.dr" -i "$inv" --yes --state-dir "$state/s1"
expect_ok "dr-db answered" grep -q "on_dr_db: dr-db as drlab" "$E2E_LAST_OUTPUT"
expect_ok "dr-app answered" grep -q "on_dr_app: dr-app as drlab" "$E2E_LAST_OUTPUT"
expect_eq "the bastion forwarded to dr-db" "$(( $(count "target 127.0.0.22 port 22") - to_db ))" 1
expect_eq "and to dr-app" "$(( $(count "target 127.0.0.21 port 22") - to_app ))" 1
expect_eq "over one bastion login" "$(( $(count "Accepted publickey for ops") - logins ))" 1

step "a chain of two hops: the bastion, then dr-app, to dr-db"
sed 's|^jump = .*|jump = ["ops@127.0.0.40:22", "drlab@127.0.0.21:22"]|' "$inv" > "$state/chain.toml"
grep -q '^jump = \["ops@127.0.0.40:22", "drlab@127.0.0.21:22"\]' "$state/chain.toml" || fail "no jump line to rewrite in $inv"
to_app=$(count "target 127.0.0.21 port 22")
to_db=$(count "target 127.0.0.22 port 22")
run_drplan apply "$state/b.dr" -i "$state/chain.toml" --yes --state-dir "$state/s6"
expect_ok "dr-db answered through the chain" grep -q "on_dr_db: dr-db as drlab" "$E2E_LAST_OUTPUT"
expect_eq "the bastion forwarded only to the second hop" "$(( $(count "target 127.0.0.22 port 22") - to_db ))" 0
expect_ok "which it reached" test "$(( $(count "target 127.0.0.21 port 22") - to_app ))" -ge 1

step "the bastion's connection cut mid-command: the idempotent step reconnects through it"
cat > "$state/cut.dr" <<'PLAN'
plan cut_bastion {
  action slow on dr-db {
    run = "sleep 2; echo finished"
    idempotent = true
    rollback = none "a test"
  }
  check alive on dr-db after slow { probe = "echo alive" }
}
PLAN
logins=$(count "Accepted publickey for ops")
"$DRPLAN" apply "$state/cut.dr" -i "$inv" --yes --state-dir "$state/s5" > "$E2E_LAST_OUTPUT" 2>&1 &
pid=$!
eventually 20 "grep -q 'start   action slow' '$E2E_LAST_OUTPUT'"
sleep 0.5
# The bastion's per-connection sshd processes (not its listener): the hop, not the target, fails.
listener=$(head -n1 /var/lib/drplan-lab/sshd/bastion/sshd.pid)
queue=$(pgrep -P "$listener" || true) pids=()
while [[ -n $queue ]]; do pids+=($queue); queue=$(for p in $queue; do pgrep -P "$p" || true; done); done
((${#pids[@]})) || fail "no bastion connection to cut"
kill -KILL "${pids[@]}"
wait "$pid" || fail "the run failed after the bastion's connection was cut"
expect_ok "the step was retried" grep -q "finished" "$E2E_LAST_OUTPUT"
expect_ok "and the next step ran" grep -q "alive: alive" "$E2E_LAST_OUTPUT"
expect_eq "through a new bastion login" "$(( $(count "Accepted publickey for ops") - logins ))" 2

step "an unknown bastion key is refused, naming the hop"
grep -v '^bastion,' /var/lib/drplan-lab/ssh/known_hosts > "$state/known_hosts"
sed "s|^known_hosts = .*|known_hosts = \"$state/known_hosts\"|" "$inv" > "$state/inv.toml"
sed -i "s|^identity = .*|identity = \"/var/lib/drplan-lab/ssh/id_ed25519\"|" "$state/inv.toml"
must_fail "$state/inv.toml" "$state/s2" "with an unknown bastion key"
expect_ok "the error names the target and the bastion" grep -q "cannot reach 'dr-db' (ops@127.0.0.22:22) through bastion ops@127.0.0.40:22" "$E2E_LAST_OUTPUT"
expect_ok "and says it is the host key" grep -qi "host key" "$E2E_LAST_OUTPUT"
expect_ok "the DC, reached directly, still answered" grep -q "on_dc_db: dc-db as drlab" "$E2E_LAST_OUTPUT"

step "a changed bastion key is refused too"
other=$(ssh-keygen -q -t ed25519 -N '' -f "$state/otherkey" <<<y >/dev/null 2>&1; cut -d' ' -f1-2 "$state/otherkey.pub")
{ grep -v '^bastion,' /var/lib/drplan-lab/ssh/known_hosts; echo "bastion,127.0.0.40 $other"; } > "$state/known_hosts"
must_fail "$state/inv.toml" "$state/s4" "with a changed bastion key"
expect_ok "the error names the bastion and the changed key" \
  grep -Eq "through bastion ops@127.0.0.40:22: .*HOST KEY CHANGED for ops@127.0.0.40:22" "$E2E_LAST_OUTPUT"

step "the bastion down: named in the error"
sshd_pid=$(head -n1 /var/lib/drplan-lab/sshd/bastion/sshd.pid)
kill "$sshd_pid"
eventually 10 "! nc -z -w 1 127.0.0.40 22"
must_fail "$inv" "$state/s3" "with the bastion down"
expect_ok "the error names the bastion" grep -q "through bastion ops@127.0.0.40:22" "$E2E_LAST_OUTPUT"
expect_ok "the DC still answered" grep -q "on_dc_db: dc-db as drlab" "$E2E_LAST_OUTPUT"
lab up >/dev/null
finish
