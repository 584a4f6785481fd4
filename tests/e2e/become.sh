#!/usr/bin/env bash
# become on the real lab (issue 12): the `ops` login owns nothing and runs every command as
# drlab through `sudo -n` (lab/inventory-ops.toml). Proves: commands and secrets reach the
# user sudo starts; a rule that wants a password is a clear, immediate error (never a
# prompt or a hang) and the command did not start; a timed-out command under sudo is killed
# with all its processes (a kill -9 of drplan under sudo: fault_orphans_remote.sh).
set -euo pipefail
. "$(dirname "$0")/lib/e2e.sh"
work=$(mktemp -d /tmp/drplan-become.XXXXXX)
chmod 0777 "$work"
cleanup() {
  pkill -u drlab -f 'sleep 3001' 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
lab up >/dev/null
inv=lab/inventory-ops.toml

step "commands and secrets run as drlab through sudo, not as ops"
cat > "$work/who.dr" <<'PLAN'
plan become_who {
  check login on dr-db {
    probe = "id -un; test \"$(id -un)\" = drlab && test \"$HOME\" = /var/lib/drplan-lab/home/drlab"
  }
  check secret on dr-db {
    probe = "test -n ${secrets.pg_password} && echo \"secret of ${#DRPLAN_SECRET_PG_PASSWORD} bytes\""
  }
  check sql on dr-db {
    become_user = target.pg_os_user
    probe = "printf 'select 1\n' | ${target.pg_bin}/psql -X -A -t -h ${target.pg_socket_dir} -p ${target.pg_port} -U ${target.pg_user} -d postgres"
    expect = "^1"
  }
}
PLAN
sed -i 's/\${#DRPLAN_SECRET_PG_PASSWORD}/\\${#DRPLAN_SECRET_PG_PASSWORD}/' "$work/who.dr"
run_drplan apply "$work/who.dr" -i "$inv" --yes --state-dir "$work/state"
expect_ok "the probe ran as drlab" grep -q "drlab" "$E2E_LAST_OUTPUT"
expect_ok "the secret reached the shell under sudo" grep -q "secret of 32 bytes" "$E2E_LAST_OUTPUT"
expect_fail "the secret's value is not in the output" grep -qF "$(cat /var/lib/drplan-lab/secrets/pg_password)" "$E2E_LAST_OUTPUT"

step "a sudo rule that needs a password: a clear error at once, the command never started"
cat > "$work/root.dr" <<PLAN
plan become_root {
  action as_root on dr-db {
    become_user = "root"
    run = "touch $work/ran-as-root"
    rollback = "rm -f $work/ran-as-root"
    timeout = 60s
  }
}
PLAN
start=$SECONDS
set +e
"$DRPLAN" apply "$work/root.dr" -i "$inv" --yes --state-dir "$work/state" > "$E2E_LAST_OUTPUT" 2>&1 < /dev/null
status=$?
set -e
cat "$E2E_LAST_OUTPUT"
[[ $status -ne 0 ]] || fail "the run succeeded without the rights"
((SECONDS - start < 20)) || fail "sudo's refusal took $((SECONDS - start)) s"
expect_ok "the error names the host and the user" grep -q "sudo on dr-db did not run the command as 'root'" "$E2E_LAST_OUTPUT"
expect_ok "it quotes sudo and says what to change" grep -q "a password is required.*NOPASSWD" "$E2E_LAST_OUTPUT"
expect_fail "the command did not run" test -e "$work/ran-as-root"
expect_fail "it is not reported as an unknown outcome" grep -qi "unknown" "$E2E_LAST_OUTPUT"

step "a command under sudo that times out is killed with every process it started"
cat > "$work/slow.dr" <<'PLAN'
plan become_slow {
  action slow on dr-app {
    run = "sleep 3001 | cat; echo never"
    rollback = "true"
    timeout = 3s
  }
}
PLAN
set +e
"$DRPLAN" apply "$work/slow.dr" -i "$inv" --yes --state-dir "$work/state" > "$E2E_LAST_OUTPUT" 2>&1 < /dev/null
status=$?
set -e
[[ $status -ne 0 ]] || fail "the slow action did not fail"
expect_ok "it timed out" grep -q "timed out after 3s" "$E2E_LAST_OUTPUT"
eventually 15 "! pgrep -u drlab -f 'sleep 3001' >/dev/null"
pass "no process of the command is left on dr-app"

finish
