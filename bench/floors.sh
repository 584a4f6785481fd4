#!/usr/bin/env bash
# The floors under the other numbers, on this machine: the cost of starting a process
# (`/bin/sh -c true`, what every local step and ninja edge pays, and what sshd pays per remote
# command) and of one fdatasync of a small append on the journal's disk.
# Keys: floor.spawn, floor.fdatasync (ms each).
source "$(dirname "$0")/lib/common.sh"

n=$(quick 500 50) runs=3
section "floors: process spawn, fdatasync on the journal's disk ($(df --output=source,fstype "$BENCH_WORK" | tail -1 | tr -s ' '))"
measure floor.spawn "/bin/sh -c true, one after the other, each" --runs "$runs" --per "$n" --unit ms/spawn -- \
  bash -c "for ((i = 0; i < $n; i++)); do /bin/sh -c true; done"
measure floor.fdatasync "append + fdatasync of a journal record, each" --runs "$runs" --per "$n" --unit ms/sync -- \
  "$PY" "$BENCH_DIR/lib/fsync_probe.py" "$BENCH_WORK" "$n"
