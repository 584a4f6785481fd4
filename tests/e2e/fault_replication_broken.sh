#!/usr/bin/env bash
# Fault: DR's replication was broken before the DC went down (primary_conninfo pointing
# nowhere), and the DC committed 5 rows DR never got. The failover must not present that as
# a clean failover: it stops at the RPO gate before fencing; approved, it fails over and
# its summary states the bound of what was lost.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test rpo

step "replication broken, then 5 rows at the DC, then the DC lost"
break_replication
at_dr=$(lab sql dr "select count(*) from tickets")
for i in 1 2 3 4 5; do lab sql dc "insert into tickets(site, note) values ('dc', 'unreplicated-$i')"; done
at_dc=$(lab sql dc "select count(*) from tickets")
expect_eq "the DC has 5 rows DR has not" "$((at_dc - at_dr))" 5
sleep 7  # longer than the max_rpo below since DR last heard from the DC
lab outage dc

step "the failover stops at the RPO gate (every other gate approved, no terminal)"
status=0
"$DRPLAN" apply plans/failover.dr -i lab/inventory.toml --set max_rpo=5s --state-dir "$state" \
  --approve dc_not_recoverable --approve stakeholders_aware --approve authorize --approve users_notified \
  > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
cat "$E2E_LAST_OUTPUT"
expect_eq "the failover stops (exit 1)" "$status" 1
expect_ok "the check says replication is not streaming" grep -q "replica_rpo: not streaming; last WAL from the primary" "$E2E_LAST_OUTPUT"
expect_ok "the RPO gate is what stopped it" grep -Eq "accept_rpo .*(refused|rejected|not approved)" "$E2E_LAST_OUTPUT"
expect_fail "the DC was not fenced" lab fence --check dc
expect_eq "DR is still a replica" "$(lab sql dr 'select pg_is_in_recovery()')" t
expect_eq "no promotion" "$(promotions)" 0

step "approved: the failover goes on and states the bound"
rm -rf "$state"/runs
run_drplan apply plans/failover.dr -i lab/inventory.toml --set max_rpo=5s --state-dir "$state" --yes
expect_ok "the RPO gate was asked and approved" grep -Eq "ok +accept_rpo .*approved" "$E2E_LAST_OUTPUT"
expect_ok "the summary states the bound" \
  grep -Eq "RPO bound \(replica_rpo\): not streaming; .*at most the last [0-9]+ s of transactions before the primary stopped may be lost" "$E2E_LAST_OUTPUT"
expect_ok "the journal holds the figure" bash -c "grep '\"step\":\"replica_rpo\"' '$state'/runs/*/journal.jsonl | grep -q 'at most the last'"
expect_eq "DR is primary" "$(lab sql dr 'select pg_is_in_recovery()')" f
expect_eq "the 5 unreplicated rows are what DR lacks" "$(lab sql dr 'select count(*) from tickets')" "$at_dr"

step "the lab back to normal operation"
lab down --purge >/dev/null 2>&1 || true
lab up >/dev/null
finish
