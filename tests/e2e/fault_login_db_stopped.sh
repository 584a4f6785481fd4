#!/usr/bin/env bash
# Fault (issue 18): the login check proves the application reads its data. After a failover,
# DR's database is stopped while the application keeps running: the standard failover's
# login_page check (its probe as drplan renders it) fails, the page cannot read the database,
# and passes again once the database is back. It shows a row written in this cycle.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test login
fresh_lab

step "a ticket at the DC, the DC lost, failover"
id=$(lab sql dc "insert into tickets(site, note) values ('dc', 'login-proof') returning id")
eventually 20 "[ \"\$(lab sql dr \"select count(*) from tickets where id = $id\")\" = 1 ]"
lab outage dc
run_drplan apply plans/failover.dr -i lab/inventory.toml --yes --state-dir "$state"
expect_ok "the login page showed this cycle's ticket" grep -q "login_page: servicedesk.drlab.test/login shows latest ticket #$id (the database's newest: $id)" "$E2E_LAST_OUTPUT"

# The failover's login_page probe exactly as drplan renders it, with newest_row's output (the
# ticket above) in place: a check run again without re-running the failover's actions.
probe=$("$DRPLAN" plan plans/failover.dr -i lab/inventory.toml --format json | /usr/bin/python3 -c '
import json, sys
step = next(s for s in json.load(sys.stdin)["steps"] if s["id"] == "login_page")
print(step["probe"].replace("${newest_row.output}", sys.argv[1]))' "$id")
login_check() { bash -c "$probe"; }

step "DR's database stopped, the application still up: the login check fails"
$LAB/hosts/dr-db/bin/svc stop postgresql
expect_ok "the application still answers" curl -sS --max-time 5 -o /dev/null http://127.0.0.21:8080/
expect_fail "login_page's probe fails" login_check
expect_fail "the page says the database is unavailable" curl -fsS --max-time 5 http://127.0.0.21:8080/login

step "the database back: the login check passes again"
$LAB/hosts/dr-db/bin/svc start postgresql
expect_ok "login_page's probe passes" login_check
expect_eq "it shows the ticket" "$(login_check)" "servicedesk.drlab.test/login shows latest ticket #$id (the database's newest: $id)"

step "the lab back to normal operation"
lab down --purge >/dev/null 2>&1 || true
lab up >/dev/null
finish
