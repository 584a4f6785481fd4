#!/usr/bin/env bash
# Faults of the operators rather than the machines, on the real lab with the standard
# failover: skipping the fence is refused before anything runs, and a second operator with
# another state dir and another spelling of the inventory's path cannot fail over beside
# the first. PostgreSQL's log counts the promotions.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test operators
tmp=$state

# Nothing of a failover happened: DR is a replica, the DC not fenced, DNS on the DC.
expect_untouched() {  # NAME
  expect_eq "$1: dr-db is still a replica" "$(lab sql dr 'select pg_is_in_recovery()')" t
  expect_eq "$1: no promotion in PostgreSQL's log" "$(promotions)" 0
  expect_fail "$1: the DC is not fenced" lab fence --check dc
  expect_eq "$1: DNS still answers the DC" "$(lab dns)" 127.0.0.11
}

fresh_lab
lab outage dc

step "--skip fence_dc is refused: promote_db depends on it"
status=0
"$DRPLAN" apply plans/failover.dr -i lab/inventory.toml --yes --skip fence_dc --state-dir "$tmp/s0" \
  > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
cat "$E2E_LAST_OUTPUT"
expect_eq "exit 2" "$status" 2
expect_ok "the refusal names the dependent" grep -q "fence_dc would not run, and .*promote_db.* depend on it" "$E2E_LAST_OUTPUT"
expect_fail "it names steps, not the phases' internal barriers" grep -q "phase:" "$E2E_LAST_OUTPUT"
expect_untouched skip

step "--skip fence_dc --force still needs a reason: it is a safety step"
status=0
"$DRPLAN" apply plans/failover.dr -i lab/inventory.toml --yes --skip fence_dc --force --state-dir "$tmp/s0" \
  > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
cat "$E2E_LAST_OUTPUT"
expect_eq "exit 2" "$status" 2
expect_ok "it says why" grep -q "fence_dc is a safety step" "$E2E_LAST_OUTPUT"
expect_untouched force
expect_fail "no step ran: no journal holds a step_start" bash -c "cat '$tmp'/s0/runs/*/journal.jsonl 2>/dev/null | grep -q step_start"

step "two operators, two state dirs, two spellings of the inventory"
sed -i '2i sleep 3' "$LAB/hosts/dr-db/opt/master_DC.sh"  # the first failover is mid-promotion
"$DRPLAN" apply plans/failover.dr -i lab/inventory.toml --yes --state-dir "$tmp/sA" > "$tmp/first.out" 2>&1 &
first=$!
pid=$first
journal=
eventually 60 "journal=\$(latest_journal '$tmp/sA/runs/*-failover-*') && journal_steps step_start \"\$journal\" | grep -qx promote_db"
status=0
(cd lab && "$DRPLAN" apply ../plans/failover.dr -i ./inventory.toml --yes --state-dir "$tmp/sB") \
  > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
cat "$E2E_LAST_OUTPUT"
expect_eq "the second operator's apply is refused" "$status" 1
expect_ok "it names the holder" grep -q "pid $first" "$E2E_LAST_OUTPUT"
expect_fail "the second run started no step" bash -c "cat '$tmp'/sB/runs/*/journal.jsonl 2>/dev/null | grep -q step_start"
wait "$first"
pid=
cat "$tmp/first.out"
expect_ok "the first failover succeeded" bash -c "tail -n1 '$journal' | grep -q '\"status\":\"succeeded\"'"
expect_eq "PostgreSQL promoted dr-db exactly once" "$(promotions)" 1
expect_eq "DNS answers the dr address" "$(lab dns)" 127.0.0.21

step "the lab back to normal operation"
lab down --purge >/dev/null 2>&1 || true
lab up >/dev/null
finish
