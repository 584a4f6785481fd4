#!/usr/bin/env bash
# End-to-end tests of the SSH transport: starts two throwaway sshd instances on loopback
# (127.0.0.51:2222 and 127.0.0.52:2222, apart from the lab's addresses), then runs the
# SshE2E gtests against them. Every test must run: a skip is a failure here.
# Env: DRPLAN (the drplan binary, set by ctest; drplan_tests sits beside it) or DRPLAN_TESTS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/sshd_fixture.sh"

tests_bin=${DRPLAN_TESTS:-$(dirname "${DRPLAN:?set DRPLAN or DRPLAN_TESTS}")/drplan_tests}
[ -x "$tests_bin" ] || { echo "ssh_transport.sh: $tests_bin not built" >&2; exit 1; }

trap sshd_fixture_cleanup EXIT
sshd_fixture_init
sshd_fixture_start a 127.0.0.51 2222
sshd_fixture_start b 127.0.0.52 2222

log=$SSHD_FIXTURE_DIR/gtest.log
set +e
DRPLAN_SSH_FIXTURE=$SSHD_FIXTURE_DIR "$tests_bin" --gtest_filter='SshE2E.*' 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if grep -q '^\[  SKIPPED \]' "$log"; then
  echo "ssh_transport.sh: some SSH tests were skipped" >&2
  exit 1
fi
if ! grep -q '^\[  PASSED  \]' "$log"; then
  echo "ssh_transport.sh: no SSH test ran" >&2
  exit 1
fi
exit "$rc"
