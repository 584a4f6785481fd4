#!/usr/bin/env bash
# Fault: the DNS server dies after switch_dns, and a later step fails. The DNS undo cannot
# run, so users keep being sent to DR: the rollback must stop there and leave DR's database
# and services in place (never a DNS name pointing at a site with nothing running), and the
# summary must say what is still in effect.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test named

records() { dig +noall +answer +time=2 +tries=1 @127.0.0.30 servicedesk.drlab.test A | awk '{ print $2, $5 }' | sort; }

step "round robin: a failed failover's rollback puts back every address with its TTL"
fresh_lab
printf 'server 127.0.0.30 53\nzone drlab.test\nupdate add servicedesk.drlab.test 45 A 127.0.0.13\nsend\n' |
  nsupdate -k "$LAB/secrets/tsig.key"
before=$(records)
expect_eq "two A records before the failover" "$before" "$(printf '45 127.0.0.11\n45 127.0.0.13')"
lab outage dc
status=0
"$DRPLAN" apply plans/failover.dr -i lab/inventory.toml --yes --set app_port=8090 --state-dir "$state/rr" \
  > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
cat "$E2E_LAST_OUTPUT"
expect_eq "the failover fails at the login check (exit 1)" "$status" 1
expect_ok "switch_dns was rolled back" grep -q "rolled back switch_dns" "$E2E_LAST_OUTPUT"
expect_eq "the exact record set is back: both addresses, TTL 45" "$(records)" "$before"

step "named dies after the DNS switch"
fresh_lab
lab outage dc

start_failover "$state" --set app_port=8090
journal_reaches step_end dns_propagated 120
( . "$DRPLAN_SOURCE_DIR/lab/lib.sh"; named_stop )
wait_run
expect_eq "the failover fails (exit 1)" "$status" 1
expect_ok "the login check is what failed" grep -q "FAILED login_page on local" "$E2E_LAST_OUTPUT"
expect_ok "the DNS undo was tried and failed" grep -q "ROLLBACK FAILED: switch_dns" "$E2E_LAST_OUTPUT"
expect_ok "with the undo's own words" grep -q "^      | ; Communication with 127.0.0.30#53 failed" "$E2E_LAST_OUTPUT"
expect_ok "the login check's failure says DNS gave no address" grep -q "no address for servicedesk.drlab.test from 127.0.0.30" "$E2E_LAST_OUTPUT"
expect_ok "the state of the actions says DNS still points at DR" \
  grep -Eq "switch_dns +local +done \(rollback FAILED\): point servicedesk.drlab.test at 127.0.0.21" "$E2E_LAST_OUTPUT"
expect_ok "the services it depends on are kept" grep -q "kept: start_main" "$E2E_LAST_OUTPUT"
expect_fail "no service was stopped: the rollback chain stopped at switch_dns" \
  bash -c "grep '\"type\":\"rollback_start\"' '$journal' | grep -q '\"step\":\"start_'"
for unit in ft-main-server ft-analytics-server ft-plugins-server; do
  expect_ok "$unit still runs at dr" "$LAB/hosts/dr-app/bin/svc" is-active "$unit"
done
expect_eq "dr database is primary" "$(lab sql dr 'select pg_is_in_recovery()')" f
expect_ok "the DC is still fenced" lab fence --check dc

step "named back: DNS is where the summary said"
( . "$DRPLAN_SOURCE_DIR/lab/lib.sh"; named_start )
expect_eq "DNS answers the dr address" "$(lab dns)" 127.0.0.21
expect_ok "and the login page answers there" curl -fsS --max-time 5 http://127.0.0.21:8080/login

step "the lab back to normal operation"
lab down --purge >/dev/null 2>&1 || true
lab up >/dev/null
finish
