#!/usr/bin/env bash
# Benchmark: drplan's SSH transport vs OpenSSH (multiplexed and plain) vs ansible-playbook,
# against a throwaway sshd on 127.0.0.53:2222 with a non-root user (stock shell profile).
#   bench/ssh_bench.sh [BUILD_DIR] [N]      (as root; BUILD_DIR defaults to ./build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
n=${2:-200}
source "$here/../tests/e2e/lib/sshd_fixture.sh"
trap sshd_fixture_cleanup EXIT
sshd_fixture_init
sshd_fixture_start bench 127.0.0.53 2222
"$build/ssh_bench" --host 127.0.0.53 --port 2222 --user "$(cat "$SSHD_FIXTURE_DIR/user")" \
  --identity "$SSHD_FIXTURE_DIR/client/id_ed25519" \
  --known-hosts "$SSHD_FIXTURE_DIR/known_hosts" -n "$n"
