#!/bin/bash
# Usage: sh file_sync.sh — copy this host's home/flotomate/files/ to the host at $current_slave.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
set -euo pipefail
current_slave="__SLAVE__"
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../../.." && pwd)
. "$ROOT/etc/host.conf"
. /var/lib/drplan-lab/bin/lib.sh
drop_root "$@"
[[ $current_slave != "$MYADDR" ]] || die "current_slave=$current_slave is this host"
target=""
for h in "${HOSTS[@]}"; do [[ ${ADDR[$h]} == "$current_slave" ]] && target=$h; done
[[ -n $target ]] || die "no lab host has address $current_slave"
# The target must be reachable: its sshd answers and its site is not fenced off.
if is_fenced "$(host_site "$target")" || ! port_open "$current_slave" 22; then
  die "$current_slave ($target) unreachable"
fi
dst=$LAB/hosts/$target/home/flotomate/files
mkdir -p "$dst"
cp -a "$ROOT/home/flotomate/files/." "$dst/"
echo "file_sync: $(date '+%F %T') $NAME -> $target ($current_slave): $(find "$ROOT/home/flotomate/files" -type f | wc -l) files"
