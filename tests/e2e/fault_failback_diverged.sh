#!/usr/bin/env bash
# Fault (issue 18): the DC committed rows after replication to DR was cut, then the DC was
# lost and DR took over. Failing back rebuilds the DC from DR, which would discard those rows.
# The failback counts them before touching the DC and stops at a gate that states the figure;
# approved, it keeps the DC's old data directory aside (the rows are still in it) instead of
# deleting it.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test diverged
aside_pg=
at_exit '[[ -z $aside_pg ]] || runuser -u drlab -- /usr/lib/postgresql/15/bin/pg_ctl -D "$aside_pg" -m immediate stop >/dev/null 2>&1'

step "replication cut, 5 rows at the DC, the DC lost, failover"
break_replication
for i in 1 2 3 4 5; do lab sql dc "insert into tickets(site, note) values ('dc', 'diverged-$i')"; done
lab outage dc
run_drplan apply plans/failover.dr -i lab/inventory.toml --yes --state-dir "$state"
expect_ok "the failover journals the promotion point" grep -Eq "Promotion point .*: .*1[[:space:]]+[0-9A-F]+/[0-9A-F]+" "$E2E_LAST_OUTPUT"
expect_eq "DR lacks the 5 rows" "$(lab sql dr "select count(*) from tickets where note like 'diverged-%'")" 0
lab recover dc
pgdata=$LAB/hosts/dc-db/pgdata
before_id=$(cat "$pgdata/global/pg_control" | sha256sum)

step "the failback counts them and stops at the gate (every other gate approved)"
gates=$(grep -E '^\s*gate ' plans/failback.dr | awk '{ print $2 }' | grep -vx accept_discard)
approve=()
for g in $gates; do approve+=(--approve "$g"); done
drplan_status apply plans/failback.dr -i lab/inventory.toml --state-dir "$state" "${approve[@]}"
expect_eq "the failback stops (exit 1)" "$status" 1
n=$(sed -n 's/.*dc_diverged: \([0-9][0-9]*\) transactions (\([0-9]*\) bytes of WAL).*/\1/p' "$E2E_LAST_OUTPUT" | head -n1)
[[ -n $n && $n -ge 5 ]] || fail "the count of discarded transactions is missing or below 5: '$n'"
pass "it counted $n transactions the DC wrote after the switch point (5 rows, and heartbeats)"
expect_ok "the gate is what stopped it" grep -Eq "accept_discard .*(refused|rejected|not approved)" "$E2E_LAST_OUTPUT"
expect_ok "the DC's data directory is where it was" test -f "$pgdata/PG_VERSION"
expect_eq "and unchanged" "$(cat "$pgdata/global/pg_control" | sha256sum)" "$before_id"
expect_ok "the DC is still fenced" lab fence --check dc
expect_fail "nothing was set aside" compgen -G "$pgdata.before-failback-*"

step "approved: the DC is rebuilt from DR and its old data is kept aside, rows and all"
rm -rf "$state"/runs
run_drplan apply plans/failback.dr -i lab/inventory.toml --yes --state-dir "$state"
expect_ok "the summary says where the old data is" grep -q "Old dc data directory (keep_dc_data): kept as $pgdata.before-failback-" "$E2E_LAST_OUTPUT"
aside=$(compgen -G "$pgdata.before-failback-*" | head -n1)
expect_ok "it exists" test -f "$aside/PG_VERSION"
expect_eq "the DC is primary again" "$(lab sql dc 'select pg_is_in_recovery()')" f
expect_eq "the rebuilt DC has DR's rows only" "$(lab sql dc "select count(*) from tickets where note like 'diverged-%'")" 0
# Started on its own (another port, no network), the kept directory still holds the 5 rows.
sock=$(mktemp -d /tmp/drplan-aside.XXXXXX); chown drlab "$sock"; at_exit "rm -rf '$sock'"
rm -f "$aside/standby.signal" "$aside/postmaster.pid"
aside_pg=$aside
runuser -u drlab -- /usr/lib/postgresql/15/bin/pg_ctl -D "$aside" -w -t 60 -l "$sock/log" \
  -o "-c port=5499 -c listen_addresses='' -c unix_socket_directories=$sock -c archive_mode=off" start >/dev/null
expect_eq "the kept data directory holds the 5 rows" \
  "$(/usr/lib/postgresql/15/bin/psql -X -A -t -q -h "$sock" -p 5499 -U postgres -d flotoitsmdb -c "select count(*) from tickets where note like 'diverged-%'")" 5
runuser -u drlab -- /usr/lib/postgresql/15/bin/pg_ctl -D "$aside" -m fast -w stop >/dev/null
aside_pg=

step "the lab back to normal operation"
lab down --purge >/dev/null 2>&1 || true
lab up >/dev/null
finish
