#!/usr/bin/env bash
# Shared state on etcd (issue 13), on the lab's three-member cluster with the DC's member
# down (lab/outage dc): controller A (its own HOME, state dir and host name) runs the standard
# failover; controller B, elsewhere, is refused while A runs, naming A; A is killed -9 right
# after the promotion; B's --resume is refused while A's lease lives and accepted once it
# lapsed; the failover completes with exactly one promotion, and the journal in etcd shows
# the handover from ctl-a to ctl-b.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test etcdtakeover
at_exit 'lab down --purge >/dev/null 2>&1; lab up >/dev/null 2>&1'
inv=$state/inventory.toml
etcd_inventory "$inv" /e2e/takeover-$$

fresh_lab
lab outage dc
expect_ok "quorum holds with the DC's member down" bash -c "lab/etcd status | grep -q 'quorum: yes'"

step "A starts the failover; B, on another host, is refused naming A"
sed -i '2i sleep 2' "$LAB/hosts/dr-db/opt/master_DC.sh"  # the promotion takes a while
start_controller a apply plans/failover.dr -i "$inv" --yes --state-dir "$state/A" > "$state/a.out" 2>&1
journal=
eventually 60 "journal=\$(latest_journal '$state/A/runs/*-failover-*') && journal_steps step_start \"\$journal\" | grep -qx promote_db"
status=0
controller b apply plans/failover.dr -i "$inv" --yes --state-dir "$state/B" > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
cat "$E2E_LAST_OUTPUT"
expect_eq "B's apply is refused" "$status" 1
expect_ok "it names A's pid and host" grep -q "another drplan apply .* is running: pid $pid, root@ctl-a" "$E2E_LAST_OUTPUT"
expect_fail "B started no step" bash -c "cat '$state'/B/runs/*/journal.jsonl 2>/dev/null | grep -q step_start"

step "A is killed -9 right after the promotion"
# (its end in etcd, not only in A's local mirror, which is written first)
eventually 60 "'$DRPLAN' log --state '$ETCD_URL/e2e/takeover-$$' 2>/dev/null | grep -q 'ok     promote_db'"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=
killed_at=$SECONDS
cat "$state/a.out"
expect_eq "dr-db was promoted once" "$(promotions)" 1

step "B's --resume: refused while A's lease lives"
status=0
controller b apply plans/failover.dr -i "$inv" --yes --state-dir "$state/B" --resume > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
cat "$E2E_LAST_OUTPUT"
((SECONDS - killed_at < 10)) || fail "too slow to test the refusal: the lease may have lapsed already"
expect_eq "refused" "$status" 1
expect_ok "naming A" grep -q "root@ctl-a" "$E2E_LAST_OUTPUT"

step "B's --resume once A's lease lapsed (10 s): the failover completes"
sleep $((11 - (SECONDS - killed_at)))
controller b apply plans/failover.dr -i "$inv" --yes --state-dir "$state/B" --resume > "$E2E_LAST_OUTPUT" 2>&1 ||
  { cat "$E2E_LAST_OUTPUT"; fail "B's resume failed"; }
cat "$E2E_LAST_OUTPUT"
expect_eq "PostgreSQL promoted dr-db exactly once across both controllers" "$(promotions)" 1
expect_eq "dr database is primary" "$(lab sql dr 'select pg_is_in_recovery()')" f
expect_ok "the DC is fenced" lab fence --check dc
expect_eq "DNS answers the dr address" "$(lab dns)" 127.0.0.21

step "the journal in etcd shows the handover"
"$DRPLAN" log --state "$ETCD_URL/e2e/takeover-$$" > "$E2E_LAST_OUTPUT" 2>&1 || fail "drplan log from etcd failed"
cat "$E2E_LAST_OUTPUT"
expect_ok "started by A" grep -q "START .* by root@ctl-a" "$E2E_LAST_OUTPUT"
expect_ok "resumed by B" grep -q "RESUME .* by root@ctl-b" "$E2E_LAST_OUTPUT"
expect_eq "one promote_db started by A, none by B" \
  "$(grep -c 'start  promote_db' "$E2E_LAST_OUTPUT")" 1
"$DRPLAN" runs -i "$inv" > "$E2E_LAST_OUTPUT" 2>&1
cat "$E2E_LAST_OUTPUT"
expect_ok "drplan runs -i (the inventory's [state]) lists it as succeeded" grep -q "failover .* succeeded" "$E2E_LAST_OUTPUT"
finish
