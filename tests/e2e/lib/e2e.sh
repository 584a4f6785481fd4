# Shared helpers for the end-to-end tests against the lab (sourced).
# Environment: DRPLAN (the binary), DRPLAN_SOURCE_DIR (the repository).
: "${DRPLAN:?set DRPLAN to the drplan binary}"
: "${DRPLAN_SOURCE_DIR:?set DRPLAN_SOURCE_DIR to the repository}"
cd "$DRPLAN_SOURCE_DIR"

E2E_PASSED=0
E2E_NAME=$(basename "$0" .sh)
E2E_LAST_OUTPUT=$(mktemp /tmp/drplan-e2e-out.XXXXXX)

step() { printf '\n== %s: %s\n' "$E2E_NAME" "$*"; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  timeout 30 lab/status >&2 || true  # a frozen server must not hang the report
  exit 1
}
pass() { E2E_PASSED=$((E2E_PASSED + 1)); printf 'ok: %s\n' "$*"; }

expect_eq() {  # NAME ACTUAL EXPECTED
  if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi
}
expect_ok() {  # NAME CMD...
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name: '$*' failed"; fi
}
expect_fail() {  # NAME CMD...
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then fail "$name: '$*' succeeded"; else pass "$name"; fi
}

# eventually_quiet SECONDS 'shell condition': true once the condition holds, false at the deadline.
eventually_quiet() {
  local deadline=$((SECONDS + $1))
  while ((SECONDS < deadline)); do
    if eval "$2"; then return 0; fi
    sleep 0.2
  done
  return 1
}
# eventually SECONDS 'shell condition': the same, failing the test at the deadline.
eventually() { eventually_quiet "$@" || fail "condition not met within $1 s: $2"; }

lab() { local cmd=$1; shift; "$DRPLAN_SOURCE_DIR/lab/$cmd" "$@"; }

# A clean lab: purge whatever an earlier test left and build it again.
fresh_lab() {
  step "fresh lab"
  lab down --purge >/dev/null 2>&1 || true
  lab up >/dev/null || fail "lab/up failed"
}

# run_drplan ARGS...: runs drplan, shows and keeps its output; fails the test on non-zero exit.
run_drplan() {
  printf '$ drplan %s\n' "$*"
  if ! "$DRPLAN" "$@" 2>&1 | tee "$E2E_LAST_OUTPUT"; then
    fail "drplan $* failed"
  fi
}

# drplan_status ARGS...: runs drplan without a terminal; its output shown and kept in
# $E2E_LAST_OUTPUT, its exit status in $status (for runs that are meant to fail).
drplan_status() {
  status=0
  "$DRPLAN" "$@" > "$E2E_LAST_OUTPUT" 2>&1 < /dev/null || status=$?
  cat "$E2E_LAST_OUTPUT"
}

# The last output is kept after a failure (fail exits before this), for the post-mortem.
finish() {
  rm -f "$E2E_LAST_OUTPUT"
  printf '\n%s: %d passed, 0 failed\n' "$E2E_NAME" "$E2E_PASSED"
}

# journal_steps TYPE JOURNAL: the step of every record of TYPE, one per line, in order.
journal_steps() {
  /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[2]):
    try: r = json.loads(line)
    except ValueError: continue
    if r.get("type") == sys.argv[1]: print(r.get("step", ""))' "$1" "$2"
}

# promotions: how many promote requests PostgreSQL at dr-db acted on (its own log).
promotions() { grep -c "received promote request" /var/lib/drplan-lab/hosts/dr-db/log/postgresql.log || true; }

# latest_journal 'GLOB': the journal of the newest run directory matching GLOB; nothing (and
# false) while there is none, so a wait never settles on a path like "/journal.jsonl".
latest_journal() {
  local d
  d=$(ls -d $1 2>/dev/null | tail -n1)
  [[ -n $d && -f ${d%/}/journal.jsonl ]] && echo "${d%/}/journal.jsonl"
}

# start_apply PLAN STATE_DIR [ARGS...]: plans/PLAN.dr with --yes in the background; its pid
# in $pid, its output in $E2E_LAST_OUTPUT; returns once its journal exists, in $journal.
start_apply() {
  local plan=$1 state=$2; shift 2
  "$DRPLAN" apply "plans/$plan.dr" -i lab/inventory.toml --yes --state-dir "$state" "$@" > "$E2E_LAST_OUTPUT" 2>&1 &
  pid=$!
  journal=
  eventually 60 "journal=\$(latest_journal '$state/runs/*-$plan-*')"
}
# start_failover STATE_DIR [ARGS...]: the standard failover, as start_apply.
start_failover() { start_apply failover "$@"; }

# journal_reaches TYPE STEP [SECONDS]: waits until $journal holds a TYPE record of STEP.
journal_reaches() { eventually "${3:-60}" "journal_steps $1 \"\$journal\" | grep -qx $2"; }

# wait_run: waits for the background apply of start_failover; its exit status in $status.
wait_run() {
  status=0
  wait "$pid" || status=$?
  pid=
  cat "$E2E_LAST_OUTPUT"
}

# fault_test NAME: what every fault test starts with: $LAB, a private scratch dir in $state,
# and an exit trap that kills a background apply left running ($pid), runs the commands
# queued with at_exit (newest first) and removes $state.
LAB=/var/lib/drplan-lab
E2E_AT_EXIT=()
at_exit() { E2E_AT_EXIT=("$*" "${E2E_AT_EXIT[@]}"); }
fault_test() {
  state=$(mktemp -d "/tmp/drplan-$1.XXXXXX")
  pid=
  trap 'e2e_cleanup' EXIT
}
e2e_cleanup() {
  [[ -z ${pid:-} ]] || kill -9 "$pid" 2>/dev/null || true
  local cmd
  for cmd in "${E2E_AT_EXIT[@]}"; do eval "$cmd" || true; done
  rm -rf "$state"
}

# break_replication: a fresh lab whose DR replica streams, then DR's replication cut
# (primary_conninfo pointing nowhere): what the DC commits from now on never reaches DR.
break_replication() {
  fresh_lab
  eventually 30 '[ "$(lab sql dr "select count(*) from pg_stat_wal_receiver where status = '"'streaming'"'")" = 1 ]'
  lab sql dr "alter system set primary_conninfo = 'host=127.0.0.1 port=1 user=postgres'" >/dev/null
  lab sql dr "select pg_reload_conf()" >/dev/null
  eventually 30 '[ "$(lab sql dr "select count(*) from pg_stat_wal_receiver where status = '"'streaming'"'")" = 0 ]'
}

# etcd_inventory FILE PREFIX: the lab's inventory with its runs' state in the lab's etcd
# cluster (members dc, dr, witness) under PREFIX.
ETCD_ENDPOINTS='"127.0.0.13:2379", "127.0.0.23:2379", "127.0.0.33:2379"'
ETCD_URL=etcd://127.0.0.13:2379,127.0.0.23:2379,127.0.0.33:2379
etcd_inventory() {
  { cat lab/inventory.toml; printf '\n[state]\nbackend = "etcd"\nendpoints = [%s]\nprefix = "%s"\n' "$ETCD_ENDPOINTS" "$2"; } > "$1"
}
# controller NAME ARGS...: drplan as another controller: its own HOME and host name (a UTS
# namespace), so its lock holder and journal records say ctl-NAME. The pid is drplan's.
controller() {
  local name=$1; shift
  mkdir -p "$state/home-$name"
  HOME=$state/home-$name exec_as_host "ctl-$name" "$DRPLAN" "$@"
}
exec_as_host() { unshare --uts sh -c 'hostname "$0" && exec "$@"' "$@"; }
# start_controller NAME ARGS...: the same in the background; $pid is drplan's own pid (the
# subshell becomes unshare, then sh, then drplan).
start_controller() {
  local name=$1; shift
  mkdir -p "$state/home-$name"
  (HOME=$state/home-$name exec unshare --uts sh -c 'hostname "$0" && exec "$@"' "ctl-$name" "$DRPLAN" "$@") &
  pid=$!
}
