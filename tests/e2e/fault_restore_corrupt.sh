#!/usr/bin/env bash
# Fault: the backup to restore is damaged (its dump cut to half), with and without its
# manifest. The restore must not destroy anything before the new copy is proven: every row
# stays in place and the services keep running. A good backup then replaces the database
# and the old one is kept under another name.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test badzip
tmp=$state

databases() { lab sql dc "select string_agg(datname, ' ' order by datname) from pg_database where datname like 'flotoitsmdb%'"; }

# Nothing changed at the DC: the same rows, the same databases, the services running.
expect_untouched() {  # NAME
  expect_eq "$1: every row is in place" "$(lab sql dc 'select count(*) from tickets')" "$rows"
  expect_eq "$1: no database was added or dropped" "$(databases)" flotoitsmdb
  for unit in ft-main-server ft-analytics-server ft-plugins-server; do
    expect_ok "$1: $unit still runs" "$LAB/hosts/dc-app/bin/svc" is-active "$unit"
  done
  expect_ok "$1: the application still reaches its database" curl -fsS --max-time 5 http://127.0.0.11:8080/health
}

restore() {  # ZIP: the restore with --yes, its exit status in $status
  status=0
  "$DRPLAN" apply plans/restore.dr -i lab/inventory.toml --yes --set site=dc --set "backup=$1" \
    --state-dir "$tmp/state" > "$E2E_LAST_OUTPUT" 2>&1 || status=$?
  cat "$E2E_LAST_OUTPUT"
}

fresh_lab
lab sql dc "insert into tickets(site, note) select 'dc', 'row-' || g from generate_series(1, 33) g"
zip=$(lab backup)
rows=$(lab sql dc "select count(*) from tickets")
mkdir "$tmp/unz"
(cd "$tmp/unz" && unzip -q "$zip")
dump=$(ls "$tmp/unz" | grep -vx manifest.json)
truncate -s $(($(stat -c %s "$tmp/unz/$dump") / 2)) "$tmp/unz/$dump"

step "a dump cut to half, no manifest"
(cd "$tmp/unz" && zip -q "$LAB/backups/bad-no-manifest.zip" "$dump")
chmod 644 "$LAB/backups/bad-no-manifest.zip"  # the hosts' login user reads it
restore "$LAB/backups/bad-no-manifest.zip"
expect_eq "the restore fails (exit 1)" "$status" 1
expect_ok "the missing manifest was a question, not a note" \
  bash -c "grep '\"step\":\"accept_unverified\"' '$tmp'/state/runs/*/journal.jsonl | grep -q '\"type\":\"gate\"'"
expect_ok "pg_restore into the new database is what failed" grep -q "FAILED restore_copy on dc-db" "$E2E_LAST_OUTPUT"
expect_fail "no service was stopped" bash -c "grep '\"type\":\"step_start\"' '$tmp'/state/runs/*/journal.jsonl | grep -q '\"step\":\"stop_'"
expect_fail "the summary does not claim a restore" grep -q "^    Restored " "$E2E_LAST_OUTPUT"
expect_untouched no-manifest

step "a dump cut to half, with its manifest"
rm -rf "$tmp/state"
(cd "$tmp/unz" && zip -q "$LAB/backups/bad-sum.zip" "$dump" manifest.json)
chmod 644 "$LAB/backups/bad-sum.zip"
restore "$LAB/backups/bad-sum.zip"
expect_eq "the restore fails (exit 1)" "$status" 1
expect_ok "the checksum is what failed" grep -q "FAILED checksum on dc-db" "$E2E_LAST_OUTPUT"
expect_fail "nothing was restored" bash -c "grep '\"type\":\"step_start\"' '$tmp'/state/runs/*/journal.jsonl | grep -q '\"step\":\"restore_copy\"'"
expect_untouched bad-sum

step "the good backup after damage: replaced, the old database kept"
rm -rf "$tmp/state"
lab sql dc "delete from tickets where id % 2 = 0"
damaged=$(lab sql dc "select count(*) from tickets")
expect_ok "the damage removed rows ($damaged of $rows left)" test "$damaged" -lt "$rows"
restore "$zip"
expect_eq "the restore succeeds" "$status" 0
expect_eq "every row of the backup is back" "$(lab sql dc 'select count(*) from tickets')" "$rows"
kept=$(lab sql dc "select datname from pg_database where datname like 'flotoitsmdb_before_restore_%'")
expect_ok "the old database is kept ($kept)" test -n "$kept"
expect_eq "with its rows" \
  "$(/usr/lib/postgresql/15/bin/psql -X -A -t -q -h "$LAB/hosts/dc-db/run" -U postgres -d "$kept" -c 'select count(*) from tickets')" "$damaged"
expect_ok "the summary says where" grep -q "the old database is kept as $kept" "$E2E_LAST_OUTPUT"
expect_ok "the application reaches the restored database" curl -fsS --max-time 5 http://127.0.0.11:8080/health

step "the lab back to normal operation"
lab down --purge >/dev/null 2>&1 || true
lab up >/dev/null
finish
