# shellcheck shell=bash
# Extra throwaway sshd's on loopback for the fan-out benchmark (sourced after lab.sh), started
# with the SSH tests' fixture (tests/e2e/lib/sshd_fixture.sh: its own login user and key).
#
#   sshd_pool_start N     sshd's on 127.0.2.1..N port 2222; stopped and removed at exit
#
# Sets POOL_DIR (the fixture's directory), POOL_ADDRS (the addresses), POOL_USER and
# POOL_KEY (their login and client key), and writes $POOL_DIR/known_hosts: one line per
# instance plus the lab's host keys, so one file serves a fan-out over both.
source "$REPO/tests/e2e/lib/sshd_fixture.sh"
POOL_PORT=2222

sshd_pool_start() {
  local n=$1 i a
  sshd_fixture_init
  on_exit 'sshd_fixture_cleanup'
  POOL_DIR=$SSHD_FIXTURE_DIR POOL_USER=$(cat "$SSHD_FIXTURE_DIR/user") POOL_KEY=$SSHD_FIXTURE_DIR/client/id_ed25519
  cat "$LAB/ssh/known_hosts" >> "$POOL_DIR/known_hosts"
  POOL_ADDRS=()
  for ((i = 1; i <= n; i++)); do
    a=127.0.2.$i
    sshd_fixture_start "pool$i" "$a" "$POOL_PORT"
    POOL_ADDRS+=("$a")
  done
  for a in "${POOL_ADDRS[@]}"; do   # every listener up
    for _ in $(seq 50); do port_open "$a" "$POOL_PORT" && break; sleep 0.1; done
    port_open "$a" "$POOL_PORT" || { echo "sshd_pool: $a did not come up" >&2; return 1; }
  done
}
