#!/usr/bin/env bash
# Fault: the disk holding the journal fills up while the promotion runs. Nothing may run
# whose start is not on disk, so the failover stops at the next step (exit 1, no hang, the
# journal readable); once space is freed, --resume completes it with one promotion.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test full
mounted=
at_exit '[[ -z $mounted ]] || umount "$state"'

fresh_lab
lab outage dc
rows=$(lab sql dr "select count(*) from tickets")
mount -t tmpfs -o size=2m,mode=0700 tmpfs "$state"
mounted=1
sed -i '2i sleep 2' "$LAB/hosts/dr-db/opt/master_DC.sh"

step "the state dir's disk fills while promote_db runs"
start_failover "$state"
journal_reaches step_start promote_db
dd if=/dev/zero of="$state/fill" bs=4k 2>/dev/null || true   # until ENOSPC
wait_run
expect_eq "the failover stops (exit 1)" "$status" 1
expect_ok "it says the journal cannot be written" grep -q "cannot write the journal" "$E2E_LAST_OUTPUT"
# The disk is full, yet the journal's last page (tmpfs: 4 KiB) may still take a few records,
# so where the run stops varies. What must hold wherever it stops: nothing took effect
# whose start is not on disk.
journaled() { grep '"type":"step_start"' "$journal" | grep -q "\"step\":\"$1\""; }
if "$LAB/hosts/dr-app/bin/svc" is-active ft-main-server >/dev/null 2>&1; then
  expect_ok "ft-main-server runs at dr, and its start is journaled" journaled start_main
else
  pass "ft-main-server was not started at dr"
fi
if [[ $(lab dns) == 127.0.0.21 ]]; then
  expect_ok "DNS points at dr, and the switch's start is journaled" journaled switch_dns
else
  pass "DNS was not switched"
fi
expect_ok "every complete line of the journal is JSON" python3 -c '
import json, sys
data = open(sys.argv[1], "rb").read().split(b"\n")
for line in data[:-1]:
    json.loads(line)' "$journal"
expect_ok "the fence is kept" lab fence --check dc

step "space freed: --resume completes the failover"
rm -f "$state/fill"
run_drplan apply plans/failover.dr -i lab/inventory.toml --yes --state-dir "$state" --resume
expect_eq "PostgreSQL promoted dr-db exactly once" "$(promotions)" 1
expect_eq "dr database is primary" "$(lab sql dr 'select pg_is_in_recovery()')" f
expect_eq "no row lost at DR" "$(lab sql dr 'select count(*) from tickets')" "$rows"
expect_eq "DNS answers the dr address" "$(lab dns)" 127.0.0.21
expect_ok "the journal ends with a successful run" bash -c "tail -n1 '$journal' | grep -q '\"status\":\"succeeded\"'"

step "the lab back to normal operation"
umount "$state"
mounted=
lab down --purge >/dev/null 2>&1 || true
lab up >/dev/null
finish
