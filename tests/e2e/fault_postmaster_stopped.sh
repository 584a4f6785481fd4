#!/usr/bin/env bash
# Fault: DR's PostgreSQL is frozen (SIGSTOP of its postmaster: it accepts connections and
# never answers). The failover's health check must end at its timeout, the run must stop
# before any action, and the psql it started on dr-db must not be left waiting there.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test sigstop
postmaster=
at_exit '[[ -z $postmaster ]] || kill -CONT "$postmaster"'

# psql processes aimed at dr-db's socket that are still alive (a zombie has ended).
live_psql_on_dr_db() {
  ps -eo stat=,comm=,args= | awk -v sock="$LAB/hosts/dr-db/run" '$1 !~ /^Z/ && $2 == "psql" && index($0, sock)' |
    grep -c . || true
}

fresh_lab
lab outage dc
postmaster=$(head -n1 "$LAB/hosts/dr-db/pgdata/postmaster.pid")
kill -STOP "$postmaster"

step "failover against a frozen DR database"
started=$SECONDS
"$DRPLAN" apply plans/failover.dr -i lab/inventory.toml --yes --state-dir "$state" > "$E2E_LAST_OUTPUT" 2>&1 &
pid=$!
eventually 20 '[ "$(live_psql_on_dr_db)" -gt 0 ]'
pass "the health check's psql waits on dr-db"
status=0
wait "$pid" || status=$?
took=$((SECONDS - started))
cat "$E2E_LAST_OUTPUT"
expect_eq "the failover fails (exit 1)" "$status" 1
expect_ok "dr_db_healthy timed out at its 30 s" grep -q "FAILED dr_db_healthy on dr-db: timed out after 30s" "$E2E_LAST_OUTPUT"
expect_ok "the run ended soon after the timeout (${took} s)" test "$took" -lt 50
expect_fail "no action started" bash -c "grep '\"type\":\"step_start\"' '$state'/runs/*/journal.jsonl | grep -qE '\"step\":\"(fence_dc|promote_db)\"'"
expect_fail "the DC is not fenced" lab fence --check dc
if ! eventually_quiet 10 '[ "$(live_psql_on_dr_db)" = 0 ]'; then
  ps -eo pid,ppid,pgid,sid,stat,etimes,args | grep -E "[p]sql|[s]h -c" | cut -c1-160 || true
  fail "a psql is left waiting on dr-db"
fi
pass "no psql is left waiting on dr-db"

step "PostgreSQL thawed: the replica is as it was"
kill -CONT "$postmaster"
postmaster=
expect_eq "dr-db is still a replica" "$(lab sql dr 'select pg_is_in_recovery()')" t

step "the lab back to normal operation"
lab down --purge >/dev/null 2>&1 || true
lab up >/dev/null
finish
