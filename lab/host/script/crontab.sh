#!/bin/bash
# Usage: sh crontab.sh — apply the file-sync cron job (writes etc/crontab of this host).
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../../.." && pwd)
. "$ROOT/etc/host.conf"
. /var/lib/drplan-lab/bin/lib.sh
drop_root "$@"
slave=$(sed -n 's/^current_slave="\(.*\)"$/\1/p' "$ROOT/home/flotomate/script/file_sync.sh")
cat > "$ROOT/etc/crontab.new" <<CRON
# file replication, applied $(date '+%F %T') by crontab.sh (current_slave=$slave)
*/5 * * * * /bin/bash $ROOT/home/flotomate/script/file_sync.sh >> $ROOT/log/file_sync.log 2>&1
CRON
mv "$ROOT/etc/crontab.new" "$ROOT/etc/crontab"
echo "crontab: applied on $NAME (file_sync every 5 minutes to $slave)"
