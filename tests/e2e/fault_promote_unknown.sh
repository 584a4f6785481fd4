#!/usr/bin/env bash
# Fault: dr-db's sshd dies while the promotion runs. The promotion may have happened (the
# script goes on without its connection): its outcome is unknown. drplan must not call it
# failed, must not undo the fence (DR may now be primary), and must say so.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test promote

fresh_lab
lab outage dc
LAB=/var/lib/drplan-lab
# A slow promotion, so the connection can be cut while it runs.
sed -i '2i sleep 3' "$LAB/hosts/dr-db/opt/master_DC.sh"

step "failover; dr-db's sshd is killed during promote_db"
start_failover "$state"
journal_reaches step_start promote_db
sleep 1
( . "$DRPLAN_SOURCE_DIR/lab/lib.sh"; sshd_kill dr-db KILL )
wait_run
expect_eq "the failover does not succeed" "$status" 1
expect_ok "the summary says the promotion's outcome is unknown" grep -q "OUTCOME UNKNOWN promote_db on dr-db" "$E2E_LAST_OUTPUT"
expect_ok "and what it may mean" grep -q "dr-db may now be primary" "$E2E_LAST_OUTPUT"
expect_ok "the rollback stops at it" grep -q "rollback stops at promote_db: a point of no return whose outcome is unknown" "$E2E_LAST_OUTPUT"
expect_ok "the journal says unknown" bash -c "grep '\"type\":\"step_end\"' '$journal' | grep '\"step\":\"promote_db\"' | grep -q '\"status\":\"unknown\"'"
expect_fail "the fence was never lifted" bash -c "grep '\"type\":\"rollback_start\"' '$journal' | grep -q '\"step\":\"fence_dc\"'"
expect_ok "the DC is still fenced" lab fence --check dc
expect_ok "the state of the actions lists it" grep -q "promote_db .*UNKNOWN" "$E2E_LAST_OUTPUT"

step "the lab back to normal operation"
lab down --purge >/dev/null 2>&1 || true
lab up >/dev/null
finish
