#!/bin/bash
# Usage: sh master_DC.sh — promote this host's replica database to primary (idempotent).
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$ROOT/etc/host.conf"
. /var/lib/drplan-lab/bin/lib.sh
drop_root "$@"
state=$("$ROOT/opt/pg" status)
if [[ $state == down ]]; then
  echo "master_DC: postgres on $NAME is down, starting it"
  "$ROOT/opt/pg" start >/dev/null
  state=$("$ROOT/opt/pg" status)
fi
case $state in
  primary) echo "master_DC: $NAME is already primary, nothing to do"; exit 0 ;;
  replica) echo "master_DC: promoting $NAME to primary"
           "$PGBIN/pg_ctl" -D "$ROOT/pgdata" -w -t 60 promote >/dev/null ;;
  *) die "postgres on $NAME is not answering" ;;
esac
[[ $("$ROOT/opt/pg" status) == primary ]] || die "promotion of $NAME failed"
echo "master_DC: $NAME is now primary"
