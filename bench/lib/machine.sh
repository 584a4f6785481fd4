#!/usr/bin/env bash
# Prints the machine and the software a benchmark run measured: CPU, memory, kernel, load,
# the disk under the journal (the directory given), and the tools' versions.
#   lib/machine.sh JOURNAL_DIR DRPLAN
set -euo pipefail
dir=$1 drplan=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
src=$(df --output=source "$dir" | tail -1)
dev=$(lsblk -no PKNAME "$src" 2>/dev/null | head -1); dev=${dev:-$(basename "$src")}
rota=$(cat "/sys/block/$dev/queue/rotational" 2>/dev/null || echo "?")
echo "date:     $(date '+%F %T %Z')"
echo "cpu:      $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory:   $(free -m | awk '/^Mem:/ { print $2 " MiB" }')"
echo "os:       Debian $(cat /etc/debian_version), kernel $(uname -r)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, at start)"
echo "journal:  $dir on $src ($(df --output=fstype "$dir" | tail -1), $([[ $rota == 0 ]] && echo "non-rotational" || echo "rotational=$rota"))"
echo "drplan:   $(git -C "$repo" describe --always --dirty 2>/dev/null || echo '?'), $(grep -m1 '^CMAKE_BUILD_TYPE' "$(dirname "$drplan")/CMakeCache.txt" 2>/dev/null | cut -d= -f2 || echo '?') ($drplan)"
echo "peers:    ninja $(ninja --version), $(ssh -V 2>&1 | cut -d, -f1), $(ansible-playbook --version 2>/dev/null | sed -n "1s/[][]//gp"), python $(/usr/bin/python3 -V | cut -d' ' -f2)"
