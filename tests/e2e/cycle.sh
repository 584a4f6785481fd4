#!/usr/bin/env bash
# The full disaster-recovery cycle on the real lab, with drplan and the standard plans:
# rows at dc -> outage -> failover -> rows at dr -> dc recovers -> failback -> every row at
# dc, replication dc -> dr again -> backup -> damage -> restore -> rows back, from a path
# and from an http:// URL (backup.fetch through curl). INVENTORY picks the lab's inventory:
# lab/inventory.toml (the default) or lab/inventory-ops.toml (cycle_ops.sh: through sudo).
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
inv=${INVENTORY:-lab/inventory.toml}

fresh_lab
state=$(mktemp -d /tmp/drplan-cycle.XXXXXX)
trap 'rm -rf "$state"' EXIT

step "rows written at dc before the outage"
for i in 1 2 3 4 5; do lab sql dc "insert into tickets(site, note) values ('dc', 'before-outage-$i')"; done
eventually 20 "[ \"\$(lab sql dr \"select count(*) from tickets where note like 'before-outage-%'\")\" = 5 ]"

step "the dc site goes down"
lab outage dc

step "failover"
run_drplan apply plans/failover.dr -i "$inv" --yes --state-dir "$state"
expect_eq "dr database is primary" "$(lab sql dr 'select pg_is_in_recovery()')" f
expect_eq "DNS answers the dr address" "$(lab dns)" 127.0.0.21
expect_ok "ft-main-server answers at dr" curl -fsS --max-time 5 http://127.0.0.21:8080/login
for s in ft-main-server ft-analytics-server ft-plugins-server; do
  expect_ok "$s active at dr" /var/lib/drplan-lab/hosts/dr-app/bin/svc is-active "$s"
done
expect_eq "rows from before the outage are readable at dr" \
  "$(lab sql dr "select count(*) from tickets where note like 'before-outage-%'")" 5
expect_ok "file_sync.sh at dr points at dc" \
  grep -qx 'current_slave="127.0.0.11"' /var/lib/drplan-lab/hosts/dr-app/home/flotomate/script/file_sync.sh
expect_ok "the run summary reports the RTO" grep -q "RTO" "$E2E_LAST_OUTPUT"
expect_eq "the edited file_sync.sh still belongs to drlab" \
  "$(stat -c %U /var/lib/drplan-lab/hosts/dr-app/home/flotomate/script/file_sync.sh)" drlab
expect_ok "the run summary reports the estimated RPO" grep -q "Estimated RPO" "$E2E_LAST_OUTPUT"

step "rows written at dr during the outage"
for i in 1 2 3 4 5; do lab sql dr "insert into tickets(site, note) values ('dr', 'during-outage-$i')"; done

step "the dc site comes back (isolated), failback"
lab recover dc
run_drplan apply plans/failback.dr -i "$inv" --yes --state-dir "$state"
expect_eq "dc database is primary" "$(lab sql dc 'select pg_is_in_recovery()')" f
expect_eq "every row from both sites is at dc" \
  "$(lab sql dc "select count(*) from tickets where note like 'before-outage-%' or note like 'during-outage-%'")" 10
expect_eq "DNS answers the dc address again" "$(lab dns)" 127.0.0.11
expect_ok "ft-main-server answers at dc" curl -fsS --max-time 5 http://127.0.0.11:8080/login
expect_eq "dr is a replica again" "$(lab sql dr 'select pg_is_in_recovery()')" t
expect_ok "dc replicates its files to dr (its cron job)" \
  bash -c '/var/lib/drplan-lab/hosts/dc-app/bin/crontab -l | grep -q file_sync.sh'
expect_fail "dr no longer replicates its files to dc (one direction only)" \
  bash -c '/var/lib/drplan-lab/hosts/dr-app/bin/crontab -l 2>/dev/null | grep -q file_sync.sh'

step "replication dc -> dr is re-established"
lab sql dc "insert into tickets(site, note) values ('dc', 'after-failback')"
eventually 20 "[ \"\$(lab sql dr \"select count(*) from tickets where note = 'after-failback'\")\" = 1 ]"

step "backup, damage, restore"
zip=$(lab backup)
before=$(lab sql dc "select count(*) from tickets")
lab sql dc "delete from tickets where id % 2 = 0"
damaged=$(lab sql dc "select count(*) from tickets")
[[ $damaged -lt $before ]] || fail "the damage did not remove rows"
run_drplan apply plans/restore.dr -i "$inv" --yes --state-dir "$state" --set site=dc --set "backup=$zip"
expect_eq "every row is back after the restore" "$(lab sql dc "select count(*) from tickets")" "$before"
expect_ok "the application is healthy after the restore" curl -fsS --max-time 5 http://127.0.0.11:8080/health

step "restore from a backup fetched over HTTP (backup.fetch through curl)"
web=$(mktemp -d /tmp/drplan-cycle-web.XXXXXX)
cp "$zip" "$web/"
chmod -R a+rX "$web"
port=18765
/usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 --directory "$web" > "$web/access.log" 2>&1 &
web_pid=$!
trap 'kill "$web_pid" 2>/dev/null; rm -rf "$state" "$web"' EXIT
eventually 10 "curl -fsS -o /dev/null http://127.0.0.1:$port/"
lab sql dc "delete from tickets where id % 3 = 0"
[[ $(lab sql dc "select count(*) from tickets") -lt $before ]] || fail "the damage did not remove rows"
url="http://127.0.0.1:$port/$(basename "$zip")"
run_drplan apply plans/restore.dr -i "$inv" --yes --state-dir "$state" --set site=dc --set "backup=$url"
expect_ok "the backup was downloaded from the URL" grep -q "GET /$(basename "$zip") HTTP/1.[01]\" 200" "$web/access.log"
expect_eq "every row is back after the restore from the URL" "$(lab sql dc "select count(*) from tickets")" "$before"

finish
