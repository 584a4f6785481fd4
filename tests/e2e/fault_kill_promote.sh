#!/usr/bin/env bash
# Fault: kill -9 of drplan as the promotion starts, while it runs and just after it ended,
# then --resume as an operator would. Each time: PostgreSQL's own log shows exactly one
# promotion, every row the DC had replicated is at DR, and the resumed failover completes.
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
fault_test killpromote
blocker=
at_exit '[[ -z $blocker ]] || kill "$blocker"'

# A lab whose DC took 5 writes that reached DR, then lost power.
lab_with_outage() {
  fresh_lab
  local i
  for i in 1 2 3 4 5; do lab sql dc "insert into tickets(site, note) values ('dc', 'before-outage-$i')"; done
  rows=$(lab sql dc "select count(*) from tickets")
  eventually 30 "[ \"\$(lab sql dr 'select count(*) from tickets')\" = $rows ]"
  lab outage dc
  rm -rf "$state"/runs
}

kill_drplan() {
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
  expect_ok "$1: drplan died before the end of the run" bash -c "! grep -q '\"type\":\"run_end\"' '$journal'"
}

# The resumed failover and what it must leave behind.
resume_and_count() {  # NAME
  run_drplan apply plans/failover.dr -i lab/inventory.toml --yes --state-dir "$state" --resume
  expect_eq "$1: PostgreSQL promoted dr-db exactly once" "$(promotions)" 1
  expect_eq "$1: dr database is primary" "$(lab sql dr 'select pg_is_in_recovery()')" f
  expect_eq "$1: every row the DC replicated is at DR" "$(lab sql dr 'select count(*) from tickets')" "$rows"
  expect_ok "$1: the DC is fenced" lab fence --check dc
  expect_eq "$1: DNS answers the dr address" "$(lab dns)" 127.0.0.21
  expect_ok "$1: the journal ends with a successful run" bash -c "tail -n1 '$journal' | grep -q '\"status\":\"succeeded\"'"
}

step "kill -9 as promote_db starts"
lab_with_outage
sed -i '2i sleep 2' "$LAB/hosts/dr-db/opt/master_DC.sh"
start_failover "$state"
journal_reaches step_start promote_db
kill_drplan start
resume_and_count start

step "kill -9 while promote_db runs (the script outlives its connection until it writes)"
lab_with_outage
sed -i '2i sleep 3' "$LAB/hosts/dr-db/opt/master_DC.sh"
start_failover "$state"
journal_reaches step_start promote_db
sleep 1.5
kill_drplan during
expect_ok "during: the promotion is still running on dr-db" pgrep -f "$LAB/hosts/dr-db/opt/master_DC.sh"
resume_and_count during
expect_ok "during: the resume settled the earlier promotion before going on" \
  grep -q '"type":"earlier_process"' "$journal"

step "kill -9 right after promote_db ended"
lab_with_outage
# ft-plugins-server's port taken: the run spends its last seconds retrying start_plugins,
# after the promotion, so the kill lands mid-run.
nc -l -k 127.0.0.21 8082 >/dev/null 2>&1 &
blocker=$!
start_failover "$state"
journal_reaches step_end promote_db
kill_drplan after
kill "$blocker" 2>/dev/null || true
blocker=
resume_and_count after
expect_eq "after: the resume did not start the promotion again" \
  "$(journal_steps step_start "$journal" | grep -cx promote_db)" 1

step "pg.promote once more on the promoted dr-db: idempotent by itself"
cat > "$state/again.dr" <<'DR'
plan again {
  use stdlib/postgres as pg
  gate already_primary { ask = "dr-db was promoted by the failover: promote again?" tags = ["accept-split-brain"] }
  action promote_again on dr.db after already_primary = pg.promote()
}
DR
run_drplan apply "$state/again.dr" -i lab/inventory.toml --yes --state-dir "$state/again"
expect_ok "it finds a primary and does not run the script" \
  grep -q "promote_again: already primary: the promotion is not run again" "$E2E_LAST_OUTPUT"
expect_eq "still one promotion in PostgreSQL's log" "$(promotions)" 1

step "the lab back to normal operation"
lab down --purge >/dev/null 2>&1 || true
lab up >/dev/null
finish
