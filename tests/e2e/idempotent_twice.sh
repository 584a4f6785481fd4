#!/usr/bin/env bash
# Every stdlib template that declares `idempotent = true` is run twice in a row on the lab
# (issue 12): the second run succeeds and leaves the world as the first left it. Through the
# `ops` inventory, so become is part of it. A template that claims idempotency without a case
# here fails the test.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
work=$(mktemp -d /tmp/drplan-idem.XXXXXX)
chmod 0777 "$work"
cleanup() {
  lab sql dc "drop database if exists drplan_idem" >/dev/null 2>&1 || true
  lab sql dc "drop database if exists drplan_idem_copy" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fresh_lab
inv=lab/inventory-ops.toml
plans=$work/plans
mkdir -p "$plans"

# twice NAME HOST CALL [AFTER]: the same template call as NAME_first and NAME_again.
twice() {
  local after=${4:+ after $4}
  printf '  action %s_first on %s%s = %s\n  action %s_again on %s after %s_first = %s\n' \
    "$1" "$2" "$after" "$3" "$1" "$2" "$1" "$3"
}
header() {
  printf 'plan %s {\n  use stdlib/service as svc\n  use stdlib/postgres as pg\n  use stdlib/file\n  use stdlib/cron\n  use stdlib/dns\n  use stdlib/backup\n  use stdlib/fence\n' "$1"
}

lab_sql_db() { /usr/lib/postgresql/15/bin/psql -X -A -t -q -h "/var/lib/drplan-lab/hosts/$1-db/run" -p 5432 -U postgres -d "$2" -c "$3"; }

step "coverage: every idempotent stdlib template has a case"
zip=$(lab backup)
printf 'x=1\ncurrent_slave="old"\ny=2\n' > "$work/conf.sh"
chown drlab:drlab "$work/conf.sh"
{
  header idem_files
  twice backup_fetch dc-db "backup.fetch(\"$zip\", \"$work/fetch\")"
  twice backup_unzip dc-db "backup.unzip(\"$work/fetch/backup.zip\", \"$work/unpacked\")" backup_fetch_again
  twice file_set_var dr-app "file.set_var(\"$work/conf.sh\", \"current_slave\", \"10.0.0.9\")"
  twice cron_apply dc-app 'cron.apply(target.script_dir + "/crontab.sh", "file_sync.sh")'
  printf '  action dr_cron on dr-app = cron.apply(target.script_dir + "/crontab.sh", "file_sync.sh")\n'
  twice cron_remove dr-app 'cron.remove("file_sync.sh", target.script_dir + "/crontab.sh")' dr_cron
  twice svc_start dr-app 'svc.start("ft-plugins-server")'
  twice svc_stop dr-app 'svc.stop("ft-plugins-server")' svc_start_again
  twice pg_dump dc-db "pg.dump(\"$work/idem.dump\")"
  printf '  gate may_drop { ask = "Drop and recreate the scratch database drplan_idem?" }\n'
  twice pg_recreate_database dc-db 'pg.recreate_database("drplan_idem")' may_drop
  twice pg_restore_copy dc-db "pg.restore_copy(\"$work/idem.dump\", \"drplan_idem_copy\")" pg_dump_again
  printf '  check dns_ttl on local = dns.ttl_check(vars.dns_name, vars.dns_server, 60s, vars.dns_port)\n'
  printf '  check dns_before on local after dns_ttl { probe = dns.records(vars.dns_name, vars.dns_server, vars.dns_port) }\n'
  twice dns_switch local 'dns.switch(vars.dns_name, "127.0.0.21", dns_before.output, vars.dns_zone, vars.dns_server, secrets.tsig_key, 30, vars.dns_port)' dns_before
  printf '}\n'
} > "$plans/files.dr"
{
  header idem_roles
  twice fence_isolate local 'fence.isolate("dc")'
  twice pg_promote dr-db 'pg.promote()' fence_isolate_again
  twice fence_release local 'fence.release("dc")' pg_promote_again
  printf '  action dc_db_up on dc-db after fence_release_again = svc.start("postgresql")\n'
  printf '  gate may_rebuild after dc_db_up { ask = "Replace the data directory of dr-db with a copy of dc-db?" }\n'
  twice pg_rebuild_replica dr-db 'pg.rebuild_replica("127.0.0.12")' may_rebuild
  printf '  check dns_ttl on local = dns.ttl_check(vars.dns_name, vars.dns_server, 60s, vars.dns_port)\n'
  printf '  check dns_now on local after dns_ttl { probe = dns.records(vars.dns_name, vars.dns_server, vars.dns_port) }\n'
  printf '  action dns_back on local = dns.switch(vars.dns_name, "127.0.0.11", dns_now.output, vars.dns_zone, vars.dns_server, secrets.tsig_key, 30, vars.dns_port)\n'
  printf '}\n'
} > "$plans/roles.dr"
declare -A alias=([service]=svc [postgres]=pg)
missing=0
for f in stdlib/*.dr; do
  mod=$(basename "$f" .dr)
  # template NAME(... up to the template's closing brace; those with idempotent = true
  while read -r t; do
    call="${alias[$mod]:-$mod}.$t("
    n=$(cat "$plans"/*.dr | grep -cF "= $call" || true)
    if [[ $n -lt 2 ]]; then echo "no case runs $mod.$t twice" >&2; missing=1; fi
  done < <(awk '/^  template /{ sub(/^  template /, ""); sub(/\(.*/, ""); t = $0 } /idempotent = true/ { print t }' "$f")
done
((missing == 0)) || fail "idempotent templates without a case"
pass "$(cat "$plans"/*.dr | grep -c '_again on') templates run twice"
"$DRPLAN" check "$plans/files.dr" -i "$inv" >/dev/null || { "$DRPLAN" check "$plans/files.dr" -i "$inv"; fail "files.dr does not check"; }

step "files, services, cron, databases, DNS: twice, then the state of once"
rows=$(lab sql dc "select count(*) from tickets")
run_drplan apply "$plans/files.dr" -i "$inv" --yes --state-dir "$work/state"
expect_ok "the fetched backup is the source" cmp "$zip" "$work/fetch/backup.zip"
expect_ok "the unpacked dump is there once" test "$(ls "$work/unpacked" | wc -l)" -ge 1
expect_eq "set_var left one assignment, the other lines alone" \
  "$(tr '\n' ' ' < "$work/conf.sh")" 'x=1 current_slave="10.0.0.9" y=2 '
expect_eq "the cron table has one file_sync job" \
  "$(/var/lib/drplan-lab/hosts/dc-app/bin/crontab -l | grep -c file_sync.sh)" 1
expect_fail "dr-app's cron table has no file_sync job (applied, then removed twice)" \
  bash -c '/var/lib/drplan-lab/hosts/dr-app/bin/crontab -l 2>/dev/null | grep -q file_sync.sh'
expect_fail "ft-plugins-server is stopped at dr (start twice, stop twice)" \
  /var/lib/drplan-lab/hosts/dr-app/bin/svc is-active ft-plugins-server
expect_eq "the recreated database exists once, empty" \
  "$(lab sql dc "select count(*) from pg_database where datname = 'drplan_idem'")" 1
expect_eq "the restored copy holds every row" \
  "$(lab_sql_db dc drplan_idem_copy "select count(*) from tickets")" "$rows"
expect_eq "DNS holds one record, the new address" "$(dig +short -p 53 @127.0.0.30 servicedesk.drlab.test A | tr '\n' ' ')" "127.0.0.21 "

step "fence, promotion, release, rebuild: twice each"
run_drplan apply "$plans/roles.dr" -i "$inv" --yes --state-dir "$work/state"
expect_eq "promote ran the script once: one promotion" "$(promotions)" 1
expect_ok "the second promote said so" grep -q "already primary: the promotion is not run again" "$E2E_LAST_OUTPUT"
expect_eq "no site is fenced after release twice" "$(ls /var/lib/drplan-lab/fence)" ""
expect_eq "dr-db is a replica again (rebuilt twice)" "$(lab sql dr 'select pg_is_in_recovery()')" t

step "the lab back in normal operation"
lab up >/dev/null
for s in ft-main-server ft-analytics-server ft-plugins-server; do  # the dc fence stopped them
  /var/lib/drplan-lab/hosts/dc-app/bin/svc start "$s" >/dev/null
done
expect_ok "ft-main-server answers at dc" curl -fsS --max-time 5 http://127.0.0.11:8080/login
eventually 30 "[ \"\$(lab sql dr 'select pg_is_in_recovery()')\" = t ]"
expect_eq "DNS answers dc again" "$(lab dns)" 127.0.0.11
finish
