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
# action_plan FILE HOST RUN [ATTRIBUTE...]: a plan of one action `act` (RUN holds no ").
action_plan() {
  local f=$1 host=$2 run=$3; shift 3
  {
    printf 'plan %s {\n  action act on %s {\n    run = "%s"\n    rollback = "true"\n' "$(basename "$f" .dr)" "$host" "$run"
    printf '    %s\n' "$@"
    printf '  }\n}\n'
  } > "$f"
}
# try_apply PLAN: applies it as ops, its exit status in $status, its output in $E2E_LAST_OUTPUT.
try_apply() {
  drplan_status apply "$1" -i "$inv" --yes --state-dir "$work/state"
}

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
action_plan "$work/root.dr" dr-db "touch $work/ran-as-root" 'become_user = "root"' 'timeout = 60s'
start=$SECONDS
try_apply "$work/root.dr"
[[ $status -ne 0 ]] || fail "the run succeeded without the rights"
((SECONDS - start < 20)) || fail "sudo's refusal took $((SECONDS - start)) s"
expect_ok "the error names the host and the user" grep -q "sudo on dr-db did not run the command as 'root'" "$E2E_LAST_OUTPUT"
expect_ok "it quotes sudo and says what to change" grep -q "a password is required.*NOPASSWD" "$E2E_LAST_OUTPUT"
expect_fail "the command did not run" test -e "$work/ran-as-root"
expect_fail "it is not reported as an unknown outcome" grep -qi "unknown" "$E2E_LAST_OUTPUT"

step "a command that fails with sudo's words is still the command's failure (it ran)"
action_plan "$work/fake.dr" dr-db "touch $work/fake-ran; echo 'sudo: a password is required' >&2; exit 1"
try_apply "$work/fake.dr"
expect_ok "it ran" test -e "$work/fake-ran"
expect_fail "it is not reported as a sudo refusal" grep -q "did not run the command" "$E2E_LAST_OUTPUT"

step "a command under sudo that times out is killed with every process it started"
action_plan "$work/slow.dr" dr-app "sleep 3001 | cat; echo never" 'timeout = 3s'
try_apply "$work/slow.dr"
[[ $status -ne 0 ]] || fail "the slow action did not fail"
expect_ok "it timed out" grep -q "timed out after 3s" "$E2E_LAST_OUTPUT"
eventually 15 "! pgrep -u drlab -f 'sleep 3001' >/dev/null"
pass "no process of the command is left on dr-app"

finish
