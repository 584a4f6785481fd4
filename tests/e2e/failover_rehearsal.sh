#!/usr/bin/env bash
# A rehearsal of the standard failover (--checks-only) on the lab with the DC down: every
# check and wait before the first action runs and passes, no action or gate runs, the checks
# after an action are reported "not rehearsable (after action X)" instead of failing, and the
# lab is exactly as before: DR a replica, DNS on the DC, nothing fenced.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test rehearsal
at_exit 'lab down --purge >/dev/null 2>&1; lab up >/dev/null 2>&1'
fresh_lab
lab outage dc

step "the failover rehearsed with --checks-only"
run_drplan apply plans/failover.dr -i lab/inventory.toml --checks-only --state-dir "$state"
expect_ok "the drill succeeds" grep -q "SUCCEEDED" "$E2E_LAST_OUTPUT"
journal=$(latest_journal "$state/runs/*-failover-*")
expect_ok "the DR checks ran and passed" grep -q '"status":"ok","step":"dr_db_healthy"' "$journal"
expect_ok "no action started" bash -c "! grep '\"type\":\"step_start\"' '$journal' | grep -q '\"kind\":\"action\"'"
expect_ok "promote_db was skipped" grep -q '"reason":"--checks-only: no actions or gates","status":"skipped","step":"promote_db"' "$journal"
expect_ok "a check after the promotion is not rehearsable, naming the action" \
  grep -q '"reason":"not rehearsable (after action [a-z_]*)","status":"skipped","step":"postgres_ok"' "$journal"
expect_eq "DR is still a replica" "$(lab sql dr 'select pg_is_in_recovery()')" t
expect_eq "no promotion in PostgreSQL's log" "$(promotions)" 0
expect_eq "DNS still answers the DC" "$(lab dns)" 127.0.0.11
expect_fail "the DC is not fenced" lab fence --check dc
finish
