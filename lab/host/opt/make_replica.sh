#!/bin/bash
# Usage: make_replica.sh PRIMARY_ADDR [PORT] — rebuild this host's database as a streaming
# replica of PRIMARY_ADDR (stops local postgres, wipes pgdata, pg_basebackup -R, starts it).
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
. "$ROOT/etc/host.conf"
. /var/lib/drplan-lab/bin/lib.sh
drop_root "$@"
(($# >= 1)) || { echo "usage: $0 PRIMARY_ADDR [PORT]" >&2; exit 2; }
primary=$1 port=${2:-$PG_PORT}
[[ $primary != "$MYADDR" ]] || die "$primary is this host; give the primary's address"
is_fenced "$SITE" && die "site $SITE is fenced: unfence it first"
pw=$(awk -F: '$4=="postgres"{print $5; exit}' "$PGPASSFILE")
conn="host=$primary port=$port user=postgres password=$pw application_name=$NAME"
# Check the source before destroying anything.
r=$(PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -X -A -t -q -d "$conn dbname=postgres" -c 'select pg_is_in_recovery()') \
  || die "cannot reach primary $primary:$port; local database left untouched"
[[ $r == f ]] || die "$primary:$port is not a primary (in recovery); local database left untouched"
"$ROOT/opt/pg" stop fast >/dev/null
rm -rf "$ROOT/pgdata"; mkdir -m 700 "$ROOT/pgdata"
echo "make_replica: pg_basebackup from $primary:$port"
"$PGBIN/pg_basebackup" -d "$conn" -D "$ROOT/pgdata" -R -X stream -c fast
"$ROOT/opt/pg" start >/dev/null
[[ $("$ROOT/opt/pg" status) == replica ]] || die "$NAME did not come up as a replica"
echo "make_replica: $NAME is now a replica of $primary:$port"
