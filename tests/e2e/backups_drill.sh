#!/usr/bin/env bash
# The backup configuration drill (plans/backups.dr, the guide's "Configure Backups"): the UI's
# parts are gates; a recent scheduled backup must exist; after "Backup Now" (here: lab/backup)
# a new backup must appear and unzip. Without one, the drill fails at its deadline.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test backups
lab up >/dev/null
lab backup >/dev/null   # the scheduled one
sleep 1                 # not within the drill's own second

step "Backup Now pressed (lab/backup once the gate is approved): the drill passes"
start_apply backups "$state"
journal_reaches gate backup_now
new=$(lab backup)
wait_run
expect_eq "the drill succeeds" "$status" 0
expect_ok "it found the newest scheduled backup" grep -q "Newest scheduled backup (backup_recent): DB_" "$E2E_LAST_OUTPUT"
expect_ok "and the test backup, which unzips" grep -q "Test backup (backup_readable): unzips: $(basename "$new" .zip) manifest.json" "$E2E_LAST_OUTPUT"

step "no backup after Backup Now: the drill fails at its deadline"
rm -rf "$state/runs"
drplan_status apply plans/backups.dr -i lab/inventory.toml --yes --state-dir "$state" --set backup_timeout=4s
[[ $status -ne 0 ]] || fail "the drill passed without a new backup"
expect_ok "the wait for the backup is what failed" grep -q "FAILED backup_made" "$E2E_LAST_OUTPUT"
finish
