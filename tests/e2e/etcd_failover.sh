#!/usr/bin/env bash
# The standard failover with its lock and journal in the lab's etcd (the inventory's [state]),
# the DC's etcd member down with the DC (lab/outage dc): it completes as with local files,
# etcd holds the whole journal, and another controller lists and reads the run from etcd.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test etcdfailover
at_exit 'lab down --purge >/dev/null 2>&1; lab up >/dev/null 2>&1'
inv=$state/inventory.toml
etcd_inventory "$inv" /e2e/failover-$$

fresh_lab
rows=$(lab sql dc "select count(*) from tickets")
eventually 30 "[ \"\$(lab sql dr 'select count(*) from tickets')\" = $rows ]"
lab outage dc

step "the failover with the etcd backend"
run_drplan apply plans/failover.dr -i "$inv" --yes --state-dir "$state/A"
expect_ok "the summary names the journal in etcd" grep -q "journal: etcd /e2e/failover-$$/runs/" "$E2E_LAST_OUTPUT"
expect_eq "dr database is primary" "$(lab sql dr 'select pg_is_in_recovery()')" f
expect_eq "every replicated row is at DR" "$(lab sql dr 'select count(*) from tickets')" "$rows"
expect_eq "DNS answers the dr address" "$(lab dns)" 127.0.0.21

step "another controller reads the run from etcd"
(cd "$state" && controller b runs --state "$ETCD_URL/e2e/failover-$$") > "$E2E_LAST_OUTPUT" 2>&1
cat "$E2E_LAST_OUTPUT"
expect_ok "drplan runs lists it as succeeded" grep -q "failover .* succeeded" "$E2E_LAST_OUTPUT"
"$DRPLAN" log --state "$ETCD_URL/e2e/failover-$$" --format json > "$state/etcd.jsonl"
mirror=$(ls -d "$state"/A/runs/*/ | tail -n1)journal.jsonl
expect_eq "etcd holds every record of the local mirror" "$(wc -l < "$state/etcd.jsonl")" "$(wc -l < "$mirror")"
expect_ok "ending with the successful run_end" bash -c "tail -n1 '$state/etcd.jsonl' | grep -q '\"status\":\"succeeded\"'"
expect_fail "no lock is left in etcd" bash -c \
  "ETCDCTL_API=3 etcdctl --endpoints=127.0.0.23:2379 get --prefix /e2e/failover-$$/lock/ | grep -q ."
finish
