#!/usr/bin/env bash
# Failure drills on the real lab:
#  1. a step fails in the middle of a failover: the completed actions are rolled back in
#     reverse order, the rollback stops at the promotion (a point of no return), and the
#     summary says so;
#  2. drplan is killed (kill -9) during a failover: --resume completes it without running
#     the promotion again.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
state=$(mktemp -d /tmp/drplan-drills.XXXXXX)
blocker=
cleanup() { [[ -n $blocker ]] && kill "$blocker" 2>/dev/null; rm -rf "$state"; }
trap cleanup EXIT

step "drill 1: ft-plugins-server cannot start at dr (its port is taken)"
fresh_lab
lab outage dc
nc -l -k 127.0.0.21 8082 >/dev/null 2>&1 &
blocker=$!
status=0
"$DRPLAN" apply plans/failover.dr -i lab/inventory.toml --yes --state-dir "$state" > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
cat "$E2E_LAST_OUTPUT"
expect_eq "the failed failover exits 1" "$status" 1
expect_ok "the summary names the failed step" grep -q "FAILED start_plugins on dr-app" "$E2E_LAST_OUTPUT"
expect_ok "the summary says the rollback stopped at the promotion" grep -q "stopped at promote_db: a point of no return" "$E2E_LAST_OUTPUT"
expect_ok "ft-main-server was rolled back" grep -q "rolled back start_main" "$E2E_LAST_OUTPUT"
expect_fail "ft-main-server is stopped at dr" /var/lib/drplan-lab/hosts/dr-app/bin/svc is-active ft-main-server
expect_fail "ft-analytics-server is stopped at dr" /var/lib/drplan-lab/hosts/dr-app/bin/svc is-active ft-analytics-server
expect_eq "the promotion was not undone" "$(lab sql dr 'select pg_is_in_recovery()')" f
expect_eq "DNS was never switched" "$(lab dns)" 127.0.0.11
journal=$(ls -d "$state"/runs/*-failover-* | tail -n1)/journal.jsonl
# The services started in parallel, after the file_sync change: they are undone first.
expect_eq "the services are rolled back first" \
  "$(journal_steps rollback_end "$journal" | head -n2 | sort | tr '\n' ' ')" "start_analytics start_main "
expect_eq "the oldest action is rolled back last" "$(journal_steps rollback_end "$journal" | tail -n1)" repoint_file_sync
expect_eq "the stop at the point of no return is journaled" "$(journal_steps rollback_stop "$journal")" promote_db
kill "$blocker" 2>/dev/null || true
blocker=

step "drill 2: kill -9 after the promotion, then --resume"
fresh_lab
lab outage dc
rm -rf "$state"/runs "$state"/locks
# The plugins' port taken again: the run spends its last 10 s (start_plugins' attempts)
# after the promotion, which leaves time to kill it there; a run that raced to its end
# would test nothing.
nc -l -k 127.0.0.21 8082 >/dev/null 2>&1 &
blocker=$!
"$DRPLAN" apply plans/failover.dr -i lab/inventory.toml --yes --state-dir "$state" > "$E2E_LAST_OUTPUT" 2>&1 &
pid=$!
journal=
eventually 60 "journal=\$(latest_journal '$state/runs/*-failover-*') && journal_steps step_end \"\$journal\" | grep -x promote_db >/dev/null"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
kill "$blocker" 2>/dev/null || true
blocker=
expect_ok "drplan died before the end of the run" bash -c "! grep -q '\"type\":\"run_end\"' '$journal'"
run_drplan apply plans/failover.dr -i lab/inventory.toml --yes --state-dir "$state" --resume
expect_eq "the promotion ran exactly once" "$(journal_steps step_start "$journal" | grep -cx promote_db)" 1
expect_ok "the resumed run took over the stale lock" grep -q "stale lock" "$E2E_LAST_OUTPUT"
expect_eq "dr database is primary" "$(lab sql dr 'select pg_is_in_recovery()')" f
expect_eq "DNS answers the dr address" "$(lab dns)" 127.0.0.21
expect_ok "ft-main-server answers at dr" curl -fsS --max-time 5 http://127.0.0.21:8080/login
expect_ok "the journal ends with a successful run" bash -c "tail -n1 '$journal' | grep -q '\"status\":\"succeeded\"'"
finish
