#!/usr/bin/env bash
# Fault: the DC comes back between an interrupted failover and its --resume. The checks
# that said "the DC is unreachable" were true then and are false now: the resume must run
# them again and stop before fencing a healthy DC, losing no row written there.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
state=$(mktemp -d /tmp/drplan-dcback.XXXXXX)
trap 'rm -rf "$state"' EXIT

fresh_lab
lab outage dc
step "a failover whose authorize gate is refused (no terminal, not approved)"
status=0
"$DRPLAN" apply plans/failover.dr -i lab/inventory.toml --approve dc_not_recoverable --approve stakeholders_aware \
  --state-dir "$state" > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
cat "$E2E_LAST_OUTPUT"
expect_eq "the failover stops at the refused gate" "$status" 1
expect_fail "the DC is not fenced" lab fence --check dc

step "the DC recovers and takes 3 writes"
lab recover dc
before=$(lab sql dc "select count(*) from tickets")
for i in 1 2 3; do lab sql dc "insert into tickets(site, note) values ('dc', 'after-recovery-$i')"; done

step "--resume --yes re-runs the checks and stops before any action they guard"
status=0
"$DRPLAN" apply plans/failover.dr -i lab/inventory.toml --yes --resume --state-dir "$state" > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
cat "$E2E_LAST_OUTPUT"
expect_eq "the resume fails" "$status" 1
expect_ok "it says which checks run again" grep -q "checked again before any action they guard:.*dc_unreachable" "$E2E_LAST_OUTPUT"
expect_ok "dc_unreachable fails now" grep -q "FAILED dc_unreachable" "$E2E_LAST_OUTPUT"
expect_fail "the healthy DC was not fenced" lab fence --check dc
expect_eq "the DC is still the primary" "$(lab sql dc 'select pg_is_in_recovery()')" f
expect_eq "DR is still a replica" "$(lab sql dr 'select pg_is_in_recovery()')" t
expect_eq "the 3 rows are at the DC" "$(lab sql dc 'select count(*) from tickets')" "$((before + 3))"
expect_eq "DNS still answers the DC" "$(lab dns)" 127.0.0.11
lab down --purge >/dev/null 2>&1 || true
lab up >/dev/null
finish
