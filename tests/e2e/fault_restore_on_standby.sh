#!/usr/bin/env bash
# Fault (issue 18): a restore aimed at the site whose database is a standby (DR, replicating
# from the DC) is refused before anything changes: no copy, no service stopped, the replica
# still streaming, and the error says why.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test standby
lab up >/dev/null
eventually 30 '[ "$(lab sql dr "select count(*) from pg_stat_wal_receiver where status = '"'streaming'"'")" = 1 ]'
zip=$(lab backup)
dbs_before=$(lab sql dr "select string_agg(datname, ',' order by datname) from pg_database")

step "restore at dr (a standby), every gate approved"
drplan_status apply plans/restore.dr -i lab/inventory.toml --yes --state-dir "$state" --set site=dr --set "backup=$zip"
[[ $status -ne 0 ]] || fail "the restore ran on a standby"
expect_ok "the role check is what refused it" grep -q "FAILED db_is_primary on dr-db" "$E2E_LAST_OUTPUT"
expect_ok "and it says why" grep -q "not a primary: a standby" "$E2E_LAST_OUTPUT"
expect_fail "no copy was restored" grep -Eq "^[0-9:]+  ok +restore_copy" "$E2E_LAST_OUTPUT"
expect_fail "no service was stopped" grep -Eq "^[0-9:]+  (ok|start) +(action )?stop_" "$E2E_LAST_OUTPUT"
expect_eq "dr's databases are unchanged" "$(lab sql dr "select string_agg(datname, ',' order by datname) from pg_database")" "$dbs_before"
expect_eq "dr is still a streaming replica" \
  "$(lab sql dr "select count(*) from pg_stat_wal_receiver where status = 'streaming'")" 1
finish
